"""Browser tests in the system Chromium (never a downloaded browser) against live_server."""

import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made here by
# fixtures are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def site_data(transactional_db):
    """The page tree and one open consultation with clauses, districts and alternatives."""
    from cms.site_setup import ensure_site_tree
    from consultations.tests.factories import (
        AlternativeFactory,
        DepartmentFactory,
        DistrictFactory,
        local_midnight_after,
        published_consultation,
    )

    ensure_site_tree()
    opens = timezone.now() - timedelta(days=2)
    consultation = published_consultation(
        slug="waste-plant",
        clauses=3,
        title="垃圾焚烧发电厂选址方案",
        title_en="Waste-to-energy plant siting plan",
        plain_summary="城西需要新建垃圾处理设施，请您比较两个候选地点。",
        plain_summary_en="The west of the city needs a new waste plant. Compare the two sites.",
        department=DepartmentFactory(name="城市管理局", name_en="City Management Bureau"),
        districts=[DistrictFactory(name="西湖区", name_en="Xihu District")],
        opens_at=opens,
        closes_at=local_midnight_after(opens, 40),
    )
    AlternativeFactory(consultation=consultation, title="甲地", title_en="Site A")
    AlternativeFactory(consultation=consultation, title="乙地", title_en="Site B")
    return consultation


@pytest.fixture
def new_context(chromium, live_server):
    """Factory for isolated browser contexts on the live server; closed after the test."""
    contexts = []

    def make(*, language: str | None = None, **options):
        options.setdefault("locale", "zh-CN")
        context = chromium.new_context(base_url=live_server.url, **options)
        if language:
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
            )
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()
