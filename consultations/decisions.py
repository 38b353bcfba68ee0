"""The decision chain (R22) and the decision: which steps each kind needs, recording them.

A consultation is one step towards a decision. The law names the others: a hearing (条例
Art. 16; mandatory for land requisition and old-town redevelopment when most of the affected
object), expert review (Art. 19–20), the stability risk assessment (Art. 22–24), the legality
review (Art. 25–26), the collective decision (Art. 30) and its publication, with how public and
expert opinions were adopted (Art. 32). ``CHAIN_RULES`` says, per kind, which steps are
required, which are required when their condition holds (staff must then record either the step
or why it was not needed) and which are optional; each with its source in
../shared/design/rules-zh.md (§1.3–1.7, §2.1, §5.5). Missing steps are *blockers*:
``decision_record`` refuses to record the decision while there are any, and lists them.

Steps are written only by ``decision_step_record`` (also called by ``feedback.hearings`` when a
hearing report is published: ``consultations`` never imports ``feedback``) and the decision by
``decision_record``. Both write a public change-log entry and an audit entry in the same
transaction, and touch the consultation so that its cached public page is rendered again.
"""

# Size: one module on purpose: the per-kind step rules with their legal sources, the two
# services that record steps and the decision, and the read path that the public timeline and
# the staff screen share, so that what blocks a decision and what residents see cannot diverge.

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from consultations.events import audit_staff_action
from consultations.i18n import localized, wants_english
from consultations.models import (
    ChangeLogEntry,
    Consultation,
    Decision,
    DecisionStep,
    StabilityStatus,
    Stage,
    Step,
    StepStatus,
)
from consultations.models.choices import Kind
from consultations.periods import close_display_date, local_date, local_zone
from consultations.rules import ConsultationRuleError, RuleViolation, _lazy_format

REQUIRED, CONDITIONAL, OPTIONAL = "required", "conditional", "optional"
NEED_LABELS = {
    REQUIRED: _("mandatory"),
    CONDITIONAL: _("required when its condition holds"),
    OPTIONAL: _("optional"),
}
# Steps recorded through ``decision_step_record``; the others come from the consultation
# itself (its period) and from the decision record.
RECORDED_STEPS = (Step.HEARING, Step.EXPERT_REVIEW, Step.STABILITY, Step.LEGALITY_REVIEW)
BEFORE_DECISION = (Step.CONSULTATION, *RECORDED_STEPS)
FINISHED = (StepStatus.DONE, StepStatus.WITHHELD)
AUDIT_ACTION = "decision"  # feedback.AuditAction.DECISION; the detail says what was done


@dataclass(frozen=True)
class StepRule:
    step: str
    need: str
    source: str | Promise = ""


# Sources (rules-zh.md): the Regulation on Major Administrative Decision Procedures (条例), the
# Regulation on Procedures for the Formulation of Rules, the Regulation on the Expropriation of
# Buildings on State-owned Land, the Land Administration Law and its Implementing Regulation,
# the Environmental Impact Assessment Law.
SRC_MAJOR_CONSULT = _("Regulation on Major Administrative Decision Procedures, Art. 14–15")
SRC_MAJOR_HEARING = _("Regulation on Major Administrative Decision Procedures, Art. 16–17")
SRC_MAJOR_EXPERTS = _("Regulation on Major Administrative Decision Procedures, Art. 19–20")
SRC_MAJOR_RISK = _("Regulation on Major Administrative Decision Procedures, Art. 22–24")
SRC_MAJOR_LEGALITY = _("Regulation on Major Administrative Decision Procedures, Art. 25–26")
SRC_MAJOR_COLLECTIVE = _("Regulation on Major Administrative Decision Procedures, Art. 30")
SRC_MAJOR_PUBLISH = _("Regulation on Major Administrative Decision Procedures, Art. 32")
SRC_RULES_CONSULT = _("Regulation on Procedures for the Formulation of Rules, Art. 15")
SRC_RULES_HEARING = _("Regulation on Procedures for the Formulation of Rules, Art. 16")
SRC_HOUSING_CONSULT = _(
    "Regulation on the Expropriation of Buildings on State-owned Land and Compensation, Art. 10"
)
SRC_HOUSING_HEARING = _(
    "Regulation on the Expropriation of Buildings on State-owned Land and Compensation, Art. 11 "
    "(old-town redevelopment, when most owners consider the plan unlawful)"
)
SRC_HOUSING_RISK = _(
    "Regulation on the Expropriation of Buildings on State-owned Land and Compensation, Art. 12"
)
SRC_HOUSING_PUBLISH = _(
    "Regulation on the Expropriation of Buildings on State-owned Land and Compensation, Art. 13"
)
SRC_LAND_CONSULT = _("Land Administration Law, Art. 47; its Implementing Regulation, Art. 28")
SRC_LAND_HEARING = _(
    "Land Administration Law, Art. 47 para. 3 (when most members of the collective consider "
    "the plan unlawful)"
)
SRC_LAND_RISK = _("Land Administration Law, Art. 47; its Implementing Regulation, Art. 26")
SRC_PRE_NOTICE = _("Implementing Regulation of the Land Administration Law, Art. 26")
SRC_EIA = _("Environmental Impact Assessment Law, Art. 11 and 21")


