"""``{% decision_chain_for consultation as chain %}``: the public timeline of the decision (R22)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def decision_chain_for(consultation) -> dict:
    """The steps shown to the public (optional steps only once recorded) and the decision.

    ``shown`` is False before the consultation has closed, unless a step is already recorded.
    """
    from consultations.decisions import decision_chain
    from consultations.models import Decision, Step, StepStatus

    steps = [s for s in decision_chain(consultation) if s.shown_in_public]
    decision = Decision.objects.filter(consultation_id=consultation.pk).first()
    started = any(s.status != StepStatus.NOT_STARTED for s in steps if s.step != Step.CONSULTATION)
    closed = steps and steps[0].status == StepStatus.DONE
    return {"steps": steps, "decision": decision, "shown": bool(closed or started)}
