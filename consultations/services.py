"""Lifecycle changes of a consultation: open, extend, change stage, new draft versions, edits.

Every change a resident could rely on goes through here and leaves a public change-log entry
(R9, R14). Publication itself is Wagtail's; ``Consultation.publish`` calls
``consultation_publication_prepare`` before and ``consultation_publication_finish`` after it, so
the admin, workflow approvals, scheduled publishing and scripts all obey the same rules.
"""

# Size: one module on purpose: every lifecycle change and its change-log entry, so
# that the rules for what may change after publication are read and reviewed together.

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.changes import (
    changed_fields,
    changes_summary,
    clause_rows,
    format_close,
    format_moment,
    question_rows,
)
from consultations.models import (
    ChangeLogEntry,
    Clause,
    Consultation,
    DraftVersion,
    Stage,
    WithdrawalRequest,
)
from consultations.rules import (
    ConsultationRuleError,
    RuleViolation,
    part_violations,
    period_violations,
)

# Only services change these once a consultation has opened; editors' revisions cannot.
SERVICE_FIELDS = ("opens_at", "closes_at", "stage", "decided_at")


def consultation_check_openable(consultation: Consultation) -> list[RuleViolation]:
    """Everything that stops ``consultation`` from opening; works on unsaved revision objects."""
    clauses = [c for c in consultation.draft_clauses.all() if (c.text or "").strip()]
    return part_violations(consultation, clause_count=len(clauses)) + period_violations(
        consultation
    )


def consultation_submission_violations(new: Consultation) -> list[RuleViolation]:
    """What would stop ``new`` (a saved revision's object) from being published, checked when
    the editor submits it for approval so that the reasons are seen before the approver's."""
    live = Consultation.objects.filter(pk=new.pk, live=True).first() if new.pk else None
    if live is None:
        cancelled = cancelled_violation(new) if new.pk else None
        return ([cancelled] if cancelled else []) + consultation_check_openable(new)
    if live.has_opened():
        clauses = [c for c in new.draft_clauses.all() if (c.text or "").strip()]
        found = part_violations(new, clause_count=len(clauses))
    else:
        found = consultation_check_openable(new)
    return found + edit_violations(old=live, new=new)


def _raise_if(violations: list[RuleViolation]) -> None:
    if violations:
        raise ConsultationRuleError(violations)


def _touch(consultation: Consultation) -> None:
    """Write the consultation row when rows it owns change, so cached public pages are redone.

    The public page is cached by the row's version (cms.page_cache); change-log entries and
    frozen draft versions are separate rows, so whoever adds them writes ``updated_at`` too.
    """
    Consultation.objects.filter(pk=consultation.pk).update(updated_at=timezone.now())


def _log(consultation, type_, *, summary, summary_en, reason="", user=None) -> ChangeLogEntry:
    _touch(consultation)
    return ChangeLogEntry.objects.create(
        consultation=consultation,
        type=type_,
        summary=summary,
        summary_en=summary_en,
        reason=reason,
        actor=user if getattr(user, "pk", None) else None,
    )


def change_log_record(
    *, consultation: Consultation, type_: str, summary: str, summary_en: str, reason="", user=None
) -> ChangeLogEntry:
    """A public change-log entry written by another service (the official response, the
    disclosed risk assessment, the withdrawal requests); ``summary``/``summary_en`` are the
    bilingual one-line descriptions, ``reason`` is shown as written."""
    if type_ not in ChangeLogEntry.Type.values:
        raise ValueError(f"unknown change-log type {type_!r}")
    return _log(
        consultation, type_, summary=summary, summary_en=summary_en, reason=reason, user=user
    )


def cancelled_violation(consultation: Consultation) -> RuleViolation | None:
    """A consultation cancelled through a confirmed two-person request is not published again."""
    last = (
        WithdrawalRequest.objects.filter(
            consultation_id=consultation.pk, status=WithdrawalRequest.Status.CONFIRMED
        )
        .order_by("-decided_at", "-pk")
        .first()
    )
    if last is None or last.action != WithdrawalRequest.Action.CANCEL:
        return None
    return RuleViolation(
        "cancelled",
        "__all__",
        _("This consultation was cancelled; it cannot be published again. Start a new one."),
    )


