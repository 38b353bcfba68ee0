"""Two simultaneous posts of one form (a double click on two connections) store one row."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from consultations.tests.factories import published_consultation
from feedback.intake.services import OpinionData, submission_create
from feedback.models import Submission


@pytest.mark.django_db(transaction=True)
def test_concurrent_same_token_returns_one_submission():
    now = timezone.now()
    consultation = published_consultation(
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30)
    )
    token = uuid.uuid4()
    barrier = threading.Barrier(4)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            submission, created = submission_create(
                consultation=consultation, data=OpinionData(comment="同时提交"), token=token
            )
            results.append((submission.pk, created))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert len({pk for pk, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Submission.objects.count() == 1
