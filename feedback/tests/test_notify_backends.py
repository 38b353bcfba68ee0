"""Notification backends and the start-up refusal (issue 12, point 3).

Adversaries: the SMS gateway's operator and anyone reading its errors (the HTTP backend counts
only 2xx as accepted; its errors carry codes, never the number), a developer's console (the
number is masked), and a production host configured with backends that deliver nothing (the
deploy check fails and the production settings refuse to start)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from feedback.response import checks as notification_checks
from feedback.response.sms import ConsoleSMSBackend, HttpSMSBackend, SMSError, masked_phone

BASE = "https://consult.example.gov.cn"
ROOT = Path(__file__).resolve().parents[2]


def test_console_sms_backend_masks_the_number(capsys):
    ConsoleSMSBackend().send("13912345678", "text")
    out = capsys.readouterr().out
    assert "13912345678" not in out and "139****5678" in out
    assert masked_phone("+86 139 1234 5678") == "861******5678"


# --- the HTTP SMS gateway ------------------------------------------------------------------


class _Gateway(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 200
    delay = 0.0

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Gateway.received.append(
            {"auth": self.headers.get("Authorization"), "json": json.loads(body)}
        )
        time.sleep(_Gateway.delay)
        try:
            self.send_response(_Gateway.status)
            self.end_headers()
            self.wfile.write(b'{"to": "echoed back"}')
        except BrokenPipeError:  # the client gave up waiting (the timeout case)
            pass

    def log_message(self, *args):  # the test gateway keeps no log either
        pass


@pytest.fixture
def gateway():
    _Gateway.received, _Gateway.status, _Gateway.delay = [], 200, 0.0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/send"
    server.shutdown()
    server.server_close()


def test_http_gateway_accepts_only_2xx_and_errors_name_no_recipient(gateway):
    backend = HttpSMSBackend(url=gateway, token="t0ken", timeout=0.5)
    backend.send("13912345678", "答复已公布")
    assert _Gateway.received == [
        {"auth": "Bearer t0ken", "json": {"to": "13912345678", "text": "答复已公布"}}
    ]
    _Gateway.status = 503
    with pytest.raises(SMSError) as refused:
        backend.send("13912345678", "x")
    assert refused.value.code == "http_503" and "139" not in str(refused.value)
    _Gateway.status, _Gateway.delay = 200, 1.0
    with pytest.raises(SMSError) as slow:
        backend.send("13912345678", "x")
    assert slow.value.code == "timeout"
    with pytest.raises(SMSError) as down:
        HttpSMSBackend(url="http://127.0.0.1:9/send", timeout=0.5).send("13912345678", "x")
    assert down.value.code == "unreachable"
    with pytest.raises(SMSError) as unset:
        HttpSMSBackend(url="").send("13912345678", "x")
    assert unset.value.code == "no_gateway_url"


# --- production refuses to start without real backends --------------------------------------

REAL = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "smtp.example.gov.cn",
    "EMAIL_USE_TLS": True,
    "EMAIL_USE_SSL": False,
    "SMS_BACKEND": "feedback.response.sms.HttpSMSBackend",
    "SMS_HTTP_URL": "https://sms.example.gov.cn/send",
    "PUBLIC_BASE_URL": BASE,
}


def _ids(settings, **overrides) -> set[str]:
    for name, value in {**REAL, **overrides}.items():
        setattr(settings, name, value)
    return {p.id for p in notification_checks.notification_problems()}


def test_deploy_check_names_each_backend_that_delivers_nothing(settings):
    assert _ids(settings) == set()
    assert _ids(settings, EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend") == {
        "feedback.E301"
    }
    assert _ids(settings, EMAIL_USE_TLS=False) == {"feedback.E302"}
    assert _ids(settings, EMAIL_USE_TLS=False, EMAIL_HOST="localhost") == set()
    assert _ids(settings, SMS_BACKEND="") == {"feedback.E303"}
    assert _ids(settings, SMS_BACKEND="feedback.response.sms.ConsoleSMSBackend") == {
        "feedback.E303"
    }
    assert _ids(settings, SMS_HTTP_URL="http://sms.example.gov.cn/send") == {"feedback.E304"}
    assert _ids(settings, PUBLIC_BASE_URL="http://127.0.0.1:8000") == {"feedback.E305"}


def test_check_deploy_fails_and_the_production_flag_refuses_to_start(settings):
    _ids(settings, SMS_BACKEND="feedback.response.sms.ConsoleSMSBackend")
    with pytest.raises(SystemCheckError, match="feedback.E303"):
        call_command("check", "--deploy", "--tag", "notifications")
    notification_checks.refuse_start_without_delivery()  # not required: no error
    settings.NOTIFICATIONS_REQUIRE_DELIVERY = True
    with pytest.raises(ImproperlyConfigured, match="SMS_BACKEND"):
        notification_checks.refuse_start_without_delivery()
    settings.SMS_BACKEND = REAL["SMS_BACKEND"]
    notification_checks.refuse_start_without_delivery()


def _production(extra: dict) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "cms.config.settings.production",
        "SECRET_KEY": "x" * 60,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "ALLOWED_HOSTS": "consult.example.gov.cn",
        "CONTACT_ENCRYPTION_KEY": "ZmRzYWZkc2FmZHNhZmRzYWZkc2FmZHNhZmRzYWZkc2E=",
        "RATELIMIT_TRUSTED_PROXIES": "1",
        "RATELIMIT_TRUSTED_PROXY_ADDRESSES": "127.0.0.1",
        "EXPORT_DIR": "/tmp/tingjian-test-exports",  # never written by `check`
        "AUDIT_CHAIN_KEY": "k1:" + "a" * 43,
        "WAGTAILADMIN_BASE_URL": BASE,  # production refuses to start without it (cms.E002)
        **extra,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "notifications"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_refuse_to_start_without_an_sms_backend():
    refused = _production({"PUBLIC_BASE_URL": BASE})
    assert refused.returncode != 0
    assert "SMS_BACKEND is not set" in refused.stderr
    started = _production(
        {
            "PUBLIC_BASE_URL": BASE,
            "SMS_BACKEND": "feedback.response.sms.HttpSMSBackend",
            "SMS_HTTP_URL": "https://sms.example.gov.cn/send",
            "EMAIL_HOST": "smtp.example.gov.cn",
        }
    )
    assert started.returncode == 0, started.stderr[-2000:]