def _rules(**needs: tuple[str, Any]) -> tuple[StepRule, ...]:
    """Every step in chain order; those not named are optional without a source."""
    return tuple(StepRule(step, *needs.get(step, (OPTIONAL, ""))) for step in Step.values)


CHAIN_RULES: dict[str, tuple[StepRule, ...]] = {
    Kind.MAJOR_DECISION: _rules(
        consultation=(REQUIRED, SRC_MAJOR_CONSULT),
        hearing=(OPTIONAL, SRC_MAJOR_HEARING),
        expert_review=(CONDITIONAL, SRC_MAJOR_EXPERTS),
        stability=(CONDITIONAL, SRC_MAJOR_RISK),
        legality_review=(REQUIRED, SRC_MAJOR_LEGALITY),
        collective_decision=(REQUIRED, SRC_MAJOR_COLLECTIVE),
        publication=(REQUIRED, SRC_MAJOR_PUBLISH),
    ),
    Kind.DRAFT_RULES: _rules(
        consultation=(REQUIRED, SRC_RULES_CONSULT),
        hearing=(OPTIONAL, SRC_RULES_HEARING),
        collective_decision=(REQUIRED, ""),
        publication=(REQUIRED, ""),
    ),
    Kind.HOUSING_EXPROPRIATION: _rules(
        consultation=(REQUIRED, SRC_HOUSING_CONSULT),
        hearing=(CONDITIONAL, SRC_HOUSING_HEARING),
        stability=(REQUIRED, SRC_HOUSING_RISK),
        collective_decision=(REQUIRED, SRC_HOUSING_RISK),
        publication=(REQUIRED, SRC_HOUSING_PUBLISH),
    ),
    Kind.LAND_COMPENSATION: _rules(
        consultation=(REQUIRED, SRC_LAND_CONSULT),
        hearing=(CONDITIONAL, SRC_LAND_HEARING),
        stability=(REQUIRED, SRC_LAND_RISK),
        collective_decision=(REQUIRED, ""),
        publication=(REQUIRED, ""),
    ),
    Kind.LAND_PRE_NOTICE: _rules(
        consultation=(REQUIRED, SRC_PRE_NOTICE),
        stability=(REQUIRED, SRC_PRE_NOTICE),
        collective_decision=(REQUIRED, ""),
        publication=(REQUIRED, ""),
    ),
    Kind.NORMATIVE_DOCUMENT: _rules(
        consultation=(REQUIRED, ""),
        collective_decision=(REQUIRED, ""),
        publication=(REQUIRED, ""),
    ),
    Kind.EIA: _rules(
        consultation=(REQUIRED, SRC_EIA),
        hearing=(OPTIONAL, SRC_EIA),
        collective_decision=(REQUIRED, ""),
        publication=(REQUIRED, ""),
    ),
    Kind.OTHER: _rules(
        consultation=(REQUIRED, ""),
        collective_decision=(REQUIRED, ""),
        publication=(REQUIRED, ""),
    ),
}


def step_rules(kind: str) -> tuple[StepRule, ...]:
    return CHAIN_RULES.get(kind) or _rules(consultation=(REQUIRED, ""))


