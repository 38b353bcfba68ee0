"""Fixes to Wagtail applied at start-up (``CmsConfig.ready``), each with the reason.

- **A chooser given a value that is not an id** (issue 14, point 4): Wagtail's
  ``BaseChooser.get_instance`` looks the bound value up with ``objects.get(pk=value)`` and
  catches only ``DoesNotExist``, so a form posted with ``document=abc`` (or a number beyond
  the database's range) answers 500 when it is shown again with its errors, instead of
  showing the field's own "select a valid choice" message. Such a value shows as "nothing
  chosen". cms/tests/test_malformed_posts.py plays it.
- **An inline formset whose counts do not match its rows** (the same issue): modelcluster's
  ``BaseTransientModelFormSet._construct_form`` reads each initial row's id with
  ``data[key]`` and converts it without catching anything, so a POST claiming more initial rows
  than it sends (``draft_clauses-INITIAL_FORMS=999…``) or an id that is not a number answers
  500. Such a row is built as a new, empty row instead, and the form shows its errors.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms.models import BaseModelFormSet
from modelcluster.forms import BaseTransientModelFormSet
from wagtail.admin.widgets.chooser import BaseChooser

_original_get_instance = BaseChooser.get_instance


BIGINT_MAX = 2**63 - 1


def _get_instance(self, value):
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        if abs(int(value)) > BIGINT_MAX:  # the database would refuse the query (DataError)
            return None
    try:
        return _original_get_instance(self, value)
    except (ValueError, TypeError, ValidationError, OverflowError):
        return None


_original_construct_form = BaseTransientModelFormSet._construct_form


def _construct_form(self, i, **kwargs):
    try:
        return _original_construct_form(self, i, **kwargs)
    except (KeyError, IndexError, ValueError, TypeError, ValidationError):
        kwargs["instance"] = self.model()
        return super(BaseModelFormSet, self)._construct_form(i, **kwargs)


def apply() -> None:
    if BaseChooser.get_instance is not _get_instance:
        BaseChooser.get_instance = _get_instance
    if BaseTransientModelFormSet._construct_form is not _construct_form:
        BaseTransientModelFormSet._construct_form = _construct_form
