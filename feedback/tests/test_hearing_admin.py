"""The hearing screens are scoped to the consultation's department, like the other feedback
admin screens: another department can neither see nor change a hearing or a majority count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consultations.models import Consultation
from consultations.roles import Role
from consultations.tests.factories import UserFactory
from consultations.tests.two_person import refused, staff_client
from feedback.models import Hearing, MajorityCount
from feedback.tests import _hearing as h

pytestmark = pytest.mark.django_db

FORM = {
    "starts_at": "2030-03-01T09:00",
    "registration_closes_at": "2030-02-10T17:00",
    "place": "示例市政府第一会议室",
    "explanation": "说明",
    "selection_method": "类别内抽签",
    "categories": "affected | 受影响的居民 | 3 | Affected\npublic | 社会公众 | 2",
}


def test_department_editor_creates_the_hearing_in_the_admin():
    c = h.consultation()
    client = staff_client(h.editor_of(c))
    assert client.get(reverse("feedback_hearings:choose")).status_code == 200
    assert client.get(reverse("feedback_hearings:screen", args=[c.pk])).status_code == 200
    response = client.post(reverse("feedback_hearings:screen", args=[c.pk]), FORM)
    assert response.status_code == 302
    hearing = Hearing.objects.get(consultation=c)
    assert [cat.seats for cat in hearing.categories.all()] == [3, 2]


def test_a_bad_category_line_is_refused_and_changes_nothing():
    c = h.consultation()
    client = staff_client(h.editor_of(c))
    response = client.post(
        reverse("feedback_hearings:screen", args=[c.pk]), {**FORM, "categories": "oops"}
    )
    assert response.status_code == 400 and not Hearing.objects.exists()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.APPROVER, Role.ANALYST, Role.INTAKE_CLERK])
def test_another_department_cannot_see_or_edit(role):
    c = h.consultation(Consultation.Kind.LAND_COMPENSATION)
    owner = h.editor_of(c)
    hearing, _t = h.through_draw(c, owner)
    outsider = UserFactory.with_role(role)  # a department of its own
    client = staff_client(outsider)
    listing = client.get(reverse("feedback_hearings:choose"))
    assert refused(listing) or c.title not in listing.content.decode()
    assert refused(client.get(reverse("feedback_hearings:screen", args=[c.pk])))
    assert refused(client.post(reverse("feedback_hearings:screen", args=[c.pk]), FORM))
    for step in ("participants", "held", "majority_open", "contacts"):
        response = client.post(
            reverse("feedback_hearings:step", args=[c.pk, step]),
            {"roster_size": 10, "purpose": "x"},
        )
        assert refused(response), step
    hearing.refresh_from_db()
    assert hearing.participants_published_at is None and not MajorityCount.objects.exists()


def test_a_refused_step_shows_its_reasons():
    c = h.consultation()
    editor = h.editor_of(c)
    hearing, _t = h.through_draw(c, editor)
    client = staff_client(editor)
    response = client.post(
        reverse("feedback_hearings:step", args=[c.pk, "held"]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "participant list was not published" in response.content.decode()
    hearing.refresh_from_db()
    assert hearing.held_at is None


def test_contacts_of_selected_participants_are_read_with_a_log():
    from feedback.models import AuditEntry, ContactAccessLog

    c = h.consultation()
    editor = h.editor_of(c)
    hearing, _t = h.through_draw(c, editor)
    client = staff_client(editor)
    url = reverse("feedback_hearings:step", args=[c.pk, "contacts"])
    assert client.post(url, {"purpose": ""}).status_code == 400
    response = client.post(url, {"purpose": "寄送听证材料"})
    assert response.status_code == 200 and "13800138000" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    selected = hearing.registrations.filter(selected=True).count()
    assert ContactAccessLog.objects.filter(context="hearing_organiser").count() == selected
    assert AuditEntry.objects.filter(action="contact_read", consultation_id=c.pk).exists()


def test_tokens_are_shown_once_and_not_cached():
    c = h.consultation(Consultation.Kind.LAND_COMPENSATION)
    client = staff_client(h.editor_of(c))
    client.post(reverse("feedback_hearings:step", args=[c.pk, "majority_open"]), {"roster_size": 3})
    response = client.post(
        reverse("feedback_hearings:step", args=[c.pk, "majority_tokens"]), {"number": 2}
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response.content.decode().count("<li><code>") == 2
    screen = client.get(reverse("feedback_hearings:screen", args=[c.pk]))
    assert "<li><code>" not in screen.content.decode()
