"""The notice that a post-decision evaluation opened (issue 16 point 5), sent through the
response's notification machinery (``feedback.response.notify``: one row per opinion and kind,
claimed before sending, back-off, never twice).

Who is told: the residents who left a contact on the original consultation, in the consultation
or the implementation phase, whose opinion is not withdrawn and whose contact is still kept (a
contact is deleted on the retention rules, ``feedback.privacy.retention``). The message names the
evaluation and carries its public link; never a receipt code, the opinion's text, a theme or a
stance. The contact is read through ``contact_read`` (each read logged, purpose below).
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.db.models import QuerySet

from consultations.followup import published_follow_up
from consultations.models import Consultation
from feedback.models import Notification, Submission
from feedback.response.notify import Notice

PURPOSE = "send the notice that a post-decision evaluation of the decision opened"
SMS_TITLE_CHARS = 40


def follow_up_url(follow_up: Consultation) -> str:
    """The absolute address of the evaluation's public page, from ``PUBLIC_BASE_URL``."""
    base = getattr(settings, "PUBLIC_BASE_URL", "") or getattr(
        settings, "WAGTAILADMIN_BASE_URL", ""
    )
    return f"{base.rstrip('/')}/consultations/{quote(follow_up.slug)}/"


def _short(title: str, limit: int) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def _follow_up(consultation: Consultation) -> Consultation:
    follow_up = published_follow_up(consultation)
    if follow_up is None:  # ``ready`` was checked before any row was claimed
        raise RuntimeError("No published post-decision evaluation.")
    return follow_up


# The portal's language: residents are written to in Chinese, as the public pages are.
def sms_text(consultation: Consultation) -> str:
    title = _short(consultation.title, SMS_TITLE_CHARS)
    return (
        f"【听见】您曾对“{title}”提出意见。该决策的决策后评估已开始征求意见，欢迎参与："
        f"{follow_up_url(_follow_up(consultation))} 本短信由系统发送，请勿回复。"
    )


def email_text(consultation: Consultation) -> tuple[str, str]:
    """(subject, body): no receipt code, no opinion content."""
    follow_up = _follow_up(consultation)
    subject = f"【听见】“{_short(consultation.title, 60)}”决策后评估已开始征求意见"
    body = (
        "您好：\n\n"
        f"您曾对“{consultation.title}”提出意见。承办单位已开始对该决策进行决策后评估，"
        f"现就“{follow_up.title}”公开征求意见：\n"
        f"{follow_up_url(follow_up)}\n\n"
        "本邮件由系统发送，请勿回复。我们不会通过邮件或短信向您索取回执编号或其他个人信息。\n"
    )
    return subject, body


def recipients(consultation_id: int) -> QuerySet[Submission]:
    """Every opinion of the original (either phase) with a contact, withdrawn ones left out
    (a withdrawal deletes the contact too)."""
    return Submission.objects.filter(consultation_id=consultation_id, withdrawn=False).exclude(
        contact_ref=""
    )


def ready(consultation: Consultation) -> bool:
    return published_follow_up(consultation) is not None


FOLLOW_UP = Notice(
    kind=Notification.Kind.FOLLOW_UP,
    purpose=PURPOSE,
    recipients=recipients,
    ready=ready,
    sms_text=lambda consultation: sms_text(consultation),
    email_text=lambda consultation: email_text(consultation),
)
