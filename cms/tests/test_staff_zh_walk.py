"""Issue 15: every staff screen is in Chinese, with no English left.

The walk: every admin URL pattern of the URL resolver, filled with the real ids of a seeded
department (the world of test_admin_crawl), plus the links found on the dashboard, GET in
zh-hans as each role of that department and as a site administrator. Every page's UI text
(visible text nodes, button values, placeholders, titles, aria-labels, the sidebar's labels)
may hold Latin-script words only when they are names (Tingjian, PDF, CSV, TOTP…) or data that
people entered (titles, user names, file names: taken from the database itself).
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from django.apps import apps
from django.db import connection, models

from cms.tests._zh_text import latin_words, ui_texts
from cms.tests.test_admin_crawl import build_world, resolver_urls
from consultations.models import Consultation
from consultations.roles import Role
from consultations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

_DATA_APPS = ("consultations", "feedback", "wagtaildocs", "wagtailimages", "auth", "wagtailcore")


def data_words() -> set[str]:
    """Lower-cased Latin words of every text stored in the database: what people entered."""
    words: set[str] = set()
    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        if model._meta.app_label not in _DATA_APPS or model._meta.db_table not in tables:
            continue
        fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            for value in row:
                if value:
                    words.update(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'’]+", str(value)))
    return words


def english_on(client, urls, allowed) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        if getattr(response, "streaming", False):
            continue
        for where, text in ui_texts(response.content.decode("utf-8", "replace")):
            words = latin_words(text, allowed)
            if words:
                found[url].add(f"{where}: {text[:120]}")
    return found


ROLES = (Role.EDITOR, Role.APPROVER, Role.ANALYST, Role.INTAKE_CLERK)


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return build_world()


def test_every_staff_screen_is_in_chinese(client, world):
    b = world.department_b
    users = [UserFactory.with_role(r, department=b, username=f"zh_{r}") for r in ROLES]
    users += [
        UserFactory.with_role(Role.PRIVACY_OFFICER, username="zh_privacy"),
        UserFactory.with_role(Role.ASSESSOR, username="zh_assessor"),
    ]
    # The site administrator reaches Wagtail's own screens too (users, groups, sites, workflows,
    # tasks, reports, redirects, collections…): about 25 s of the walk's 2–3 minutes.
    users.append(UserFactory(username="zh_admin", is_superuser=True, is_staff=True))
    # The searches of the leak test (?q=…) add nothing here: one URL per screen.
    urls = [url for url in resolver_urls(world) if "?" not in url]
    allowed = data_words()
    client.raise_request_exception = False
    problems: dict[str, set[str]] = defaultdict(set)
    for user in users:
        client.force_login(user)
        for url, texts in english_on(client, urls, allowed).items():
            problems[url] |= texts
    report = "\n".join(f"{url}\n    " + "\n    ".join(sorted(t)) for url, t in problems.items())
    assert not problems, report


def test_the_approve_actions_are_not_garbled(client, world):
    """Wagtail appends "and Publish" to the final task's approve labels: "批准并发布 和发布"."""
    approver = world.department_b.staff.get(user__username__endswith="_approver").user
    Consultation.objects.filter(pk=world.draft.pk).update(locked=False, locked_by=None)
    client.force_login(approver)
    url = f"/admin/snippets/consultations/consultation/edit/{world.draft.pk}/"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    labels = [t for _w, t in ui_texts(html) if t.startswith("批准")]
    assert "批准并发布" in labels, labels
    assert "批准并附意见后发布" in labels, labels
    assert not [t for t in labels if "和发布" in t or "发布并发布" in t], labels
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Approve and publish and Publish" not in english
    assert "Approve and publish" in english


# The site administrator's menu in Wagtail's own words (issue 15). The project's catalogue is
# merged over Wagtail's, so a project msgid that is also Wagtail's ("Pages", "Groups", "From",
# "Reject"…) gave Wagtail's screens the project's meaning: the sidebar said 分页 for the page
# tree and 意见组 for the user groups, the redirects said 起始日期 → 截止日期 for old → new
# address. The project's own uses of these words carry a context now.
SITE_ADMIN_MENU = {
    "页面",
    "用户",
    "组",
    "站点",
    "工作流",
    "工作流任务",
    "重定向",
    "集合",
    "报告",
    "设置",
}
SHADOWED = {"分页", "意见组", "起始日期", "截止日期", "不采用", "移出"}


def _sidebar_labels(html: str) -> set[str]:
    return {text for where, text in ui_texts(html) if where == "json[label]"}


def test_the_site_administrators_menu_is_in_wagtails_words(client):
    admin = UserFactory(username="zh_menu_admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    labels = _sidebar_labels(client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert SITE_ADMIN_MENU <= labels, SITE_ADMIN_MENU - labels
    assert not labels & SHADOWED, labels & SHADOWED
    groups = client.get("/admin/groups/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "意见组" not in groups
    redirects = client.get("/admin/redirects/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert not [w for w in ("起始日期", "截止日期") if w in redirects]


def test_the_projects_own_words_keep_their_meaning():
    from django.utils import translation
    from django.utils.translation import gettext, pgettext

    with translation.override("zh-hans"):
        assert pgettext("similar opinions", "Groups") == "意见组"
        assert pgettext("similar opinions", "group") == "意见组"
        assert pgettext("similar opinions", "Move") == "移出"
        assert pgettext("date range", "From") == "起始日期"
        assert pgettext("date range", "To") == "截止日期"
        assert pgettext("suggested theme", "Reject") == "不采用"
        # …and Wagtail's (and Django's) stay theirs.
        shadowed = {m: gettext(m) for m in ("Groups", "group", "Move", "From", "To", "Reject")}
        assert not set(shadowed.values()) & SHADOWED, shadowed
        assert gettext("Pages") == "页面"
