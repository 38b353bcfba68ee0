"""The second factor (django-otp): enrolment at the first login, the code at every login,
recovery codes, the reset by a site administrator; no admin URL without it."""

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cms.tests._staff_auth import (
    ENROL,
    VERIFY,
    is_signed_in,
    make_staff,
    post_password,
    sign_in,
    totp_code,
)
from feedback.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.password_only]


def _secret_hex(page: str) -> str:
    from base64 import b32decode

    secret = re.search(r"data-tj-otp-secret>([A-Z2-7 ]+)<", page).group(1).replace(" ", "")
    return b32decode(secret + "=" * (-len(secret) % 8)).hex()


def test_the_first_login_enrols_with_a_qr_code_and_recovery_codes(client):
    user = make_staff("newcomer", enrolled=False)
    response = post_password(client, "newcomer")
    assert response.status_code == 302
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(ENROL)
    page = response.content.decode()
    assert "<svg" in page and "tj-otp-qr" in page
    key = _secret_hex(page)
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    assert pending.key == key
    # Nothing of the admin before the code is confirmed.
    assert client.get("/admin/pages/").status_code == 302
    wrong = client.post(ENROL, {"otp_token": "000000"})
    assert wrong.status_code == 400
    TOTPDevice.objects.filter(pk=pending.pk).update(throttling_failure_count=0)
    done = client.post(ENROL, {"otp_token": totp_code(pending), "next": "/admin/"})
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )
    assert client.get("/admin/").status_code == 200
    # The codes are shown once: the next page shows none of them.
    mine = client.get("/admin/second-factor/mine/").content.decode()
    assert not any(code in mine for code in codes)


def test_an_enrolled_account_cannot_enrol_again_with_the_password_only(client):
    user = make_staff("official")
    post_password(client, "official")
    response = client.get(ENROL)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    response = client.post(ENROL, {"otp_token": "123456"})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_every_login_asks_for_the_code_and_refuses_a_wrong_one(client):
    user = make_staff("official")
    assert post_password(client, "official").status_code == 302
    assert client.get("/admin/").status_code == 302
    device = TOTPDevice.objects.get(user=user)
    good = totp_code(device)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"otp_token": wrong})
    assert response.status_code == 400
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    response = client.post(VERIFY, {"otp_token": good, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_used_code_is_refused_the_second_time():
    user = make_staff("official")
    first = Client()
    post_password(first, "official")
    device = TOTPDevice.objects.get(user=user)
    code = totp_code(device)
    assert first.post(VERIFY, {"otp_token": code})["Location"] == "/admin/"
    thief = Client()
    post_password(thief, "official", address="10.5.5.5")
    response = thief.post(VERIFY, {"otp_token": code})
    assert response.status_code == 400
    assert thief.get("/admin/").status_code == 302


def test_wrong_codes_slow_down_the_next_tries(client):
    user = make_staff("official")
    post_password(client, "official")
    for _n in range(3):
        client.post(VERIFY, {"otp_token": "000001"})
    # Even the right code waits until the back-off has passed.
    response = client.post(VERIFY, {"otp_token": totp_code(TOTPDevice.objects.get(user=user))})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_a_recovery_code_works_once(client):
    user = make_staff("official")
    sign_in(client, user)
    codes = re.findall(
        r"<li>([a-z2-7]{8})</li>", client.post("/admin/second-factor/mine/").content.decode()
    )
    assert len(codes) == 10
    lost_phone = Client()
    post_password(lost_phone, "official")
    response = lost_phone.post(VERIFY, {"otp_token": codes[0].upper(), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert lost_phone.get("/admin/").status_code == 200
    again = Client()
    post_password(again, "official")
    assert again.post(VERIFY, {"otp_token": codes[0]}).status_code == 400
    assert again.get("/admin/").status_code == 302
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_new_recovery_codes_replace_the_old_ones(client):
    user = make_staff("official")
    sign_in(client, user)
    old = re.findall(
        r"<li>([a-z2-7]{8})</li>", client.post("/admin/second-factor/mine/").content.decode()
    )
    new = re.findall(
        r"<li>([a-z2-7]{8})</li>", client.post("/admin/second-factor/mine/").content.decode()
    )
    assert not set(old) & set(new)
    other = Client()
    post_password(other, "official")
    assert other.post(VERIFY, {"otp_token": old[0]}).status_code == 400


def test_a_site_administrator_resets_a_colleagues_second_factor():
    colleague = make_staff("official")
    colleague_client = Client()
    sign_in(colleague_client, colleague)
    admin = make_staff("chief", superuser=True)
    admin_client = Client()
    sign_in(admin_client, admin)
    response = admin_client.post(f"/admin/staff-security/second-factor/{colleague.pk}/reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=colleague).exists()
    # The colleague's open session lost its second factor at once; the next login enrols.
    response = colleague_client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(ENROL)
    entry = AuditEntry.objects.get(action="second_factor_reset")
    assert entry.actor_id == admin.pk and entry.object_id == str(colleague.pk)


def test_a_reset_is_refused_to_other_staff(client):
    colleague = make_staff("official")
    editor = make_staff("editor-li")
    sign_in(client, editor)
    response = client.post(f"/admin/staff-security/second-factor/{colleague.pk}/reset/")
    assert response.status_code == 403 or response["Location"] == "/admin/"
    assert TOTPDevice.objects.filter(user=colleague).exists()


def test_the_next_address_must_stay_on_this_site(client):
    user = make_staff("official")
    post_password(client, "official")
    code = totp_code(TOTPDevice.objects.get(user=user))
    response = client.post(VERIFY, {"otp_token": code, "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"
    assert is_signed_in(client)
