"""The staff areas' "choose a consultation" screens (one shared layout, feedback/admin/_choose.html)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCREENS = [
    ("feedback_intake:choose", "feedback_intake:form"),
    ("feedback_analysis:choose", "feedback_analysis:dashboard"),
    ("feedback_risk:choose", "feedback_risk:dashboard"),
    ("feedback_coding:choose", "feedback_coding:screen_start"),
    ("feedback_response:choose", "feedback_response:screen"),
]


@pytest.fixture
def admin_client(client, open_consultation):
    from consultations.roles import Role

    user = UserFactory(
        roles=[Role.INTAKE_CLERK, Role.EDITOR, Role.ANALYST],
        department=open_consultation.department,
        is_superuser=True,
        is_staff=True,
    )
    client.force_login(user)
    return client


@pytest.mark.parametrize(("choose", "target"), SCREENS)
def test_each_screen_has_a_heading_and_links_the_consultation(
    admin_client, open_consultation, time_machine, choose, target
):
    if choose == "feedback_response:choose":  # lists consultations that have closed
        from django.contrib.auth import get_user_model

        time_machine.move_to(open_consultation.closes_at + timezone.timedelta(days=1))
        # (the session of the login above has expired by then)
        admin_client.force_login(get_user_model().objects.get(is_superuser=True))
    html = admin_client.get(reverse(choose)).content.decode()
    assert len(re.findall(r"<h1[^>]*>", html)) == 1
    assert '<table class="listing">' in html
    assert f'href="{reverse(target, args=[open_consultation.pk])}"' in html
    assert open_consultation.title in html


@pytest.mark.parametrize(("choose", "target"), SCREENS)
def test_each_screen_says_when_there_is_nothing_to_choose(
    admin_client, open_consultation, choose, target
):
    type(open_consultation).objects.filter(pk=open_consultation.pk).update(live=False)
    html = admin_client.get(reverse(choose)).content.decode()
    assert '<table class="listing">' not in html
    assert len(re.findall(r"<h1[^>]*>", html)) == 1
