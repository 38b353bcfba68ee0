"""Telling residents who left a contact that the response is published (R24).

One ``Notification`` row per opinion with a contact (unique), so nothing is sent twice. Each row
is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and marked as being sent (``interrupted``)
in a committed transaction before its message goes out, so two task runs never send the same
message, and a run killed in the middle of sending (issue 13) leaves that row failed as
``interrupted`` for staff to see and queue again, rather than sending it a second time. A row is ``sent`` only when the e-mail server or the SMS gateway
accepted the message; a refused attempt leaves it ``failed`` with a short error code and, while
attempts are left, the time of the next one (back-off: 5 min, 30 min, 2 h, 8 h…; at most
``NOTIFY_MAX_ATTEMPTS``, 5 by default). Staff see the counts on the response screen and can
queue the failed ones again (``feedback.response.services.notifications_retry``).

The same machinery sends other notices to the same residents: a ``Notice`` says what one kind is
about (its ``Notification.kind``, who is told, when it may go out, its texts), and every
function below takes one (``RESPONSE`` by default). ``feedback.after_decision.notify`` defines the
notice that a post-decision evaluation opened (issue 16 point 5).

The message carries the link to the public response page, never the receipt code, the opinion
text, a theme or a stance. The contact is read through ``contact_read`` in the reply-sender
context (each read logged) and is never written to a log, an exception message or the row.
"""

# Size: the one machinery that tells residents (claim, send, back-off, summary) for every kind
# of notice; its steps depend on each other's guarantees, so they are read together.

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from consultations.models import Consultation
from feedback.models import ConsultationResponse, Notification, Phase, Submission
from feedback.privacy.contacts import REPLY_SENDER, contact_read
from feedback.response.sms import SMSError, get_sms_backend

PURPOSE = "send the notice that the response was published"
DEFAULT_MAX_ATTEMPTS = 5
BACKOFF = (
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=8),
    timedelta(hours=24),
)
SMS_TITLE_CHARS = 40
NO_CONTACT = "no_contact"
UNREADABLE = "contact_unreadable"  # the contact key cannot decrypt it
INTERRUPTED = "interrupted"  # the sending run stopped while the message went out (_claim)


