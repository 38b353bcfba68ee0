"""Shared set-up of the hearing tests: a consultation with a hearing replayed on a timeline."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from consultations.models import Consultation
from consultations.roles import Role
from consultations.tests.factories import UserFactory, published_consultation
from feedback.hearings import services
from feedback.hearings.services import CategoryData, RegistrationData

CATEGORIES = [
    CategoryData(code="affected", name="受影响的居民", seats=2, name_en="Affected residents"),
    CategoryData(code="public", name="社会公众", seats=1, name_en="Members of the public"),
]


@dataclass
class Timeline:
    notice: datetime
    closes: datetime
    starts: datetime


def timeline(*, notice_days: int = 40, now: datetime | None = None) -> Timeline:
    """A hearing ``notice_days`` after the notice; registration closes 20 days before. By
    default the notice was 60 days ago, so the whole hearing can be replayed up to today."""
    notice = now or timezone.now() - timedelta(days=60)
    starts = notice + timedelta(days=notice_days)
    return Timeline(notice=notice, closes=starts - timedelta(days=20), starts=starts)


def consultation(kind: str = Consultation.Kind.MAJOR_DECISION, **kwargs) -> Consultation:
    now = timezone.now()
    kwargs.setdefault("opens_at", now - timedelta(days=80))
    kwargs.setdefault("closes_at", now + timedelta(days=30))
    return published_consultation(kind=kind, **kwargs)


def editor_of(consultation_obj, role: str = Role.EDITOR):
    return UserFactory.with_role(role, department=consultation_obj.department)


def hearing_for(consultation_obj, user, t: Timeline, categories=None):
    return services.hearing_save(
        user=user,
        consultation=consultation_obj,
        fields={
            "starts_at": t.starts,
            "registration_closes_at": t.closes,
            "place": "示例市政府第一会议室",
            "explanation": "听证会讨论本方案的补偿标准。",
            "selection_method": "按类别报名，名额不足时在类别内公开抽签。",
        },
        categories=categories or CATEGORIES,
    )


def register(hearing, category_code: str, name: str = "张三", *, now=None, phone="13800138000"):
    category = hearing.categories.get(code=category_code)
    registration, _created = services.registration_create(
        hearing=hearing,
        data=RegistrationData(
            name=name, category=category, statement="我想谈谈补偿标准。", contact_phone=phone
        ),
        token=uuid.uuid4(),
        now=now,
    )
    return registration


def through_draw(consultation_obj, user, *, registrants=(("affected", 4), ("public", 3))):
    """Notice, registrations, freeze and draw, on a timeline that starts now."""
    t = timeline()
    hearing = hearing_for(consultation_obj, user, t)
    services.notice_publish(user=user, hearing=hearing, now=t.notice)
    for code, n in registrants:
        for i in range(n):
            register(hearing, code, name=f"{code}{i}", now=t.notice + timedelta(days=1))
    services.list_freeze(user=user, hearing=hearing, now=t.closes)
    services.draw_run(user=user, hearing=hearing, now=t.closes + timedelta(hours=1))
    hearing.refresh_from_db()
    return hearing, t


def to_held(consultation_obj, user, *, materials_days_before: int = 8):
    """Through the draw, the list published, materials sent, a record and confirmations."""
    hearing, t = through_draw(consultation_obj, user)
    services.participants_publish(user=user, hearing=hearing, now=t.closes + timedelta(days=1))
    services.materials_sent_record(
        user=user,
        hearing=hearing,
        sent_on=timezone.localdate(t.starts) - timedelta(days=materials_days_before),
        now=t.starts,
    )
    during = t.starts + timedelta(hours=1)
    participant = hearing.participants.first()
    services.record_item_add(
        user=user,
        hearing=hearing,
        kind="statement",
        text="补偿标准偏低。",
        speaker=participant,
        stance="oppose",
        now=during,
    )
    for n, p in enumerate(hearing.participants.all()):
        services.participant_confirm(
            user=user, participant=p, confirmed=n != 0, note="" if n else "当场拒绝签字", now=during
        )
    hearing.refresh_from_db()
    return hearing, t
