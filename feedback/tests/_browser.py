"""Helpers of the browser tests (system Chromium, axe-core): accessibility, layout, admin login."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

SERIOUS = ("serious", "critical")
PHONE_WIDTH = {"width": 360, "height": 740}

# The part of a Wagtail admin page that our templates render (everything else, the sidebar,
# the header include, Wagtail's own widgets outside it, is Wagtail's markup).
OURS = "main .nice-padding, main [data-tj-coding]"


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}): {self.help} at {', '.join(self.targets[:3])}"


def serious_violations(page, context=None) -> list[Violation]:
    """axe-core violations of serious or critical impact on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context) if context else Axe().run(page)
    return [
        Violation(
            rule=v["id"],
            impact=v.get("impact") or "",
            help=v["help"],
            targets=tuple(_selector(n["target"]) for n in v["nodes"]),
        )
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


def _selector(target) -> str:
    # A node's target is a list of selectors (more than one only inside iframes / shadow DOM).
    if isinstance(target, list):
        return " >>> ".join(_selector(t) for t in target)
    return str(target)


def split_admin_violations(page) -> tuple[list[Violation], list[Violation]]:
    """(ours, wagtail's): serious violations whose nodes lie in our content, and the rest."""
    ours: list[Violation] = []
    wagtails: list[Violation] = []
    for violation in serious_violations(page):
        in_ours = tuple(t for t in violation.targets if _is_ours(page, t))
        others = tuple(t for t in violation.targets if t not in in_ours)
        if in_ours:
            ours.append(Violation(violation.rule, violation.impact, violation.help, in_ours))
        if others:
            wagtails.append(Violation(violation.rule, violation.impact, violation.help, others))
    return ours, wagtails


def _is_ours(page, selector: str) -> bool:
    if ">>>" in selector:
        return False
    return page.evaluate(
        "([sel, ours]) => { const el = document.querySelector(sel);"
        " return !!(el && el.closest(ours)); }",
        [selector, OURS],
    )


def horizontal_overflow(page) -> int:
    """Pixels the page is wider than the viewport (0 or less: no horizontal scrolling)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def admin_login(context, username: str, *, password: str):
    """Log in through Wagtail's real login form and the second-factor step (a real TOTP code of
    the user's device, made for the test when it has none); returns the page, on the dashboard."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=str(username))
    device = staff_totp_device(user)
    page = context.new_page()
    page.goto("/admin/login/")
    page.fill("input[name=username]", str(username))
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_url("**/admin/second-factor/**")
    page.fill("input[name=otp_token]", fresh_totp_code(device))
    page.click("form button[type=submit]")
    page.wait_for_url("**/admin/")
    return page


# -- the second factor in tests (the conftest's force_login/login wrapper uses these too) -----


def staff_totp_device(user):
    """The user's confirmed TOTP device (one named "test" is made when the user has none)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return device


def fresh_totp_code(device) -> str:
    """A TOTP code the device accepts now: the current time step's code, after forgetting the
    last step used (a code is accepted once; tests log the same user in several times)."""
    from django_otp.oath import TOTP

    type(device).objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


WAGTAIL_VIOLATIONS: dict[str, set[str]] = {}


def note_wagtail(screen: str, violations: list[Violation]) -> None:
    """Keep Wagtail's own violations (not ours to fix) for the report printed at the end."""
    for violation in violations:
        WAGTAIL_VIOLATIONS.setdefault(screen, set()).add(str(violation))


def use_contact_key(settings) -> None:
    """Give the test a contact encryption key of its own (``settings`` is pytest-django's
    fixture), as a production site has; the test settings' fallback key is not needed."""
    from cryptography.fernet import Fernet

    settings.CONTACT_ENCRYPTION_KEY = Fernet.generate_key().decode()


@contextmanager
def background_grouping_off():
    """Under live_server every save commits at once, so the campaign grouping and search tasks
    (ImmediateBackend) would run while the shared fixtures still add their own groups."""
    from feedback.campaigns import tasks as campaign_tasks

    original = campaign_tasks._enqueue_after_commit
    campaign_tasks._enqueue_after_commit = lambda consultation_id: None
    try:
        yield
    finally:
        campaign_tasks._enqueue_after_commit = original
