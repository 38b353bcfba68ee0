"""Safe configuration (issue 13, point 8): no silent DEBUG, production refuses to start on an
unsafe configuration, security headers and Secure cookies, and a clean ``check --deploy``.

The production settings are read in subprocesses (each import is a fresh process, as a real
start is); the checks that need the database run against this test run's database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import override_settings
from django.urls import reverse

from cms import checks
from cms.apps import announce_worker
from cms.demo_content import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

# The documented production environment: .env.example (docs/deployment.md, "Environment"),
# with its blank secrets filled in and its folders made here. With it, `manage.py check
# --deploy` reports nothing at all; a variable production needs but .env.example does not
# document makes these tests fail.
SECRETS = {
    "SECRET_KEY": "k" * 30 + "Q7vX2pL9mN4bR8cY1kH6jF0sD5gA3eUi",
    "DATABASE_URL": "postgres://tingjian_app@127.0.0.1:1/tingjian",
    "CONTACT_ENCRYPTION_KEY": "ZmRzYWZkc2FmZHNhZmRzYWZkc2FmZHNhZmRzYWZkc2E=",
    "AUDIT_CHAIN_KEY": "k1:" + "s" * 43,
    "SMS_HTTP_TOKEN": "token",
}
FOLDERS = Path(tempfile.mkdtemp(prefix="tingjian-safe-config-"))


def documented_environment() -> dict[str, str]:
    values = {"DJANGO_SETTINGS_MODULE": "cms.config.settings.production"}
    for line in (ROOT / ".env.example").read_text().splitlines():
        name, sep, value = line.partition("=")
        if not sep or line.lstrip().startswith("#"):
            continue
        name = name.strip()
        if name.endswith("_DIR"):
            folder = FOLDERS / name.lower()
            folder.mkdir(mode=0o700, exist_ok=True)
            value = str(folder)
        values[name] = value or SECRETS.get(name, "")
    return values


DOCUMENTED = documented_environment()


def _environment(extra: dict[str, str], drop: tuple[str, ...] = ()) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "RATELIMIT_", "EMAIL_", "SMS_", "SECURE_"))
        and k not in DOCUMENTED
    }
    env.update(DOCUMENTED)
    env.update(extra)
    for name in drop:
        env.pop(name, None)
    return env


def run(
    args: list[str], extra: dict[str, str] | None = None, drop=()
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, *args],
        cwd=ROOT,
        env=_environment(extra or {}, drop),
        capture_output=True,
        text=True,
        timeout=180,
    )


PRINT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps("
    "{n: getattr(s, n) for n in ('DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
    "'LANGUAGE_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
    "'SECURE_HSTS_PRELOAD', 'SECURE_SSL_REDIRECT', 'EMAIL_USE_TLS', 'EMAIL_USE_SSL', "
    "'WAGTAILADMIN_BASE_URL', 'PUBLIC_BASE_URL')}))"
)


def production_settings(drop=(), **extra: str) -> dict:
    done = run(["-c", PRINT_SETTINGS], extra, drop)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- no silent DEBUG ----------------------------------------------------------------------


def test_manage_py_without_a_settings_module_refuses_and_names_the_development_one():
    done = run(["manage.py", "check"], drop=tuple(DOCUMENTED))
    assert done.returncode != 0
    assert "DJANGO_SETTINGS_MODULE=cms.config.settings.dev" in done.stderr
    assert "DEBUG" not in done.stdout


def test_the_worker_says_which_settings_it_runs_with_and_whether_debug_is_on(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["manage.py", "db_worker"])
    monkeypatch.delenv("RUN_MAIN", raising=False)
    announce_worker(SimpleNamespace(DEBUG=True, SETTINGS_MODULE="cms.config.settings.dev"))
    assert "settings cms.config.settings.dev, DEBUG ON" in capsys.readouterr().err
    announce_worker(SimpleNamespace(DEBUG=False, SETTINGS_MODULE="cms.config.settings.production"))
    assert "settings cms.config.settings.production, DEBUG off" in capsys.readouterr().err
    monkeypatch.setattr(sys, "argv", ["manage.py", "runserver"])
    announce_worker(SimpleNamespace(DEBUG=True, SETTINGS_MODULE="x"))
    assert capsys.readouterr().err == ""


def test_every_caller_of_manage_py_names_its_settings():
    """Makefile, run.sh and the benchmarks say which settings they use."""
    makefile = (ROOT / "Makefile").read_text()
    for line in makefile.splitlines():
        if "$(MANAGE)" in line and not line.startswith("MANAGE"):
            assert "$(DEV)" in line or "DJANGO_SETTINGS_MODULE=" in line, line
    assert "DJANGO_SETTINGS_MODULE=" in (ROOT / "scripts" / "run.sh").read_text()


# --- production refuses to start ----------------------------------------------------------


def test_check_deploy_with_the_documented_environment_is_clean():
    done = run(["manage.py", "check", "--deploy"])
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize(
    "key",
    ["not-a-key", "ZmRzYWZkc2FmZHNh", "ZmRzYWZkc2FmZHNhZmRzYWZkc2FmZHNhZmRzYWZkc2E=,broken"],
)
def test_production_refuses_to_start_with_a_contact_key_that_does_not_work(key):
    done = run(["manage.py", "check"], {"CONTACT_ENCRYPTION_KEY": key})
    assert done.returncode != 0
    assert "cms.E001" in done.stderr and "CONTACT_ENCRYPTION_KEY" in done.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WAGTAILADMIN_BASE_URL", None),
        ("PUBLIC_BASE_URL", None),
        ("WAGTAILADMIN_BASE_URL", "http://consult.example.gov.cn"),
        ("WAGTAILADMIN_BASE_URL", "https://127.0.0.1:8000"),
    ],
)
def test_production_refuses_to_start_without_its_public_https_address(name, value):
    if value is None:
        done = run(["manage.py", "check"], drop=(name,))
    else:
        done = run(["manage.py", "check"], {name: value})
    assert done.returncode != 0
    assert "cms.E002" in done.stderr and name in done.stderr


def test_production_has_no_127_0_0_1_default_for_the_base_urls():
    values = production_settings()
    assert values["WAGTAILADMIN_BASE_URL"] == "https://consult.example.gov.cn"
    env_without = _environment({}, drop=("WAGTAILADMIN_BASE_URL", "PUBLIC_BASE_URL"))
    done = subprocess.run(
        [
            PYTHON,
            "-c",
            "import cms.config.settings.production as p; print(p.WAGTAILADMIN_BASE_URL)",
        ],
        cwd=ROOT,
        env=env_without,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_gunicorn_refuses_to_serve_as_a_superuser(db):
    """The WSGI module (what gunicorn imports) runs the deploy checks with the database."""
    database = settings.DATABASES["default"]
    url = f"postgres://{database['USER']}@/{database['NAME']}?host={database['HOST']}"
    done = run(["-c", "import cms.config.wsgi"], {"DATABASE_URL": url})
    assert done.returncode != 0
    assert "cms.E004" in done.stderr and "superuser" in done.stderr


def test_the_web_server_refuses_the_migrations_role():
    done = run(["-c", "import cms.config.wsgi"], {"DATABASE_ROLE": "owner"})
    assert done.returncode != 0 and "cms.E005" in done.stderr


# --- the checks themselves ----------------------------------------------------------------


@pytest.mark.django_db
def test_demo_accounts_with_the_published_password_are_refused():
    users = get_user_model()
    users.objects.create_user("someone", password=DEMO_PASSWORD)  # not a demo name: not ours
    assert checks.demo_account_problems() == []
    editor = users.objects.create_user("editor", password=DEMO_PASSWORD)
    problems = checks.demo_account_problems()
    assert [p.id for p in problems] == ["cms.E003"] and "editor" in problems[0].msg
    editor.set_password("a-new-and-long-secret-2026")
    editor.save()
    assert checks.demo_account_problems() == []
    users.objects.create_user("admin", password=DEMO_PASSWORD, is_active=False)
    assert checks.demo_account_problems() == []


@pytest.mark.django_db
def test_the_start_of_the_web_server_runs_the_demo_account_check():
    get_user_model().objects.create_user("approver", password=DEMO_PASSWORD)
    with pytest.raises(ImproperlyConfigured, match="cms.E003"):
        checks.refuse_to_serve()


def test_the_contact_key_is_checked_as_the_opinion_form_uses_it():
    with override_settings(CONTACT_ENCRYPTION_KEY="nonsense", CONTACT_KEY_FALLBACK=False):
        assert [p.id for p in checks.contact_key_problems()] == ["cms.E001"]
    with override_settings(CONTACT_ENCRYPTION_KEY="", CONTACT_KEY_FALLBACK=False):
        assert [p.id for p in checks.contact_key_problems()] == ["cms.E001"]
    good = DOCUMENTED["CONTACT_ENCRYPTION_KEY"]
    with override_settings(CONTACT_ENCRYPTION_KEY=good, CONTACT_KEY_FALLBACK=False):
        assert checks.contact_key_problems() == []


# --- headers, cookies, e-mail -------------------------------------------------------------


def test_production_hsts_covers_subdomains_without_preload_and_cookies_are_secure():
    values = production_settings()
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SECURE_SSL_REDIRECT"] is True  # behind the documented proxy
    for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE"):
        assert values[name] is True, name


def test_e_mail_goes_over_tls_unless_told_otherwise():
    values = production_settings(drop=("EMAIL_USE_TLS",))
    assert values["EMAIL_USE_TLS"] is True and values["EMAIL_USE_SSL"] is False
    ssl = production_settings(drop=("EMAIL_USE_TLS",), EMAIL_USE_SSL="true", EMAIL_PORT="465")
    assert ssl["EMAIL_USE_TLS"] is False and ssl["EMAIL_USE_SSL"] is True
    refused = run(["manage.py", "check"], {"EMAIL_USE_TLS": "false"})
    assert refused.returncode != 0 and "feedback.E302" in refused.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/admin/login/", "/no-such-page/", "/"])
def test_every_response_carries_a_permissions_policy(client, path):
    response = client.get(path)
    policy = response.headers.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy, (path, response.status_code, policy)


SECURE_COOKIES = {
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "LANGUAGE_COOKIE_SECURE": True,
}


@pytest.mark.django_db
def test_every_cookie_the_site_sets_is_secure_with_the_production_values(client, site_tree):
    production = production_settings()
    assert all(production[name] is value for name, value in SECURE_COOKIES.items())
    set_cookies = {}
    with override_settings(**SECURE_COOKIES):
        for response in (
            client.post(reverse("preferences_update"), {"font_size": "large", "next": "/"}),
            client.post(reverse("preferences_update"), {"contrast": "high", "next": "/"}),
            client.post(reverse("set_language"), {"language": "en", "next": "/"}),
            client.get("/admin/login/"),
        ):
            # Cookies that carry a value (a deletion, Max-Age=0 and empty, carries nothing).
            set_cookies.update({n: m for n, m in response.cookies.items() if m.value})
        from feedback.intake.receipt_session import COOKIE, receipt_session_open

        response = receipt_session_open(
            HttpResponse(), SimpleNamespace(pk=7), receipt_url="/c/receipt/"
        )
        set_cookies[COOKIE] = response.cookies[COOKIE]
    expected = {"tj_font", "tj_contrast", settings.LANGUAGE_COOKIE_NAME, "csrftoken", COOKIE}
    assert expected <= set(set_cookies), set(set_cookies)
    insecure = [name for name, morsel in set_cookies.items() if not morsel["secure"]]
    assert insecure == []
