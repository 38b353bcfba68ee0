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

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from feedback.models import ClauseComment, Submission
from feedback.privacy.masking import kind_name, personal_data_kinds

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
            .values_list("pk", "comment")
        )
        texts: dict[int, list[str]] = {pk: [comment] for pk, comment in locked}
        if not texts:
            return 0
        for submission_id, text in ClauseComment.objects.filter(
            submission_id__in=list(texts)
        ).values_list("submission_id", "text"):
            texts[submission_id].append(text)
        values = {pk: ",".join(personal_data_kinds(*parts)) for pk, parts in texts.items()}
        _write(values)
    return len(values)


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
