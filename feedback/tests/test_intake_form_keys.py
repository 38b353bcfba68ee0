"""Issue 15, the clerk's intake form (an opinion received by letter or phone): Enter in a
one-line field never stores a half-finished opinion, and after a refused POST the error summary
takes the focus and each message is said once. The technique is the public form's: the same
disabled first submit button (feedback/intake/_enter_guard.html) and the same script."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.models import Submission

EMPTY = "提交前请至少选择总体态度、回答一个问题或填写一条意见。"


def url_of(consultation) -> str:
    return f"/admin/intake/{consultation.pk}/"


@pytest.fixture
def clerk(client, open_consultation):
    user = UserFactory.with_role(Role.INTAKE_CLERK, open_consultation.department)
    client.force_login(user)
    return user


def token_of(page: str) -> str:
    return re.search(r'name="token" value="([0-9a-f-]{36})"', page)[1]


def first_submit_of(page: str) -> str:
    form = page[page.index('class="tj-opinion-form"') :]
    return re.search(r"<(?:input|button)[^>]*type=\"submit\"[^>]*>", form)[0]


def test_the_first_submit_button_is_the_disabled_guard_as_on_the_public_form(
    client, clerk, open_consultation, consultation_index
):
    from feedback.tests.conftest import form_url

    staff = client.get(url_of(open_consultation)).content.decode()
    guard = first_submit_of(staff)
    assert "disabled" in guard and "hidden" in guard and 'aria-hidden="true"' in guard
    assert 'tabindex="-1"' in guard
    # The very same markup as the public form's (one include, not a copy).
    public = client.get(form_url(open_consultation)).content.decode()
    assert first_submit_of(public) == guard
    # The script that moves Enter on and focuses the summary, without the draft keeping.
    assert "feedback/autosave" in staff
    assert "data-autosave" not in staff[staff.index('class="tj-opinion-form"') :]


def test_a_refused_post_focuses_the_summary_and_says_each_message_once(
    client, clerk, open_consultation
):
    page = client.get(url_of(open_consultation)).content.decode()
    response = client.post(
        url_of(open_consultation),
        {
            "token": token_of(page),
            "channel": "letter",
            "submitted_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    refused = response.content.decode()
    summary = re.search(r'<div class="tj-error-summary"[^>]*>', refused)[0]
    assert "autofocus" in summary and 'tabindex="-1"' in summary
    assert 'role="alert"' not in summary  # focused, so not also announced as an alert
    assert refused.count(EMPTY) == 1
    assert "各项都可以不填" not in refused  # the help sentence that said it again
    assert len(re.findall(r"\bautofocus\b", refused)) == 1
    assert Submission.objects.count() == 0


def test_a_field_error_is_in_the_summary_once_and_once_at_its_field(
    client, clerk, open_consultation
):
    page = client.get(url_of(open_consultation)).content.decode()
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        url_of(open_consultation),
        {
            "token": token_of(page),
            "channel": "letter",
            "submitted_on": tomorrow.isoformat(),
            "stance": "oppose",
        },
    )
    assert response.status_code == 400
    refused = response.content.decode()
    message = "收到日期不能晚于今天。"
    summary = refused[refused.index('id="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert summary.count(message) == 1
    assert refused.count(message) == 2  # the summary's link and the field's own message
    assert Submission.objects.count() == 0


@pytest.mark.e2e
def test_enter_in_a_one_line_field_stores_nothing_and_the_summary_takes_the_focus(
    consultation_index_transactional, new_context
):
    from consultations.tests.factories import QuestionFactory, published_consultation
    from feedback.tests._browser import admin_login, split_admin_violations

    now = timezone.now()
    consultation = published_consultation(
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30)
    )
    QuestionFactory(consultation=consultation, type="text", options="", text="您的建议？")
    UserFactory.with_role(Role.INTAKE_CLERK, consultation.department, username="luru2")
    page = admin_login(new_context(viewport={"width": 1280, "height": 900}), "luru2", password="pw")
    page.goto(url_of(consultation))
    page.wait_for_load_state("load")

    field = page.locator("input[type=text][name^=q_]")
    field.fill("来电：先记一半")
    field.press("Enter")
    page.wait_for_timeout(500)
    assert page.url.endswith(url_of(consultation))
    assert page.evaluate("document.activeElement.name") != field.get_attribute("name")
    assert Submission.objects.count() == 0

    field.fill("")
    with page.expect_navigation():
        page.locator("form.tj-opinion-form button[type=submit]").click()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.inner_text("main").count(EMPTY) == 1
    ours, _wagtails = split_admin_violations(page)
    assert ours == [], [str(v) for v in ours]
    assert Submission.objects.count() == 0