@dataclass
class ChainStep:
    """One row of the timeline, as the public page and the staff screen show it."""

    step: str
    need: str
    source: str | Promise
    status: str
    date: date | None = None
    summary: str = ""
    withheld_ground: str = ""
    url: str = ""
    document: Any = None
    record: DecisionStep | None = None
    details: dict = field(default_factory=dict)
    blocker: RuleViolation | None = None

    @property
    def label(self) -> str:
        return Step(self.step).label

    @property
    def status_label(self) -> str:
        return StepStatus(self.status).label

    @property
    def need_label(self) -> str:
        return NEED_LABELS[self.need]

    @property
    def withheld(self) -> bool:
        return self.status == StepStatus.WITHHELD

    @property
    def recordable(self) -> bool:
        return self.step in RECORDED_STEPS

    @property
    def shown_in_public(self) -> bool:
        """Optional steps appear once something was recorded for them."""
        return self.need != OPTIONAL or self.status != StepStatus.NOT_STARTED


# --- Read path -----------------------------------------------------------------------------


def _consultation_step(c: Consultation, rule: StepRule, now: datetime) -> ChainStep:
    status = StepStatus.NOT_STARTED
    day = None
    if c.live and c.opens_at and c.closes_at:
        if c.closes_at <= now:
            status, day = StepStatus.DONE, close_display_date(c.closes_at)
        elif c.opens_at <= now:
            status = StepStatus.IN_PROGRESS
    return ChainStep(Step.CONSULTATION, rule.need, rule.source, status, date=day)


STABILITY_STATUS = {
    StabilityStatus.NOT_STARTED: StepStatus.NOT_STARTED,
    StabilityStatus.IN_PROGRESS: StepStatus.IN_PROGRESS,
    StabilityStatus.DONE: StepStatus.DONE,
    StabilityStatus.NOT_REQUIRED: StepStatus.NOT_REQUIRED,
    StabilityStatus.WITHHELD: StepStatus.WITHHELD,
}


def _stability_details(c: Consultation) -> dict:
    """The disclosed conclusion of the 稳评 (R36), only where disclosure is allowed."""
    if c.stability_status != StabilityStatus.DONE:
        return {}
    return {
        "assessor": localized(c, "stability_assessor"),
        "level": c.get_stability_level_display() if c.stability_level else "",
        "measures": localized(c, "stability_measures"),
    }


def _recorded_step(c: Consultation, rule: StepRule, row: DecisionStep | None) -> ChainStep:
    need = REQUIRED if row is not None and row.required else rule.need
    if row is not None:
        chain_step = ChainStep(
            rule.step,
            need,
            rule.source,
            row.status,
            date=row.date,
            summary=localized(row, "summary"),
            withheld_ground=row.withheld_ground if row.status == StepStatus.WITHHELD else "",
            url=row.url if row.status != StepStatus.WITHHELD else "",
            document=row.document if row.status != StepStatus.WITHHELD else None,
            record=row,
        )
    elif rule.step == Step.STABILITY and c.stability_status:
        # Not recorded as a step: the consultation's own 稳评 disclosure (R36) says it.
        chain_step = ChainStep(
            rule.step,
            need,
            rule.source,
            STABILITY_STATUS[StabilityStatus(c.stability_status)],
            withheld_ground=c.stability_withheld_ground
            if c.stability_status == StabilityStatus.WITHHELD
            else "",
        )
    else:
        chain_step = ChainStep(rule.step, need, rule.source, StepStatus.NOT_STARTED)
    if rule.step == Step.STABILITY and chain_step.status == StepStatus.DONE:
        chain_step.details = _stability_details(c)
    return chain_step


def _decision_steps(rules: dict, decision: Decision | None) -> list[ChainStep]:
    collective, publication = rules[Step.COLLECTIVE_DECISION], rules[Step.PUBLICATION]
    if decision is None:
        return [
            ChainStep(r.step, r.need, r.source, StepStatus.NOT_STARTED)
            for r in (collective, publication)
        ]
    body = localized(decision, "body")
    meeting = localized(decision, "meeting")
    return [
        ChainStep(
            Step.COLLECTIVE_DECISION,
            collective.need,
            collective.source,
            StepStatus.DONE,
            date=decision.decided_on,
            summary=(("，" if not wants_english() else ", ").join(p for p in (body, meeting) if p)),
            details={"body": body, "meeting": meeting},
        ),
        ChainStep(
            Step.PUBLICATION,
            publication.need,
            publication.source,
            StepStatus.DONE,
            date=local_date(decision.recorded_at),
            summary=localized(decision, "summary"),
            document=decision.document,
        ),
    ]


