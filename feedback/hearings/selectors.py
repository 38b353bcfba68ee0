"""Reads of hearings for the public pages, the verification and other packages."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from feedback.hearings import draw as draw_mod
from feedback.hearings import rules
from feedback.models import Hearing, HearingParticipant, MajorityCount


def published_hearing(consultation) -> Hearing | None:
    """The hearing of ``consultation`` once its notice is published, else None."""
    return (
        Hearing.objects.filter(consultation=consultation, notice_published_at__isnull=False)
        .select_related("consultation")
        .first()
    )


def hearing_of(consultation) -> Hearing | None:
    return Hearing.objects.filter(consultation=consultation).first()


def majority_count_of(consultation) -> MajorityCount | None:
    return MajorityCount.objects.filter(consultation=consultation).first()


def status(hearing: Hearing, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if hearing.report_published_at:
        return "report"
    if hearing.held_at or now >= hearing.starts_at:
        return "held"
    if hearing.participants_published_at:
        return "participants"
    if hearing.drawn_at:
        return "drawn"
    if hearing.list_frozen_at:
        return "frozen"
    if now < hearing.registration_closes_at:
        return "registration"
    return "closed"


def draw_record(hearing: Hearing) -> dict:
    """What the public verification page and ``hearing_verify_draw`` check: everything needed
    to re-run the draw, and nothing personal (numbers and categories only; the seed only after
    the draw)."""
    frozen = hearing.list_frozen_at is not None
    registrations = (
        list(hearing.registrations.order_by("number").values("number", "category__code"))
        if frozen
        else []
    )
    selected: dict[str, list[str]] = {}
    if hearing.drawn_at:
        for number, code in hearing.registrations.filter(selected=True).values_list(
            "number", "category__code"
        ):
            selected.setdefault(code, []).append(number)
    return {
        "consultation": hearing.consultation.slug,
        "algorithm": draw_mod.ALGORITHM,
        "seats": {c.code: c.seats for c in hearing.categories.all()},
        "list_digest": hearing.list_digest,
        "seed_hash": hearing.seed_hash,
        "seed": hearing.seed if hearing.drawn_at else "",
        "registrations": [
            {"number": r["number"], "category": r["category__code"]} for r in registrations
        ],
        "selected": {code: sorted(numbers) for code, numbers in selected.items()},
    }


def public_participants(hearing: Hearing) -> list[HearingParticipant]:
    if not hearing.participants_published_at:
        return []
    return list(hearing.participants.select_related("category"))


def notice_rule(hearing: Hearing) -> tuple[int, str]:
    kind = hearing.consultation.kind
    return (hearing.notice_days or rules.notice_days(kind), rules.notice_source(kind))


def hearing_statement_count(consultation) -> int:
    """Opinions of the consultation that came from hearing statements."""
    from feedback.models import Channel, Submission

    return Submission.objects.filter(consultation=consultation, channel=Channel.HEARING).count()