def _freeze_version(consultation: Consultation, *, number: int, note="", note_en=""):
    _touch(consultation)
    version = DraftVersion.objects.create(
        consultation=consultation, number=number, note=note, note_en=note_en
    )
    rows = clause_rows(consultation)
    Clause.objects.bulk_create(
        Clause(version=version, number=n, heading=h, heading_en=he, text=t, text_en=te)
        for n, (h, he, t, te) in enumerate(rows, start=1)
    )
    return version


@transaction.atomic
def consultation_open(*, consultation: Consultation, user=None) -> DraftVersion:
    """Record that a published consultation opened: freeze draft version 1 and log it.

    Called by ``Consultation.publish`` after Wagtail made the row live; raises
    ConsultationRuleError if the stored consultation breaks a rule.
    """
    _raise_if(consultation_check_openable(consultation))
    version = consultation.draft_versions.order_by("-number").first()
    if version is None:
        version = _freeze_version(consultation, number=1)
    elif clause_rows(consultation) != _version_rows(version):
        version = _freeze_version(
            consultation, number=version.number + 1, note=consultation.change_note
        )
    opens, closes = consultation.opens_at, consultation.closes_at
    _log(
        consultation,
        ChangeLogEntry.Type.PUBLISHED,
        summary=f"发布征求意见，征求期自{format_moment(opens, 'zh')}起，"
        f"至{format_close(closes, 'zh')}止。",
        summary_en=f"Published for comments from {format_moment(opens, 'en')} "
        f"until {format_close(closes, 'en')}.",
        reason=consultation.shortened_reason,
        user=user,
    )
    return version


def _version_rows(version: DraftVersion) -> list[tuple[str, str, str, str]]:
    return [
        (c.heading, c.heading_en, c.text, c.text_en) for c in version.clauses.order_by("number")
    ]


def _store_in_revisions(consultation: Consultation, **values) -> None:
    """Write service-owned values into the latest and live revisions so editors see them."""
    encoded = json.loads(json.dumps(values, cls=DjangoJSONEncoder))
    for revision in {r for r in (consultation.latest_revision, consultation.live_revision) if r}:
        revision.content.update(encoded)
        revision.save(update_fields=["content"])


@transaction.atomic
def consultation_extend(
    *, consultation: Consultation, closes_at: datetime, reason: str, user
) -> ChangeLogEntry:
    """Move the close later (R14); it can never be brought forward once published."""
    c = Consultation.objects.select_for_update().get(pk=consultation.pk)
    violations = []
    if not c.live or c.closes_at is None:
        violations.append(
            RuleViolation(
                "not_published",
                "closes_at",
                _(
                    "Only a published consultation can be extended; before publication, change "
                    "the closing time in the editor."
                ),
            )
        )
    elif c.stage != Stage.CONSULTING:
        violations.append(
            RuleViolation(
                "stage_passed",
                "closes_at",
                _("The response has been published, so the period can no longer be extended."),
            )
        )
    elif closes_at <= c.closes_at:
        violations.append(
            RuleViolation(
                "not_later",
                "closes_at",
                _(
                    "The new closing time must be later than the current one: a published "
                    "period may be extended but never shortened."
                ),
            )
        )
    elif closes_at <= timezone.now():
        violations.append(
            RuleViolation("in_past", "closes_at", _("The new closing time must be in the future."))
        )
    if not (reason or "").strip():
        violations.append(
            RuleViolation(
                "reason_required",
                "reason",
                _("Give the reason for the extension; it is shown in the public change log."),
            )
        )
    _raise_if(violations)
    old = c.closes_at
    Consultation.objects.filter(pk=c.pk).update(closes_at=closes_at, updated_at=timezone.now())
    _store_in_revisions(c, closes_at=closes_at)
    consultation.closes_at = closes_at
    return _log(
        c,
        ChangeLogEntry.Type.EXTENDED,
        summary=f"征求意见截止时间由{format_close(old, 'zh')}延长至{format_close(closes_at, 'zh')}。",
        summary_en=f"The closing time was extended from {format_close(old, 'en')} "
        f"to {format_close(closes_at, 'en')}.",
        reason=reason.strip(),
        user=user,
    )


