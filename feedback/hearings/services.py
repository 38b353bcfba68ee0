# Size: one service per step of the hearing the law sets out (notice, registration, draw,
# list, materials, record, confirmations, held, report), each with its rule and audit entry;
# split by step they would only import each other.
"""Every change to a hearing, in the order the law sets (R27, R28, R30, R31).

Each staff step is one transaction with its audit entry (``AuditAction.HEARING``, the step in
``detail``). A step refused by a rule raises ``HearingRuleError`` with every reason and
changes nothing. ``now`` may be given (the demo and tests replay a past hearing).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.models import Consultation
from feedback.audit.trail import record
from feedback.hearings import draw as draw_mod
from feedback.hearings import rules
from feedback.hearings.permissions import can_manage_hearing, can_publish_hearing_report
from feedback.intake.services import NotAcceptingOpinions, OpinionData, submission_create
from feedback.models import (
    AuditAction,
    Channel,
    Contact,
    ContactAccessLog,
    Hearing,
    HearingCategory,
    HearingParticipant,
    HearingRecordItem,
    HearingRegistration,
    HearingView,
)
from feedback.models.receipts import format_receipt, new_receipt
from feedback.privacy.contacts import new_contact
from feedback.privacy.crypto import decrypt_contact

# Steps the consultation page shows (its link to the hearing): the page is cached by the
# consultation row's version (cms.page_cache), so these write the row.
PAGE_STEPS = {"notice_publish", "report_publish"}


def touch(consultation_id: int) -> None:
    Consultation.objects.filter(pk=consultation_id).update(updated_at=timezone.now())


class HearingRuleError(Exception):
    """A step the law does not allow yet; ``problems`` says why, in the reader's language."""

    def __init__(self, problems: list[str]):
        self.problems = [str(p) for p in problems]
        super().__init__("; ".join(self.problems))


def _audit(user, hearing: Hearing, step: str, **detail) -> None:
    if step in PAGE_STEPS:
        touch(hearing.consultation_id)
    record(
        user,
        AuditAction.HEARING,
        consultation=hearing.consultation_id,
        obj=hearing,
        detail={"step": step, **detail},
    )


def _check(user, consultation: Consultation, *, publish: bool = False) -> None:
    allowed = can_publish_hearing_report if publish else can_manage_hearing
    if not allowed(user, consultation):
        raise PermissionDenied


def _locked(hearing: Hearing) -> Hearing:
    return Hearing.objects.select_for_update().select_related("consultation").get(pk=hearing.pk)


def _stamp_once(
    user, hearing: Hearing, now: datetime, stamp: str, problems, changes=None, *, publish=False
) -> tuple[Hearing, bool]:
    """The shape of a hearing's one-time steps (notice, participant list, held, report): the
    department's staff only; the row locked; a step already done changes nothing (a double
    click, a resent form); the step's rules (``problems(hearing)``, a list of messages) refuse it
    whole; otherwise ``stamp`` is set to ``now`` with ``changes`` and saved. Call it inside the
    caller's transaction, which writes the audit entry when the second value is True."""
    _check(user, hearing.consultation, publish=publish)
    hearing = _locked(hearing)
    if getattr(hearing, stamp):
        return hearing, False
    refused = problems(hearing)
    if refused:
        raise HearingRuleError(refused)
    for name, value in {**(changes or {}), stamp: now}.items():
        setattr(hearing, name, value)
    hearing.save(update_fields=[*(changes or {}), stamp, "updated_at"])
    return hearing, True


@dataclass
class CategoryData:
    code: str
    name: str
    seats: int
    name_en: str = ""


HEARING_FIELDS = (
    "starts_at",
    "place",
    "place_en",
    "explanation",
    "explanation_en",
    "selection_method",
    "selection_method_en",
    "registration_closes_at",
)


