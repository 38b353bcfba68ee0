"""``seed_demo``: the demo a newcomer sees on a fresh ``make run`` (issue 15).

The demo is seeded once for the whole module (it takes seconds): the module fixture opens a
transaction, seeds inside it and rolls it back at the end, so nothing stays in the test
database for other modules; each test runs in a savepoint inside it, as usual. The clock is a
fixed Sunday afternoon in Beijing, away from any statutory holiday.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from consultations.models import ChangeLogEntry, Consultation, Department, District
from consultations.roles import Role, user_department_id, user_roles
from feedback.models import (
    AffectedStatus,
    CampaignGroup,
    Channel,
    ClauseComment,
    Coding,
    ConsultationResponse,
    Disposition,
    ModerationState,
    QuestionAnswer,
    RiskAssessment,
    Stance,
    Submission,
    Theme,
    ThemeResponse,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 15, 7, 0, tzinfo=UTC)
PLANT = "waste-to-energy-plant-siting"
SCHOOL = "hekou-school-merger"
PARKING = "residential-parking-fees"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The output of one ``seed_demo`` run, in a transaction rolled back after the module."""
    clock = time_machine.travel(NOW, tick=False)
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-media"))
    with django_db_blocker.unblock():
        clock.start()
        media.enable()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = StringIO()
            with override_settings(DEBUG=True):
                started = timezone.now()
                call_command("seed_demo", "--if-empty", stdout=out)
            yield out.getvalue()
            assert started  # (the fixed clock)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            media.disable()
            clock.stop()
            cache.clear()


