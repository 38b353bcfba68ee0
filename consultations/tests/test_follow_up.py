"""Opening a post-decision evaluation (决策后评估) as a consultation linked to the decided one
(issue 16 point 5; 条例 Art. 36): who may, when, what is copied, the audit entry, and the links
both ways once it is published."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from consultations.followup import TITLE_PREFIX, follow_up_open
from consultations.models import Consultation, Decision
from consultations.roles import Role
from consultations.rules import ConsultationRuleError
from consultations.tests.factories import (
    DepartmentFactory,
    DistrictFactory,
    UserFactory,
    make_openable,
    published_consultation,
)
from consultations.tests.two_person import refused, staff_client

pytestmark = pytest.mark.django_db


def _decided(**kwargs) -> Consultation:
    c = published_consultation(districts=[DistrictFactory(), DistrictFactory()], **kwargs)
    now = timezone.now()
    Consultation.objects.filter(pk=c.pk).update(
        opens_at=now - timezone.timedelta(days=40),
        closes_at=now - timezone.timedelta(days=10),
        stage=Consultation.Stage.DECIDED,
        decided_at=now,
    )
    Decision.objects.create(
        consultation=c, decided_on=timezone.localdate(), body="示例市人民政府", summary="决定实施。"
    )
    c.refresh_from_db()
    return c


@pytest.fixture
def decided(consultation_index):
    return _decided(title_en="Parking charges")


def test_the_department_opens_a_draft_copy_linked_to_the_decided_consultation(decided):
    editor = UserFactory.with_role(Role.EDITOR, department=decided.department)
    follow_up = follow_up_open(consultation=decided, user=editor)
    assert follow_up.title == TITLE_PREFIX + decided.title
    assert follow_up.title_en == "Post-decision evaluation: Parking charges"
    assert follow_up.kind == decided.kind and follow_up.department_id == decided.department_id
    assert set(follow_up.districts.all()) == set(decided.districts.all())
    assert follow_up.follow_up_of_id == decided.pk and not follow_up.live
    assert follow_up.slug != decided.slug and follow_up.latest_revision is not None
    entry = apps.get_model("feedback", "AuditEntry").objects.get(
        consultation_id=decided.pk, object_id=str(follow_up.pk)
    )
    assert entry.actor_id == editor.pk and entry.detail["follow_up_opened"] == follow_up.pk
    # Once: a second evaluation is refused and nothing changes.
    with pytest.raises(ConsultationRuleError):
        follow_up_open(consultation=decided, user=editor)
    assert decided.follow_ups.count() == 1


def test_refused_before_the_decision_and_for_other_departments(consultation_index):
    c = published_consultation()
    editor = UserFactory.with_role(Role.EDITOR, department=c.department)
    with pytest.raises(ConsultationRuleError):
        follow_up_open(consultation=c, user=editor)
    decided = _decided()
    for role in (Role.EDITOR, Role.APPROVER):
        outsider = UserFactory.with_role(role, department=DepartmentFactory())
        with pytest.raises(PermissionDenied):
            follow_up_open(consultation=decided, user=outsider)
    analyst = UserFactory.with_role(Role.ANALYST, department=decided.department)
    with pytest.raises(PermissionDenied):
        follow_up_open(consultation=decided, user=analyst)
    assert not Consultation.objects.filter(follow_up_of__isnull=False).exists()


def test_the_staff_button_opens_it_and_others_are_refused(decided):
    outsider = UserFactory.with_role(Role.APPROVER, department=DepartmentFactory())
    url = f"/admin/after-decision/{decided.pk}/follow-up/"
    assert refused(staff_client(outsider).post(url))
    approver = UserFactory.with_role(Role.APPROVER, department=decided.department)
    response = staff_client(approver).post(url)
    follow_up = decided.follow_ups.get()
    assert response.status_code == 302 and str(follow_up.pk) in response["Location"]


def test_once_published_the_pages_link_both_ways(client, decided):
    approver = UserFactory.with_role(Role.APPROVER, department=decided.department)
    follow_up = follow_up_open(consultation=decided, user=approver)
    original_page = f"/consultations/{decided.slug}/"
    follow_up_page = f"/consultations/{follow_up.slug}/"
    assert follow_up.slug not in client.get(original_page).content.decode()  # a draft
    make_openable(follow_up)
    follow_up.save_revision(user=approver).publish(user=approver, skip_permission_checks=True)
    html = client.get(original_page).content.decode()
    # Links relative to the index, like the receipt link ("{{ detail_url }}../receipt/").
    assert 'id="evaluation-open"' in html and f"../{follow_up.slug}/" in html
    back = client.get(follow_up_page).content.decode()
    assert 'id="evaluation-of"' in back and f"../{decided.slug}/" in back
    assert client.get(follow_up_page).status_code == 200