def max_attempts() -> int:
    return max(1, int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)))


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt of the current round."""
    return BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]


# --- the message -----------------------------------------------------------------------------


def response_url(consultation: Consultation) -> str:
    """The absolute address of the public response page, from ``PUBLIC_BASE_URL``."""
    base = getattr(settings, "PUBLIC_BASE_URL", "") or getattr(
        settings, "WAGTAILADMIN_BASE_URL", ""
    )
    template = (
        getattr(settings, "RESPONSE_URL_TEMPLATE", "") or "{base}/consultations/{slug}/response/"
    )
    return template.format(base=base.rstrip("/"), slug=quote(consultation.slug))


def _short(title: str, limit: int) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


# The portal's language: residents are written to in Chinese, as the public pages are.
def sms_text(consultation: Consultation) -> str:
    title = _short(consultation.title, SMS_TITLE_CHARS)
    return (
        f"【听见】您对“{title}”提出的意见已有答复，意见采纳情况已公布，请查看："
        f"{response_url(consultation)} 本短信由系统发送，请勿回复。"
    )


def email_text(consultation: Consultation) -> tuple[str, str]:
    """(subject, body): no receipt code, no opinion content."""
    title = consultation.title
    subject = f"【听见】“{_short(title, 60)}”意见采纳情况已公布"
    body = (
        "您好：\n\n"
        f"您对“{title}”提出的意见已有答复，意见采纳情况说明已公布：\n"
        f"{response_url(consultation)}\n\n"
        "如需查看您本人的意见，请在网站的“查询回执”页面输入您保存的回执编号。\n\n"
        "本邮件由系统发送，请勿回复。我们不会通过邮件或短信向您索取回执编号或其他个人信息。\n"
    )
    return subject, body


def response_published(consultation: Consultation) -> bool:
    return ConsultationResponse.objects.filter(
        consultation_id=consultation.pk, published_at__isnull=False
    ).exists()


def response_recipients(consultation_id: int) -> QuerySet[Submission]:
    """The opinions told about the response: those of the consultation phase with a contact
    (opinions during implementation, issue 16, are not answered by the response)."""
    return Submission.objects.filter(
        consultation_id=consultation_id, phase=Phase.CONSULTATION
    ).exclude(contact_ref="")


@dataclass(frozen=True)
class Notice:
    """One kind of notice to the residents who left a contact: ``kind`` (its rows'
    ``Notification.kind``), ``purpose`` (written to the contact access log at each read),
    ``recipients`` (the consultation's opinions to tell, with a contact), ``ready`` (whether it may
    go out now), ``sms_text`` and ``email_text`` (no receipt code, no opinion content)."""

    kind: str
    purpose: str
    recipients: Callable[[int], QuerySet]
    ready: Callable[[Consultation], bool]
    sms_text: Callable[[Consultation], str]
    email_text: Callable[[Consultation], tuple[str, str]]


RESPONSE = Notice(
    kind=Notification.Kind.RESPONSE,
    purpose=PURPOSE,
    recipients=response_recipients,
    ready=response_published,
    sms_text=lambda consultation: sms_text(consultation),
    email_text=lambda consultation: email_text(consultation),
)


def _rows(consultation_id: int, notice: Notice) -> QuerySet[Notification]:
    return Notification.objects.filter(
        submission__consultation_id=consultation_id, kind=notice.kind
    )


# --- sending ---------------------------------------------------------------------------------


class DeliveryRefused(Exception):
    """One medium did not accept the message; ``code`` holds no personal data."""

    def __init__(self, code: str):
        self.code = code[:60]
        super().__init__(self.code)


class _Mailer:
    """One SMTP connection for a task run, opened when first needed, dropped after an error."""

    def __init__(self):
        self.connection = None

    def send(self, address: str, subject: str, body: str) -> None:
        try:
            if self.connection is None:
                self.connection = get_connection(fail_silently=False)
            accepted = EmailMessage(
                subject, body, None, [address], connection=self.connection
            ).send()
        except Exception as exc:  # noqa: BLE001 - its message may name the recipient
            self.close()
            raise DeliveryRefused(f"email:{type(exc).__name__}") from None
        if accepted != 1:
            raise DeliveryRefused("email:not_accepted")

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001, S110 - a broken connection is dropped either way
                pass
            self.connection = None


def _deliver(
    consultation: Consultation, contact: dict[str, str], mailer: _Mailer, notice: Notice = RESPONSE
) -> str:
    """Send by e-mail, else (or when the e-mail is refused) by SMS; returns the medium that
    accepted it. Raises ``DeliveryRefused`` with the last refusal's code."""
    refusal = DeliveryRefused(NO_CONTACT)
    if contact.get("email"):
        subject, body = notice.email_text(consultation)
        try:
            mailer.send(contact["email"], subject, body)
            return "email"
        except DeliveryRefused as exc:
            refusal = exc
    if contact.get("phone"):
        try:
            get_sms_backend().send(contact["phone"], notice.sms_text(consultation))
            return "sms"
        except SMSError as exc:
            refusal = DeliveryRefused(f"sms:{exc.code}")
        except Exception as exc:  # noqa: BLE001 - a custom backend's message may name the number
            refusal = DeliveryRefused(f"sms:{type(exc).__name__}")
    raise refusal


def _claim(notification: Notification, notice: Notice = RESPONSE) -> tuple[dict | None, bool]:
    """In the transaction that locked the row: read the contact (the read is logged) and mark
    the row as being sent (``INTERRUPTED``, no further attempt) before anything is sent; returns
    (contact, unreadable). A worker killed while the message goes out leaves the row so:
    failed, shown to staff, never sent again by itself (no message twice); staff may queue it
    again. A database error before the commit leaves the row due, as it was."""
    try:
        contact = contact_read(
            submission=notification.submission, actor=REPLY_SENDER, purpose=notice.purpose
        )
    except DatabaseError:
        raise
    except Exception:  # noqa: BLE001 - e.g. a key rotated away; the row says so, not a log
        contact, unreadable = None, True
    else:
        unreadable = False
    notification.attempts += 1
    notification.status = Notification.Status.FAILED
    notification.last_error = INTERRUPTED
    notification.next_attempt_at = None
    notification.save(update_fields=["attempts", "status", "last_error", "next_attempt_at"])
    return contact, unreadable


def _attempt(
    notification: Notification,
    consultation: Consultation,
    mailer,
    now,
    contact,
    unreadable,
    notice: Notice = RESPONSE,
) -> None:
    """Send a claimed row's message and record the outcome."""
    try:
        if unreadable:
            raise DeliveryRefused(UNREADABLE)
        if not contact:
            raise DeliveryRefused(NO_CONTACT)
        notification.medium = _deliver(consultation, contact, mailer, notice)
    except DeliveryRefused as exc:
        notification.status = Notification.Status.FAILED
        notification.last_error = exc.code
        round_attempt = (notification.attempts - 1) % max_attempts() + 1
        final = exc.code in (NO_CONTACT, UNREADABLE) or round_attempt >= max_attempts()
        notification.next_attempt_at = None if final else now + backoff(round_attempt)
    else:
        notification.status = Notification.Status.SENT
        notification.last_error = ""
        notification.sent_at = now
        notification.next_attempt_at = None
    finally:
        contact = None
    notification.save(
        update_fields=["attempts", "medium", "status", "last_error", "next_attempt_at", "sent_at"]
    )


