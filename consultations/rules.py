"""What each kind of consultation needs before it may open, and how long it must stay open.

The kind decides the rules (R1). The national floors below come from the texts cited in each
message (rules-zh.md §5.6); a jurisdiction may raise a floor through
``settings.CONSULTATION_PERIOD_OVERRIDES`` but never lower it (R12, checked in ``checks.py``).
Messages name the rule and its source, because officials must know *why* publication was refused.
"""

# Size: one module on purpose: it is the whole rule book, mostly messages citing
# their legal source, and reviewers check it against those texts in one place.

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from consultations.models.choices import Kind, StabilityStatus
from consultations.periods import CALENDAR, WORKING, close_after, close_display_date

UNITS = (CALENDAR, WORKING)


@dataclass(frozen=True)
class RuleViolation:
    """One reason a consultation may not open (or change); ``field`` is where a form shows it."""

    code: str
    field: str
    message: str | Promise


class ConsultationRuleError(ValidationError):
    """A ValidationError whose ``message_dict`` is keyed by field, built from RuleViolations."""

    def __init__(self, violations: list[RuleViolation]):
        self.violations = list(violations)
        by_field: dict[str, list[ValidationError]] = {}
        for v in self.violations:
            by_field.setdefault(v.field, []).append(ValidationError(v.message, code=v.code))
        super().__init__(by_field)


@dataclass(frozen=True)
class PeriodFloor:
    """A minimum comment period: ``days`` counted in ``unit``; ``shortenable`` with a reason."""

    days: int
    unit: str
    shortenable: bool
    message: str | Promise


MAJOR_DECISION_PERIOD = PeriodFloor(
    30,
    CALENDAR,
    True,
    _(
        "A major administrative decision must be open for at least 30 days; a shorter period "
        "needs a stated reason (Regulation on Major Administrative Decision Procedures, Art. 15)."
    ),
)
NATIONAL_FLOORS: dict[str, PeriodFloor] = {
    Kind.MAJOR_DECISION: MAJOR_DECISION_PERIOD,
    Kind.DRAFT_RULES: PeriodFloor(
        30,
        CALENDAR,
        True,
        _(
            "Draft rules must be open for at least 30 days; a shorter period needs a stated "
            "reason (Regulation on Procedures for the Formulation of Rules, Art. 15)."
        ),
    ),
    Kind.HOUSING_EXPROPRIATION: PeriodFloor(
        30,
        CALENDAR,
        False,
        _(
            "A housing expropriation compensation plan must be open for at least 30 days, and "
            "this period can never be shortened (Regulation on the Expropriation of Buildings on "
            "State-owned Land and Compensation, Art. 10)."
        ),
    ),
    Kind.LAND_COMPENSATION: PeriodFloor(
        30,
        CALENDAR,
        False,
        _(
            "A land requisition compensation and resettlement plan must be announced for at "
            "least 30 days, and this period can never be shortened (Land Administration Law, "
            "Art. 47; its Implementing Regulation, Art. 28)."
        ),
    ),
    Kind.LAND_PRE_NOTICE: PeriodFloor(
        10,
        WORKING,
        False,
        _(
            "A land requisition pre-announcement must be posted for at least 10 working days, "
            "and this period can never be shortened (Implementing Regulation of the Land "
            "Administration Law, Art. 26)."
        ),
    ),
    Kind.NORMATIVE_DOCUMENT: PeriodFloor(
        7,
        WORKING,
        False,
        _(
            "A normative document must be open for at least 7 working days, and this period "
            "can never be shortened."
        ),
    ),
    Kind.EIA: PeriodFloor(
        10,
        WORKING,
        False,
        _(
            "An environmental impact assessment report must be open for comments for at least "
            "10 working days, and this period can never be shortened (Measures for Public "
            "Participation in Environmental Impact Assessment)."
        ),
    ),
    Kind.OTHER: PeriodFloor(
        7,
        CALENDAR,
        True,
        _(
            "A consultation must be open for at least 7 days; a shorter period needs a stated reason."
        ),
    ),
}
NORMATIVE_BUSINESS_PERIOD = PeriodFloor(
    30,
    CALENDAR,
    False,
    _(
        "A normative document closely tied to the business of market players must be open for "
        "at least 30 days, and this period can never be shortened."
    ),
)

MSG_OVERRIDE_SHORTENABLE = _(
    "Local rules require this kind of consultation to be open for at least %(days)s %(unit)s; a "
    "shorter period needs a stated reason."
)
MSG_OVERRIDE_HARD = _(
    "Local rules require this kind of consultation to be open for at least %(days)s %(unit)s, "
    "and this period can never be shortened."
)
UNIT_LABELS = {CALENDAR: _("days"), WORKING: _("working days")}
# One instant, said both ways (24:00 of the last day is 00:00 of the next, which is what a
# date-time field takes); 23:59 of the last day is refused, and the message says so (issue 15).
MSG_EARLIEST = _(
    "With the chosen opening time, the earliest allowed close is 24:00 on %(date)s, that is "
    "00:00 on %(next_day)s (23:59 on %(date)s is too early)."
)

