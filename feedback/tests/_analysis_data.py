"""A small hand-counted register for the aggregate, export and dashboard tests."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.models import (
    AlternativePreference,
    ClauseComment,
    Coding,
    Contact,
    QuestionAnswer,
    Submission,
    Theme,
)
from feedback.tests.conftest import ensure_clauses

UTC = ZoneInfo("UTC")
# 20:00 UTC on 1 March is 04:00 on 2 March in Shanghai.
LATE_EVENING_UTC = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
PHONE = "13912345678"
EMAIL = "resident@example.com"


def make_submission(consultation, **fields) -> Submission:
    fields.setdefault("receipt", uuid.uuid4().hex[:12].upper())
    fields.setdefault("idempotency_token", uuid.uuid4())
    fields.setdefault("received_at", LATE_EVENING_UTC)
    return Submission.objects.create(consultation=consultation, **fields)


def build_register(consultation) -> dict:
    """Seven opinions (one withdrawn, one hidden); see test_aggregates for the hand counts."""
    analyst = UserFactory.with_role(Role.ANALYST, department=consultation.department)
    clause1, clause2 = ensure_clauses(consultation)[:2]
    alt_a, alt_b = list(consultation.alternatives.order_by("sort_order"))[:2]
    question = consultation.questions.order_by("sort_order").first()
    health = Theme.objects.create(consultation=consultation, name="健康", sort_order=1)
    site = Theme.objects.create(consultation=consultation, name="选址", sort_order=2)
    contact = Contact.objects.create(ref="contact-ref-secret-1", ciphertext="x")
    s = {}
    s[1] = make_submission(
        consultation,
        channel="web",
        stance="oppose",
        affected_status="live",
        moderation_state="hidden",
        comment=f"离家太近，请打电话{PHONE}或写信{EMAIL}联系我。",
        contact_ref=contact.ref,
        text_hash="a" * 64,
    )
    s[2] = make_submission(
        consultation, channel="web", stance="oppose", affected_status="live",
        comment="担心二噁英排放影响健康。", text_hash="b" * 64,
    )  # fmt: skip
    s[3] = make_submission(
        consultation, channel="web", stance="support", affected_status="work",
        comment="=HYPERLINK(\"http://evil\")", text_hash="a" * 64,
    )  # fmt: skip
    s[4] = make_submission(
        consultation, channel="phone", stance="conditional", affected_status="live",
        no_theme_reason="与本方案无关", no_theme_by=analyst,
    )  # fmt: skip
    s[5] = make_submission(
        consultation,
        channel="letter",
        stance="",
        affected_status="other",
        submitted_on=date(2026, 2, 28),
        received_at=datetime(2026, 3, 5, 2, 0, tzinfo=UTC),
    )
    s[6] = make_submission(
        consultation, channel="web", stance="oppose", affected_status="live", withdrawn=True,
        withdrawn_at=LATE_EVENING_UTC, text_hash="c" * 64,
    )  # fmt: skip
    s[7] = make_submission(consultation, channel="web", stance="unsure", affected_status="")
    for sub, theme in ((1, health), (1, site), (2, health), (3, site), (6, health)):
        Coding.objects.create(submission=s[sub], theme=theme, coded_by=analyst)
    ClauseComment.objects.create(submission=s[1], clause=clause1, text="第一条不合理")
    ClauseComment.objects.create(submission=s[3], clause=clause1, text="第一条很好")
    ClauseComment.objects.create(submission=s[3], clause=clause2, text="第二条也好")
    ClauseComment.objects.create(submission=s[6], clause=clause2, text="撤回的意见")
    AlternativePreference.objects.create(submission=s[1], alternative=alt_a, preference="prefer")
    AlternativePreference.objects.create(
        submission=s[3], alternative=alt_b, preference="not_acceptable"
    )
    QuestionAnswer.objects.create(submission=s[2], question=question, options=[2])
    return {
        "s": s,
        "health": health,
        "site": site,
        "clause1": clause1,
        "clause2": clause2,
        "analyst": analyst,
        "contact": contact,
    }