def decision_chain(consultation: Consultation, now: datetime | None = None) -> list[ChainStep]:
    """Every step of the chain for the consultation's kind, in order, with its blocker if any."""
    now = now or timezone.now()
    c = consultation
    rules = {r.step: r for r in step_rules(c.kind)}
    rows = {
        row.step: row
        for row in DecisionStep.objects.filter(consultation_id=c.pk).select_related("document")
    }
    decision = Decision.objects.filter(consultation_id=c.pk).select_related("document").first()
    chain = [_consultation_step(c, rules[Step.CONSULTATION], now)]
    chain += [_recorded_step(c, rules[step], rows.get(step)) for step in RECORDED_STEPS]
    chain += _decision_steps(rules, decision)
    for chain_step in chain:
        chain_step.blocker = _blocker(chain_step)
    return chain


def _blocker(s: ChainStep) -> RuleViolation | None:
    if s.step not in BEFORE_DECISION:
        return None
    source = s.source or _("the law on this kind of consultation")
    if s.step == Step.CONSULTATION:
        if s.status != StepStatus.DONE:
            return RuleViolation(
                "consultation_not_closed",
                "__all__",
                _(
                    "The decision can be recorded only after the consultation has closed, so "
                    "that every opinion could be taken into account."
                ),
            )
        return None
    if s.need == REQUIRED and s.status not in FINISHED:
        return RuleViolation(
            f"{s.step}_missing",
            "__all__",
            _lazy_format(
                _("Missing step: %(step)s is required before the decision (%(source)s)."),
                step=Step(s.step).label,
                source=source,
            ),
        )
    if s.need == CONDITIONAL and s.status not in (*FINISHED, StepStatus.NOT_REQUIRED):
        return RuleViolation(
            f"{s.step}_undecided",
            "__all__",
            _lazy_format(
                _(
                    "Missing step: record the %(step)s, or that it was not required and why "
                    "(%(source)s)."
                ),
                step=Step(s.step).label,
                source=source,
            ),
        )
    if s.status == StepStatus.IN_PROGRESS:
        return RuleViolation(
            f"{s.step}_in_progress",
            "__all__",
            _lazy_format(
                _("The %(step)s is still in progress: finish it before the decision."),
                step=Step(s.step).label,
            ),
        )
    return None


def decision_blockers(consultation: Consultation, now: datetime | None = None):
    """The RuleViolations that stop the decision from being recorded, in chain order."""
    return [s.blocker for s in decision_chain(consultation, now) if s.blocker is not None]


# --- Write path ----------------------------------------------------------------------------

_KEEP: Any = object()


def _format_day(day: date | None, language: str) -> str:
    if day is None:
        return ""
    with override(language):
        return date_format(day, "DATE_FORMAT")


def _step_line(step: str, status: str, day: date | None, language: str) -> str:
    with override(language):
        label, status_label = str(Step(step).label), str(StepStatus(status).label)
    when = _format_day(day, language)
    if language == "en":
        return f"Decision chain: {label}: {status_label}" + (f" ({when})." if when else ".")
    return f"决策过程：{label}——{status_label}" + (f"（{when}）。" if when else "。")


def _raise(code: str, field_name: str, message) -> None:
    raise ConsultationRuleError([RuleViolation(code, field_name, message)])


