from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from consultations.models import ChangeLogEntry, Consultation, Department, District
from consultations.roles import Role, user_department_id, user_roles

pytestmark = pytest.mark.django_db

# A Sunday afternoon in Beijing, away from any statutory holiday.
NOW = datetime(2026, 3, 15, 7, 0, tzinfo=UTC)


@pytest.fixture
def seeded(tmp_path):
    with (
        time_machine.travel(NOW, tick=False),
        override_settings(DEBUG=True, MEDIA_ROOT=tmp_path),
    ):
        out = StringIO()
        call_command("seed_demo", "--if-empty", stdout=out)
        yield out.getvalue()


def test_seed_publishes_consultations_of_several_kinds_and_states_through_the_rules(seeded):
    consultations = list(Consultation.objects.all())
    assert len(consultations) >= 5
    assert len({c.kind for c in consultations}) >= 4
    assert {"open", "upcoming", "closed", "response_published"} <= {
        c.status_at(NOW) for c in consultations
    }
    # Publishing went through save_revision().publish(), which froze draft version 1.
    for consultation in consultations:
        assert consultation.live and consultation.live_revision is not None
        assert consultation.draft_versions.get(number=1).clauses.exists()
        assert consultation.plain_summary and consultation.plain_summary_en
        assert consultation.change_log.filter(type=ChangeLogEntry.Type.PUBLISHED).exists()


def test_seeded_consultations_show_extension_shortening_and_consistent_history(seeded):
    plant = Consultation.objects.get(slug="waste-to-energy-plant-siting")
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

    closed = Consultation.objects.get(slug="residential-parking-fees")
    published = closed.change_log.get(type=ChangeLogEntry.Type.PUBLISHED)
    assert published.created_at < closed.opens_at < closed.closes_at < NOW
    school = Consultation.objects.get(kind=Consultation.Kind.OTHER)
    assert school.change_log.get(type=ChangeLogEntry.Type.STAGE).created_at > school.closes_at


def test_seed_creates_one_user_per_role_with_departments(seeded):
    users = get_user_model().objects
    for role in Role.values:
        assert any(role in user_roles(u) for u in users.all()), role
    approver = users.get(username="approver")
    assert approver.check_password("tingjian-demo")
    assert user_department_id(approver) == Department.objects.get(name="示例市生态环境局").pk
    assert users.get(username="admin").is_superuser
    assert District.objects.filter(level=District.Level.COMMUNITY).count() >= 2


def test_seed_if_empty_second_run_creates_nothing(seeded, tmp_path):
    counts = (Consultation.objects.count(), ChangeLogEntry.objects.count())
    with time_machine.travel(NOW, tick=False), override_settings(DEBUG=True, MEDIA_ROOT=tmp_path):
        out = StringIO()
        call_command("seed_demo", "--if-empty", stdout=out)
    assert (Consultation.objects.count(), ChangeLogEntry.objects.count()) == counts
    assert get_user_model().objects.filter(username="admin").count() == 1


@override_settings(DEBUG=False)
def test_seed_refuses_without_debug_unless_forced():
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    assert not Consultation.objects.exists()


def test_every_seeded_consultation_page_renders_in_both_languages(seeded, client):
    for consultation in Consultation.objects.all():
        for language, title in (("zh-hans", consultation.title), ("en", consultation.title_en)):
            response = client.get(
                f"/consultations/{consultation.slug}/", HTTP_ACCEPT_LANGUAGE=language
            )
            assert response.status_code == 200, (consultation.slug, language)
            assert title in response.content.decode()


def test_the_demo_shows_an_audit_checkpoint_from_the_start(seeded, client):
    """The public checkpoints page is not empty on a fresh `make run` (the worker adds one daily)."""
    from feedback.models import AuditCheckpoint

    assert AuditCheckpoint.objects.count() == 1
    response = client.get("/audit/checkpoints.json")
    assert response.status_code == 200 and response.json()