def notifications_prepare(
    consultation_id: int, *, now: datetime | None = None, notice: Notice = RESPONSE
) -> int:
    """A pending row for every opinion the notice goes to (``notice.recipients``: with a
    contact) that has no row of its kind yet (also those added after the response); returns how
    many were missing."""
    now = now or timezone.now()
    told = Notification.objects.filter(submission=OuterRef("pk"), kind=notice.kind)
    missing = notice.recipients(consultation_id).exclude(Exists(told)).values_list("pk", flat=True)
    rows = [Notification(submission_id=pk, kind=notice.kind, next_attempt_at=now) for pk in missing]
    created = Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(created)


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    next_attempt_at: datetime | None = None


def notifications_send(
    consultation_id: int, *, now: datetime | None = None, notice: Notice = RESPONSE
) -> SendResult:
    """Send every due notification of a published response (or of another ``notice`` that is
    ready), one row at a time."""
    result = SendResult()
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None or not notice.ready(consultation):
        return result
    now = now or timezone.now()
    notifications_prepare(consultation_id, now=now, notice=notice)
    mailer = _Mailer()
    due = (
        _rows(consultation_id, notice)
        .filter(
            status__in=[Notification.Status.PENDING, Notification.Status.FAILED],
            next_attempt_at__lte=now,
        )
        .order_by("pk")
    )
    try:
        while True:
            with transaction.atomic():
                notification = (
                    due.select_for_update(skip_locked=True, of=("self",))
                    .select_related("submission")
                    .first()
                )
                if notification is None:
                    break
                contact, unreadable = _claim(notification, notice)
            _attempt(notification, consultation, mailer, now, contact, unreadable, notice)
            contact = None
            if notification.status == Notification.Status.SENT:
                result.sent += 1
            else:
                result.failed += 1
    finally:
        mailer.close()
    result.next_attempt_at = (
        _rows(consultation_id, notice)
        .filter(
            status__in=[Notification.Status.PENDING, Notification.Status.FAILED],
            next_attempt_at__isnull=False,
        )
        .aggregate(first=Min("next_attempt_at"))["first"]
    )
    return result


# --- what staff see --------------------------------------------------------------------------


@dataclass
class NotificationSummary:
    sent: int = 0
    failed: int = 0
    pending: int = 0
    retrying: int = 0  # failed, another attempt is scheduled
    given_up: int = 0  # failed, no attempt left (or no contact any more)
    next_attempt_at: datetime | None = None
    errors: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.pending


def notification_summary(
    consultation: Consultation, notice: Notice = RESPONSE
) -> NotificationSummary:
    rows = _rows(consultation.pk, notice)
    counts = rows.aggregate(
        sent=Count("pk", filter=Q(status=Notification.Status.SENT)),
        failed=Count("pk", filter=Q(status=Notification.Status.FAILED)),
        pending=Count("pk", filter=Q(status=Notification.Status.PENDING)),
        retrying=Count(
            "pk", filter=Q(status=Notification.Status.FAILED, next_attempt_at__isnull=False)
        ),
        next_attempt_at=Min(
            "next_attempt_at",
            filter=Q(status__in=[Notification.Status.PENDING, Notification.Status.FAILED]),
        ),
    )
    errors = list(
        rows.filter(status=Notification.Status.FAILED)
        .values_list("last_error")
        .annotate(n=Count("pk"))
        .order_by("-n", "last_error")
    )
    summary = NotificationSummary(
        sent=counts["sent"],
        failed=counts["failed"],
        pending=counts["pending"],
        retrying=counts["retrying"],
        next_attempt_at=counts["next_attempt_at"],
        errors=errors,
    )
    summary.given_up = summary.failed - summary.retrying
    return summary


def notifications_queue_again(
    consultation_id: int, *, now: datetime, notice: Notice = RESPONSE
) -> int:
    """Failed rows (and rows not made yet) become pending, due now; returns how many. Rows whose
    contact is gone (withdrawn, deleted, purged) stay failed: nothing can be sent to them."""
    notifications_prepare(consultation_id, now=now, notice=notice)
    return (
        _rows(consultation_id, notice)
        .filter(
            status__in=[Notification.Status.FAILED, Notification.Status.PENDING],
        )
        .exclude(last_error=NO_CONTACT)
        .update(status=Notification.Status.PENDING, next_attempt_at=now)
    )
