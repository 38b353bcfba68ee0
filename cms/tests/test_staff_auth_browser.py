"""The first sign-in in the system Chromium: password, scan (here: read) the secret, type the
app's code, keep the recovery codes; then the dashboard. The pages pass axe-core."""

from __future__ import annotations

import os
import re
from base64 import b32decode

import pytest

from feedback.tests._browser import serious_violations

pytestmark = [pytest.mark.e2e, pytest.mark.password_only]

SHOTS = os.environ.get("STAFF_AUTH_SCREENSHOTS", "")  # a folder: save screenshots for a person


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _code_for(secret_text: str) -> str:
    from django_otp.oath import TOTP

    secret = secret_text.replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key).token():06d}"


def test_a_newcomer_enrols_and_keeps_the_recovery_codes(
    consultation_index_transactional, new_context
):
    from django_otp.plugins.otp_static.models import StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cms.tests._staff_auth import PASSWORD, make_staff

    user = make_staff("newcomer", enrolled=False)
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto("/admin/login/")
    page.fill("input[name=username]", "newcomer")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/admin/second-factor/enrol/**")
    assert page.locator("svg.tj-otp-qr").count() == 1
    assert serious_violations(page, "main") == []
    _shot(page, "enrol")
    secret = page.inner_text("[data-tj-otp-secret]")
    page.fill("input[name=otp_token]", _code_for(secret))
    page.click("form.login-form button[type=submit]")
    page.wait_for_selector("[data-tj-recovery-codes]")
    codes = page.locator("[data-tj-recovery-codes] li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )
    assert serious_violations(page, "main") == []
    _shot(page, "recovery-codes")
    page.click("main a.button")
    page.wait_for_url("**/admin/")
    assert TOTPDevice.objects.get(user=user).confirmed
    assert page.locator("#main").count() == 1