PLAIN_SUMMARY_KINDS = frozenset(
    {
        Kind.MAJOR_DECISION,
        Kind.HOUSING_EXPROPRIATION,
        Kind.LAND_PRE_NOTICE,
        Kind.LAND_COMPENSATION,
    }
)
LAW_SOURCES = {
    Kind.LAND_PRE_NOTICE: _("Implementing Regulation of the Land Administration Law, Art. 26"),
    Kind.LAND_COMPENSATION: _(
        "Land Administration Law, Art. 47; its Implementing Regulation, Art. 27 and 28"
    ),
    Kind.HOUSING_EXPROPRIATION: _(
        "Regulation on the Expropriation of Buildings on State-owned Land and Compensation, Art. 10"
    ),
}
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.LAND_PRE_NOTICE: ("requisition_scope", "requisition_purpose", "land_survey_arrangement"),
    Kind.LAND_COMPENSATION: (
        "requisition_scope",
        "land_status",
        "requisition_purpose",
        "compensation_standard",
        "resettlement_targets",
        "resettlement_method",
        "social_security",
        "compensation_registration",
        "objection_channel",
    ),
    Kind.HOUSING_EXPROPRIATION: ("compensation_standard",),
}


def national_floor(kind: str, *, affects_businesses: bool = False) -> PeriodFloor | None:
    """The floor a national text (or our design default) sets for ``kind``; None if unknown."""
    if kind == Kind.NORMATIVE_DOCUMENT and affects_businesses:
        return NORMATIVE_BUSINESS_PERIOD
    return NATIONAL_FLOORS.get(kind)


def override_floor(kind: str) -> PeriodFloor | None:
    """The jurisdiction's configured floor for ``kind``, if any (validated by checks.py)."""
    conf = (getattr(settings, "CONSULTATION_PERIOD_OVERRIDES", None) or {}).get(str(kind))
    if not conf:
        return None
    national = NATIONAL_FLOORS[kind]
    unit = conf.get("unit", CALENDAR)
    message = MSG_OVERRIDE_SHORTENABLE if national.shortenable else MSG_OVERRIDE_HARD
    return PeriodFloor(
        int(conf["days"]),
        unit,
        national.shortenable,
        _lazy_format(message, days=int(conf["days"]), unit=UNIT_LABELS[unit]),
    )


def applicable_floors(kind: str, *, affects_businesses: bool = False) -> list[PeriodFloor]:
    """Every floor that applies; the period must satisfy all of them (override only adds)."""
    floors = [f for f in (national_floor(kind, affects_businesses=affects_businesses),) if f]
    if kind in NATIONAL_FLOORS and (extra := override_floor(kind)):
        floors.append(extra)
    return floors


def earliest_close(*, kind: str, opens_at: datetime, affects_businesses: bool = False) -> datetime:
    """The earliest lawful close for ``kind`` without a shortening reason (aware, UTC).

    Every applicable floor counts: the national one and a jurisdiction's stricter one.
    """
    floors = applicable_floors(kind, affects_businesses=affects_businesses)
    if not floors:
        raise ValueError(f"Unknown consultation kind {kind!r}.")
    return max(close_after(opens_at, days=f.days, unit=f.unit) for f in floors)


