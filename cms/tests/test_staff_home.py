"""Issue 15: the staff home page shows each role its work, counted and linked, for its own
department only; the consultation list says "待审批" for a draft awaiting approval."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from cms.staff_home.panels import rows_for
from consultations.models import Consultation
from consultations.roles import Role
from consultations.tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    UserFactory,
    make_openable,
    published_consultation,
)
from feedback.intake.services import OpinionData, submission_create

pytestmark = pytest.mark.django_db


def _opinion(consultation, text="我反对选址。"):
    data = OpinionData(stance="oppose", comment=text, quote_consent=True)
    submission_create(consultation=consultation, data=data, token=uuid.uuid4())


def _department(tag: str, *, drafts: int, waiting: int, to_moderate: int, overdue: int):
    """A department with known numbers of each kind of work (titles carry ``tag``)."""
    department = DepartmentFactory(name=f"{tag}局", slug=f"dept-{tag.lower()}")
    editor = UserFactory.with_role(Role.EDITOR, department=department)
    for n in range(drafts):
        ConsultationFactory(department=department, title=f"{tag}DRAFT{n}", slug=f"{tag}-d{n}")
    for n in range(waiting):
        draft = ConsultationFactory(
            department=department, title=f"{tag}WAIT{n}", slug=f"{tag}-w{n}"
        )
        make_openable(draft)
        draft.save_revision(user=editor)
        draft.get_workflow().start(draft, editor)
    now = timezone.now()
    closing = published_consultation(
        department=department,
        title=f"{tag}CLOSING",
        slug=f"{tag}-closing",
        opens_at=now - timedelta(days=40),
        closes_at=now + timedelta(days=3),
    )
    for n in range(to_moderate):
        _opinion(closing, f"意见{n}")
    for n in range(overdue):
        late = published_consultation(
            department=department, title=f"{tag}LATE{n}", slug=f"{tag}-late{n}"
        )
        Consultation.objects.filter(pk=late.pk).update(
            opens_at=now - timedelta(days=120),
            closes_at=now - timedelta(days=80),
            decided_at=now - timedelta(days=60),
        )
    return department


@pytest.fixture
def two_departments():
    a = _department("ALPHA", drafts=1, waiting=1, to_moderate=2, overdue=1)
    b = _department("BETA", drafts=3, waiting=2, to_moderate=5, overdue=2)
    return a, b


def counts(rows) -> dict[str, int]:
    return {row.key: row.count for row in rows}


def test_an_editor_counts_only_the_own_department(two_departments):
    a, b = two_departments
    editor = UserFactory.with_role(Role.EDITOR, department=a)
    assert counts(rows_for(editor)) == {
        "drafts": 1,
        "approval": 1,
        "closing": 1,
        "moderate": 2,
        "answer": 1,
        "overdue": 1,
    }
    other = UserFactory.with_role(Role.APPROVER, department=b)
    assert counts(rows_for(other)) == {
        "drafts": 3,
        "approval": 2,
        "closing": 1,
        "moderate": 5,
        "answer": 2,
        "overdue": 2,
    }


def test_each_role_sees_its_own_rows(two_departments):
    a, _b = two_departments
    analyst = UserFactory.with_role(Role.ANALYST, department=a)
    assert counts(rows_for(analyst)) == {"moderate": 2}
    clerk = UserFactory.with_role(Role.INTAKE_CLERK, department=a)
    assert rows_for(clerk) == []
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert counts(rows_for(admin)) == {
        "drafts": 4,
        "approval": 3,
        "closing": 2,
        "moderate": 7,
        "answer": 3,
        "overdue": 3,
    }


def test_the_home_page_shows_counts_and_links_and_nothing_of_the_other_department(
    client, two_departments
):
    a, _b = two_departments
    client.force_login(UserFactory.with_role(Role.EDITOR, department=a))
    html = client.get("/admin/").content.decode()
    panel = html[html.index('class="tj-work"') :]
    panel = panel[: panel.index("</section>")]
    shown = dict(re.findall(r'data-count="(\w+)">(?:<strong>)?(\d+)', panel))
    assert shown == {
        "drafts": "1",
        "approval": "1",
        "closing": "1",
        "moderate": "2",
        "answer": "1",
        "overdue": "1",
    }
    assert "我的工作" in panel and "反馈逾期" in panel and "待审批" in panel
    assert 'href="/admin/review/"' in panel and 'href="/admin/response/"' in panel
    assert "BETA" not in html


def test_the_list_says_awaiting_approval_for_a_draft_in_the_workflow(client, two_departments):
    a, _b = two_departments
    client.force_login(UserFactory.with_role(Role.EDITOR, department=a))
    html = client.get("/admin/snippets/consultations/consultation/").content.decode()
    row = html[html.index("ALPHAWAIT0") :]
    row = row[: row.index("</tr>")]
    assert "待审批" in row and "未发布" not in row
    plain = html[html.index("ALPHADRAFT0") :]
    assert "待审批" not in plain[: plain.index("</tr>")]


def test_help_menu_and_guides_are_the_projects_own(client):
    user = UserFactory.with_role(Role.EDITOR, department=DepartmentFactory())
    client.force_login(user)
    html = client.get("/admin/").content.decode()
    assert "guide.wagtail.org" not in html and "docs.wagtail.org" not in html
    assert "/admin/guides/" in html
    page = client.get("/admin/guides/moderation/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "意见公开展示与审核指南" in body
    assert 'id="moderating"' in body  # headings carry anchors
    assert client.get("/admin/guides/..%2Fdeployment/").status_code == 404
    assert client.get("/admin/guides/deployment/").status_code == 404


def test_guides_render_markdown_without_raw_html_or_unsafe_links(settings, tmp_path, monkeypatch):
    from cms.staff_help import guides

    (tmp_path / "officials-guide.md").write_text(
        "# T\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) "
        "[g](moderation-guide.md#moderating) [r](../README.md)\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(guides, "DOCS", tmp_path)
    guides._render.cache_clear()
    html = str(guides.render(guides.BY_SLUG["officials"]))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html.split("[x]")[0] or 'href="javascript' not in html
    assert 'href="/admin/guides/moderation/#moderating"' in html
    assert "README" not in re.findall(r'href="([^"]*)"', html).__str__()
    guides._render.cache_clear()
