"""Filters for the analysis tables: suppressed counts (None) are written "<5"."""

from django import template

from feedback.analysis.suppression import display

register = template.Library()


@register.filter
def cell(value):
    return display(value)


@register.filter
def cell_of(cells, key):
    return display(cells.get(key))
