"""Issue 12, point 5 in the system Chromium: a clerk imports paper forms through the real
upload form, hands the receipts over and hides the codes; no URL carries a receipt code, and
axe-core finds no serious violation in our content."""

from __future__ import annotations

import os

import pytest
from django.utils import timezone

from feedback.tests._browser import admin_login, note_wagtail, split_admin_violations

pytestmark = [pytest.mark.e2e]

SHOTS = os.environ.get("INTAKE_SCREENSHOTS", "")  # a folder: save screenshots for a person


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_clerk_imports_hands_over_and_hides_the_codes(
    consultation_index_transactional, new_context, tmp_path
):
    from consultations.roles import Role
    from consultations.tests.factories import UserFactory, published_consultation
    from feedback.models import Submission

    now = timezone.now()
    consultation = published_consultation(
        opens_at=now - timezone.timedelta(days=1), closes_at=now + timezone.timedelta(days=30)
    )
    UserFactory.with_role(Role.INTAKE_CLERK, consultation.department, username="luru")
    today = timezone.localdate().isoformat()
    good = tmp_path / "forms.csv"
    good.write_text(
        f"渠道,收到日期,总体态度,意见\n来信,{today},反对,不同意选址\n来访,{today},支持,\n",
        encoding="utf-8",
    )
    bad = tmp_path / "more.csv"
    bad.write_text(f"渠道,收到日期,总体态度,意见\n信鸽,{today},反对,\n", encoding="utf-8")

    page = admin_login(new_context(viewport={"width": 1280, "height": 900}), "luru", password="pw")
    page.goto(f"/admin/intake/{consultation.pk}/import/")
    page.set_input_files("input[type=file]", str(bad))
    page.click("form.tj-opinion-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    _shot(page, "intake-import-refused")
    ours, wagtails = split_admin_violations(page)
    note_wagtail("intake import (refused)", wagtails)
    assert ours == [], [str(v) for v in ours]

    page.set_input_files("input[type=file]", str(good))
    page.click("form.tj-opinion-form button[type=submit]")
    page.wait_for_selector("table.tj-import-rows")
    codes = page.locator("td.tj-receipt-code-small").all_inner_texts()
    assert sorted(codes) == sorted(s.formatted_receipt for s in Submission.objects.all())
    assert len(codes) == 2
    _shot(page, "intake-upload-page")
    ours, wagtails = split_admin_violations(page)
    note_wagtail("intake upload page", wagtails)
    assert ours == [], [str(v) for v in ours]

    page.click("[data-close-receipts]")
    page.wait_for_selector('[data-receipts="closed"]')
    _shot(page, "intake-upload-closed")
    assert not any(code in page.content() for code in codes)
    history = page.evaluate("() => window.location.href")
    assert not any(code.replace("-", "") in history.replace("-", "") for code in codes)
