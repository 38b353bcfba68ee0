"""Issue 15: axe-core on every staff screen this project owns (its own views under /admin/),
at 1366 × 900, in the system Chromium: no serious or critical violation in the project's own
markup (Wagtail's sidebar and widgets are reported, not failed: see feedback/tests/_browser.py).

One test, one data set, one page load per screen; the session is a force_login cookie (the
root conftest makes it second-factor verified), so no login form is walked here.
"""

from __future__ import annotations

import warnings

import pytest
from django.conf import settings
from django.test import Client

from feedback.tests._browser import (
    WAGTAIL_VIOLATIONS,
    background_grouping_off,
    serious_violations,
    use_contact_key,
)

pytestmark = [pytest.mark.e2e]

WIDE = {"width": 1366, "height": 900}
# Our markup on an admin page: the content our templates render, and our home panel.
OURS = "main .nice-padding, main [data-tj-coding], .tj-work"


def _session_cookie(user, url: str) -> dict:
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": url,
    }


def _ours(page, violations):
    mine, theirs = [], []
    for violation in violations:
        inside = [
            t
            for t in violation.targets
            if ">>>" not in t
            and page.evaluate(
                "([s, o]) => { const e = document.querySelector(s); return !!(e && e.closest(o)); }",
                [t, OURS],
            )
        ]
        (mine if inside else theirs).append(f"{violation} [{', '.join(inside[:3])}]")
    return mine, theirs


@pytest.fixture
def screens(consultation_index_transactional, settings):
    from consultations.roles import Role
    from consultations.tests.factories import UserFactory
    from feedback.exports import files
    from feedback.models import StaffJob, Theme
    from feedback.tests._analysis_data import make_submission
    from feedback.tests.response_fixtures import build_world

    use_contact_key(settings)
    with background_grouping_off():
        world = build_world()
        c = world.consultation
        for n in range(2):
            make_submission(
                c,
                channel="web",
                stance="oppose",
                comment=f"可以公开的意见{n}。",
                quote_consent=True,
            )
    admin = UserFactory(username="axe_admin", is_superuser=True, is_staff=True)
    privacy = UserFactory.with_role(Role.PRIVACY_OFFICER, username="axe_privacy")
    job = StaffJob.objects.create(
        kind=files.EXPORT_KIND,
        consultation=c,
        requested_by=admin,
        params={"scope": "aggregates", "format": "xlsx", "suppressed": False},
    )
    theme = Theme.objects.filter(consultation=c).first()
    cid = c.pk
    admin_urls = [
        "/admin/",
        "/admin/review/",
        f"/admin/review/{cid}/",
        "/admin/coding/",
        f"/admin/coding/{cid}/themes/",
        f"/admin/coding/{cid}/themes/{theme.pk}/",
        f"/admin/coding/{cid}/",
        "/admin/campaigns/",
        f"/admin/campaigns/{cid}/",
        "/admin/analysis/",
        f"/admin/analysis/{cid}/",
        f"/admin/analysis/export/{job.pk}/",
        "/admin/risk/",
        f"/admin/risk/{cid}/",
        f"/admin/risk/{cid}/history/",
        "/admin/response/",
        f"/admin/response/{cid}/",
        "/admin/intake/",
        f"/admin/intake/{cid}/",
        f"/admin/intake/{cid}/import/",
        "/admin/staff-security/",
        "/admin/second-factor/mine/",
        "/admin/guides/",
        "/admin/guides/officials/",
        "/admin/consultations/withdrawals/",
    ]
    privacy_urls = [
        "/admin/privacy/",
        "/admin/privacy/identity/",
        "/admin/privacy/identity/new/",
        "/admin/privacy/audit/",
        "/admin/privacy/access-log/",
        "/admin/privacy/requests/",
        "/admin/privacy/requests/new/",
    ]
    return [(admin, admin_urls), (privacy, privacy_urls)]


@pytest.fixture(scope="module", autouse=True)
def _print_wagtail_violations():
    yield
    if WAGTAIL_VIOLATIONS:
        lines = [f"{screen}: {v}" for screen, vs in WAGTAIL_VIOLATIONS.items() for v in sorted(vs)]
        warnings.warn("Wagtail's own serious axe violations:\n" + "\n".join(lines), stacklevel=1)


def test_every_project_screen_passes_axe_at_1366(screens, new_context, live_server):
    problems, visited = {}, []
    for user, urls in screens:
        context = new_context(viewport=WIDE)
        context.add_cookies([_session_cookie(user, live_server.url)])
        page = context.new_page()
        for url in urls:
            response = page.goto(url)
            assert response is not None and response.status == 200, (
                url,
                response and response.status,
            )
            assert "/login/" not in page.url and "/second-factor/" not in page.url.replace(
                "/second-factor/mine/", ""
            ), page.url
            visited.append(url)
            mine, theirs = _ours(page, serious_violations(page))
            for line in theirs:
                WAGTAIL_VIOLATIONS.setdefault(url, set()).add(line)
            if mine:
                problems[url] = mine
            # The analysis tables are never squeezed into half a column at 1366 px.
            if url.startswith("/admin/analysis/") and url.rstrip("/").split("/")[-1].isdigit():
                narrow = page.evaluate(
                    """() => [...document.querySelectorAll('.ta-pair--stacked .ta-table')]
                        .filter(t => t.getBoundingClientRect().width <
                                     0.9 * t.closest('section').getBoundingClientRect().width)
                        .map(t => t.querySelector('caption').textContent)"""
                )
                assert narrow == [], narrow
                assert (
                    page.evaluate(
                        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                    )
                    <= 0
                )
    assert not problems, "\n".join(f"{u}:\n  " + "\n  ".join(v) for u, v in problems.items())
    assert len(visited) == sum(len(urls) for _u, urls in screens)
