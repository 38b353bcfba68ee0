"""The demo accounts' second factor in development: `manage.py demo_otp_code` (make otp)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from cms.tests._staff_auth import VERIFY, make_staff

pytestmark = [pytest.mark.django_db, pytest.mark.password_only]

DEMO_PASSWORD = "tingjian-demo"  # noqa: S105 - the public demo password


@pytest.fixture
def demo_editor(django_user_model):
    user = make_staff("editor", enrolled=False)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def test_the_code_is_refused_without_debug(demo_editor):
    with translation.override("en"), pytest.raises(CommandError, match="only in development"):
        call_command("demo_otp_code", "editor", stdout=StringIO(), stderr=StringIO())
    assert not TOTPDevice.objects.exists()


def test_the_production_settings_fix_debug_off_whatever_the_environment():
    """The command's refusal rests on DEBUG; the production settings set it off unconditionally."""
    from pathlib import Path

    from django.conf import settings

    source = (Path(settings.BASE_DIR) / "cms/config/settings/production.py").read_text()
    assert "\nDEBUG = False\n" in source
    assert 'env.bool("DEBUG"' not in source


@override_settings(DEBUG=True)
def test_a_non_demo_account_gets_no_code():
    make_staff("zhang-wei")
    with translation.override("en"), pytest.raises(CommandError, match="not a demo account"):
        call_command("demo_otp_code", "zhang-wei", stdout=StringIO(), stderr=StringIO())


def test_in_development_the_code_signs_the_demo_account_in(demo_editor, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("demo_otp_code", "editor", stdout=out, stderr=StringIO())
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    client = Client()
    response = client.post(
        "/admin/login/", {"username": "editor", "password": DEMO_PASSWORD}, REMOTE_ADDR="127.0.0.1"
    )
    assert response.status_code == 302
    response = client.post(VERIFY, {"otp_token": code, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