@transaction.atomic
def decision_step_record(
    consultation: Consultation,
    step: str,
    *,
    status: str | None = None,
    date: date | None = _KEEP,
    summary: str = _KEEP,
    summary_en: str = _KEEP,
    url: str = _KEEP,
    document=_KEEP,
    withheld_ground: str = _KEEP,
    required: bool | None = None,
    user=None,
) -> DecisionStep:
    """Record (create or update) one step of the consultation's decision chain.

    ``step``: a ``Step`` among hearing, expert_review, stability, legality_review (the
    consultation, collective decision and publication steps come from the consultation and
    the decision record). ``status``: a ``StepStatus``; None keeps the current one
    (``not_started`` for a new step). The keyword arguments left out keep their stored value;
    ``required=True`` marks the step mandatory for this consultation (a majority-triggered
    hearing), None leaves that as it is. Refused with ConsultationRuleError (a
    ValidationError), changing nothing: an unknown step or status, done/withheld without a
    date, a date in the future, withheld without a legal ground, not required without a reason.
    A change anyone can see gets a public change-log entry and an audit entry; a repeated call
    with the same values writes nothing.
    """
    if step not in RECORDED_STEPS:
        _raise(
            "bad_step",
            "step",
            _(
                "Only a hearing, an expert review, the risk assessment or the legality review "
                "is recorded as a step; the decision has its own form."
            ),
        )
    if status is not None and status not in StepStatus.values:
        _raise("bad_status", "status", _("Choose one of the listed statuses."))
    c = Consultation.objects.select_for_update().get(pk=consultation.pk)
    row = DecisionStep.objects.filter(consultation=c, step=step).first()
    new = row is None
    if new:
        row = DecisionStep(consultation=c, step=step)
    before = _visible(row) if not new else None
    for name, value in (
        ("date", date),
        ("summary", summary),
        ("summary_en", summary_en),
        ("url", url),
        ("document", document),
        ("withheld_ground", withheld_ground),
    ):
        if value is not _KEEP:
            setattr(row, name, value if value is not None or name in ("date", "document") else "")
    for name in ("summary", "summary_en", "url", "withheld_ground"):
        setattr(row, name, (getattr(row, name) or "").strip())
    if status is not None:
        row.status = status
    if required is not None:
        row.required = required
        if required and status is None and row.status == StepStatus.NOT_REQUIRED:
            row.status = StepStatus.NOT_STARTED  # the earlier "not required" no longer holds
    _check_step(row)
    if not new and _visible(row) == before:
        return row
    row.updated_by = user if getattr(user, "pk", None) else None
    row.save()
    _log_step(c, row, user)
    return row


def _visible(row: DecisionStep) -> tuple:
    return (
        row.status,
        row.required,
        row.date,
        row.summary,
        row.summary_en,
        row.url,
        row.document_id,
        row.withheld_ground,
    )


def _check_step(row: DecisionStep) -> None:
    if row.status in FINISHED and row.date is None:
        _raise("date_required", "date", _("Enter the date on which this step was completed."))
    if row.date is not None and row.date > local_date(timezone.now()):
        _raise("date_in_future", "date", _("The date cannot be in the future."))
    if row.status == StepStatus.WITHHELD and not row.withheld_ground:
        _raise(
            "withheld_ground_required",
            "withheld_ground",
            _(
                "When a step is not disclosed, the public page must cite the legal ground for "
                "withholding it (Regulations on Open Government Information, Art. 14–16)."
            ),
        )
    if row.status == StepStatus.NOT_REQUIRED and not row.summary:
        _raise(
            "reason_required",
            "summary",
            _("Say why this step was not required; the reason is shown on the public page."),
        )
    if row.status == StepStatus.NOT_REQUIRED and row.required:
        _raise(
            "step_mandatory",
            "status",
            _("This step is mandatory for this consultation; it cannot be marked not required."),
        )


def _log_step(c: Consultation, row: DecisionStep, user) -> None:
    from consultations.services import change_log_record

    change_log_record(
        consultation=c,
        type_=ChangeLogEntry.Type.DECISION_STEP,
        summary=_step_line(row.step, row.status, row.date, "zh-hans"),
        summary_en=_step_line(row.step, row.status, row.date, "en"),
        reason=row.withheld_ground if row.status == StepStatus.WITHHELD else "",
        user=user,
    )
    audit_staff_action(
        actor=user if getattr(user, "pk", None) else None,
        action=AUDIT_ACTION,
        consultation=c,
        obj=row,
        detail={
            "decision_step": row.step,
            "status": row.status,
            "required": row.required,
            "date": row.date,
        },
    )