STAGE_NAMES = {
    Stage.CONSULTING: ("征求意见结束，意见研究中", "closed, opinions being studied"),
    Stage.RESPONSE_PUBLISHED: ("已公布意见采纳情况", "response published"),
    Stage.DECIDED: ("已作出决策", "decided"),
}


@transaction.atomic
def consultation_set_stage(
    *,
    consultation: Consultation,
    stage: str,
    user,
    decided_at: datetime | None = None,
) -> ChangeLogEntry | None:
    """Set the stage after the close (response published, decided); None when a decided
    consultation's response is published (the stage stays "decided")."""
    c = Consultation.objects.select_for_update().get(pk=consultation.pk)
    now = timezone.now()
    if stage not in Stage.values:
        raise ConsultationRuleError(
            [RuleViolation("bad_stage", "stage", _("Choose one of the listed stages."))]
        )
    if not c.live or c.closes_at is None or c.closes_at > now:
        raise ConsultationRuleError(
            [
                RuleViolation(
                    "not_closed",
                    "stage",
                    _(
                        "The stage can only change after the consultation has closed, so that "
                        "no opinion is cut off."
                    ),
                )
            ]
        )
    # What other apps require of a stage (issue 15: feedback.response refuses "response
    # published" without a published response); each hook returns a list of RuleViolations.
    from wagtail import hooks

    for check in hooks.get_hooks("consultation_stage_check"):
        _raise_if(check(consultation=c, stage=stage))
    if c.stage == Stage.DECIDED and stage == Stage.RESPONSE_PUBLISHED:
        # A response published after the decision does not take the stage back (issue 16).
        return None
    if stage == Stage.DECIDED:
        decided_at = decided_at or now
    else:
        decided_at = decided_at or c.decided_at
    Consultation.objects.filter(pk=c.pk).update(
        stage=stage, decided_at=decided_at, updated_at=timezone.now()
    )
    _store_in_revisions(c, stage=stage, decided_at=decided_at)
    consultation.stage, consultation.decided_at = stage, decided_at
    zh, en = STAGE_NAMES[Stage(stage)]
    return _log(
        c,
        ChangeLogEntry.Type.STAGE,
        summary=f"阶段变更为：{zh}。",
        summary_en=f"Stage changed to: {en}.",
        user=user,
    )


@transaction.atomic
def draft_version_create(
    *, consultation: Consultation, user, note: str, note_en: str = ""
) -> DraftVersion:
    """Freeze the current draft clauses as the next version (not while open: R9, R14)."""
    c = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if c.status_at() == Consultation.Status.OPEN:
        raise ConsultationRuleError(
            [
                RuleViolation(
                    "open",
                    "draft_clauses",
                    _(
                        "The draft cannot change while the consultation is open, because people "
                        "are commenting on this text; wait until it has closed."
                    ),
                )
            ]
        )
    if not (note or "").strip():
        raise ConsultationRuleError(
            [RuleViolation("note_required", "note", _("Say what changed in this version."))]
        )
    latest = c.draft_versions.order_by("-number").first()
    if latest is not None and _version_rows(latest) == clause_rows(c):
        raise ConsultationRuleError(
            [
                RuleViolation(
                    "unchanged",
                    "draft_clauses",
                    _("The draft has not changed since the last version."),
                )
            ]
        )
    version = _freeze_version(
        c, number=(latest.number + 1 if latest else 1), note=note.strip(), note_en=note_en
    )
    _log(
        c,
        ChangeLogEntry.Type.DRAFT_VERSION,
        summary=f"发布草案第{version.number}版。",
        summary_en=f"Draft version {version.number} published.",
        reason=note.strip(),
        user=user,
    )
    return version