def staff(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def text(response) -> str:
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    return response.content.decode()


# -- the consultations -----------------------------------------------------------------------


def test_seed_publishes_consultations_of_several_kinds_and_states_through_the_rules(seeded):
    consultations = list(Consultation.objects.all())
    assert len(consultations) >= 5
    assert len({c.kind for c in consultations}) >= 4
    statuses = {c.status_at(NOW) for c in consultations}
    assert {"open", "upcoming"} <= statuses
    # After the close: answered (the school merger) and waiting or decided (the parking rules).
    assert statuses & {"closed", "response_published", "decided"}
    # Publishing went through save_revision().publish(), which froze draft version 1.
    for consultation in consultations:
        assert consultation.live and consultation.live_revision is not None
        assert consultation.draft_versions.get(number=1).clauses.exists()
        assert consultation.plain_summary and consultation.plain_summary_en
        assert consultation.change_log.filter(type=ChangeLogEntry.Type.PUBLISHED).exists()


def test_seeded_consultations_show_extension_shortening_and_consistent_history(seeded):
    plant = Consultation.objects.get(slug=PLANT)
    assert plant.kind == Consultation.Kind.MAJOR_DECISION
    assert plant.draft_clauses.count() == 10
    assert plant.alternatives.count() == 2
    assert {q.type for q in plant.questions.all()} == {"single", "multiple", "scale", "text"}
    assert plant.stability_status == Consultation.StabilityStatus.IN_PROGRESS
    assert plant.attachments.get().document.file.read().decode().startswith("示例市")
    assert plant.change_log.filter(type=ChangeLogEntry.Type.EXTENDED).count() == 1

    rules = Consultation.objects.get(kind=Consultation.Kind.DRAFT_RULES)
    assert (rules.closes_at - rules.opens_at).days < 30
    assert rules.shortened_reason and rules.shortened_reason_en

    closed = Consultation.objects.get(slug=PARKING)
    published = closed.change_log.get(type=ChangeLogEntry.Type.PUBLISHED)
    assert published.created_at < closed.opens_at < closed.closes_at < NOW
    school = Consultation.objects.get(slug=SCHOOL)
    answered = school.change_log.get(
        type=ChangeLogEntry.Type.STAGE, summary_en__contains="response published"
    ).created_at
    submitted = school.change_log.get(type=ChangeLogEntry.Type.RESPONSE_SUBMITTED).created_at
    assert school.closes_at < submitted < answered < NOW


def test_seed_creates_one_user_per_role_with_departments(seeded):
    users = get_user_model().objects
    for role in Role.values:
        assert any(role in user_roles(u) for u in users.all()), role
    approver = users.get(username="approver")
    assert approver.check_password("tingjian-demo")
    assert users.get(username="editor3").check_password("tingjian-demo")
    assert user_department_id(approver) == Department.objects.get(name="示例市生态环境局").pk
    assert users.get(username="admin").is_superuser
    assert District.objects.filter(level=District.Level.COMMUNITY).count() >= 2


def test_seed_if_empty_second_run_creates_nothing(seeded, tmp_path):
    counts = (
        Consultation.objects.count(),
        ChangeLogEntry.objects.count(),
        Submission.objects.count(),
    )
    with override_settings(DEBUG=True, MEDIA_ROOT=tmp_path):
        call_command("seed_demo", "--if-empty", stdout=StringIO())
    after = (
        Consultation.objects.count(),
        ChangeLogEntry.objects.count(),
        Submission.objects.count(),
    )
    assert after == counts
    assert get_user_model().objects.filter(username="admin").count() == 1


def test_seed_refuses_without_debug_unless_forced(seeded):
    counts = (get_user_model().objects.count(), Submission.objects.count())
    with override_settings(DEBUG=False), pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    assert (get_user_model().objects.count(), Submission.objects.count()) == counts


def test_the_demo_shows_an_audit_checkpoint_from_the_start(seeded, client):
    """The public checkpoints page is not empty on a fresh `make run` (the worker adds one daily)."""
    from feedback.models import AuditCheckpoint

    assert AuditCheckpoint.objects.count() == 1
    response = client.get("/audit/checkpoints.json")
    assert response.status_code == 200 and response.json()


# -- the opinions -----------------------------------------------------------------------------


def test_the_open_major_decision_has_hundreds_of_opinions_through_every_channel(seeded):
    plant = Consultation.objects.get(slug=PLANT)
    opinions = Submission.objects.filter(consultation=plant)
    assert 300 <= opinions.count() <= 600
    # Every channel an opinion is given or entered through (hearing statements have their own
    # record, demo_content/hearings.py).
    typed = {
        Channel.WEB,
        Channel.PHONE,
        Channel.LETTER,
        Channel.WALK_IN,
        Channel.SYMPOSIUM,
        Channel.FIELD_VISIT,
        Channel.EMAIL,
        Channel.HOTLINE,
    }
    assert set(opinions.values_list("channel", flat=True)) >= typed
    assert set(opinions.values_list("stance", flat=True)) >= set(Stance.values)
    assert set(opinions.values_list("affected_status", flat=True)) >= set(AffectedStatus.values)
    # Varied texts: far more distinct texts than campaign copies.
    assert opinions.values("text_hash").distinct().count() > 200
    assert ClauseComment.objects.filter(submission__consultation=plant).count() >= 30
    answers = QuestionAnswer.objects.filter(submission__consultation=plant)
    for question in plant.questions.all():
        assert answers.filter(question=question).count() >= 20, question.type
    assert opinions.filter(alternative_preferences__isnull=False).distinct().count() >= 100
    # Offline opinions were received on a day before they were entered, within the period.
    offline = opinions.exclude(channel=Channel.WEB)
    assert offline.count() >= 100
    for submitted_on, received_at, clerk in offline.values_list(
        "submitted_on", "received_at", "entered_by__username"
    ):
        assert clerk == "intake"
        assert timezone.localdate(plant.opens_at) <= submitted_on < timezone.localdate(received_at)
    # Web opinions arrived during the period that has passed.
    web = opinions.filter(channel=Channel.WEB)
    assert all(plant.opens_at <= t <= NOW for t in web.values_list("received_at", flat=True))


def test_moderation_cases_are_hidden_or_waiting_and_still_counted(seeded):
    plant = Consultation.objects.get(slug=PLANT)
    opinions = Submission.objects.filter(consultation=plant)
    assert opinions.filter(withdrawn=True).count() >= 5
    hidden = opinions.filter(moderation_state=ModerationState.HIDDEN)
    assert hidden.count() >= 3  # abuse and advertising: hidden, never deleted
    assert opinions.filter(moderation_state=ModerationState.SHOWN).count() >= 100
    flagged = opinions.filter(moderation_state=ModerationState.PENDING, quote_consent=True).exclude(
        personal_data=""
    )
    assert flagged.exclude(personal_data=None).count() >= 2  # personal details: for a moderator
    # Every opinion counts, hidden ones too.
    from feedback.analysis.aggregates import register_totals

    assert register_totals(plant)["received"] == opinions.count()


def test_a_campaign_is_grouped_and_themes_are_coded(seeded):
    plant = Consultation.objects.get(slug=PLANT)
    sizes = sorted(
        (g.members.count() for g in CampaignGroup.objects.filter(consultation=plant)), reverse=True
    )
    assert sizes[0] >= 30 and sizes[1] >= 10  # the long and the short form letter
    assert len(sizes) <= 12  # composed opinions are not taken for copies of each other
    themes = Theme.objects.filter(consultation=plant)
    assert themes.count() >= 8
    for theme in themes:
        assert Coding.objects.filter(theme=theme).count() >= 10, theme.name
    assert Coding.objects.filter(theme__consultation=plant, source=Coding.Source.GROUP).exists()
    assert Submission.objects.filter(consultation=plant).exclude(no_theme_reason="").count() >= 2
    # Coding is under way while it is open: some opinions are left for the analyst.
    from feedback.response.selectors import uncoded_opinions

    assert uncoded_opinions(plant).count() >= 10


def test_the_assessor_has_a_record_confirmed_by_a_second_person(seeded):
    assessment = RiskAssessment.objects.get(consultation__slug=PLANT)
    assert assessment.level and assessment.reasons and assessment.measures.count() >= 3
    assert assessment.confirmed_by is not None
    assert assessment.confirmed_by_id != assessment.recorded_by_id


def test_the_closed_consultations_have_opinions(seeded):
    for slug in (PARKING, SCHOOL):
        # (Opinions during implementation come after the decision: test below.)
        opinions = Submission.objects.filter(consultation__slug=slug, phase="consultation")
        assert opinions.count() >= 20, slug
        assert opinions.filter(withdrawn=True).exists()
        closes = Consultation.objects.get(slug=slug).closes_at
        assert all(t < closes for t in opinions.values_list("received_at", flat=True))


def test_the_school_merger_has_a_response_published_by_two_people_with_its_pdf(seeded):
    school = Consultation.objects.get(slug=SCHOOL)
    # Publishing the response set the stage (a decision may have followed, decisions.py).
    assert school.stage in (Consultation.Stage.RESPONSE_PUBLISHED, Consultation.Stage.DECIDED)
    assert school.change_log.filter(
        type=ChangeLogEntry.Type.STAGE, summary_en__contains="response published"
    ).exists()
    response = ConsultationResponse.objects.get(consultation=school)
    assert response.published_at and response.submitted_by_id != response.published_by_id
    assert response.draft_to.number == 2
    answers = ThemeResponse.objects.filter(theme__consultation=school)
    assert answers.count() == Theme.objects.filter(consultation=school).count() >= 4
    assert {Disposition.ADOPTED, Disposition.PARTLY, Disposition.NOT_ADOPTED} <= set(
        answers.values_list("disposition", flat=True)
    )
    assert all(a.reason and a.reason_en for a in answers)
    from feedback.response.views import pdf_cache_key

    for language in ("zh-hans", "en"):
        assert cache.get(pdf_cache_key(response, language)).startswith(b"%PDF"), language


# -- every screen shows something -------------------------------------------------------------


def test_the_public_pages_show_the_demo(seeded, client):
    plant = Consultation.objects.get(slug=PLANT)
    opinions = text(client.get(f"/consultations/{PLANT}/opinions/"))
    shown = Submission.objects.filter(
        consultation=plant, moderation_state=ModerationState.SHOWN
    ).first()
    assert shown.comment[:12] in opinions
    response_page = text(client.get(f"/consultations/{SCHOOL}/response/"))
    for theme in Theme.objects.filter(consultation__slug=SCHOOL):
        assert theme.name in response_page
    assert len(re.findall(r"data-quote", response_page)) >= 5
    pdf = client.get(f"/consultations/{SCHOOL}/response/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert 'id="response-published"' in text(client.get(f"/consultations/{SCHOOL}/"))
    assert f"/consultations/{SCHOOL}/response/" in text(client.get("/"))
    # The receipt look-up finds a demo opinion.
    sub = Submission.objects.filter(
        consultation__slug=SCHOOL, withdrawn=False, phase="consultation"
    ).first()
    code = f"{sub.receipt[:4]}-{sub.receipt[4:8]}-{sub.receipt[8:]}"
    assert client.post("/consultations/receipt/", {"code": code}).status_code == 303
    receipt = text(client.get("/consultations/receipt/"))
    assert code in receipt
    answer = ThemeResponse.objects.filter(theme__codings__submission=sub).first()
    assert answer is not None and answer.reason[:10] in receipt  # the official answer to it


def test_the_staff_screens_show_the_demo(seeded):
    plant = Consultation.objects.get(slug=PLANT)
    school = Consultation.objects.get(slug=SCHOOL)
    analyst = staff("analyst")
    queue_url = reverse("feedback_review:queue", args=[plant.pk])
    assert text(analyst.get(queue_url)).count('class="tj-review-item"') >= 10
    flagged = text(analyst.get(queue_url, {"state": "flagged"}))
    assert flagged.count('class="tj-review-item"') >= 2 and "13800138000" not in flagged
    campaigns = text(analyst.get(reverse("feedback_campaigns:list", args=[plant.pk])))
    biggest = max(CampaignGroup.objects.filter(consultation=plant), key=lambda g: g.members.count())
    assert reverse("feedback_campaigns:group", args=[plant.pk, biggest.pk]) in campaigns
    frame = text(analyst.get(reverse("feedback_coding:frame", args=[plant.pk])))
    assert all(t.name in frame for t in Theme.objects.filter(consultation=plant))
    coding = analyst.get(reverse("feedback_coding:screen_start", args=[plant.pk]), follow=True)
    assert coding.status_code == 200
    dashboard = text(analyst.get(reverse("feedback_analysis:dashboard", args=[plant.pk])))
    assert str(Submission.objects.filter(consultation=plant).count()) in dashboard
    risk = text(staff("assessor").get(reverse("feedback_risk:dashboard", args=[plant.pk])))
    assert "烟气和二噁英排放" in risk
    screen = text(staff("editor3").get(reverse("feedback_response:screen", args=[school.pk])))
    assert screen.count("data-theme-examples") == Theme.objects.filter(consultation=school).count()


def test_the_decided_school_merger_shows_opinions_during_implementation(seeded, client):
    """Issue 16 point 5: the channel, its public count past the threshold, the listing of the
    opinions staff published, and the prompt on the department's screens."""
    from cms.staff_home.panels import rows_for

    school = Consultation.objects.get(slug=SCHOOL)
    during = Submission.objects.filter(consultation=school, phase="implementation")
    assert during.count() >= 30
    page = text(client.get(f"/consultations/{SCHOOL}/"))
    assert f"实施期间已收到 {during.count()} 条意见" in page
    assert 'id="evaluation-asked"' in page
    shown = during.filter(moderation_state=ModerationState.SHOWN).first()
    listing = text(client.get(f"/consultations/{SCHOOL}/implementation/opinions/"))
    assert shown.comment[:10] in listing
    assert client.get(f"/consultations/{SCHOOL}/implementation/").status_code == 200
    for username in ("editor3", "approver3"):
        user = get_user_model().objects.get(username=username)
        assert any(row.key == "evaluation" for row in rows_for(user)), username
    assert not any(
        row.key == "evaluation" for row in rows_for(get_user_model().objects.get(username="editor"))
    )
    chain = text(staff("approver3").get(f"/admin/consultations/{school.pk}/decision-chain/"))
    assert 'id="evaluation-prompt"' in chain
