"""Flags for moderators: opinions whose public texts may contain personal details (issue 12 §9).

Masking (``feedback.privacy.masking``) removes phone numbers, addresses and the like from every
text the public sees. An opinion in which it found something is also *flagged*: the moderation
queue says what kinds were found, and under post-moderation such an opinion is not shown until a
moderator has decided, because masking is a net with holes and a person should look first.

The kinds found are kept in ``Submission.personal_data`` (``"phone,address"``; ``""`` for none).
NULL means "not checked since the texts changed": database triggers (migration 0009) set it
back to NULL whenever the comment or a clause comment changes. ``flags_refresh`` checks the
unchecked opinions of a consultation when its queue or its public page is read; the rows are
locked while their texts are read and the result written, so a flag always describes the text
it was computed from. An opinion still unchecked (locked by an edit at that moment, or beyond
``REFRESH_LIMIT``) counts as flagged: it is not shown under post-moderation until checked.
"""

from __future__ import annotations

import re

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from consultations.models import Consultation, Department
from feedback.models import ClauseComment, Submission
from feedback.privacy.masking import KINDS, PHONE, find_personal_data, fold, kind_name
from feedback.privacy.masking_patterns import cn_digits

REFRESH_LIMIT = 2000  # opinions checked per call (about 0.1 s of masking)

NOT_FLAGGED = Q(personal_data="")
FLAGGED = ~NOT_FLAGGED  # found something, or not checked yet (NULL)


def _write(values: dict[int, str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE feedback_submission AS s
               SET personal_data = v.kinds
              FROM unnest(%s::bigint[], %s::text[]) AS v(id, kinds)
             WHERE s.id = v.id
            """,
            [list(values), list(values.values())],
        )


def flags_refresh(queryset: QuerySet[Submission]) -> int:
    """Check the opinions of ``queryset`` not checked since their texts last changed; returns
    how many were checked."""
    ids = list(
        queryset.filter(personal_data__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:REFRESH_LIMIT]
    )
    if not ids:
        return 0
    with transaction.atomic():
        locked = (
            Submission.objects.filter(pk__in=ids, personal_data__isnull=True)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
            .values_list("pk", "comment", "consultation_id")
        )
        texts: dict[int, list[str]] = {}
        consultation_of: dict[int, int] = {}
        for pk, comment, consultation_id in locked:
            texts[pk] = [comment]
            consultation_of[pk] = consultation_id
        if not texts:
            return 0
        for submission_id, text in ClauseComment.objects.filter(
            submission_id__in=list(texts)
        ).values_list("submission_id", "text"):
            texts[submission_id].append(text)
        numbers = official_numbers(set(consultation_of.values()))
        values = {
            pk: ",".join(kinds_found(parts, numbers[consultation_of[pk]]))
            for pk, parts in texts.items()
        }
        _write(values)
    return len(values)


# --- Published numbers of government offices are not personal data (issue 15) ---------------
# A resident who writes "I called 0999-12345601 and nobody answered" quotes the consultation's
# own number: flagging it sends a harmless opinion to a moderator. The numbers not flagged are
# the consultation's contact phone, every department's published phone and the 12345 hotline.
# Masking on public pages is unchanged (a number removed there loses nothing).
_DIGIT_RUN = re.compile(r"[0-9](?:[0-9 ()（）\-.]*[0-9])?")
HOTLINE = "12345"


def _digits(text: str) -> str:
    folded, _origin = fold(text)
    return re.sub(r"[^0-9]", "", cn_digits(folded))


def _published_numbers(text: str) -> set[str]:
    """The phone numbers written in a published contact field ("0999-12345601（工作日）；12345")."""
    folded, _origin = fold(text or "")
    return {
        digits
        for run in _DIGIT_RUN.findall(folded)
        if len(digits := re.sub(r"[^0-9]", "", run)) >= 5
    }


def official_numbers(consultation_ids: set[int]) -> dict[int, set[str]]:
    """For each consultation, the published numbers of government offices a resident may
    quote: its own contact phone, every department's phone, the 12345 hotline."""
    offices = {HOTLINE}
    for phone in Department.objects.exclude(phone="").values_list("phone", flat=True):
        offices |= _published_numbers(phone)
    numbers = {pk: set(offices) for pk in consultation_ids}
    for pk, phone in Consultation.objects.filter(pk__in=consultation_ids).values_list(
        "pk", "contact_phone"
    ):
        numbers[pk] |= _published_numbers(phone)
    return numbers


def _without_country(digits: str) -> str:
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 11:
            return digits[len(prefix) :]
    return digits


def is_official_number(written: str, numbers: set[str]) -> bool:
    """Is the phone number ``written`` one of ``numbers``: the same digits, or the same number
    with or without its area code (0999-12345601 and 12345601), or the hotline with an area
    code or an extension (0999-12345, 12345-1)?"""
    digits = _without_country(_digits(written))
    if not digits:
        return False
    for number in numbers:
        if digits == number:
            return True
        shorter, longer = sorted((digits, number), key=len)
        if len(shorter) >= 7 and longer.endswith(shorter):
            return True
        if number == HOTLINE and HOTLINE in digits and len(digits) <= len(HOTLINE) + 5:
            return True
    return False


def kinds_found(texts: list[str], numbers: set[str]) -> list[str]:
    """The kinds of personal data in ``texts`` (in the order of ``KINDS``), a government
    office's published number (``numbers``) not counting as a phone number."""
    kinds = set()
    for text in texts:
        for found in find_personal_data(text):
            if found.kind == PHONE and is_official_number(text[found.start : found.end], numbers):
                continue
            kinds.add(found.kind)
    return [kind for kind in KINDS if kind in kinds]


def kinds_of(stored: str | None) -> list[str]:
    """The kinds in ``Submission.personal_data`` (nothing for ``""`` or NULL)."""
    return [kind for kind in (stored or "").split(",") if kind]


def flag_text(stored: str | None) -> str:
    """What the moderation queue says about an opinion: the kinds found, in words, or that it
    was not checked yet; ``""`` when nothing was found."""
    if stored is None:
        return _("not checked yet")
    separator = "、" if (get_language() or "").startswith("zh") else ", "
    return separator.join(kind_name(kind) for kind in kinds_of(stored))
