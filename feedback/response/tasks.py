"""Tell residents who left a contact that the response is published (R24).

One message per opinion with a contact, through ``contact_read`` in the reply-sender context
(each read is logged); a ``Notification`` row per opinion (unique), so a re-run sends nothing
twice. The message carries the link to the resident's receipt page, receipt code included:
it goes only to the contact the resident gave for this opinion, and after the close the code
no longer allows changes, only reading the opinion and its answer. No opinion text, theme or
stance is put in the message.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from feedback.models import Notification, Submission
from feedback.privacy.contacts import REPLY_SENDER, contact_read
from feedback.response.sms import SMSError, get_sms_backend

PURPOSE = "send the notice that the response was published"


def receipt_link(submission: Submission) -> str:
    template = getattr(settings, "RECEIPT_URL_TEMPLATE", "")
    if not template:
        base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
        template = base + "/consultations/receipt/{code}/"
    return template.format(code=submission.formatted_receipt)


def message_text(submission: Submission) -> tuple[str, str]:
    """(subject, body) in Chinese, the language of the portal; no opinion content."""
    title = submission.consultation.title
    link = receipt_link(submission)
    subject = f"【听见】“{title}”意见采纳情况已公布"
    body = (
        f"您对“{title}”提出的意见（回执编号 {submission.formatted_receipt}）已有答复，"
        f"意见采纳情况已公布。查看您的意见所属的主题和答复：{link}\n"
        "本消息由系统发送，请勿回复。"
    )
    return subject, body


def _send(submission: Submission, contact: dict[str, str]) -> str:
    subject, body = message_text(submission)
    if contact.get("email"):
        send_mail(subject, body, None, [contact["email"]], fail_silently=False)
        return "email"
    if contact.get("phone"):
        get_sms_backend().send(contact["phone"], body)
        return "sms"
    return ""


def notify_submission(submission: Submission) -> Notification | None:
    """Notify one resident; returns the Notification, or None when already done / no contact."""
    if not submission.contact_ref:
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(submission=submission, medium="")
    except IntegrityError:
        return None  # already notified (or being notified) by an earlier run
    contact = contact_read(submission=submission, actor=REPLY_SENDER, purpose=PURPOSE)
    if not contact:
        notification.status, notification.error = Notification.Status.FAILED, "no contact"
        notification.save(update_fields=["status", "error"])
        return notification
    try:
        notification.medium = _send(submission, contact)
    except (SMSError, OSError) as exc:
        notification.status = Notification.Status.FAILED
        notification.error = type(exc).__name__[:300]
    else:
        notification.status = Notification.Status.SENT
        notification.sent_at = timezone.now()
    notification.save(update_fields=["medium", "status", "error", "sent_at"])
    return notification


@task()
def notify_response(consultation_id: int) -> int:
    """Notify every resident of ``consultation_id`` who left a contact; returns how many sent."""
    sent = 0
    subs = (
        Submission.objects.filter(consultation_id=consultation_id)
        .exclude(contact_ref="")
        .filter(notifications__isnull=True)
        .select_related("consultation")
        .order_by("pk")
    )
    for submission in subs.iterator(chunk_size=500):
        notification = notify_submission(submission)
        if notification is not None and notification.status == Notification.Status.SENT:
            sent += 1
    return sent


@task()
def render_response_pdfs(consultation_id: int) -> list[str]:
    """Render and cache the response PDF in every language once it is published; returns the
    languages rendered (none when the response is not published)."""
    from consultations.models import Consultation
    from feedback.response.selectors import published_response
    from feedback.response.views import cache_pdfs

    consultation = Consultation.objects.get(pk=consultation_id)
    response = published_response(consultation)
    if response is None:
        return []
    response.consultation = consultation
    return cache_pdfs(consultation, response)
