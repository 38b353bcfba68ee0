"""The prompt to consider a post-decision evaluation (issue 16 point 5, R26): from
``IMPLEMENTATION_REVIEW_THRESHOLD`` opinions during implementation, the department sees it on the
staff home page and the decision chain screen and the public page says it was asked; below it
nobody does; another department never does. The staff screen shows counts, never a contact."""

from __future__ import annotations

import pytest

from consultations.roles import Role
from consultations.tests.factories import DepartmentFactory, UserFactory
from feedback.tests._after_decision import decided_world, implementation_opinion
from feedback.tests.response_fixtures import department_approver

pytestmark = pytest.mark.django_db

THRESHOLD = 3
ADDRESS = "zaoyin.jubao@example.org"


@pytest.fixture
def world(consultation_index, settings):
    settings.IMPLEMENTATION_REVIEW_THRESHOLD = THRESHOLD
    return decided_world()


def _prompt_everywhere(client, world) -> dict[str, bool]:
    c = world.consultation
    editor = world.editor
    public = client.get(f"/consultations/{c.slug}/").content.decode()
    client.force_login(editor)
    home = client.get("/admin/").content.decode()
    chain = client.get(f"/admin/consultations/{c.pk}/decision-chain/").content.decode()
    screen = client.get(f"/admin/after-decision/{c.pk}/").content.decode()
    client.logout()
    return {
        "home": 'data-work="evaluation"' in home,
        "chain": 'id="evaluation-prompt"' in chain,
        "screen": 'id="evaluation-prompt"' in screen,
        "public": 'id="evaluation-asked"' in public,
    }


def test_below_the_threshold_nobody_is_prompted(client, world):
    for _n in range(THRESHOLD - 1):
        implementation_opinion(world.consultation)
    assert _prompt_everywhere(client, world) == dict.fromkeys(
        ("home", "chain", "screen", "public"), False
    )


def test_at_the_threshold_the_department_is_prompted_and_the_public_told(client, world):
    for _n in range(THRESHOLD):
        implementation_opinion(world.consultation)
    assert _prompt_everywhere(client, world) == dict.fromkeys(
        ("home", "chain", "screen", "public"), True
    )


def test_hidden_and_withdrawn_opinions_count_towards_the_threshold(client, world):
    from feedback.models import ModerationState, Submission

    subs = [implementation_opinion(world.consultation) for _n in range(THRESHOLD)]
    Submission.objects.filter(pk=subs[0].pk).update(moderation_state=ModerationState.HIDDEN)
    assert _prompt_everywhere(client, world)["public"]


def test_another_department_does_not_see_the_prompt(client, world):
    for _n in range(THRESHOLD):
        implementation_opinion(world.consultation)
    other = DepartmentFactory()
    for role in (Role.EDITOR, Role.APPROVER):
        outsider = UserFactory.with_role(role, department=other)
        client.force_login(outsider)
        assert 'data-work="evaluation"' not in client.get("/admin/").content.decode()
        # Wagtail turns the refusal into a redirect to the dashboard with a message.
        assert client.get(f"/admin/after-decision/{world.consultation.pk}/").status_code in (
            302,
            403,
        )
        listing = client.get("/admin/after-decision/").content.decode()
        assert world.consultation.title not in listing
        refused = client.post(f"/admin/after-decision/{world.consultation.pk}/follow-up/")
        assert refused.status_code in (302, 403)
    assert not world.consultation.follow_ups.exists()


def test_the_staff_screen_shows_counts_and_no_contact(client, world):
    c = world.consultation
    implementation_opinion(c, contact_email=ADDRESS, comment="夜间施工噪音扰民，请调整施工时间。")
    implementation_opinion(c, contact_phone="13912345678")
    client.force_login(department_approver(world))
    screen = client.get(f"/admin/after-decision/{c.pk}/").content.decode()
    assert 'data-figure="received">2<' in screen and 'data-figure="with_contact">2<' in screen
    assert ADDRESS not in screen and "13912345678" not in screen
    assert "夜间施工噪音扰民" not in screen  # counts only: the texts are on the moderation screen
