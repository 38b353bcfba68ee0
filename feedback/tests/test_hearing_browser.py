"""A resident registers for a hearing on a phone (360 × 780), with and without JavaScript: the
legal notice is shown, a wrong field gets a clear message, the registration number is the
receipt; no horizontal scrolling and no serious or critical axe-core violation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from feedback.tests._browser import horizontal_overflow, serious_violations, use_contact_key

pytestmark = [pytest.mark.e2e]

PHONE = {"width": 360, "height": 780}


@pytest.fixture
def hearing_slug(consultation_index_transactional, settings) -> str:
    from django.utils import timezone

    from feedback.hearings import services
    from feedback.tests import _hearing as h

    use_contact_key(settings)
    c = h.consultation()
    editor = h.editor_of(c)
    t = h.timeline(now=timezone.now() - timedelta(days=1))
    hearing = h.hearing_for(c, editor, t)
    services.notice_publish(user=editor, hearing=hearing, now=t.notice)
    return c.slug


def register(page, slug: str, *, run_axe: bool, name: str) -> list[str]:
    problems = []

    def check(where: str) -> None:
        assert horizontal_overflow(page) <= 0, (where, horizontal_overflow(page))
        if run_axe:
            problems.extend(f"{where}: {v}" for v in serious_violations(page))

    response = page.goto(f"/consultations/{slug}/hearing/")
    assert response.status == 200
    check("hearing page")
    page.click("#register-link")
    assert page.locator("h1").inner_text() == "报名参加听证会"
    assert "听证参加人名单依法向社会公布" in page.locator("#published-notice").inner_text()
    check("form")
    page.fill("#id_name", name)
    page.check("input[name=category][value=affected]")
    page.fill("#id_statement", "我家在方案范围内，想谈谈补偿标准。")
    page.fill("#id_contact_phone", "12345")  # not a mobile number
    with page.expect_navigation():
        page.click("form.tj-opinion-form button[type=submit]")
    assert page.locator("#error-summary").is_visible()
    assert "11位" in page.locator("#error-summary").inner_text()
    check("form with an error")
    page.fill("#id_contact_phone", "13800138000")
    with page.expect_navigation():
        page.click("form.tj-opinion-form button[type=submit]")
    assert page.locator("h1").inner_text() == "报名成功"
    number = page.locator("#registration-number").inner_text().strip()
    assert len(number.replace("-", "")) == 8
    check("registered")
    return problems


def test_register_for_a_hearing_on_a_phone_with_and_without_javascript(hearing_slug, new_context):
    from feedback.models import HearingRegistration

    without_js = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    assert register(without_js, hearing_slug, run_axe=False, name="王五") == []
    with_js = new_context(viewport=PHONE).new_page()
    assert register(with_js, hearing_slug, run_axe=True, name="赵六") == []
    assert sorted(HearingRegistration.objects.values_list("name", flat=True)) == ["王五", "赵六"]
