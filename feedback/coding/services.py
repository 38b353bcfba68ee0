"""Write paths of coding. Each checks the permission, runs in one transaction and records an
audit entry in it (``feedback.audit.trail.record``).

Rules:
- A theme belongs to one consultation; its name and its shortcut key are unique there.
- An opinion may carry several themes, on the whole opinion or on one of its clause comments.
- An opinion marked "no theme" needs a reason; coding it later clears the mark.
- A suggestion is never applied by itself: ``suggestion_accept`` codes (source=suggestion) or
  creates the theme, ``suggestion_reject`` keeps the record with the decision.
- A withdrawn opinion is not coded any more (issue 12): coding, uncoding, "no theme" and its
  suggestions are refused; the codings made before the withdrawal are kept as the record of
  what was done, but nothing counts them. Applying a theme to a group skips withdrawn members.
"""

# Size: every write of the coding frame and of codings, each with its permission check and audit
# entry, in one place so that none is written another way.

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.audit.trail import record
from feedback.coding.permissions import can_code
from feedback.models import (
    AuditAction,
    CampaignGroup,
    ClauseComment,
    Coding,
    Concern,
    Submission,
    Suggestion,
    Theme,
)

NO_THEME_REASON_MAX = 300


class CodingError(Exception):
    """A coding action that breaks a rule; the message is shown to the person."""


def _require(user, consultation) -> None:
    if not can_code(user, consultation):
        raise PermissionDenied


# --- The coding frame -------------------------------------------------------------------------


def _clean_theme_fields(consultation, fields: dict, theme: Theme | None = None) -> dict:
    cleaned = dict(fields)
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").strip()
        if not cleaned["name"]:
            raise CodingError(_("A theme needs a name."))
        same = Theme.objects.filter(consultation=consultation, name=cleaned["name"])
        if theme is not None:
            same = same.exclude(pk=theme.pk)
        if same.exists():
            raise CodingError(_("This consultation already has a theme with this name."))
    if "concern" in cleaned and cleaned["concern"] not in Concern.values:
        raise CodingError(_("Unknown concern family."))
    if "shortcut" in cleaned:
        key = (cleaned["shortcut"] or "").strip().lower()
        if key and (len(key) != 1 or not key.isalnum() or not key.isascii()):
            raise CodingError(_("A shortcut key is one letter or digit."))
        if key:
            same = Theme.objects.filter(consultation=consultation, shortcut__iexact=key)
            if theme is not None:
                same = same.exclude(pk=theme.pk)
            if same.exists():
                raise CodingError(_("Another theme already uses this shortcut key."))
        cleaned["shortcut"] = key
    return cleaned


THEME_FIELDS = ("name", "name_en", "description", "concern", "shortcut", "sort_order")


def theme_create(
    *,
    user,
    consultation,
    name: str,
    concern: str = Concern.OTHER,
    shortcut: str = "",
    description: str = "",
    name_en: str = "",
    sort_order: int | None = None,
    audit_detail: dict | None = None,
) -> Theme:
    _require(user, consultation)
    fields = _clean_theme_fields(
        consultation,
        {
            "name": name,
            "concern": concern,
            "shortcut": shortcut,
            "description": description,
            "name_en": name_en,
        },
    )
    with transaction.atomic():
        if sort_order is None:
            last = (
                Theme.objects.filter(consultation=consultation)
                .order_by("-sort_order")
                .values_list("sort_order", flat=True)
                .first()
            )
            sort_order = (last or 0) + 1
        try:
            with transaction.atomic():
                theme = Theme.objects.create(
                    consultation=consultation, sort_order=sort_order, created_by=user, **fields
                )
        except IntegrityError as exc:
            raise CodingError(_("This consultation already has a theme with this name.")) from exc
        record(
            user,
            AuditAction.THEME,
            consultation=consultation,
            obj=theme,
            detail={"op": "create", **fields, **(audit_detail or {})},
        )
    return theme


def theme_update(*, user, theme: Theme, **changes) -> Theme:
    consultation = theme.consultation
    _require(user, consultation)
    unknown = set(changes) - set(THEME_FIELDS)
    if unknown:
        raise TypeError(f"theme_update does not change {sorted(unknown)}")
    fields = _clean_theme_fields(consultation, changes, theme=theme)
    with transaction.atomic():
        theme = Theme.objects.select_for_update().get(pk=theme.pk)
        before = {name: getattr(theme, name) for name in fields}
        for name, value in fields.items():
            setattr(theme, name, value)
        try:
            with transaction.atomic():
                theme.save(update_fields=list(fields))
        except IntegrityError as exc:
            raise CodingError(_("This consultation already has a theme with this name.")) from exc
        record(
            user,
            AuditAction.THEME,
            consultation=consultation,
            obj=theme,
            detail={"op": "update", "before": before, "after": fields},
        )
    return theme


