"""Opinions during implementation (issue 16 point 5, R26): the channel opens only once the
decision is recorded, goes through the opinion register's write path, is counted in public
(moderation changes what is shown, never the count), and never changes the figures frozen at
the decision (the response's counts and coverage, the 稳评 dashboard and chapter, the
aggregates)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.utils import timezone, translation

from consultations.models import Consultation
from consultations.tests.factories import published_consultation
from feedback.analysis.aggregates import dashboard, register_totals
from feedback.coding.selectors import coding_progress
from feedback.intake.services import NotAcceptingOpinions, OpinionData, submission_create
from feedback.models import (
    AffectedStatus,
    Contact,
    ModerationState,
    Phase,
    Stance,
    Submission,
)
from feedback.response.counts import response_totals
from feedback.response.selectors import uncoded_opinions
from feedback.review.moderation import moderate
from feedback.risk.selectors import dashboard as risk_dashboard
from feedback.risk_chapter.chapter import build_chapter
from feedback.risk_chapter.document import pdf_text
from feedback.tests._after_decision import decide, decided_world, implementation_opinion
from feedback.tests.response_fixtures import close, department_approver

pytestmark = pytest.mark.django_db

ADDRESS = "shigong.zaoyin@example.org"


@pytest.fixture
def world(consultation_index):
    return decided_world()


def url(consultation, rest: str = "") -> str:
    return f"/consultations/{consultation.slug}/{rest}"


def post_form(client, consultation, headers=None, **fields):
    data = {"token": str(uuid.uuid4()), "comment": "施工噪音太大。", **fields}
    return client.post(url(consultation, "implementation/"), data, **(headers or {})), data


# --- the channel opens at the decision and at no other stage ----------------------------------


def _try(consultation):
    return submission_create(
        consultation=consultation,
        data=OpinionData(comment="实施中的问题。"),
        token=uuid.uuid4(),
        phase=Phase.IMPLEMENTATION,
    )


def test_the_channel_is_refused_at_every_stage_but_decided(consultation_index):
    c = published_consultation()
    with pytest.raises(NotAcceptingOpinions):
        _try(c)  # open
    close(c)
    with pytest.raises(NotAcceptingOpinions):
        _try(c)  # closed
    Consultation.objects.filter(pk=c.pk).update(stage=Consultation.Stage.RESPONSE_PUBLISHED)
    c.refresh_from_db()
    with pytest.raises(NotAcceptingOpinions):
        _try(c)  # response published
    Consultation.objects.filter(pk=c.pk).update(stage=Consultation.Stage.DECIDED)
    c.refresh_from_db()
    with pytest.raises(NotAcceptingOpinions):
        _try(c)  # "decided" without a recorded decision
    assert not Submission.objects.filter(consultation=c, phase=Phase.IMPLEMENTATION).exists()
    decide(c)
    submission, created = _try(c)
    assert created and submission.phase == Phase.IMPLEMENTATION
    # ... and the consultation-phase web path stays closed after the decision.
    with pytest.raises(NotAcceptingOpinions):
        submission_create(consultation=c, data=OpinionData(comment="晚了"), token=uuid.uuid4())


def test_the_form_of_an_undecided_consultation_stores_nothing(client, consultation_index):
    c = close(published_consultation())
    page = client.get(url(c, "implementation/"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and b"no recorded decision" in page.content
    assert b'name="comment"' not in page.content
    response, _data = post_form(client, c)
    assert response.status_code == 403
    assert not Submission.objects.filter(consultation=c).exists()


# --- the write path -----------------------------------------------------------------------------


def test_a_resident_sends_an_opinion_without_javascript_and_gets_a_receipt(client, world):
    c = world.consultation
    form = client.get(url(c, "implementation/"))
    assert form.status_code == 200
    html = form.content.decode()
    assert 'name="token"' in html and "<script" not in html.split("<main", 1)[-1]
    response, data = post_form(
        client,
        c,
        comment="夜间施工\u202e噪音扰民",
        contact_email=ADDRESS,
        affected_status=AffectedStatus.LIVE,
        quote_consent="on",
    )
    assert response.status_code == 302 and "/receipt/" in response["Location"]
    submission = Submission.objects.get(consultation=c, phase=Phase.IMPLEMENTATION)
    assert submission.comment == "夜间施工噪音扰民"  # clean_input: the bidi override is gone
    assert submission.affected_status == AffectedStatus.LIVE and submission.quote_consent
    # The contact is stored apart and encrypted.
    contact = Contact.objects.get(ref=submission.contact_ref)
    assert ADDRESS not in contact.ciphertext and ADDRESS not in str(
        Submission.objects.filter(pk=submission.pk).values().get()
    )
    receipt = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    text = receipt.content.decode()
    assert submission.formatted_receipt in text
    assert "during the implementation of the decision" in text and ADDRESS not in text
    # The same form sent again (a double click, a reload) is stored once.
    again = client.post(url(c, "implementation/"), data)
    assert again.status_code == 302 and "again=1" in again["Location"]
    assert Submission.objects.filter(consultation=c, phase=Phase.IMPLEMENTATION).count() == 1


def test_a_resident_withdraws_an_opinion_during_implementation_but_cannot_change_it(client, world):
    """Withdrawing is the resident's while the channel is open (the contact goes with it);
    changing is not offered (the consultation's edit form is not this form), and once the
    channel is closed the withdraw address changes nothing."""
    c = world.consultation
    sent, _data = post_form(client, c, contact_email=ADDRESS)
    receipt_url = sent["Location"]
    ref = Submission.objects.get(consultation=c, phase=Phase.IMPLEMENTATION).contact_ref
    assert Contact.objects.filter(ref=ref).exists()
    receipt = client.get(receipt_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Withdraw my opinion" in receipt and "Change my opinion" not in receipt
    base = receipt_url.split("?")[0]
    assert client.get(f"{base}withdraw/").status_code == 200
    done = client.post(f"{base}withdraw/")
    assert done.status_code == 303 and "withdrawn=1" in done["Location"]
    submission = Submission.objects.get(consultation=c, phase=Phase.IMPLEMENTATION)
    assert submission.withdrawn and submission.contact_ref == ""
    assert not Contact.objects.filter(ref=ref).exists()

    # Another opinion, then the channel closes (the stage changes): nothing is withdrawn.
    other = Client()
    sent, _data = post_form(other, c, comment="第二条意见。")
    Consultation.objects.filter(pk=c.pk).update(stage=Consultation.Stage.RESPONSE_PUBLISHED)
    receipt = other.get(sent["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Withdraw my opinion" not in receipt
    refused = other.post(f"{sent['Location'].split('?')[0]}withdraw/")
    assert refused.status_code == 303 and "withdrawn=1" not in refused["Location"]
    assert not Submission.objects.get(comment="第二条意见。").withdrawn


@pytest.mark.parametrize(
    "fields, message_en, message_zh",
    [
        ({"comment": ""}, "Please write your opinion before sending.", "请先写下您的意见再发送。"),
        ({"comment": "\u200b \u200b"}, "no visible character", "没有可见的字符"),
        ({"contact_phone": "12345"}, "mainland mobile number", "手机号码"),
        ({"token": ""}, "This form has expired", "表单已失效"),
    ],
)
def test_bad_input_gets_a_translated_error_and_stores_nothing(
    client, world, fields, message_en, message_zh
):
    c = world.consultation
    for language, message in (("en", message_en), ("zh-hans", message_zh)):
        headers = {"HTTP_ACCEPT_LANGUAGE": language}
        response, _data = post_form(client, c, headers, **fields)
        assert response.status_code == 400, language
        assert message in response.content.decode(), language
    assert not Submission.objects.filter(consultation=c, phase=Phase.IMPLEMENTATION).exists()


def test_the_rate_limit_applies(client, world, settings):
    settings.RATELIMIT_SUBMIT_PER_ADDRESS = (1, 600)
    c = world.consultation
    first, _data = post_form(client, c)
    assert first.status_code == 302
    second, _data = post_form(client, c)
    assert second.status_code == 429 and second["Retry-After"]
    assert Submission.objects.filter(consultation=c, phase=Phase.IMPLEMENTATION).count() == 1


# --- frozen figures ------------------------------------------------------------------------------


def _frozen(c) -> dict:
    response = response_totals(c)
    response.pop("computed_at")
    chapter = build_chapter(c)
    return {
        "response": response,
        "register": register_totals(c),
        "dashboard": repr(dashboard(c, suppressed=True)),
        "risk": repr(risk_dashboard(c)),
        "chapter": pdf_text(chapter),
        "coding": coding_progress(c),
        "uncoded": list(uncoded_opinions(c)),
    }


def test_implementation_opinions_never_change_the_figures_frozen_at_the_decision(world):
    c = world.consultation
    before = _frozen(c)
    for n in range(6):
        implementation_opinion(
            c,
            comment=f"建议加强环境监测，公开排放数据。第{n}条",  # like a coded campaign text
            stance=Stance.OPPOSE,
            affected_status=AffectedStatus.LIVE,
            quote_consent=True,
        )
    implementation_opinion(c, comment="建议加强环境监测，公开排放数据。")  # an exact copy
    after = _frozen(c)
    assert after == before
    assert Submission.objects.filter(consultation=c, phase=Phase.IMPLEMENTATION).count() == 7


# --- the public count and moderation -----------------------------------------------------------


def test_the_public_count_includes_hidden_opinions_and_never_a_contact(client, world):
    c = world.consultation
    moderator = department_approver(world)
    shown = implementation_opinion(c, comment="请公开施工时间表。", quote_consent=True)
    hidden = implementation_opinion(c, comment="出售二手挖掘机，价格面议。", quote_consent=True)
    implementation_opinion(
        c, comment="我住在附近，请联系我。", contact_email=ADDRESS, quote_consent=True
    )
    moderate(moderator, shown, ModerationState.SHOWN, "")
    moderate(moderator, hidden, ModerationState.HIDDEN, "商业推销")
    with translation.override("zh-hans"):
        page = client.get(url(c), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "实施期间已收到 3 条意见" in page
    assert ADDRESS not in page
    listing = client.get(url(c, "implementation/opinions/")).content.decode()
    assert "请公开施工时间表。" in listing
    assert "二手挖掘机" not in listing and "请联系我" not in listing  # hidden / not yet read
    assert ADDRESS not in listing
    # The consultation's own public opinions page does not mix them in, nor counts them.
    assert Submission.objects.get(pk=shown.pk).phase == Phase.IMPLEMENTATION
    own = Submission.objects.filter(consultation=c, phase=Phase.CONSULTATION).count()
    from feedback.models import DisplayMode
    from feedback.review.moderation import display_settings_update

    display_settings_update(moderator, c, True, DisplayMode.PRE)
    with translation.override("en"):
        opinions = client.get(url(c, "opinions/"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "请公开施工时间表。" not in opinions
    assert f"{own} opinion{'' if own == 1 else 's'} so far" in opinions


def test_the_moderation_queue_marks_them(client, world):
    c = world.consultation
    implementation_opinion(c, comment="请公开施工时间表。", quote_consent=True)
    client.force_login(department_approver(world))
    queue = client.get(f"/admin/review/{c.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "请公开施工时间表。" in queue and 'data-phase="implementation"' in queue


def test_the_register_export_marks_them(client, world):
    from feedback.exports.rows import iter_register_rows, register_header

    c = world.consultation
    implementation_opinion(c, comment="请公开施工时间表。")
    rows = list(iter_register_rows(c))
    assert len(rows[0]) == len(register_header())
    marked = [row for row in rows if row[-1]]
    assert len(marked) == 1 and marked[0][8] == "请公开施工时间表。"
    assert len(rows) == 8  # the seven of the consultation, and this one


def test_search_finds_them(world):
    from feedback.search.index import index_new_opinions_now
    from feedback.search.query import search

    c = world.consultation
    s = implementation_opinion(c, comment="夜间施工噪音扰民")
    index_new_opinions_now(c.pk)
    assert s.pk in set(search(c, "噪音").values_list("pk", flat=True))


def test_an_opinion_during_implementation_keeps_its_contact_180_days(world, settings):
    from datetime import timedelta

    from feedback.privacy.retention import purge_contacts

    c = world.consultation
    s = implementation_opinion(c, contact_email=ADDRESS)
    # The consultation's own contacts go 90 days after the response; this one is kept.
    purge_contacts(now=timezone.now() + timedelta(days=100))
    s.refresh_from_db()
    assert s.contact_ref and Contact.objects.filter(ref=s.contact_ref).exists()
    assert not Submission.objects.filter(consultation=c, phase=Phase.CONSULTATION).exclude(
        contact_ref=""
    )
    purge_contacts(now=timezone.now() + timedelta(days=181))
    s.refresh_from_db()
    assert s.contact_ref == "" and not Contact.objects.exists()
