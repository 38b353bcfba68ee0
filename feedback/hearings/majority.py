"""The majority count of a land requisition or old-town redevelopment plan (R29).

How the count stays unlinkable (docs/hearings-guide.md):

1. Staff enter the size of the verified roster (members of the collective, or owners). The
   roster stays where it is kept (on paper, with the collective or the expropriation office);
   no name enters the portal.
2. Staff make a batch of one-use tokens; each is shown once, to be printed and handed out
   against the roster, one per member, in a separate step (sealed slips drawn at random).
   Only each token's SHA-256 digest is stored, as the primary key of its row: no serial
   number, no time, nothing that says in which order the tokens were made or handed out.
3. A member who considers the plan unlawful enters the token on the public page (or drops the
   slip in a box whose slips staff enter). In one transaction the token's row is deleted and
   the count grows by one. Nothing else is written: no time, no audit entry per token (a staff
   batch of paper slips writes one entry with the number only).

So the database only ever holds the roster size, the number of tokens made, the count, and the
digests of the tokens not used. A hearing is required when the count is more than half the
roster (``MajorityCount.majority_reached``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.models import Consultation
from feedback.audit.trail import record
from feedback.hearings import rules
from feedback.hearings.permissions import can_manage_hearing
from feedback.hearings.services import HearingRuleError, touch
from feedback.models import AuditAction, MajorityCount, MajorityToken
from feedback.models.receipts import ALPHABET

TOKEN_LENGTH = 16  # 80 bits
_TRANSLATE = str.maketrans({"I": "1", "L": "1", "O": "0"})
MAX_BATCH = 2000


def normalise_token(typed: str) -> str:
    return re.sub(r"[\s\-_.]", "", typed or "").upper().translate(_TRANSLATE)


def token_digest(typed: str) -> str:
    return hashlib.sha256(normalise_token(typed).encode("ascii", "ignore")).hexdigest()


def format_token(token: str) -> str:
    return "-".join(token[i : i + 4] for i in range(0, len(token), 4))


def majority_count_open(
    *, user, consultation: Consultation, roster_size: int, closes_at: datetime | None = None
) -> MajorityCount:
    """Start (or correct the roster size of) the count of a requisition plan."""
    if not can_manage_hearing(user, consultation):
        raise PermissionDenied
    basis = rules.MAJORITY_KINDS.get(consultation.kind)
    if basis is None:
        raise HearingRuleError(
            [_("A majority count is for land requisition and old-town redevelopment plans.")]
        )
    if roster_size < 1:
        raise HearingRuleError([_("Enter the number of members or owners on the roster.")])
    with transaction.atomic():
        count = MajorityCount.objects.select_for_update().filter(consultation=consultation).first()
        if count is None:
            count = MajorityCount.objects.create(
                consultation=consultation,
                basis=basis,
                roster_size=roster_size,
                closes_at=closes_at,
                created_by=user,
            )
            step = "open"
        else:
            if roster_size < count.tokens_issued:
                raise HearingRuleError(
                    [_("The roster cannot be smaller than the number of tokens handed out.")]
                )
            count.roster_size = roster_size
            count.closes_at = closes_at
            count.save(update_fields=["roster_size", "closes_at"])
            step = "roster"
        if step == "open":
            touch(consultation.pk)
        record(
            user,
            AuditAction.MAJORITY_COUNT,
            consultation=consultation,
            obj=count,
            detail={"step": step, "roster_size": roster_size},
        )
    return count


def majority_tokens_issue(*, user, count: MajorityCount, number: int) -> list[str]:
    """Make ``number`` tokens; returns them (formatted) once. Only digests are stored."""
    if not can_manage_hearing(user, count.consultation):
        raise PermissionDenied
    if not 1 <= number <= MAX_BATCH:
        raise HearingRuleError(
            [_("Make between 1 and %(max)d tokens at a time.") % {"max": MAX_BATCH}]
        )
    with transaction.atomic():
        locked = MajorityCount.objects.select_for_update().get(pk=count.pk)
        if locked.tokens_issued + number > locked.roster_size:
            raise HearingRuleError(
                [
                    _("More tokens than members or owners on the roster: at most %(n)d more.")
                    % {"n": locked.roster_size - locked.tokens_issued}
                ]
            )
        tokens = [
            "".join(secrets.choice(ALPHABET) for _ in range(TOKEN_LENGTH)) for _ in range(number)
        ]
        MajorityToken.objects.bulk_create(
            MajorityToken(digest=token_digest(t), count=locked) for t in tokens
        )
        MajorityCount.objects.filter(pk=locked.pk).update(tokens_issued=F("tokens_issued") + number)
        record(
            user,
            AuditAction.MAJORITY_COUNT,
            consultation=locked.consultation_id,
            obj=locked,
            detail={"step": "tokens", "tokens": number},
        )
    return [format_token(t) for t in tokens]


def count_open(count: MajorityCount, now: datetime) -> bool:
    return count.closes_at is None or now < count.closes_at


def _use(count_id: int, token: str) -> bool:
    deleted, _rows = MajorityToken.objects.filter(
        digest=token_digest(token), count_id=count_id
    ).delete()
    if deleted:
        MajorityCount.objects.filter(pk=count_id).update(objections=F("objections") + 1)
    return bool(deleted)


def objection_record(*, count: MajorityCount, token: str, now: datetime | None = None) -> bool:
    """A member's or owner's objection with their token; False when the token is unknown or
    used. Writes nothing but the deletion of the token and the new count."""
    now = now or timezone.now()
    if not count_open(count, now):
        return False
    with transaction.atomic():
        used = _use(count.pk, token)
    if used:
        _mark_required(count)
    return used


def _mark_required(count: MajorityCount) -> None:
    """Past half, the hearing step of the decision chain becomes mandatory (it then blocks the
    decision until done). Idempotent: a repeated call writes nothing."""
    count.refresh_from_db()
    if count.majority_reached:
        from consultations.decisions import decision_step_record

        decision_step_record(count.consultation, "hearing", required=True)


def paper_objections_enter(*, user, count: MajorityCount, tokens: list[str]) -> tuple[int, int]:
    """Staff enter the tokens of paper slips from the ballot box: (counted, refused)."""
    if not can_manage_hearing(user, count.consultation):
        raise PermissionDenied
    counted = refused = 0
    with transaction.atomic():
        for token in tokens:
            if _use(count.pk, token):
                counted += 1
            else:
                refused += 1
        record(
            user,
            AuditAction.MAJORITY_COUNT,
            consultation=count.consultation_id,
            obj=count,
            detail={"step": "paper", "counted": counted, "refused": refused},
        )
    if counted:
        _mark_required(count)
    return counted, refused


def hearing_required(consultation: Consultation) -> bool:
    count = MajorityCount.objects.filter(consultation=consultation).first()
    return bool(count and count.majority_reached)
