"""The intake clerk enters offline opinions into the same register with receipts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.models import Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(client, open_consultation):
    user = UserFactory.with_role(Role.INTAKE_CLERK, open_consultation.department)
    client.force_login(user)
    return user


def test_clerk_enters_a_letter_with_channel_date_and_receipt(client, clerk, open_consultation):
    url = f"/admin/intake/{open_consultation.pk}/"
    assert client.get("/admin/intake/").status_code == 200
    form_page = client.get(url)
    assert form_page.status_code == 200
    token = re.search(r'name="token" value="([0-9a-f-]{36})"', form_page.content.decode()).group(1)
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "token": token,
            "channel": "letter",
            "submitted_on": today.isoformat(),
            "stance": "oppose",
            "comment": "来信：反对选址。",
            "contact_phone": "13812345678",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    submission = Submission.objects.get()
    assert submission.channel == "letter" and submission.submitted_on == today
    assert submission.entered_by == clerk
    assert submission.has_contact
    receipt = client.get(response["Location"])
    html = receipt.content.decode()
    assert submission.formatted_receipt in html and "13812345678" not in html


def test_date_received_outside_the_period_is_refused(client, clerk, open_consultation):
    url = f"/admin/intake/{open_consultation.pk}/"
    token = re.search(r'name="token" value="([0-9a-f-]{36})"', client.get(url).content.decode())
    before = timezone.localdate(open_consultation.opens_at) - timedelta(days=3)
    response = client.post(
        url,
        {
            "token": token.group(1),
            "channel": "phone",
            "submitted_on": before.isoformat(),
            "stance": "support",
        },
    )
    assert response.status_code == 400
    assert "收到日期必须在征求意见期内" in response.content.decode()
    assert Submission.objects.count() == 0


def test_double_submit_by_the_clerk_stores_one_opinion(client, clerk, open_consultation):
    url = f"/admin/intake/{open_consultation.pk}/"
    token = re.search(r'name="token" value="([0-9a-f-]{36})"', client.get(url).content.decode())
    data = {
        "token": token.group(1),
        "channel": "hotline_12345",
        "submitted_on": timezone.localdate().isoformat(),
        "comment": "热线来电",
    }
    first, second = client.post(url, data), client.post(url, data)
    assert first["Location"] == second["Location"]
    assert Submission.objects.get().channel == "hotline_12345"


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ANALYST, Role.PRIVACY_OFFICER])
def test_other_roles_cannot_enter_opinions(client, role, open_consultation):
    client.force_login(UserFactory.with_role(role))
    response = client.get(f"/admin/intake/{open_consultation.pk}/")
    # Wagtail turns PermissionDenied into a redirect to the dashboard with a message.
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/intake/").status_code == 302
