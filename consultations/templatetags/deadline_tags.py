"""``{{ consultation|deadline }}`` for the consultations app's own admin templates.

The one deadline format (consultations/deadline.py): weekday, 24:00 for a close at midnight
and the days left. The public pages (cms ``tingjian``) and the feedback screens
(``feedback_tags``) have the same filter; this one keeps consultations' templates from loading
a library of a layer above them.
"""

from __future__ import annotations

from django import template

from consultations.deadline import deadline_text

register = template.Library()


@register.filter
def deadline(consultation, mode: str = "") -> str:
    """ "2027年1月12日（星期二）24:00 截止，还剩37天"; ``"short"`` leaves out the days left."""
    return deadline_text(consultation.closes_at, with_days_left=mode != "short")