def decided_at_for(day: date) -> datetime:
    """The stored decision moment of a decision date: 00:00 local time of that day."""
    return datetime.combine(day, time.min, tzinfo=local_zone())


@transaction.atomic
def decision_record(
    consultation: Consultation,
    *,
    decided_on: date,
    body: str,
    summary: str,
    user,
    body_en: str = "",
    meeting: str = "",
    meeting_en: str = "",
    summary_en: str = "",
    document=None,
    correction_reason: str = "",
) -> Decision:
    """Record the decision taken on the consultation's proposal, and set the stage "decided".

    Refused (ConsultationRuleError, nothing changes) before the close, with a date in the
    future or before the close, without the deciding body or the summary, and while any
    mandatory step of the chain is missing (all of them listed). Recording it again corrects
    it and needs ``correction_reason``. ``Consultation.decided_at`` starts the 20 working days
    within which the response must be published (feedback.response.selectors).
    """
    c = Consultation.objects.select_for_update().get(pk=consultation.pk)
    now = timezone.now()
    existing = Decision.objects.filter(consultation=c).first()
    violations = list(decision_blockers(c, now))
    if not violations:
        violations += _decision_violations(c, decided_on, body, summary, now)
    if existing is not None and not (correction_reason or "").strip():
        violations.append(
            RuleViolation(
                "correction_reason_required",
                "correction_reason",
                _(
                    "The decision is already recorded: say why it is being corrected; the "
                    "reason is shown in the public change log."
                ),
            )
        )
    if violations:
        raise ConsultationRuleError(violations)
    decision = existing or Decision(consultation=c, recorded_by=_user(user))
    decision.decided_on = decided_on
    decision.body, decision.body_en = body.strip(), (body_en or "").strip()
    decision.meeting, decision.meeting_en = (meeting or "").strip(), (meeting_en or "").strip()
    decision.summary, decision.summary_en = summary.strip(), (summary_en or "").strip()
    decision.document = document
    decision.save()
    decided_at = decided_at_for(decided_on)
    Consultation.objects.filter(pk=c.pk).update(
        stage=Stage.DECIDED, decided_at=decided_at, updated_at=now
    )
    from consultations.services import _store_in_revisions, change_log_record

    _store_in_revisions(c, stage=Stage.DECIDED, decided_at=decided_at)
    consultation.stage, consultation.decided_at = Stage.DECIDED, decided_at
    zh_day, en_day = _format_day(decided_on, "zh-hans"), _format_day(decided_on, "en")
    change_log_record(
        consultation=c,
        type_=ChangeLogEntry.Type.DECISION,
        summary=f"{decision.body}于{zh_day}作出决策。"
        + ("（更正）" if existing is not None else ""),
        summary_en=f"{decision.body_en or decision.body} decided on {en_day}."
        + (" (corrected)" if existing is not None else ""),
        reason=(correction_reason or "").strip(),
        user=user,
    )
    audit_staff_action(
        actor=_user(user),
        action=AUDIT_ACTION,
        consultation=c,
        obj=decision,
        detail={
            "decision": decided_on,
            "body": decision.body,
            "document": decision.document_id,
            "correction": existing is not None,
        },
    )
    return decision


def _user(user):
    return user if getattr(user, "pk", None) else None


def _decision_violations(c, decided_on, body, summary, now) -> list[RuleViolation]:
    found = []
    if decided_on is None:
        found.append(
            RuleViolation("date_required", "decided_on", _("Enter the date of the decision."))
        )
    elif decided_on > local_date(now):
        found.append(
            RuleViolation(
                "date_in_future", "decided_on", _("The decision date cannot be in the future.")
            )
        )
    elif c.closes_at is not None and decided_on <= close_display_date(c.closes_at):
        found.append(
            RuleViolation(
                "date_before_close",
                "decided_on",
                _("The decision date must be after the last day of the consultation."),
            )
        )
    if not (body or "").strip():
        found.append(
            RuleViolation("body_required", "body", _("Enter the body that took the decision."))
        )
    if not (summary or "").strip():
        found.append(
            RuleViolation(
                "summary_required",
                "summary",
                _(
                    "Say what was decided and how public and expert opinions were adopted "
                    "(Regulation on Major Administrative Decision Procedures, Art. 32)."
                ),
            )
        )
    return found
