"""Contacts are deleted 90 days after the response was published (R39, PIPL Art. 19)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from feedback.models import AuditAction, AuditEntry, ConsultationResponse, Contact, Submission
from feedback.tests.response_fixtures import build_world, publish_response
from feedback.tests.test_response import answer_all

pytestmark = pytest.mark.django_db


def test_purge_after_90_days_only(consultation_index):
    world = build_world()
    answer_all(world)
    publish_response(world, summary="说明")
    # Another consultation, not published: its contacts stay.
    other = build_world()
    other_refs = set(
        Submission.objects.filter(consultation=other.consultation)
        .exclude(contact_ref="")
        .values_list("contact_ref", flat=True)
    )
    assert Contact.objects.count() == 6
    published_at = ConsultationResponse.objects.get(consultation=world.consultation).published_at

    with time_machine.travel(published_at + timedelta(days=89), tick=False):
        call_command("purge_contacts", stdout=StringIO())
    assert Contact.objects.count() == 6
    assert not AuditEntry.objects.filter(action=AuditAction.CONTACT_PURGE).exists()

    with time_machine.travel(published_at + timedelta(days=90, seconds=1), tick=False):
        out = StringIO()
        call_command("purge_contacts", stdout=out)
        assert "3 contacts deleted" in out.getvalue()
        now = timezone.now()
    assert set(Contact.objects.values_list("ref", flat=True)) == other_refs
    assert not Submission.objects.filter(consultation=world.consultation).exclude(contact_ref="")
    response = ConsultationResponse.objects.get(consultation=world.consultation)
    assert response.contacts_purged_at == now
    entry = AuditEntry.objects.get(action=AuditAction.CONTACT_PURGE)
    assert entry.consultation_id == world.consultation.pk
    assert entry.detail["contacts_deleted"] == 3
    # Running again does nothing more; the opinions and their count are untouched.
    call_command("purge_contacts", stdout=StringIO())
    assert AuditEntry.objects.filter(action=AuditAction.CONTACT_PURGE).count() == 1
    assert Submission.objects.filter(consultation=world.consultation).count() == 7