def hearing_save(
    *, user, consultation: Consultation, fields: dict, categories: list[CategoryData]
) -> Hearing:
    """Create the hearing of ``consultation`` or change it while its notice is not published."""
    _check(user, consultation)
    problems = []
    if not categories:
        problems.append(_("Give at least one stakeholder category with its seats."))
    if len({c.code for c in categories}) != len(categories):
        problems.append(_("Every category needs its own code."))
    if any(c.seats < 1 for c in categories):
        problems.append(_("Every category needs at least one seat."))
    if fields["registration_closes_at"] >= fields["starts_at"]:
        problems.append(_("Registration must close before the hearing starts."))
    if problems:
        raise HearingRuleError(problems)
    with transaction.atomic():
        hearing = Hearing.objects.select_for_update().filter(consultation=consultation).first()
        created = hearing is None
        if created:
            hearing = Hearing(consultation=consultation)
        elif hearing.notice_published_at:
            raise HearingRuleError(
                [_("The notice is published: the hearing's time, place and method are fixed.")]
            )
        for name in HEARING_FIELDS:
            if name in fields:
                setattr(hearing, name, fields[name])
        hearing.save()
        hearing.categories.all().delete()
        HearingCategory.objects.bulk_create(
            HearingCategory(
                hearing=hearing,
                code=c.code,
                name=c.name,
                name_en=c.name_en,
                seats=c.seats,
                sort_order=n,
            )
            for n, c in enumerate(categories)
        )
        _audit(user, hearing, "create" if created else "edit", categories=len(categories))
    return hearing


def notice_problems(hearing: Hearing, now: datetime) -> list[str]:
    kind = hearing.consultation.kind
    days = rules.notice_days(kind)
    problems = []
    if rules.days_between(now, hearing.starts_at) < days:
        problems.append(
            _(
                "The notice must be published at least %(days)d days before the hearing "
                "(%(source)s); the hearing is %(left)d days away."
            )
            % {
                "days": days,
                "source": rules.notice_source(kind),
                "left": rules.days_between(now, hearing.starts_at),
            }
        )
    if hearing.registration_closes_at <= now:
        problems.append(_("Registration would already be closed: set a later closing time."))
    if not hearing.categories.exists():
        problems.append(_("Give at least one stakeholder category with its seats."))
    for name, label in (
        ("place", _("the place")),
        ("explanation", _("the explanation")),
        ("selection_method", _("the participant selection method")),
    ):
        if not getattr(hearing, name).strip():
            problems.append(_("The notice needs %(what)s.") % {"what": label})
    if not hearing.consultation.live:
        problems.append(_("The consultation itself is not published."))
    return problems


def notice_publish(*, user, hearing: Hearing, now: datetime | None = None) -> Hearing:
    """Publish the notice: time, place, the draft and explanation and the selection method."""
    now = now or timezone.now()
    days = {"notice_days": rules.notice_days(hearing.consultation.kind)}
    with transaction.atomic():
        hearing, done = _stamp_once(
            user, hearing, now, "notice_published_at", lambda h: notice_problems(h, now), days
        )
        if done:
            _audit(user, hearing, "notice_publish", notice_days=hearing.notice_days)
    return hearing


class RegistrationClosed(Exception):
    pass


@dataclass
class RegistrationData:
    name: str
    category: HearingCategory
    statement: str
    contact_email: str = ""
    contact_phone: str = ""


def registration_open(hearing: Hearing, now: datetime) -> bool:
    return bool(
        hearing.notice_published_at
        and not hearing.list_frozen_at
        and hearing.notice_published_at <= now < hearing.registration_closes_at
    )


def registration_create(
    *, hearing: Hearing, data: RegistrationData, token: uuid.UUID, now: datetime | None = None
) -> tuple[HearingRegistration, bool]:
    """Store a registration and its encrypted contact; ``(registration, created)``. The same
    form token returns the first registration made with it (a reload, a double click)."""
    now = now or timezone.now()
    existing = HearingRegistration.objects.filter(token=token).first()
    if existing is not None:
        if existing.hearing_id != hearing.pk:
            raise PermissionDenied("Form token belongs to another hearing.")
        return existing, False
    if data.category.hearing_id != hearing.pk:
        raise ValueError("The category is not one of this hearing's.")
    contact, ref = new_contact(data)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                locked = Hearing.objects.select_for_update(no_key=True).get(pk=hearing.pk)
                if not registration_open(locked, now):
                    raise RegistrationClosed
                registration = HearingRegistration(
                    hearing=locked,
                    number=new_receipt()[:8],
                    category=data.category,
                    name=data.name,
                    statement=data.statement,
                    contact_ref=ref,
                    token=token,
                )
                if contact is not None:
                    contact.save()
                registration.save()
                return registration, True
        except IntegrityError:
            existing = HearingRegistration.objects.filter(token=token).first()
            if existing is not None:
                return existing, False
            contact, ref = new_contact(data)  # a number collision: new number, new contact
    raise RuntimeError("Could not allocate a unique registration number.")


def format_number(number: str) -> str:
    return format_receipt(number)


def _entries(hearing: Hearing) -> list[tuple[str, str]]:
    return list(hearing.registrations.values_list("number", "category__code"))


