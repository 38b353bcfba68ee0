from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from consultations.tests.factories import (
    AlternativeFactory,
    DepartmentFactory,
    DistrictFactory,
    UserFactory,
    local_midnight_after,
    published_consultation,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def wagtail_routing(monkeypatch):
    """Call it to serve the rest of the test through Wagtail's routing only, as without the
    shortcuts of cms.fast_route."""

    def switch() -> None:
        from cms import fast_route

        monkeypatch.setattr(fast_route, "FAST_ROUTE_ENABLED", False)

    return switch


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def publisher(db):
    """A named superuser who publishes; their name must never reach public pages."""
    return UserFactory(
        username="editor-zhang-san",
        first_name="张",
        last_name="三丰",
        is_superuser=True,
        is_staff=True,
    )


@pytest.fixture
def open_consultation(site_tree, now, publisher):
    district = DistrictFactory(name="西湖区", name_en="Xihu District", code="330106")
    consultation = published_consultation(
        user=publisher,
        clauses=3,
        slug="waste-plant",
        title="垃圾焚烧发电厂选址方案",
        title_en="Waste-to-energy plant siting plan",
        plain_summary="通俗版：城西需要新建垃圾处理设施。",
        plain_summary_en="In short: the west of the city needs a new waste plant.",
        department=DepartmentFactory(name="城市管理局", name_en="City Management Bureau"),
        districts=[district],
        opens_at=NOW,
        closes_at=local_midnight_after(NOW, 45),
    )
    AlternativeFactory(consultation=consultation, title="甲地", title_en="Site A")
    AlternativeFactory(consultation=consultation, title="乙地", title_en="Site B")
    return consultation


@pytest.fixture
def closed_consultation(site_tree, time_machine, publisher):
    """Opened 60 days before NOW for 45 days, so it is closed at NOW."""
    time_machine.move_to(NOW - timedelta(days=60), tick=False)
    start = NOW - timedelta(days=60)
    consultation = published_consultation(
        user=publisher,
        slug="old-bus-plan",
        title="公交线网优化方案",
        title_en="Bus network plan",
        opens_at=start,
        closes_at=local_midnight_after(start, 45),
    )
    time_machine.move_to(NOW, tick=False)
    return consultation


@pytest.fixture
def empty_page_cache():
    """The rendered-page cache empty before and after the test."""
    from cms import page_cache

    page_cache.page_cache().clear()
    yield
    page_cache.page_cache().clear()
