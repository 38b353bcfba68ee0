"""Opinions during implementation, the 稳评 chapter and the dossier (issue 16).

The school merger has the whole chain (hearing, response, decision): its 稳评 chapter is made on
demand from the data already seeded (/admin/risk-chapter/); its dossier is queued here for the
department's approver, so that a ready ZIP waits under /admin/dossier/ once the task worker ran
it (``make run`` starts one). Queued after the commit, so a seed inside a test transaction
writes no file.

Opinions during implementation (issue 16 point 5): the decided school merger gets a little over
``IMPLEMENTATION_REVIEW_THRESHOLD`` (30) of them through the same write path as the public form
(``feedback.after_decision.services``), a few with a contact, two read by its approver (one
shown, one hidden, still counted), so that ``make run`` shows the channel and its count on the
public page, the listing, and the prompt to consider a post-decision evaluation on the staff
home page of ``editor3``/``approver3`` and on the decision chain screen. The texts are composed
from parts with a fixed seed.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

# Composed into the opinions during implementation: what, where, and what people ask for.
PROBLEMS = [
    "校车早上七点就到村口，孩子们天不亮就要出门",
    "新校区门口上下学时段车辆拥堵",
    "寄宿生周末回家的交通补贴还没有发放",
    "食堂饭菜分量不够，孩子下午饿",
    "河口村原校舍空置，没有说明以后做什么用",
    "校车司机换得太频繁，家长不放心",
    "下雨天校车停靠点没有遮雨的地方",
    "低年级学生午休没有床位",
]
PLACES = ["河口村", "松林镇", "中心小学东门", "校车停靠点", "新校区"]
ASKS = [
    "希望调整校车时间。",
    "请尽快公布解决办法。",
    "建议增加老师值守。",
    "请把补贴发放时间公开。",
    "希望听取家长意见后再调整。",
]
IMPLEMENTATION_OPINIONS = 32
WITH_CONTACT = (3, 11, 20)


def seed(users: dict) -> None:
    """Add this part of the demo; ``users`` maps demo usernames to users. Idempotent."""
    from consultations.models import Consultation, Decision
    from feedback.audit.checkpoints import take_checkpoint
    from feedback.dossier.tasks import DOSSIER_KIND, run_dossier
    from feedback.models import StaffJob

    from .decisions import SCHOOL

    school = Consultation.objects.filter(slug=SCHOOL, live=True).first()
    user = users.get("approver3") or users.get("admin")
    if school is None or user is None or not Decision.objects.filter(consultation=school).exists():
        return
    _implementation_opinions(school, user)
    take_checkpoint()  # the dossier names the audit chain's latest checkpoint
    if StaffJob.objects.filter(kind=DOSSIER_KIND, consultation=school).exists():
        return
    job = StaffJob.objects.create(
        kind=DOSSIER_KIND, consultation=school, requested_by=user, params={"via": "demo"}
    )
    transaction.on_commit(lambda: run_dossier.enqueue(job.pk))


def _implementation_opinions(school, moderator) -> None:
    from feedback.after_decision.selectors import implementation_submissions
    from feedback.after_decision.services import implementation_opinion_create
    from feedback.intake.services import OpinionData
    from feedback.models import AffectedStatus, ModerationState
    from feedback.review.moderation import moderate

    if implementation_submissions(school).exists():
        return
    rng = random.Random(165)  # noqa: S311 - a repeatable demo, not a secret
    now = timezone.now()
    decided = school.decided_at or now - timedelta(days=10)
    span = max(now - decided, timedelta(hours=1))
    statuses = [AffectedStatus.LIVE, AffectedStatus.LIVE, AffectedStatus.OTHER, ""]
    stored = []
    for n in range(IMPLEMENTATION_OPINIONS):
        text = f"{rng.choice(PLACES)}：{rng.choice(PROBLEMS)}，{rng.choice(ASKS)}"
        data = OpinionData(
            comment=text,
            affected_status=rng.choice(statuses),
            quote_consent=n % 4 != 0,
            contact_email=f"jiazhang{n}@example.org" if n in WITH_CONTACT else "",
        )
        submission, _created = implementation_opinion_create(
            consultation=school,
            data=data,
            token=uuid.uuid5(uuid.NAMESPACE_URL, f"tingjian-demo-implementation-{n}"),
            now=decided + span * (n + 1) / (IMPLEMENTATION_OPINIONS + 1),
        )
        stored.append(submission)
    quotable = [s for s in stored if s.quote_consent]
    moderate(moderator, quotable[0], ModerationState.SHOWN, "")
    moderate(moderator, quotable[1], ModerationState.SHOWN, "")
    moderate(moderator, quotable[2], ModerationState.HIDDEN, "含有可能识别他人的细节。")
