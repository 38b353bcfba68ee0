"""稳评 evidence: aggregate-only dashboard, people set the level, no scores on people (R33–R36)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLResolver

from consultations.models import Consultation
from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.analysis.suppression import PROTECTS, WITHHELD, is_hidden
from feedback.models import (
    AuditAction,
    AuditEntry,
    Channel,
    RiskAssessment,
    RiskLevel,
    Stance,
    Submission,
)
from feedback.risk.levels import LEVEL_DEFINITIONS
from feedback.risk.selectors import dashboard
from feedback.tests.response_fixtures import add_opinion, build_world

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(consultation_index):
    return build_world()


@pytest.fixture
def assessor():
    return UserFactory.with_role(Role.ASSESSOR)


def dash_url(world) -> str:
    return reverse("feedback_risk:dashboard", args=[world.consultation.pk])


# --- what the assessor sees ----------------------------------------------------------------


def test_dashboard_shows_aggregates_without_opinions_or_receipts(client, world, assessor):
    client.force_login(assessor)
    response = client.get(dash_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    for s in Submission.objects.filter(consultation=world.consultation):
        assert s.formatted_receipt not in html and s.receipt not in html
        assert s.comment not in html
    for secret in ("resident1@example.org", "13800138000"):
        assert secret not in html
    assert "<5" in html or "&lt;5" in html  # seven opinions: small cells are hidden
    assert "环境监测" in html  # theme names are aggregates, they may appear


def test_small_cells_are_suppressed(world):
    data = dashboard(world.consultation)
    for table in data["tables"]:
        for _affected, cells, total in table.rows:
            for cell in cells:
                assert is_hidden(cell) or cell == 0 or cell >= 5
            assert is_hidden(total) or total == 0 or total >= 5
    # Six opinions not withdrawn; two opposing residents only: suppressed.
    assert data["analysed"] == 6
    assert is_hidden(data["affected"]["total"]) or data["affected"]["total"] >= 5


def test_figures_appear_once_cells_are_large_enough(world):
    c = world.consultation
    Consultation.objects.filter(pk=c.pk).update(closes_at=c.closes_at.replace(year=2099))
    c.refresh_from_db()
    for _ in range(6):
        add_opinion(c, channel=Channel.SYMPOSIUM, stance=Stance.OPPOSE)
    data = dashboard(c)
    # One supporting resident: that cell is hidden ("<5"), and so (complementary suppression)
    # is the other cell of the row (10), labelled as hidden to protect it, never "<5".
    live_row = next(row for row in data["tables"][0].rows if row[0] == "live")
    assert live_row[1][data["stance_columns"].index(Stance.SUPPORT)] is None
    oppose = live_row[1][data["stance_columns"].index(Stance.OPPOSE)]
    assert oppose in (PROTECTS, WITHHELD)
    for _ in range(5):
        add_opinion(c, channel=Channel.FIELD_VISIT, stance=Stance.SUPPORT)
    data = dashboard(c)
    live_row = next(row for row in data["tables"][0].rows if row[0] == "live")
    assert live_row[1][data["stance_columns"].index(Stance.SUPPORT)] == 6
    # Residents opposing (10) stay hidden: with the 11 opposing of the page and the directly
    # affected line they would give away the one opposing property owner (11 - 10 = 1).
    assert live_row[1][data["stance_columns"].index(Stance.OPPOSE)] in (PROTECTS, WITHHELD)
    assert data["affected"]["oppose"] >= 5 and data["affected"]["share"] is not None
    methods = {value: count for value, _label, count, _offline in data["methods"]}
    # Symposiums (6) and field visits (5) protect the one phone call and the one letter: with
    # 18 received, web "hidden" (5 or more) and both shown, 1 + 1 would follow.
    assert methods[Channel.PHONE] is None and methods[Channel.LETTER] is None
    assert methods[Channel.SYMPOSIUM] is PROTECTS and methods[Channel.FIELD_VISIT] is PROTECTS
    assert sum(row["opinions"] for row in data["trend"] if not is_hidden(row["opinions"])) >= 6


def test_level_definitions_are_quoted_verbatim_and_no_level_until_recorded(client, world, assessor):
    rules = (Path("/work/shared/design/rules-zh.md")).read_text(encoding="utf-8")
    client.force_login(assessor)
    html = client.get(dash_url(world)).content.decode()
    for _value, name, text in LEVEL_DEFINITIONS:
        assert f"{name}：{text}。" in rules  # the exact wording of 2492号 Art. 4 (rules-zh §2.2)
        assert text in html
    # Cited by the documents' numbers and titles, not a website (issue 15).
    source = re.search(r'<p class="help" id="level-source">(.*?)</p>', html, re.S).group(1)
    assert (
        "发改投资〔2012〕2492号" in source
        and "社会稳定风险分析篇章编制大纲及说明（试行）" in source
    )
    assert "http" not in source and "www." not in source
    assert not RiskAssessment.objects.exists()
    recorded = re.search(r'<p id="recorded-level">(.*?)</p>', html, re.S).group(1)
    for _value, name, _text in LEVEL_DEFINITIONS:
        assert name not in recorded
    for value in RiskLevel.values:
        radio = re.search(rf'<input[^>]*name="level" value="{value}"[^>]*>', html).group(0)
        assert "checked" not in radio


def test_assessor_records_level_measures_and_discloses(client, world, assessor):
    client.force_login(assessor)
    health = world.themes[0]
    post = {
        "level": RiskLevel.MEDIUM,
        "reasons": "居民对环境监测意见集中，需完善方案。",
        "disclose": "on",
        "m-TOTAL_FORMS": "3",
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "30",
        "m-0-theme": str(health.pk),
        "m-0-concern": "排放对健康的影响",
        "m-0-measure": "安装在线监测并每月公开数据",
    }
    response = client.post(dash_url(world), post)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuditEntry.objects.filter(action=AuditAction.RISK).count() == 1
    # Issue 13: nothing counts or is disclosed until a second person confirms.
    assessment = RiskAssessment.objects.get(consultation=world.consultation)
    assert assessment.level == "" and not assessment.measures.exists()
    assert Consultation.objects.get(pk=world.consultation.pk).stability_level == ""
    confirm_as_second_person(world)
    assessment.refresh_from_db()
    assert assessment.level == RiskLevel.MEDIUM and assessment.recorded_by == assessor
    assert assessment.measures.get().theme == health
    c = Consultation.objects.get(pk=world.consultation.pk)
    assert c.stability_level == RiskLevel.MEDIUM
    assert "安装在线监测并每月公开数据" in c.stability_measures
    # Withdrawing disclosure clears the public copy (once confirmed too).
    post.pop("disclose")
    client.post(dash_url(world), post)
    confirm_as_second_person(world)
    c.refresh_from_db()
    assert c.stability_level == "" and c.stability_measures == ""


def confirm_as_second_person(world):
    from django.test import Client

    from feedback.risk.selectors import pending_change

    second = Client()
    second.force_login(UserFactory.with_role(Role.SITE_ADMIN))
    change = pending_change(world.consultation)
    url = reverse("feedback_risk:decide", args=[world.consultation.pk])
    assert second.post(url, {"change": change.pk, "decision": "confirm"}).status_code == 302


def test_a_level_needs_reasons(client, world, assessor):
    client.force_login(assessor)
    response = client.post(
        dash_url(world),
        {"level": "high", "reasons": "", "m-TOTAL_FORMS": "0", "m-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 400
    assert not RiskAssessment.objects.exists()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.APPROVER, Role.ANALYST, Role.INTAKE_CLERK])
def test_only_the_assessor_and_site_admins_see_the_dashboard(client, world, role):
    user = UserFactory.with_role(role, department=world.consultation.department)
    client.force_login(user)
    assert client.get(dash_url(world)).status_code in (302, 403)
    assert client.get(reverse("feedback_risk:choose")).status_code in (302, 403)


# --- the assessor reaches no record-level data ---------------------------------------------


# The assessor's own screens: the evidence and the 稳评 chapter (issue 16).
OWN = ("feedback_risk", "feedback_risk_chapter")


def _feedback_admin_urls(world):
    """Every URL of the feedback staff screens except the assessor's own, with sample args."""
    values = {
        "consultation_id": world.consultation.pk,
        "theme_id": world.themes[0].pk,
        "submission_id": world.subs[0].pk,
        "pk": world.subs[0].pk,
        "code": world.subs[0].formatted_receipt,
        "group_id": 1,
        "job_id": 1,
    }
    urls = []

    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                walk(p.url_patterns, ns)
            elif namespace.startswith("feedback_") and namespace not in OWN and p.name:
                params = list(p.pattern.regex.groupindex)
                if all(k in values for k in params):
                    urls.append(
                        reverse(f"{namespace}:{p.name}", kwargs={k: values[k] for k in params})
                    )

    walk(get_resolver().url_patterns)
    return urls