def list_freeze(*, user, hearing: Hearing, now: datetime | None = None) -> Hearing:
    """After registration closes: freeze the list (its SHA-256 published) and commit to a seed
    (its SHA-256 published; the seed stays unpublished until the draw)."""
    now = now or timezone.now()
    _check(user, hearing.consultation)
    with transaction.atomic():
        hearing = _locked(hearing)
        if hearing.list_frozen_at:
            return hearing
        if not hearing.notice_published_at:
            raise HearingRuleError([_("Publish the notice first.")])
        if now < hearing.registration_closes_at:
            raise HearingRuleError([_("Registration has not closed yet.")])
        seed = draw_mod.new_seed()
        hearing.list_frozen_at = now
        hearing.list_digest = draw_mod.list_digest(_entries(hearing))
        hearing.seed = seed
        hearing.seed_hash = draw_mod.seed_hash(seed)
        hearing.save()
        _audit(
            user,
            hearing,
            "list_freeze",
            registrations=hearing.registrations.count(),
            list_digest=hearing.list_digest,
            seed_hash=hearing.seed_hash,
        )
    return hearing


def draw_run(*, user, hearing: Hearing, now: datetime | None = None) -> dict[str, list[str]]:
    """Make the draw with the committed seed; the seed is published with the result."""
    now = now or timezone.now()
    _check(user, hearing.consultation)
    with transaction.atomic():
        hearing = _locked(hearing)
        if hearing.drawn_at:
            raise HearingRuleError([_("The draw has already been made.")])
        if not hearing.list_frozen_at:
            raise HearingRuleError([_("Freeze the registration list first.")])
        categories = {c.code: c for c in hearing.categories.all()}
        selected = draw_mod.draw(
            hearing.seed, _entries(hearing), {code: c.seats for code, c in categories.items()}
        )
        numbers = [n for chosen in selected.values() for n in chosen]
        hearing.registrations.filter(number__in=numbers).update(selected=True)
        for registration in hearing.registrations.filter(selected=True).select_related("category"):
            HearingParticipant.objects.create(
                hearing=hearing,
                registration=registration,
                name=registration.name,
                category=registration.category,
            )
        hearing.drawn_at = now
        hearing.save(update_fields=["drawn_at", "updated_at"])
        _audit(user, hearing, "draw", seed=hearing.seed, selected=selected)
    return selected


def _participants_problems(hearing: Hearing, now: datetime) -> list:
    if not hearing.drawn_at:
        return [_("Make the draw first.")]
    if now >= hearing.starts_at:
        return [_("The participant list must be published before the hearing.")]
    return []


def participants_publish(*, user, hearing: Hearing, now: datetime | None = None) -> Hearing:
    now = now or timezone.now()
    with transaction.atomic():
        hearing, done = _stamp_once(
            user,
            hearing,
            now,
            "participants_published_at",
            lambda h: _participants_problems(h, now),
        )
        if done:
            count = hearing.participants.count()
            _audit(user, hearing, "participants_publish", participants=count)
    return hearing


def materials_sent_record(
    *, user, hearing: Hearing, sent_on: date, now: datetime | None = None
) -> Hearing:
    """Record the day the materials were sent to the participants (checked when held)."""
    now = now or timezone.now()
    _check(user, hearing.consultation)
    if sent_on > timezone.localdate(now):
        raise HearingRuleError([_("The day the materials were sent cannot be in the future.")])
    with transaction.atomic():
        hearing = _locked(hearing)
        if hearing.held_at:
            raise HearingRuleError([_("The hearing is marked held; its record is closed.")])
        if not hearing.participants_published_at:
            raise HearingRuleError([_("Publish the participant list first.")])
        hearing.materials_sent_on = sent_on
        hearing.save(update_fields=["materials_sent_on", "updated_at"])
        _audit(user, hearing, "materials_sent", sent_on=sent_on.isoformat())
    return hearing


def _started(hearing: Hearing, now: datetime) -> None:
    if now < hearing.starts_at:
        raise HearingRuleError([_("The hearing has not started yet.")])
    if hearing.held_at:
        raise HearingRuleError([_("The hearing is marked held; its record is closed.")])