# --- Coding opinions --------------------------------------------------------------------------


def _refuse_withdrawn(submission: Submission) -> None:
    """Read from the database, not the caller's copy: the author may have withdrawn it since."""
    if Submission.objects.filter(pk=submission.pk, withdrawn=True).exists():
        raise CodingError(
            _("This opinion was withdrawn by its author: it is counted only as withdrawn.")
        )


def _check_same_consultation(submission: Submission, theme: Theme, clause_comment=None) -> None:
    if theme.consultation_id != submission.consultation_id:
        raise CodingError(_("The theme belongs to another consultation."))
    if clause_comment is not None and clause_comment.submission_id != submission.pk:
        raise CodingError(_("The clause comment belongs to another opinion."))


def _code_one(user, submission, theme, clause_comment, source) -> tuple[Coding, bool]:
    coding, created = Coding.objects.get_or_create(
        submission=submission,
        clause_comment=clause_comment,
        theme=theme,
        defaults={"source": source, "coded_by": user},
    )
    if submission.no_theme_reason or submission.no_theme_by_id:
        Submission.objects.filter(pk=submission.pk).update(no_theme_reason="", no_theme_by=None)
        submission.no_theme_reason, submission.no_theme_by = "", None
    return coding, created


def code(
    user,
    submission: Submission,
    theme: Theme,
    clause_comment: ClauseComment | None = None,
    source: str = Coding.Source.MANUAL,
) -> Coding:
    """Code the opinion (or one of its clause comments) with ``theme``; idempotent."""
    _require(user, submission.consultation)
    _check_same_consultation(submission, theme, clause_comment)
    with transaction.atomic():
        _refuse_withdrawn(submission)
        was_no_theme = submission.no_theme_reason
        coding, created = _code_one(user, submission, theme, clause_comment, source)
        record(
            user,
            AuditAction.CODE,
            consultation=submission.consultation_id,
            obj=coding,
            detail={
                "op": "add",
                "submission": submission.pk,
                "theme": theme.pk,
                "clause_comment": getattr(clause_comment, "pk", None),
                "source": str(source),
                "already_coded": not created,
                "cleared_no_theme": was_no_theme or "",
            },
        )
    return coding


def uncode(
    user, submission: Submission, theme: Theme, clause_comment: ClauseComment | None = None
) -> bool:
    """Remove a coding; returns whether there was one. The opinion may become "left to do"."""
    _require(user, submission.consultation)
    _check_same_consultation(submission, theme, clause_comment)
    with transaction.atomic():
        _refuse_withdrawn(submission)
        deleted, _rows = Coding.objects.filter(
            submission=submission, theme=theme, clause_comment=clause_comment
        ).delete()
        record(
            user,
            AuditAction.CODE,
            consultation=submission.consultation_id,
            obj=submission,
            detail={
                "op": "remove",
                "submission": submission.pk,
                "theme": theme.pk,
                "clause_comment": getattr(clause_comment, "pk", None),
                "removed": bool(deleted),
            },
        )
    return bool(deleted)


def mark_no_theme(user, submission: Submission, reason: str) -> Submission:
    """Record that the opinion is about no theme of the frame, with a reason (required)."""
    _require(user, submission.consultation)
    reason = (reason or "").strip()
    if not reason:
        raise CodingError(_("Give a reason why the opinion has no theme."))
    if len(reason) > NO_THEME_REASON_MAX:
        raise CodingError(_("The reason is too long (at most 300 characters)."))
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        _refuse_withdrawn(locked)
        if Coding.objects.filter(submission=locked).exists():
            raise CodingError(
                _("This opinion already has themes; remove them before marking it 'no theme'.")
            )
        locked.no_theme_reason, locked.no_theme_by = reason, user
        locked.save(update_fields=["no_theme_reason", "no_theme_by", "updated_at"])
        record(
            user,
            AuditAction.NO_THEME,
            consultation=locked.consultation_id,
            obj=locked,
            detail={"op": "mark", "reason": reason},
        )
    submission.no_theme_reason, submission.no_theme_by = reason, user
    return submission


def clear_no_theme(user, submission: Submission) -> Submission:
    """Take back a "no theme" mark; the opinion is left to do again."""
    _require(user, submission.consultation)
    with transaction.atomic():
        _refuse_withdrawn(submission)
        previous = submission.no_theme_reason
        Submission.objects.filter(pk=submission.pk).update(no_theme_reason="", no_theme_by=None)
        record(
            user,
            AuditAction.NO_THEME,
            consultation=submission.consultation_id,
            obj=submission,
            detail={"op": "clear", "previous_reason": previous},
        )
    submission.no_theme_reason, submission.no_theme_by = "", None
    return submission


