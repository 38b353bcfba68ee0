"""Shared fixtures: a public site with the consultation index and an open consultation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from consultations.models import Clause, DraftVersion, Question
from consultations.roles import Role
from consultations.tests.factories import (
    AlternativeFactory,
    QuestionFactory,
    UserFactory,
    published_consultation,
)
from feedback.tests._receipt import receipt_from_redirect  # noqa: F401 (tests import it here)


@pytest.fixture(autouse=True)
def _clear_cache():
    from feedback.campaigns.tasks import forget_queued_tasks

    cache.clear()
    forget_queued_tasks()  # a task queued by an earlier test covers nothing in this one
    yield
    cache.clear()
    forget_queued_tasks()


@pytest.fixture(scope="session")
def _export_root(tmp_path_factory):
    return tmp_path_factory.mktemp("exports")


@pytest.fixture(autouse=True)
def _export_dir(settings, _export_root):
    """Export files go to the test session's own directory, not the shared temporary one."""
    settings.EXPORT_DIR = str(_export_root)


@pytest.fixture
def index_page(consultation_index):
    return consultation_index


def ensure_clauses(consultation, count: int = 2) -> list[Clause]:
    version = consultation.current_draft_version()
    if version is None:
        version = DraftVersion.objects.create(consultation=consultation, number=1)
    if not version.clauses.exists():
        for n in range(1, count + 1):
            Clause.objects.create(version=version, number=n, text=f"第{n}条的内容。")
    return list(version.clauses.order_by("number"))


@pytest.fixture
def open_consultation(db):
    now = timezone.now()
    consultation = published_consultation(
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30)
    )
    AlternativeFactory(consultation=consultation, title="方案甲", sort_order=0)
    AlternativeFactory(consultation=consultation, title="方案乙", sort_order=1)
    QuestionFactory(
        consultation=consultation, type=Question.Type.SINGLE, options="同意\n不同意", sort_order=0
    )
    QuestionFactory(
        consultation=consultation, type=Question.Type.MULTIPLE, options="甲\n乙\n丙", sort_order=1
    )
    QuestionFactory(consultation=consultation, type=Question.Type.SCALE, options="", sort_order=2)
    QuestionFactory(consultation=consultation, type=Question.Type.TEXT, options="", sort_order=3)
    ensure_clauses(consultation)
    return consultation


def form_url(consultation) -> str:
    return f"/consultations/{consultation.slug}/opinion/"


def fresh_token(client, consultation) -> str:
    response = client.get(form_url(consultation))
    assert response.status_code == 200
    match = re.search(r'name="token" value="([0-9a-f-]{36})"', response.content.decode())
    assert match, "the form carries a hidden idempotency token"
    return match.group(1)


def build_form(consultation, data=None, form_class=None, parts=None):
    """The opinion form (or ``form_class``) for ``consultation`` as the views build it, with
    the cached parts and fields (or the given ``parts``)."""
    from feedback.intake.forms import OpinionForm
    from feedback.intake.views import form_parts

    parts = parts or form_parts(consultation)
    return (form_class or OpinionForm)(
        data,
        consultation=consultation,
        alternatives=parts.alternatives,
        questions=parts.questions,
        clauses=parts.clauses,
        field_cache=parts.fields,
    )


# The people and the opinion of the privacy officers' tests (test_identity_*.py,
# test_privacy_audit_viewer.py); a module may define its own ``opinion``.
@pytest.fixture
def officer():
    return UserFactory.with_role(Role.PRIVACY_OFFICER)


@pytest.fixture
def second_officer():
    return UserFactory.with_role(Role.PRIVACY_OFFICER)


@pytest.fixture
def site_admin():
    return UserFactory.with_role(Role.SITE_ADMIN)


@pytest.fixture
def opinion(open_consultation):
    from feedback.tests._identity import opinion_with_contact

    return opinion_with_contact(open_consultation)