def record_item_add(
    *,
    user,
    hearing: Hearing,
    kind: str,
    text: str,
    speaker: HearingParticipant | None = None,
    speaker_label: str = "",
    stance: str = "",
    now: datetime | None = None,
) -> HearingRecordItem:
    """Add an entry to the record. A participant's statement also enters the opinion register
    as an opinion of the channel "hearing" (``intake.services.submission_create``), dated the
    day of the hearing, while the register is open (the response not yet published);
    ``item.submission`` is then set."""
    now = now or timezone.now()
    _check(user, hearing.consultation)
    if not text.strip():
        raise HearingRuleError([_("Write what was said.")])
    if speaker is not None and speaker.hearing_id != hearing.pk:
        raise ValueError("The speaker is not a participant of this hearing.")
    with transaction.atomic():
        hearing = _locked(hearing)
        _started(hearing, now)
        position = (
            hearing.record_items.order_by("-position").values_list("position", flat=True).first()
            or 0
        ) + 1
        submission = None
        if kind == HearingRecordItem.Kind.STATEMENT and speaker is not None:
            try:
                with transaction.atomic():
                    submission, _created = submission_create(
                        consultation=hearing.consultation,
                        data=OpinionData(stance=stance, comment=text.strip()),
                        token=uuid.uuid4(),
                        channel=Channel.HEARING,
                        submitted_on=timezone.localdate(hearing.starts_at),
                        entered_by=user,
                        now=now,
                    )
            except NotAcceptingOpinions:
                submission = None
        item = HearingRecordItem.objects.create(
            hearing=hearing,
            position=position,
            kind=kind,
            speaker=speaker,
            speaker_label=speaker_label if speaker is None else "",
            stance=stance,
            text=text.strip(),
            submission=submission,
        )
        _audit(
            user,
            hearing,
            "record_add",
            position=position,
            kind=kind,
            opinion=getattr(submission, "pk", None),
        )
    return item


def participant_confirm(
    *,
    user,
    participant: HearingParticipant,
    confirmed: bool,
    note: str = "",
    now: datetime | None = None,
) -> HearingParticipant:
    """Record that the participant confirmed and signed the record, or refused (with a note)."""
    now = now or timezone.now()
    hearing = participant.hearing
    _check(user, hearing.consultation)
    if not confirmed and not note.strip():
        raise HearingRuleError([_("Say how the refusal to sign was given.")])
    with transaction.atomic():
        hearing = _locked(hearing)
        _started(hearing, now)
        participant.confirmation = (
            HearingParticipant.Confirmation.CONFIRMED
            if confirmed
            else HearingParticipant.Confirmation.REFUSED
        )
        participant.confirmation_note = note.strip()[:300]
        participant.confirmed_at = now
        participant.save()
        _audit(
            user,
            hearing,
            "confirmation",
            participant=participant.pk,
            confirmation=participant.confirmation,
        )
    return participant


def held_problems(hearing: Hearing, now: datetime) -> list[str]:
    """Why the hearing cannot be marked held (R27, R30); empty when it can."""
    problems = []
    if now < hearing.starts_at:
        problems.append(_("The hearing has not started yet."))
    if not hearing.notice_published_at:
        problems.append(_("The notice was never published."))
    elif rules.days_between(hearing.notice_published_at, hearing.starts_at) < (
        hearing.notice_days or rules.notice_days(hearing.consultation.kind)
    ):
        problems.append(_("The notice was published less than the required days before."))
    if not (
        hearing.participants_published_at and hearing.participants_published_at < hearing.starts_at
    ):
        problems.append(_("The participant list was not published before the hearing."))
    if hearing.materials_sent_on is None:
        problems.append(_("The day the materials were sent is not recorded."))
    elif (timezone.localdate(hearing.starts_at) - hearing.materials_sent_on).days < (
        rules.MATERIALS_DAYS
    ):
        problems.append(
            _("The materials were sent less than 7 days before the hearing (%(source)s).")
            % {"source": rules.MATERIALS_SOURCE}
        )
    if not hearing.record_items.exists():
        problems.append(_("The record is empty."))
    pending = hearing.participants.filter(
        confirmation=HearingParticipant.Confirmation.PENDING
    ).count()
    if pending:
        problems.append(
            _("%(n)d participants have neither confirmed the record nor refused to sign.")
            % {"n": pending}
        )
    return problems


def hearing_mark_held(*, user, hearing: Hearing, now: datetime | None = None) -> Hearing:
    now = now or timezone.now()
    with transaction.atomic():
        hearing, done = _stamp_once(user, hearing, now, "held_at", lambda h: held_problems(h, now))
        if done:
            _audit(user, hearing, "held")
    return hearing


