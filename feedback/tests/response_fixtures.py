"""Shared set-up of the response and 稳评 tests: a closed consultation with coded opinions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from consultations.models import Clause, Consultation, DraftVersion
from consultations.roles import Role
from consultations.tests.factories import UserFactory, published_consultation
from feedback.intake.services import OpinionData, submission_create, submission_withdraw
from feedback.models import (
    AffectedStatus,
    CampaignGroup,
    CampaignMember,
    Channel,
    Coding,
    Concern,
    ModerationState,
    Stance,
    Submission,
    Theme,
)


def add_opinion(consultation, *, channel=Channel.WEB, email="", phone="", **kwargs) -> Submission:
    data = OpinionData(
        comment=kwargs.pop("comment", "建议加强环境监测，公开排放数据。"),
        stance=kwargs.pop("stance", Stance.OPPOSE),
        affected_status=kwargs.pop("affected_status", AffectedStatus.LIVE),
        contact_email=email,
        contact_phone=phone,
    )
    submitted_on = timezone.localdate() if channel != Channel.WEB else None
    submission, _created = submission_create(
        consultation=consultation,
        data=data,
        token=uuid.uuid4(),
        channel=channel,
        submitted_on=submitted_on,
    )
    return submission


def close(consultation: Consultation) -> Consultation:
    now = timezone.now()
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_at=now - timedelta(days=40), closes_at=now - timedelta(days=1)
    )
    consultation.refresh_from_db()
    return consultation


@dataclass
class World:
    consultation: Consultation
    editor: object
    themes: list[Theme]
    subs: list[Submission]
    new_clause: Clause
    old_clause: Clause
    v1: DraftVersion
    v2: DraftVersion
    extra: dict = field(default_factory=dict)


def build_world() -> World:
    """Seven opinions (web, phone, letter; one withdrawn, one hidden, one 'no theme'), themes."""
    consultation = published_consultation()
    editor = UserFactory.with_role(Role.EDITOR, department=consultation.department)
    subs = [
        add_opinion(consultation, email="resident1@example.org"),
        add_opinion(consultation, phone="13800138000"),
        add_opinion(consultation, channel=Channel.PHONE, stance=Stance.SUPPORT),
        add_opinion(consultation, channel=Channel.LETTER, affected_status=AffectedStatus.OWN),
        add_opinion(consultation, comment="请公开补偿标准。"),
        add_opinion(consultation, comment="与本事项无关的内容。", email="resident6@example.org"),
        add_opinion(consultation, comment="同样建议加强环境监测。"),
    ]
    submission_withdraw(submission=subs[4])
    Submission.objects.filter(pk=subs[6].pk).update(moderation_state=ModerationState.HIDDEN)
    close(consultation)
    health = Theme.objects.create(
        consultation=consultation, name="环境监测", concern=Concern.HEALTH
    )
    money = Theme.objects.create(
        consultation=consultation, name="补偿标准", concern=Concern.COMPENSATION, sort_order=1
    )
    Theme.objects.create(consultation=consultation, name="空主题", sort_order=2)
    for s in (subs[0], subs[1], subs[2], subs[6]):
        Coding.objects.create(submission=s, theme=health, coded_by=editor)
    for s in (subs[1], subs[3], subs[4]):
        Coding.objects.create(submission=s, theme=money, coded_by=editor)
    Submission.objects.filter(pk=subs[5].pk).update(no_theme_reason="与本事项无关")
    group = CampaignGroup.objects.create(
        consultation=consultation, status=CampaignGroup.Status.CONFIRMED, representative=subs[0]
    )
    CampaignMember.objects.create(group=group, submission=subs[0])
    CampaignMember.objects.create(group=group, submission=subs[6])
    dismissed = CampaignGroup.objects.create(
        consultation=consultation, status=CampaignGroup.Status.DISMISSED
    )
    CampaignMember.objects.create(group=dismissed, submission=subs[2])
    v1 = consultation.draft_versions.get(number=1)
    v2 = DraftVersion.objects.create(consultation=consultation, number=2, note="根据意见修改")
    old_clause = v1.clauses.order_by("number").first()
    for c in v1.clauses.order_by("number"):
        Clause.objects.create(
            version=v2,
            number=c.number,
            heading=c.heading,
            text=c.text + ("并每月公开监测数据。" if c.number == 1 else ""),
        )
    new_clause = v2.clauses.get(number=1)
    for s in subs:
        s.refresh_from_db()
    return World(consultation, editor, [health, money], subs, new_clause, old_clause, v1, v2)


def department_approver(world: World, consultation: Consultation | None = None):
    """An approver of the consultation's department (made once per world)."""
    consultation = consultation or world.consultation
    key = f"approver-{consultation.department_id}"
    if key not in world.extra:
        world.extra[key] = UserFactory.with_role(Role.APPROVER, department=consultation.department)
    return world.extra[key]


def publish_response(world: World, *, consultation=None, user=None, approver=None, **kwargs):
    """Submit the response as ``user`` (the world's editor) and approve it as a second person,
    an approver of the department (issue 13: two people publish a response)."""
    from feedback.response.services import response_approve, response_submit

    consultation = consultation or world.consultation
    response_submit(user=user or world.editor, consultation=consultation, **kwargs)
    approver = approver or department_approver(world, consultation)
    return response_approve(user=approver, consultation=consultation)
