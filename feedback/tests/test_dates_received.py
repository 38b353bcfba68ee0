"""Issue 14, point 5: the date received drives every staff screen, filter and chart.

Six letters were received on one day (the date on the letters, "12-01") and typed in by a clerk
five days later ("12-06", today). The campaign screen, the coding screen, the staff search's
date filter, the analysis dashboard's chart and the assessor's weekly trend all give the day
on the letters, never the day they were typed in.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.models import Consultation
from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.analysis.aggregates import over_time
from feedback.intake.services import OpinionData, submission_create
from feedback.models import CampaignGroup, CampaignMember, Channel, Stance, Submission
from feedback.models.submission import date_received_expression
from feedback.privacy.pseudonyms import pseudonym_code

pytestmark = pytest.mark.django_db

LETTER = "我们坚决反对在村旁建设垃圾焚烧厂，请重新选址并公开环评报告。"


@pytest.fixture
def letters(open_consultation):
    """Six letters dated five days ago, entered today; one web opinion of today."""
    received = timezone.localdate() - timedelta(days=5)
    Consultation.objects.filter(pk=open_consultation.pk).update(
        opens_at=timezone.now() - timedelta(days=10)
    )
    open_consultation.refresh_from_db()
    rows = []
    for n in range(6):
        submission, _ = submission_create(
            consultation=open_consultation,
            data=OpinionData(comment=f"{LETTER}（第{n}封）", stance=Stance.OPPOSE),
            token=uuid.uuid4(),
            channel=Channel.LETTER,
            submitted_on=received,
        )
        rows.append(submission)
    submission_create(
        consultation=open_consultation,
        data=OpinionData(comment="网上提交的意见", stance=Stance.SUPPORT),
        token=uuid.uuid4(),
    )
    return received, rows


@pytest.fixture
def analyst(client, open_consultation):
    user = UserFactory.with_role(Role.ANALYST, open_consultation.department)
    client.force_login(user)
    return user


def test_the_model_gives_the_date_on_the_letter(letters):
    received, rows = letters
    today = timezone.localdate()
    assert {s.date_received for s in rows} == {received}
    web = Submission.objects.get(channel=Channel.WEB)
    assert web.date_received == today
    days = dict(
        Submission.objects.annotate(day=date_received_expression()).values_list("pk", "day")
    )
    assert {days[s.pk] for s in rows} == {received} and days[web.pk] == today


def test_campaign_screen_shows_the_date_received(client, analyst, open_consultation, letters):
    received, rows = letters
    group = CampaignGroup.objects.create(consultation=open_consultation, representative=rows[0])
    for s in rows:
        CampaignMember.objects.create(group=group, submission=s, similarity=0.9)
    html = client.get(
        f"/admin/campaigns/{open_consultation.pk}/groups/{group.pk}/"
    ).content.decode()
    assert html.count(f"<td>{received.isoformat()}</td>") == 6
    assert f"<td>{timezone.localdate().isoformat()}" not in html


def test_coding_screen_shows_the_date_received(client, analyst, open_consultation, letters):
    received, rows = letters
    response = client.get(f"/admin/coding/{open_consultation.pk}/opinion/{rows[0].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"· {received.isoformat()}</span>" in html
    assert f"· {timezone.localdate().isoformat()}</span>" not in html


def test_staff_search_date_filter_finds_the_letters(client, analyst, open_consultation, letters):
    received, rows = letters
    day = received.isoformat()
    html = client.get(
        f"/admin/campaigns/{open_consultation.pk}/", {"date_from": day, "date_to": day}
    ).content.decode()
    for s in rows:
        assert pseudonym_code(s.pk) in html
    today = timezone.localdate().isoformat()
    html = client.get(
        f"/admin/campaigns/{open_consultation.pk}/", {"date_from": today, "date_to": today}
    ).content.decode()
    assert not any(pseudonym_code(s.pk) in html for s in rows)


def test_dashboard_chart_and_assessor_trend_count_them_on_the_letters_day(
    open_consultation, letters
):
    received, _rows = letters
    series = over_time(open_consultation)
    counts = {item.key: item.count for item in series.items}
    assert counts.get(received.isoformat(), counts.get(str(received))) == 6

    from feedback.risk.selectors import _read

    weeks = {week: opinions for week, opinions, _oppose in _read(open_consultation).trend}
    monday = received - timedelta(days=received.weekday())
    assert weeks.get(monday, 0) >= 6
