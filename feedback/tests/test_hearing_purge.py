"""Hearing registrations' contacts are purged on the opinions' rules, counted from the hearing,
and the daily orphan sweep never takes a registration's contact early."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.models import AuditEntry, Contact, Hearing, HearingRegistration
from feedback.privacy.retention import purge_contacts
from feedback.tests import _hearing as h

pytestmark = pytest.mark.django_db


def _hearing_with_registrations():
    c = h.consultation()
    editor = h.editor_of(c)
    hearing, t = h.through_draw(c, editor)
    return hearing, t


def test_orphan_sweep_keeps_registration_contacts():
    hearing, _t = _hearing_with_registrations()
    before = Contact.objects.count()
    assert before == hearing.registrations.count() > 0
    result = purge_contacts()
    assert result.orphans == 0 and Contact.objects.count() == before


def test_purged_after_the_report_retention_and_audited():
    hearing, _t = _hearing_with_registrations()
    published = timezone.now()
    Hearing.objects.filter(pk=hearing.pk).update(report_published_at=published)
    purge_contacts(now=published + timedelta(days=89))
    assert Contact.objects.count() == hearing.registrations.count()
    result = purge_contacts(now=published + timedelta(days=90))
    assert Contact.objects.count() == 0
    assert result.hearings == [(hearing.pk, hearing.registrations.count())]
    assert not HearingRegistration.objects.exclude(contact_ref="").exists()
    entry = AuditEntry.objects.filter(action="contact_purge", object_id=str(hearing.pk)).get()
    assert entry.detail["contacts_deleted"] == hearing.registrations.count()


def test_without_a_report_purged_the_maximum_days_after_the_hearing():
    hearing, t = _hearing_with_registrations()
    purge_contacts(now=t.starts + timedelta(days=179))
    assert Contact.objects.exists()
    purge_contacts(now=t.starts + timedelta(days=180))
    assert not Contact.objects.exists()
    # The registrations themselves (the public participant list's source) stay.
    assert HearingRegistration.objects.filter(hearing=hearing).count() == 7
