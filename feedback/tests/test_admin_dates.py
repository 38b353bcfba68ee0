"""Issue 15: one deadline format everywhere, the admin included.

Every staff screen that lists or shows a consultation's period writes the close as the public
pages do (consultations/deadline.py: weekday, 24:00, days left), in Chinese and in English,
and none prints it as "2026-04-17 00:00" or "2026-04-16" any more.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from consultations.deadline import deadline_text
from consultations.roles import Role
from consultations.tests.admin_support import NOW, SHANGHAI, extend_url, list_url
from consultations.tests.factories import (
    DepartmentFactory,
    UserFactory,
    local_midnight_after,
    published_consultation,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ("zh-hans", "en")
# A clock time right after a date written the ISO way: the old admin format.
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")


@pytest.fixture
def world():
    department = DepartmentFactory(name="示例市生态环境局")
    with time_machine.travel(NOW - timedelta(days=80), tick=False):
        past = timezone.now()
        closed = published_consultation(
            department=department,
            title="已经截止的征求意见",
            opens_at=past,
            closes_at=local_midnight_after(past, 40),
        )
    with time_machine.travel(NOW, tick=False):
        open_ = published_consultation(
            department=department,
            title="正在征求意见",
            opens_at=NOW - timedelta(days=2),
            closes_at=local_midnight_after(NOW, 45),
        )
    return {
        "department": department,
        "open": open_,
        "closed": closed,
        "clerk": UserFactory.with_role(Role.INTAKE_CLERK, department),
        "admin": UserFactory(is_superuser=True, is_staff=True),
    }


def screens(world) -> list[tuple]:
    """(user, url, the consultations whose deadline the screen must show)."""
    # The preview is Wagtail's fake request of the public page: the site's default language.
    open_, closed = world["open"], world["closed"]
    preview = reverse(
        "wagtailsnippets_consultations_consultation:revisions_view",
        args=[open_.pk, open_.latest_revision_id],
    )
    return [
        ("clerk", reverse("feedback_intake:choose"), [open_, closed]),
        ("admin", reverse("feedback_response:choose"), [closed]),
        ("admin", reverse("feedback_analysis:choose"), [open_, closed]),
        ("admin", extend_url(open_), [open_]),
        ("admin", preview, [open_], "zh-hans"),
        ("admin", list_url(), [open_, closed]),
    ]


def old_forms(consultation) -> list[str]:
    """The ways the close was written before: its local date and the next day's, ISO style."""
    local = timezone.localtime(consultation.closes_at, SHANGHAI)
    return [
        local.strftime("%Y-%m-%d"),
        (local - timedelta(days=1)).strftime("%Y-%m-%d"),
        local.strftime("%Y/%m/%d"),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_admin_screen_writes_the_deadline_one_way(client, world, language):
    with time_machine.travel(NOW, tick=False):
        for who, url, consultations, *fixed in screens(world):
            client.force_login(world[who])
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, (url, response.status_code)
            page = response.content.decode()
            # What is read (an input's value, as the extend form's date picker has, is not).
            text = _visible(page)
            for consultation in consultations:
                with translation.override(fixed[0] if fixed else language):
                    wanted = deadline_text(consultation.closes_at, now=NOW)
                assert wanted in page, (url, wanted)
                for old in old_forms(consultation):
                    assert old not in text, (url, old)
            assert not ISO_MOMENT.search(text), (url, ISO_MOMENT.search(text))


def test_the_formats_differ_by_language_and_carry_weekday_and_days_left(world):
    """The screens above check the very string of deadline_text; this pins what it says."""
    with translation.override("zh-hans"):
        zh = deadline_text(world["open"].closes_at, now=NOW)
        zh_closed = deadline_text(world["closed"].closes_at, now=NOW)
    with translation.override("en"):
        en = deadline_text(world["open"].closes_at, now=NOW)
    assert re.fullmatch(r"2026年4月16日（星期四）24:00 截止，还剩45天", zh), zh
    assert zh_closed.startswith("已于") and "星期" in zh_closed
    assert en == "Closes at 24:00 on Thursday, 16 April 2026, 45 days left"


def _visible(page: str) -> str:
    """The page without scripts, styles and attribute values (where ISO dates are data)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    return re.sub(r'"[^"]*"', '""', page)
