"""Public display of individual opinions and their moderation (R51).

Display is off unless an editor or approver of the owning department (or a site administrator)
turns it on for a consultation. Then opinions whose authors agreed to be quoted appear under a
pseudonym with personal data masked (``feedback.privacy.masking``): under pre-moderation (the default)
once a moderator has shown them, under post-moderation at once until a moderator hides them,
except opinions in which masking found personal details (``feedback.review.flags``): those wait
for a moderator's decision in both modes.

Moderation changes what is shown, never what is counted: nothing here touches the counts,
analysis or reports, which always include hidden opinions. Every decision keeps its moderator
and reason (``ModerationDecision``) and writes an audit entry.

Who may do what (tested in ``feedback/tests/test_moderation.py``):

=====================================  ==============  ==============
role                                   moderate        display setting
=====================================  ==============  ==============
site administrator                     every           every
editor, approver of the department     own department  own department
analyst of the department              own department  no
anyone else (other department, intake  no              no
clerk, privacy officer, assessor)
=====================================  ==============  ==============

Analysts moderate because reading opinions is their work (product.md: "analyst / moderator");
turning a consultation into a public comment wall is a decision on the publication, so it stays
with those who publish it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.models import Consultation
from consultations.roles import Role, is_site_admin, user_department_id, user_has_role
from feedback.audit.trail import record
from feedback.models import (
    AuditAction,
    ClauseComment,
    DisplayMode,
    ModerationDecision,
    ModerationState,
    PublicDisplay,
    Submission,
)
from feedback.privacy.masking import mask_text
from feedback.privacy.pseudonyms import pseudonym
from feedback.review import flags

MODERATOR_ROLES = (Role.EDITOR, Role.APPROVER, Role.ANALYST)
DISPLAY_ROLES = (Role.EDITOR, Role.APPROVER)
REASON_MAX = ModerationDecision._meta.get_field("reason").max_length


# --- Permissions ---------------------------------------------------------------------------


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _department_role(user, consultation: Consultation, roles) -> bool:
    department_id = user_department_id(user)
    if department_id is None or department_id != consultation.department_id:
        return False
    return any(user_has_role(user, role) for role in roles)


def can_moderate(user, consultation: Consultation) -> bool:
    if not _active(user):
        return False
    return is_site_admin(user) or _department_role(user, consultation, MODERATOR_ROLES)


def can_change_display(user, consultation: Consultation) -> bool:
    if not _active(user):
        return False
    return is_site_admin(user) or _department_role(user, consultation, DISPLAY_ROLES)


def moderated_consultations(user) -> QuerySet[Consultation]:
    """Published consultations whose opinions ``user`` may moderate."""
    qs = Consultation.objects.published()
    if not _active(user):
        return qs.none()
    if is_site_admin(user):
        return qs
    if not any(user_has_role(user, role) for role in MODERATOR_ROLES):
        return qs.none()
    department_id = user_department_id(user)
    if department_id is None:
        return qs.none()
    return qs.filter(department_id=department_id)


def may_moderate_anything(user) -> bool:
    if not _active(user):
        return False
    if is_site_admin(user):
        return True
    return user_department_id(user) is not None and any(
        user_has_role(user, role) for role in MODERATOR_ROLES
    )


# --- Display settings ----------------------------------------------------------------------


def display_settings(consultation: Consultation) -> PublicDisplay:
    """The consultation's setting; an unsaved default (off, pre-moderation) when none is stored."""
    try:
        return consultation.public_display
    except PublicDisplay.DoesNotExist:
        return PublicDisplay(consultation=consultation)