def edit_violations(*, old: Consultation, new: Consultation) -> list[RuleViolation]:
    """What forbids replacing the live ``old`` with ``new`` (both may be unsaved objects)."""
    found = []
    now = timezone.now()
    if old.status_at(now) == Consultation.Status.OPEN:
        if clause_rows(old) != clause_rows(new):
            found.append(
                RuleViolation(
                    "clauses_frozen",
                    "draft_clauses",
                    _(
                        "The draft cannot change while the consultation is open, because people "
                        "are commenting on this text; publish a new version after the close."
                    ),
                )
            )
        if question_rows(old) != question_rows(new):
            found.append(
                RuleViolation(
                    "questions_frozen",
                    "questions",
                    _(
                        "The questions cannot change while the consultation is open, because "
                        "answers already given would no longer match them."
                    ),
                )
            )
    if old.has_opened(now) and changed_fields(old, new) and not (new.change_note or "").strip():
        found.append(
            RuleViolation(
                "change_note_required",
                "change_note",
                _(
                    "Say why the published consultation is being changed; the reason is shown "
                    "in the public change log."
                ),
            )
        )
    return found


@transaction.atomic
def consultation_record_edit(
    *, old: Consultation, new: Consultation, user
) -> ChangeLogEntry | None:
    """Log which parts of a published consultation changed, with ``new.change_note`` as reason.

    Returns None when nothing a resident can see changed.
    """
    _raise_if(edit_violations(old=old, new=new))
    names = changed_fields(old, new)
    if not names:
        return None
    zh, en = changes_summary(names)
    return _log(
        old,
        ChangeLogEntry.Type.EDITED,
        summary=zh,
        summary_en=en,
        reason=(new.change_note or "").strip(),
        user=user,
    )


@dataclass
class PublicationPlan:
    """What ``Consultation.publish`` decided before Wagtail's publish ran."""

    pk: int
    user: object = None
    first: bool = True
    scheduled: bool = False
    old_clauses: list = field(default_factory=list)
    note: str = ""


@transaction.atomic
def consultation_publication_prepare(
    *, consultation: Consultation, revision, user=None
) -> PublicationPlan:
    """Check a revision before it is published; pin service-owned fields once opened.

    Must run inside the publishing transaction (``Consultation.publish`` opens it).
    """
    live = Consultation.objects.filter(pk=consultation.pk, live=True).first()
    opened = live is not None and live.has_opened()
    if live is None:
        _raise_if([v for v in (cancelled_violation(consultation),) if v is not None])
    if live is not None:
        names = SERVICE_FIELDS if opened else ("stage", "decided_at")
        data = live.serializable_data()
        pinned = {name: data[name] for name in names}
        revision.content.update(json.loads(json.dumps(pinned, cls=DjangoJSONEncoder)))
        revision.save(update_fields=["content"])
    new = revision.as_object()
    if opened:
        # The period was checked when it opened and only services move it since.
        clauses = [c for c in new.draft_clauses.all() if (c.text or "").strip()]
        _raise_if(part_violations(new, clause_count=len(clauses)))
    else:
        _raise_if(consultation_check_openable(new))
    scheduled = bool(new.go_live_at and new.go_live_at > timezone.now())
    plan = PublicationPlan(pk=consultation.pk, user=user, first=live is None, scheduled=scheduled)
    if live is not None and scheduled:
        # Wagtail only schedules it; publish() runs again (and logs) when it goes live.
        _raise_if(edit_violations(old=live, new=new))
    elif live is not None:
        consultation_record_edit(old=live, new=new, user=user)
        plan.old_clauses = clause_rows(live)
        plan.note = new.change_note
    return plan


@transaction.atomic
def consultation_publication_finish(*, plan: PublicationPlan) -> None:
    """After Wagtail made the revision live: open it, or freeze a changed draft as a version."""
    c = Consultation.objects.get(pk=plan.pk)
    if plan.scheduled or not c.live:
        return  # scheduled for later; publish() runs again when it goes live
    if plan.first:
        consultation_open(consultation=c, user=plan.user)
        if c.follow_up_of_id:  # issue 16: the decided original links to its evaluation
            from consultations.followup import follow_up_published

            follow_up_published(c)
    elif clause_rows(c) != plan.old_clauses:
        latest = c.draft_versions.order_by("-number").first()
        _freeze_version(
            c,
            number=(latest.number + 1 if latest else 1),
            note=plan.note,
        )
    # The note belonged to this change; the next edit must give its own.
    Consultation.objects.filter(pk=c.pk).update(change_note="")
