"""Staff pages call no third party (issue 12, point 11): every admin page carries a
Content-Security-Policy of our own origin only, and no avatar or asset comes from elsewhere."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from consultations.roles import Role
from consultations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "wagtailadmin_home",
    "wagtailadmin_account",
    "wagtailusers_users:index",
    "feedback_analysis:choose",
    "feedback_coding:choose",
    "feedback_review:index",
]
# What a page loads or sends by itself (scripts, images, styles, fonts, forms); plain links a
# person may follow (Wagtail's user guide) are not calls and go without a Referer.
EXTERNAL = re.compile(
    r"""(?:\bsrc|srcset|action|<link[^>]*\bhref)=["'](?:https?:)?//(?!testserver)"""
)


@pytest.fixture
def staff_client(client, open_consultation):
    user = UserFactory(
        roles=[Role.EDITOR, Role.ANALYST],
        department=open_consultation.department,
        is_superuser=True,
        is_staff=True,
        email="someone@example.org",
    )
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", PAGES)
def test_staff_pages_send_an_own_origin_policy_and_link_nothing_outside(staff_client, name):
    response = staff_client.get(reverse(name))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    for name_ in ("default-src", "script-src", "img-src", "connect-src", "font-src", "style-src"):
        sources = directives[name_].split()
        assert sources[0] == "'self'"
        assert all(s in {"'self'", "'unsafe-inline'", "data:", "blob:"} for s in sources), sources
    assert directives["object-src"] == "'none'"
    html = response.content.decode()
    assert "gravatar" not in html.lower()
    assert EXTERNAL.findall(html) == []


def test_the_public_policy_stays_strict_without_inline_code(client, open_consultation):
    response = client.get("/")
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
