"""Filters for the figures of every table: a shown count as it is, a hidden one as its label
("<5", "hidden (protects a small group)", "not shown") in a ``<span>`` whose class says which
(``tj-suppressed tj-suppressed-small|protects|withheld``) and whose title explains it."""

from django import template
from django.utils.html import format_html

from feedback.analysis import suppression

register = template.Library()


def render_count(value) -> str:
    """A count for a table cell: the number, or the labelled span of a hidden cell."""
    if not suppression.is_hidden(value):
        return str(value)
    return format_html(
        '<span class="{}" title="{}">{}</span>',
        suppression.css_class(value),
        suppression.explanation(value),
        suppression.display(value),
    )


@register.filter
def cell(value):
    return render_count(value)


@register.filter
def cell_of(cells, key):
    return render_count(cells.get(key))


@register.filter
def is_hidden(value) -> bool:
    return suppression.is_hidden(value)


@register.filter
def cell_text(value) -> str:
    """The plain text of a count (for attributes and exports): number or label."""
    return suppression.display(value)


@register.simple_tag
def suppression_legend(outcome=None, *, always=False):
    """The three labels of hidden figures with what each means: only the kinds the page uses
    (``outcome``: a suppression ``Outcome`` or an iterable of shown values), or all of them."""
    from django.utils.html import format_html_join
    from django.utils.translation import gettext as _

    if always or outcome is None:
        kinds = ["small", "protects", "withheld"]
    else:
        values = outcome.values.values() if isinstance(outcome, suppression.Outcome) else outcome
        used = {suppression.kind_of(v) for v in values}
        kinds = [k for k in ("small", "protects", "withheld") if k in used]
    if not kinds:
        return ""
    items = format_html_join(
        "",
        '<li><span class="tj-suppressed tj-suppressed-{}">{}</span>: {}</li>',
        ((kind, suppression.LABELS[kind], suppression.EXPLANATIONS[kind]) for kind in kinds),
    )
    intro = _(
        "Counts under 5 are hidden, and so is any figure that would let a hidden count be "
        "worked out from the totals, the other tables or the percentages on this page:"
    )
    return format_html(
        '<div class="tj-suppression-legend"><p>{}</p><ul>{}</ul></div>',
        intro,
        items,
    )
