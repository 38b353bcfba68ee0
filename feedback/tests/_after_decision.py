"""Shared set-up of the tests of opinions after the decision (issue 16 point 5)."""

from __future__ import annotations

import uuid

from django.utils import timezone

from consultations.models import Consultation, Decision
from feedback.after_decision.services import implementation_opinion_create
from feedback.intake.services import OpinionData
from feedback.tests._chapter_world import published_world


def decide(consultation: Consultation) -> Consultation:
    """Record the decision (as the decision chain's service leaves it) without its steps."""
    Decision.objects.create(
        consultation=consultation,
        decided_on=timezone.localdate(),
        body="示例市人民政府",
        summary="决定实施，并采纳部分意见。",
    )
    Consultation.objects.filter(pk=consultation.pk).update(
        stage=Consultation.Stage.DECIDED, decided_at=timezone.now()
    )
    consultation.refresh_from_db()
    return consultation


def decided_world():
    """The response world (seven opinions, three with a contact, response published), decided."""
    world = published_world()
    decide(world.consultation)
    return world


def implementation_opinion(consultation, comment="施工噪音太大，晚上十点以后还在施工。", **fields):
    submission, _created = implementation_opinion_create(
        consultation=consultation,
        data=OpinionData(comment=comment, **fields),
        token=uuid.uuid4(),
    )
    return submission
