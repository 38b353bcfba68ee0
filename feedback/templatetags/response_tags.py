"""``{% response_status consultation as status %}``: published response or 反馈逾期 (R21)."""

from django import template
from django.utils import timezone

register = template.Library()


@register.simple_tag
def response_status(consultation) -> dict:
    from consultations.periods import local_date
    from feedback.response.selectors import published_response, response_due_date

    response = published_response(consultation)
    due = response_due_date(consultation)
    overdue = (
        response is None and due is not None and local_date(timezone.now()) > due
    )  # same rule as selectors.response_overdue, without a second query
    return {"response": response, "due": due, "overdue": overdue}


@register.simple_tag
def published_responses(consultations) -> list:
    """``{% published_responses items as answers %}``: (consultation, response) of those of
    ``consultations`` whose response is published, in their order; one query."""
    from feedback.models import ConsultationResponse

    items = list(consultations or [])
    published = {
        r.consultation_id: r
        for r in ConsultationResponse.objects.filter(
            consultation__in=[c.pk for c in items], published_at__isnull=False
        )
    }
    return [(c, published[c.pk]) for c in items if c.pk in published]


@register.filter
def shown(count):
    """A possibly suppressed count as shown in tables: the number, or the labelled span of a
    hidden cell ("<5", "hidden (protects a small group)", "not shown"; see analysis_tags)."""
    from feedback.templatetags.analysis_tags import render_count

    return render_count(count)


@register.filter
def share(value):
    """A percentage as shown: "76.9%", or nothing when it is not shown (a hidden count)."""
    return "" if value is None else f"{value}%"


@register.filter
def lookup(mapping, key):
    return mapping.get(key, "") if hasattr(mapping, "get") else ""
