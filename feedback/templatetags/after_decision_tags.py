"""``{% implementation_for consultation as impl %}`` and ``{% original_of consultation as c %}``:
what the consultation page says about the channel after the decision and the post-decision
evaluation (issue 16 point 5). The page is cached by the consultation row's version: a new
opinion during implementation and the evaluation's first publication write the row."""

from django import template

register = template.Library()


@register.simple_tag
def implementation_for(consultation):
    from feedback.after_decision.selectors import implementation_status

    if consultation.stage != consultation.Stage.DECIDED:
        return None
    return implementation_status(consultation)


@register.simple_tag
def original_of(consultation):
    """The published decided consultation that ``consultation`` evaluates, or None."""
    from consultations.models import Consultation

    if not consultation.follow_up_of_id:
        return None
    return Consultation.objects.filter(pk=consultation.follow_up_of_id, live=True).first()