def display_settings_update(user, consultation: Consultation, enabled: bool, mode: str):
    if not can_change_display(user, consultation):
        raise PermissionDenied(_("You may not change the public display of this consultation."))
    if mode not in DisplayMode.values:
        raise ValidationError(_("Unknown moderation mode."))
    with transaction.atomic():
        setting, _created = PublicDisplay.objects.select_for_update().get_or_create(
            consultation=consultation
        )
        before = {"enabled": setting.enabled, "mode": setting.mode}
        setting.enabled = bool(enabled)
        setting.mode = mode
        setting.changed_by = user
        setting.save()
        # The consultation page is cached by its row version: write the row so that its link
        # to the public opinions appears or disappears at once.
        Consultation.objects.filter(pk=consultation.pk).update(updated_at=timezone.now())
        record(
            user,
            AuditAction.DISPLAY,
            consultation=consultation,
            obj=setting,
            detail={"before": before, "after": {"enabled": setting.enabled, "mode": mode}},
        )
    consultation.public_display = setting
    return setting


# --- Moderation ----------------------------------------------------------------------------


def _has_text() -> Q:
    return ~Q(comment="") | Q(
        Exists(ClauseComment.objects.filter(submission=OuterRef("pk")).exclude(text=""))
    )


def displayable(consultation: Consultation) -> QuerySet[Submission]:
    """Opinions that could ever be shown: quoting allowed, not withdrawn, with some text."""
    return Submission.objects.filter(
        _has_text(), consultation=consultation, quote_consent=True, withdrawn=False
    )


def moderate(user, submission: Submission, state: str, reason: str) -> ModerationDecision:
    """Show or hide one opinion in public. Counts are never affected. Hiding needs a reason;
    showing may give one (issue 15: a reason-less "show" was refused)."""
    consultation = submission.consultation
    if not can_moderate(user, consultation):
        raise PermissionDenied(_("You may not moderate opinions of this consultation."))
    if state not in (ModerationState.SHOWN, ModerationState.HIDDEN):
        raise ValidationError(_("Choose whether to show or hide the opinion."))
    reason = (reason or "").strip()
    if not reason and state == ModerationState.HIDDEN:
        raise ValidationError(_("Give a reason for hiding the opinion."))
    if len(reason) > REASON_MAX:
        raise ValidationError(
            _("The reason is too long (at most %(limit)s characters).") % {"limit": REASON_MAX}
        )
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.withdrawn or not locked.quote_consent:
            raise ValidationError(
                _("This opinion is never shown in public (withdrawn or not to be quoted).")
            )
        before = locked.moderation_state
        decision = ModerationDecision.objects.create(
            submission=locked, state=state, reason=reason, moderator=user
        )
        # update(): the opinion itself did not change, so its "last changed" time stays.
        Submission.objects.filter(pk=locked.pk).update(moderation_state=state)
        record(
            user,
            AuditAction.MODERATE,
            consultation=consultation,
            obj=locked,
            detail={"decision": decision.pk, "from": before, "to": state, "reason": reason},
        )
    submission.moderation_state = state
    return decision


# --- What is shown -------------------------------------------------------------------------


@dataclass
class ShownOpinion:
    """One opinion as the public and moderators see it: pseudonym and masked text only."""

    pk: int
    pseudonym: str
    received_on: date
    stance: str
    comment: str
    clause_comments: list[tuple[int, str]] = field(default_factory=list)
    state: str = ""
    state_label: str = ""
    last_decision: ModerationDecision | None = None
    personal_flag: str = ""  # for moderators: what masking found ("" when nothing)
    implementation: bool = False  # given during the decision's implementation (issue 16)


class OpinionPage(Sequence):
    """A lazily presented list of opinions that ``Paginator`` can slice and count."""

    def __init__(self, queryset: QuerySet[Submission], *, with_decisions: bool = False):
        self.queryset = queryset
        self.with_decisions = with_decisions

    def count(self, value=None) -> int:  # Paginator calls count() without arguments
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return present(list(self.queryset[index]), with_decisions=self.with_decisions)
        return present([self.queryset[index]], with_decisions=self.with_decisions)[0]


