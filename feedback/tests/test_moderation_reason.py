"""Issue 15: a reason is optional for making an opinion public and still required for hiding
it; a refused decision changes nothing and says why on the screen."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from feedback.models import AuditAction, AuditEntry, ModerationDecision, ModerationState
from feedback.tests.test_moderation import consultation, department, editor, opinion  # noqa: F401

pytestmark = pytest.mark.django_db


def _url(consultation, submission):  # noqa: F811
    return f"/admin/review/{consultation.pk}/opinions/{submission.pk}/moderate/"


@pytest.mark.parametrize("reason", ["", "   "])
def test_showing_needs_no_reason(consultation, reason):  # noqa: F811
    from feedback.review import moderation

    submission = opinion(consultation)
    decision = moderation.moderate(
        editor(consultation.department), submission, ModerationState.SHOWN, reason
    )
    assert decision.reason == ""
    submission.refresh_from_db()
    assert submission.moderation_state == ModerationState.SHOWN
    entry = AuditEntry.objects.get(action=AuditAction.MODERATE)
    assert entry.detail["to"] == "shown" and entry.detail["reason"] == ""


@pytest.mark.parametrize("reason", ["", "   "])
def test_hiding_still_needs_a_reason(consultation, reason):  # noqa: F811
    from feedback.review import moderation

    submission = opinion(consultation)
    with pytest.raises(ValidationError):
        moderation.moderate(
            editor(consultation.department), submission, ModerationState.HIDDEN, reason
        )
    submission.refresh_from_db()
    assert submission.moderation_state == ModerationState.PENDING
    assert not ModerationDecision.objects.exists() and not AuditEntry.objects.exists()


def test_the_screen_shows_without_a_reason_and_refuses_a_silent_hide(client, consultation):  # noqa: F811
    submission = opinion(consultation)
    client.force_login(editor(consultation.department))
    queue = client.get(f"/admin/review/{consultation.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    body = queue.content.decode()
    # The browser does not block an empty reason: the field is not `required`.
    field = body[body.index(f'id="reason-{submission.pk}"') :].split(">", 1)[0]
    assert "required" not in field
    assert "Required to hide; optional to show." in body

    hide = client.post(
        _url(consultation, submission),
        {"state": "hidden", "reason": ""},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    submission.refresh_from_db()
    assert submission.moderation_state == ModerationState.PENDING
    assert "Give a reason for hiding the opinion." in hide.content.decode()
    assert "Nothing was changed." in hide.content.decode()

    show = client.post(_url(consultation, submission), {"state": "shown", "reason": ""})
    assert show.status_code == 302
    submission.refresh_from_db()
    assert submission.moderation_state == ModerationState.SHOWN
    assert ModerationDecision.objects.get().reason == ""


def test_the_refusal_is_in_chinese(client, consultation):  # noqa: F811
    submission = opinion(consultation)
    client.force_login(editor(consultation.department))
    page = client.post(
        _url(consultation, submission),
        {"state": "hidden", "reason": ""},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        follow=True,
    ).content.decode()
    assert "Give a reason" not in page and "Nothing was changed" not in page
    assert "未作任何更改" in page