def test_assessor_is_refused_on_every_other_feedback_screen(client, world, assessor):
    urls = _feedback_admin_urls(world)
    assert any("/intake/" in u for u in urls) and any("/response/" in u for u in urls)
    client.force_login(assessor)
    for url in urls:
        assert client.get(url).status_code in (302, 403, 404, 405), url
        assert client.post(url, {}).status_code in (302, 403, 404, 405), url
    # Nor the opinion exports or lists in Wagtail's generic views, if any are registered.
    for url in ("/admin/snippets/feedback/submission/", "/admin/feedback/submission/"):
        assert client.get(url).status_code in (302, 403, 404), url


# --- no code path scores a person or an opinion --------------------------------------------

SCORE_NAME = re.compile(r"score|risk|level", re.I)
ALLOWED_FIELDS = {
    ("feedback", "riskassessment", "level"),
    ("consultations", "consultation", "stability_level"),
}


def test_no_model_of_a_person_or_an_opinion_has_a_score_field():
    person_or_opinion = {
        apps.get_model("feedback", "Submission"),
        apps.get_model("feedback", "Contact"),
        apps.get_model("feedback", "ContactAccessLog"),
        apps.get_model("feedback", "Notification"),
    }
    # Staff accounts and their profiles have no such field either.
    from django.contrib.auth import get_user_model

    staff_models = [get_user_model(), apps.get_model("consultations", "StaffProfile")]
    for model in staff_models:
        for f in model._meta.concrete_fields:
            assert not SCORE_NAME.search(f.name), (model._meta.label, f.name)
    checked = []
    for app_label in ("feedback", "consultations", "cms"):
        for model in apps.get_app_config(app_label).get_models():
            linked = model in person_or_opinion or any(
                f.related_model in person_or_opinion
                for f in model._meta.get_fields()
                if f.is_relation and (f.many_to_one or f.one_to_one) and f.concrete
            )
            if not linked:
                continue  # e.g. District.level is an administrative level, not a score
            checked.append(model._meta.label)
            for f in model._meta.concrete_fields:
                name = f.name
                key = (model._meta.app_label, model._meta.model_name, name)
                assert not SCORE_NAME.search(name) or key in ALLOWED_FIELDS, key
    assert {"feedback.Submission", "feedback.Coding", "feedback.ClauseComment"} <= set(checked)
    # The assessor's record is about a consultation, never a person or an opinion.
    level_owner = RiskAssessment._meta.get_field("consultation").related_model
    assert level_owner is Consultation


def test_only_the_assessor_service_writes_a_risk_level():
    """Source scan: nothing but feedback/risk/services.py assigns RiskAssessment.level or the
    public stability level from the 稳评 module; no code computes one."""
    writers = []
    pattern = re.compile(r"(\.level\s*=(?!=)|\blevel\s*=\s*[^=]|stability_level\"?\s*[:=])")
    for path in (ROOT / "feedback").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if "/tests/" in rel or "/migrations/" in rel or rel == "feedback/models/risk.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "RiskAssessment" not in text and "stability_level" not in text:
            continue
        if pattern.search(text):
            writers.append(rel)
    assert writers == ["feedback/risk/services.py"], writers


def test_dashboard_says_n_opinions_m_distinct_texts_k_groups(client, world, assessor):
    from feedback.analysis.aggregates import register_totals

    client.force_login(assessor)
    html = client.get(dash_url(world)).content.decode()
    totals = register_totals(world.consultation)
    assert (
        f'id="campaign-summary" data-opinions="{totals["received"]}" '
        f'data-distinct-texts="{totals["distinct_texts"]}" '
        f'data-groups="{totals["campaign_groups"]}"'
    ) in html