def present(submissions: list[Submission], *, with_decisions: bool = False) -> list[ShownOpinion]:
    ids = [s.pk for s in submissions]
    clause_texts: dict[int, list[tuple[int, str]]] = {pk: [] for pk in ids}
    for submission_id, number, text in (
        ClauseComment.objects.filter(submission_id__in=ids)
        .exclude(text="")
        .order_by("clause__number")
        .values_list("submission_id", "clause__number", "text")
    ):
        clause_texts[submission_id].append((number, mask_text(text)))
    decisions: dict[int, ModerationDecision] = {}
    if with_decisions and ids:
        for decision in ModerationDecision.objects.filter(submission_id__in=ids).select_related(
            "moderator"
        ):
            decisions.setdefault(decision.submission_id, decision)  # newest first (Meta)
    return [
        ShownOpinion(
            pk=s.pk,
            pseudonym=pseudonym(s.pk),
            received_on=s.submitted_on or timezone.localdate(s.received_at),
            stance=s.get_stance_display() if s.stance else "",
            comment=mask_text(s.comment),
            clause_comments=clause_texts[s.pk],
            state=s.moderation_state,
            state_label=s.get_moderation_state_display(),
            last_decision=decisions.get(s.pk),
            personal_flag=flags.flag_text(s.personal_data) if with_decisions else "",
            implementation=s.phase == "implementation",
        )
        for s in submissions
    ]


def public_queryset(consultation: Consultation) -> QuerySet[Submission]:
    setting = display_settings(consultation)
    if not setting.enabled:
        return Submission.objects.none()
    if setting.mode == DisplayMode.POST:
        # Opinions that may contain personal details wait for a moderator (flags module).
        flags.flags_refresh(displayable(consultation))
        visible = Q(moderation_state=ModerationState.SHOWN) | (
            Q(moderation_state=ModerationState.PENDING) & flags.NOT_FLAGGED
        )
    else:
        visible = Q(moderation_state=ModerationState.SHOWN)
    # Opinions during implementation have their own page (feedback.after_decision).
    return (
        displayable(consultation)
        .filter(visible, phase="consultation")
        .order_by("-received_at", "-pk")
    )


def public_opinions(consultation: Consultation) -> OpinionPage:
    """The opinions shown in public, newest first: pseudonym, date, stance, masked text."""
    return OpinionPage(public_queryset(consultation))


FLAGGED_FILTER = "flagged"  # awaiting moderation, and masking found personal details
QUEUE_FILTERS = (
    "",
    ModerationState.PENDING,
    FLAGGED_FILTER,
    ModerationState.SHOWN,
    ModerationState.HIDDEN,
)


def moderation_queue(consultation: Consultation, state: str = "") -> OpinionPage:
    """Displayable opinions for moderators: pending first, then newest first."""
    qs = displayable(consultation)
    flags.flags_refresh(qs)
    if state == FLAGGED_FILTER:
        qs = qs.filter(flags.FLAGGED, moderation_state=ModerationState.PENDING)
    elif state:
        qs = qs.filter(moderation_state=state)
    pending_first = Case(
        When(moderation_state=ModerationState.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return OpinionPage(
        qs.order_by(pending_first, "-received_at", "-pk"),
        with_decisions=True,
    )


def flagged_pending_count(consultation: Consultation) -> int:
    """Opinions awaiting moderation in which masking found personal details (or that are not
    checked yet): never shown before a moderator decides."""
    return (
        displayable(consultation)
        .filter(flags.FLAGGED, moderation_state=ModerationState.PENDING)
        .count()
    )


def pending_counts(consultation_ids) -> dict[int, int]:
    from django.db.models import Count

    rows = (
        Submission.objects.filter(
            _has_text(),
            consultation_id__in=list(consultation_ids),
            quote_consent=True,
            withdrawn=False,
            moderation_state=ModerationState.PENDING,
        )
        .values("consultation_id")
        .annotate(n=Count("pk"))
        .values_list("consultation_id", "n")
    )
    return dict(rows)