def override_errors(overrides: dict | None) -> list[str]:
    """Plain-text problems with a CONSULTATION_PERIOD_OVERRIDES setting (for the system check).

    A calendar-day override for a working-day floor must cover at least the usual calendar
    length of those working days (5 in 7); the national floor is enforced as well in any case.
    """
    problems = []
    for kind, conf in (overrides or {}).items():
        floor = NATIONAL_FLOORS.get(kind)
        if floor is None:
            problems.append(f"{kind!r} is not a consultation kind ({', '.join(Kind.values)}).")
            continue
        if not isinstance(conf, dict) or not isinstance(conf.get("days"), int):
            problems.append(f"{kind!r} needs a mapping with an integer 'days'.")
            continue
        unit = conf.get("unit", CALENDAR)
        if unit not in UNITS:
            problems.append(f"{kind!r}: unit must be 'calendar' or 'working', not {unit!r}.")
            continue
        days = conf["days"]
        minimum = floor.days
        if floor.unit == WORKING and unit == CALENDAR:
            minimum = -(-floor.days * 7 // 5)
        if days < minimum:
            problems.append(
                f"{kind!r}: {days} {unit} days is below the national floor of "
                f"{floor.days} {floor.unit} days; a local rule may raise a floor, never lower it."
            )
    return problems


def _lazy_format(message, **params):
    from django.utils.functional import lazy

    def render():
        values = {k: str(v) for k, v in params.items()}
        return str(message) % values

    return lazy(render, str)()


def _blank(value) -> bool:
    return not (value or "").strip()


def part_violations(consultation, *, clause_count: int) -> list[RuleViolation]:
    """Missing parts (R1, R4, R6, R7, R36). ``clause_count`` is passed in so callers decide
    whether in-memory (revision) or stored clauses count."""
    c = consultation
    found: list[RuleViolation] = []
    if c.kind not in Kind.values:
        found.append(
            RuleViolation(
                "kind_required",
                "kind",
                _(
                    "Choose the kind of consultation; the kind decides which parts are required "
                    "and how long it must stay open."
                ),
            )
        )
    if clause_count < 1:
        found.append(
            RuleViolation(
                "draft_required",
                "draft_clauses",
                _(
                    "A consultation cannot open without the draft itself: add at least one "
                    "clause (Regulation on Major Administrative Decision Procedures, Art. 15)."
                ),
            )
        )
    if _blank(c.explanatory_note):
        found.append(
            RuleViolation(
                "explanatory_note_required",
                "explanatory_note",
                _(
                    "A consultation cannot open without an explanatory note on why and how the "
                    "draft was prepared (Regulation on Major Administrative Decision Procedures, "
                    "Art. 15)."
                ),
            )
        )
    if _blank(c.contact_phone):
        found.append(
            RuleViolation(
                "contact_phone_required",
                "contact_phone",
                _(
                    "People must be told how to give their opinion: enter a phone number for "
                    "opinions, so that people who do not use the internet can take part."
                ),
            )
        )
    if _blank(c.postal_address) and _blank(c.visit_address):
        found.append(
            RuleViolation(
                "address_required",
                "postal_address",
                _(
                    "People must be able to send a letter or come in person: enter a postal "
                    "address or an address for walk-in opinions."
                ),
            )
        )
    for name, code, message in (
        (
            "opens_at",
            "opens_at_required",
            _("Enter when the consultation opens; the start of the period must be published."),
        ),
        (
            "closes_at",
            "closes_at_required",
            _("Enter when the consultation closes; the end of the period must be published."),
        ),
    ):
        if getattr(c, name) is None:
            found.append(RuleViolation(code, name, message))
    if c.kind in PLAIN_SUMMARY_KINDS and _blank(c.plain_summary):
        found.append(
            RuleViolation(
                "plain_summary_required",
                "plain_summary",
                _(
                    "Major decisions and requisition plans need a plain-language summary, so that "
                    "everyone affected can understand the proposal without legal training."
                ),
            )
        )
    if c.kind == Kind.MAJOR_DECISION:
        if not c.stability_status:
            found.append(
                RuleViolation(
                    "stability_status_required",
                    "stability_status",
                    _(
                        "A major administrative decision must say whether a social-stability "
                        "risk assessment was done: choose its status."
                    ),
                )
            )
        elif c.stability_status == StabilityStatus.WITHHELD and _blank(c.stability_withheld_ground):
            found.append(
                RuleViolation(
                    "stability_withheld_ground_required",
                    "stability_withheld_ground",
                    _(
                        "When the result of the risk assessment is not disclosed, the page must "
                        "cite the legal ground for withholding it (Regulations on Open Government "
                        "Information, Art. 16)."
                    ),
                )
            )
    for name in KIND_FIELDS.get(c.kind, ()):
        if _blank(getattr(c, name)):
            found.append(
                RuleViolation(
                    f"{name}_required",
                    name,
                    _lazy_format(
                        _(
                            "A consultation of the kind “%(kind)s” cannot open without stating "
                            "the %(part)s (%(source)s)."
                        ),
                        kind=Kind(c.kind).label,
                        part=c._meta.get_field(name).verbose_name,
                        source=LAW_SOURCES[c.kind],
                    ),
                )
            )
    return found


def period_violations(consultation) -> list[RuleViolation]:
    """Whether opens_at → closes_at meets every applicable floor (R10–R13)."""
    c = consultation
    if c.opens_at is None or c.closes_at is None or c.kind not in Kind.values:
        return []
    if c.closes_at <= c.opens_at:
        return [
            RuleViolation(
                "closes_before_opening",
                "closes_at",
                _("The consultation must close after it opens."),
            )
        ]
    for floor in applicable_floors(c.kind, affects_businesses=c.affects_businesses):
        earliest = close_after(c.opens_at, days=floor.days, unit=floor.unit)
        if c.closes_at >= earliest:
            continue
        if floor.shortenable and not _blank(c.shortened_reason):
            continue
        return [
            RuleViolation(
                "period_too_short",
                "closes_at",
                _lazy_format(
                    "%(rule)s %(earliest)s",
                    rule=floor.message,
                    earliest=_lazy_format(
                        MSG_EARLIEST,
                        date=_display_date(earliest),
                        next_day=_display_date(earliest + timedelta(days=1)),
                    ),
                ),
            )
        ]
    return []


def _display_date(closes_at: datetime):
    """The closing date, formatted lazily in the language active when it is shown."""
    from django.utils.functional import lazy

    day = close_display_date(closes_at)
    return lazy(lambda: date_format(day, "DATE_FORMAT"), str)()