def code_group(user, campaign_group: CampaignGroup, theme: Theme) -> int:
    """Code every opinion of a campaign group with ``theme`` (source=group); returns how many
    opinions got the theme now (those that had it already are left as they were)."""
    consultation = campaign_group.consultation
    _require(user, consultation)
    if theme.consultation_id != campaign_group.consultation_id:
        raise CodingError(_("The theme belongs to another consultation."))
    if campaign_group.status == CampaignGroup.Status.DISMISSED:
        raise CodingError(_("This group was dismissed; code its opinions one by one."))
    with transaction.atomic():
        member_ids = list(
            campaign_group.members.filter(submission__withdrawn=False)
            .order_by("submission_id")
            .values_list("submission_id", flat=True)
        )
        already = set(
            Coding.objects.filter(
                submission_id__in=member_ids, theme=theme, clause_comment__isnull=True
            ).values_list("submission_id", flat=True)
        )
        new_ids = [pk for pk in member_ids if pk not in already]
        now = timezone.now()
        Coding.objects.bulk_create(
            [
                Coding(
                    submission_id=pk,
                    theme=theme,
                    source=Coding.Source.GROUP,
                    coded_by=user,
                    coded_at=now,
                )
                for pk in new_ids
            ],
            ignore_conflicts=True,
        )
        cleared = list(
            Submission.objects.filter(pk__in=member_ids)
            .exclude(no_theme_reason="")
            .values_list("pk", flat=True)
        )
        Submission.objects.filter(pk__in=member_ids).update(no_theme_reason="", no_theme_by=None)
        record(
            user,
            AuditAction.CODE,
            consultation=consultation,
            obj=campaign_group,
            detail={
                "op": "group",
                "theme": theme.pk,
                "source": Coding.Source.GROUP,
                "members": len(member_ids),
                "coded": new_ids,
                "cleared_no_theme": cleared,
            },
        )
    return len(new_ids)


# --- Decisions on suggestions -----------------------------------------------------------------


def _lock_pending(suggestion: Suggestion) -> Suggestion:
    locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if locked.decision != Suggestion.Decision.PENDING:
        raise CodingError(_("This suggestion has already been decided."))
    return locked


def suggestion_accept(
    user, suggestion: Suggestion, *, name: str = "", concern: str = Concern.OTHER, shortcut=""
):
    """Accept a suggestion. A candidate theme becomes a Theme (named ``name`` or its proposed
    name); a theme for an opinion codes the opinion with source=suggestion. Returns the Theme or
    the Coding."""
    _require(user, suggestion.consultation)
    with transaction.atomic():
        suggestion = _lock_pending(suggestion)
        if suggestion.kind == Suggestion.Kind.CANDIDATE_THEME:
            result = theme_create(
                user=user,
                consultation=suggestion.consultation,
                name=(name or suggestion.label),
                concern=concern,
                shortcut=shortcut,
                description=_("Keywords: %(keywords)s")
                % {"keywords": "、".join(suggestion.keywords)},
                audit_detail={"from_suggestion": suggestion.pk},
            )
            suggestion.resulting_theme = result
        else:
            if suggestion.theme.consultation_id != suggestion.consultation_id:
                raise CodingError(_("The theme belongs to another consultation."))
            _refuse_withdrawn(suggestion.submission)
            result = code(user, suggestion.submission, suggestion.theme, source="suggestion")
        suggestion.decision = Suggestion.Decision.ACCEPTED
        suggestion.decided_by = user
        suggestion.decided_at = timezone.now()
        suggestion.save(update_fields=["decision", "decided_by", "decided_at", "resulting_theme"])
        record(
            user,
            AuditAction.SUGGESTION,
            consultation=suggestion.consultation_id,
            obj=suggestion,
            detail={
                "op": "accept",
                "kind": suggestion.kind,
                "confidence": suggestion.confidence,
                "method": suggestion.method,
                "result": result._meta.label_lower + ":" + str(result.pk),
            },
        )
    return result


def suggestion_reject(user, suggestion: Suggestion) -> Suggestion:
    """Reject a suggestion; the record and the decision are kept (and it is not made again)."""
    _require(user, suggestion.consultation)
    with transaction.atomic():
        suggestion = _lock_pending(suggestion)
        suggestion.decision = Suggestion.Decision.REJECTED
        suggestion.decided_by = user
        suggestion.decided_at = timezone.now()
        suggestion.save(update_fields=["decision", "decided_by", "decided_at"])
        record(
            user,
            AuditAction.SUGGESTION,
            consultation=suggestion.consultation_id,
            obj=suggestion,
            detail={"op": "reject", "kind": suggestion.kind, "confidence": suggestion.confidence},
        )
    return suggestion