def view_add(
    *,
    user,
    hearing: Hearing,
    summary: str,
    adopted: bool,
    reason: str,
    summary_en: str = "",
    reason_en: str = "",
) -> HearingView:
    _check(user, hearing.consultation)
    if not summary.strip() or not reason.strip():
        raise HearingRuleError([_("Every view needs its summary and the reason for the decision.")])
    with transaction.atomic():
        hearing = _locked(hearing)
        if hearing.report_published_at:
            raise HearingRuleError([_("The report is published.")])
        view = HearingView.objects.create(
            hearing=hearing,
            summary=summary.strip(),
            summary_en=summary_en.strip(),
            adopted=adopted,
            reason=reason.strip(),
            reason_en=reason_en.strip(),
            sort_order=hearing.views.count(),
        )
        _audit(user, hearing, "view_add", view=view.pk, adopted=adopted)
    return view


def report_publish(
    *, user, hearing: Hearing, report: str, report_en: str = "", now: datetime | None = None
) -> Hearing:
    """Publish the hearing report (publishing authority): views adopted and not adopted with
    reasons (规章制定程序条例 Art. 16). Also records the hearing step of the decision chain."""
    now = now or timezone.now()
    text = {"report": report.strip(), "report_en": report_en.strip()}
    with transaction.atomic():
        hearing, done = _stamp_once(
            user,
            hearing,
            now,
            "report_published_at",
            lambda h: _report_problems(h, text["report"]),
            text,
            publish=True,
        )
        if done:
            _audit(user, hearing, "report_publish", views=hearing.views.count())
            _decision_step(user, hearing, now)
    return hearing


def _report_problems(hearing: Hearing, report: str) -> list:
    problems = []
    if not hearing.held_at:
        problems.append(_("Mark the hearing held first."))
    if not hearing.views.exists():
        problems.append(_("List the views raised and whether each was adopted."))
    if not report:
        problems.append(_("Write the report."))
    return problems


def hearing_public_url(consultation: Consultation) -> str:
    return f"/consultations/{consultation.slug}/hearing/"


def _decision_step(user, hearing: Hearing, now: datetime) -> None:
    """The hearing step of the consultation's decision chain (``consultations.decisions``):
    done on the day of the hearing, with the report's gist and the public page's address."""
    from consultations.decisions import decision_step_record
    from consultations.rules import ConsultationRuleError

    views = list(hearing.views.values_list("adopted", flat=True))
    adopted, total = sum(views), len(views)
    try:
        decision_step_record(
            hearing.consultation,
            "hearing",
            status="done",
            date=timezone.localdate(hearing.starts_at),
            summary=f"听证会已于{timezone.localdate(hearing.starts_at):%Y年%m月%d日}举行，听证报告已公布："
            f"听证中提出的{total}项意见，采纳{adopted}项，未采纳{total - adopted}项，均说明理由。",
            summary_en=(
                f"The hearing was held on {timezone.localdate(hearing.starts_at):%Y-%m-%d} and its "
                f"report published: of {total} views raised, {adopted} adopted and "
                f"{total - adopted} not adopted, each with its reason."
            ),
            url=hearing_public_url(hearing.consultation) + "#report",
            user=user,
        )
    except ConsultationRuleError as exc:
        raise HearingRuleError(exc.messages) from exc


def participant_contacts_read(*, user, hearing: Hearing, purpose: str) -> list[tuple[str, dict]]:
    """The contacts of the selected participants, to send them the materials and the invitation:
    (name, contact) each. Every read is logged (``ContactAccessLog``, context "hearing
    organiser") and audited; contacts of people not selected are never shown."""
    _check(user, hearing.consultation)
    if not purpose.strip():
        raise HearingRuleError([_("Say why you read the contacts.")])
    if not hearing.drawn_at:
        raise HearingRuleError([_("Make the draw first.")])
    out = []
    with transaction.atomic():
        selected = hearing.registrations.filter(selected=True).exclude(contact_ref="")
        for registration in selected.order_by("number"):
            contact = Contact.objects.filter(ref=registration.contact_ref).first()
            if contact is None:
                continue
            ContactAccessLog.objects.create(
                contact_ref=contact.ref,
                actor=user,
                context=ContactAccessLog.Context.HEARING_ORGANISER,
                purpose=purpose.strip()[:300],
            )
            out.append((registration.name, decrypt_contact(contact.ciphertext)))
        record(
            user,
            AuditAction.CONTACT_READ,
            consultation=hearing.consultation_id,
            obj=hearing,
            detail={"hearing_participants": len(out)},
        )
    return out
