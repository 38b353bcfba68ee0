"""Residents see what happened (issue 15): the stage waits for the response, every theme has its
text, consenting opinions are quoted masked, the pages link the response, the PDF is tagged, and
the response writer sees a theme's opinions beside the reason."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from consultations.models import ChangeLogEntry, Consultation, Stage
from consultations.roles import Role
from consultations.rules import ConsultationRuleError
from consultations.services import consultation_set_stage
from consultations.tests.factories import DepartmentFactory, UserFactory
from consultations.tests.two_person import refused, staff_client
from feedback.models import ModerationState, Submission
from feedback.response.services import response_submit
from feedback.response.views import render_pdf, report_context
from feedback.tests.response_fixtures import build_world, publish_response
from feedback.tests.test_response import answer_all

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
QUOTED = f"垃圾车每天早上六点经过，请改道。我的电话{PHONE}。"
NOT_CONSENTING = "这条意见的作者没有同意引用。"
HIDDEN = "这条意见被审核人员隐藏了。"
WITHDRAWN = "这条意见已被作者撤回。"


@pytest.fixture
def world(consultation_index):
    world = build_world()
    subs = world.subs
    # Opinions of the "环境监测" theme: 0 quotable, 1 not consenting, 6 hidden (consenting);
    # 4 (withdrawn, consenting) is coded with the other theme.
    texts = {0: (QUOTED, True), 1: (NOT_CONSENTING, False), 6: (HIDDEN, True), 4: (WITHDRAWN, True)}
    for index, (comment, consent) in texts.items():
        Submission.objects.filter(pk=subs[index].pk).update(comment=comment, quote_consent=consent)
    return world


def publish(world):
    answer_all(world)
    return publish_response(world, summary="感谢参与。", draft_from=world.v1, draft_to=world.v2)


def page(client, world, language="zh-hans") -> str:
    url = f"/consultations/{world.consultation.slug}/response/"
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


# -- the lifecycle waits for the response ---------------------------------------------------


def test_the_stage_response_published_is_refused_without_a_published_response(world):
    c = world.consultation
    with pytest.raises(ConsultationRuleError) as refused_error:
        consultation_set_stage(consultation=c, stage=Stage.RESPONSE_PUBLISHED, user=world.editor)
    assert [v.code for v in refused_error.value.violations] == ["no_published_response"]
    # Submitted but not approved is not published either.
    answer_all(world)
    response_submit(user=world.editor, consultation=c, summary="感谢参与。")
    with pytest.raises(ConsultationRuleError):
        consultation_set_stage(consultation=c, stage=Stage.RESPONSE_PUBLISHED, user=world.editor)
    c.refresh_from_db()
    assert c.stage == Stage.CONSULTING
    assert not c.change_log.filter(type=ChangeLogEntry.Type.STAGE).exists()
    # Other stages are not held back by it.
    consultation_set_stage(consultation=c, stage=Stage.DECIDED, user=world.editor)
    assert Consultation.objects.get(pk=c.pk).stage == Stage.DECIDED


def test_approving_the_response_sets_the_stage(world):
    publish(world)
    c = Consultation.objects.get(pk=world.consultation.pk)
    assert c.stage == Stage.RESPONSE_PUBLISHED
    # Once published, setting the stage again is allowed (the condition holds).
    consultation_set_stage(consultation=c, stage=Stage.RESPONSE_PUBLISHED, user=world.editor)


# -- the public page --------------------------------------------------------------------------


def test_every_theme_has_its_text_adopted_ones_too(client, world):
    publish(world)
    html = page(client, world, "en")
    articles = re.findall(r'<article class="tj-theme-answer".*?</article>', html, re.S)
    assert len(articles) == 2  # the theme without opinions has no disposition and is not shown
    for article in articles:
        assert "data-theme-text" in article, article
    adopted = next(a for a in articles if 'data-theme-disposition="adopted"' in a)
    # Adopted without a reason of its own: it says what adopting meant, and which clauses.
    assert "the draft was changed as proposed" in adopted
    assert "Clause 1" in adopted
    not_adopted = next(a for a in articles if 'data-theme-disposition="not_adopted"' in a)
    assert "补偿标准由省级文件规定" in not_adopted
    assert 'lang="zh-Hans"' in not_adopted  # Chinese reason on the English page


def test_only_opinions_whose_authors_agreed_are_quoted_and_masked(client, world):
    publish(world)
    html = page(client, world)
    quotes = re.findall(r"<blockquote[^>]*data-quote[^>]*>(.*?)</blockquote>", html, re.S)
    assert any("垃圾车每天早上六点经过" in q for q in quotes), quotes
    assert PHONE not in html  # masked as on the public opinions page
    for text in (NOT_CONSENTING, HIDDEN, WITHDRAWN):
        assert text not in html
    # Hiding an opinion later takes its quote off the page.
    Submission.objects.filter(pk=world.subs[0].pk).update(moderation_state=ModerationState.HIDDEN)
    assert "垃圾车每天早上六点经过" not in page(client, world)


def test_the_consultation_page_and_the_home_page_link_the_response(client, world):
    url = f"/consultations/{world.consultation.slug}/"
    before = client.get(url).content.decode()
    assert 'id="response-published"' not in before
    assert 'id="section-responses"' not in client.get("/").content.decode()
    publish(world)
    after = client.get(url).content.decode()
    banner = after[after.index('id="response-published"') :]
    assert f'href="{url}response/"' in banner[: banner.index("</section>")]
    # Near the top: before the plain summary and the period.
    assert after.index('id="response-published"') < after.index('id="summary-title"')
    home = client.get("/").content.decode()
    section = home[home.index('id="section-responses"') :]
    assert f'href="{url}response/"' in section[: section.index("</section>")]


def test_dates_in_chinese_and_names_in_english(world):
    response = publish(world)
    c = world.consultation
    c.department.name_en = "Ecology Bureau of Testville"
    c.department.save()
    response.consultation = c
    when = timezone.localdate(response.published_at)
    with translation.override("zh-hans"):
        zh = render_to_string("feedback/response/print.html", report_context(c, response))
    assert f"{when.year}年{when.month}月{when.day}日" in zh
    assert '<html lang="zh-Hans">' in zh
    with translation.override("en"):
        en = render_to_string("feedback/response/print.html", report_context(c, response))
    assert '<html lang="en">' in en
    assert "Ecology Bureau of Testville" in en and c.department.name not in en
    assert f"{when.year}年" not in en


def test_the_pdf_is_tagged_pdf_ua_in_the_readers_language(world):
    response = publish(world)
    response.consultation = world.consultation
    for language, lang in (("zh-hans", b"zh-Hans"), ("en", b"en")):
        with translation.override(language):
            pdf = render_pdf(world.consultation, response, uncompressed_pdf=True)
        assert pdf.startswith(b"%PDF-1.7")
        assert b"/StructTreeRoot" in pdf and b"/MarkInfo" in pdf  # tagged
        assert b'pdfuaid:part="1"' in pdf  # declared PDF/UA-1 in its XMP metadata
        assert b"/Lang (" + lang + b")" in pdf
        assert re.search(rb"/S /H[1-3]", pdf) and b"/S /Table" in pdf


# -- the response writer's screen ---------------------------------------------------------------


def test_the_writer_sees_a_themes_opinions_masked_beside_the_reason(world):
    client = staff_client(world.editor)
    c = world.consultation
    health = world.themes[0]
    html = client.get(reverse("feedback_response:screen", args=[c.pk])).content.decode()
    section = html[html.index(f'id="theme-{health.pk}"') :]
    section = section[: section.index("</section>")]
    assert f'name="t{health.pk}-reason"' in section  # the reason field …
    examples = section[section.index(f'data-theme-examples="{health.pk}"') :]
    assert "垃圾车每天早上六点经过" in examples and PHONE not in html  # … beside the opinions
    all_url = reverse("feedback_response:theme_opinions", args=[c.pk, health.pk])
    assert f'href="{all_url}"' in section
    listing = client.get(all_url).content.decode()
    # Every opinion of the theme (consent is about quoting in public; staff read them all),
    # hidden ones included, withdrawn ones not; masked.
    for sub in (world.subs[0], world.subs[1], world.subs[6]):
        assert f'data-opinion="{sub.pk}"' in listing
    assert NOT_CONSENTING in listing and PHONE not in listing
    assert f'data-opinion="{world.subs[4].pk}"' not in listing


def test_the_theme_opinions_list_is_for_the_department_only(world):
    other = UserFactory.with_role(
        Role.EDITOR, department=DepartmentFactory(slug="other-bureau", name="其他局")
    )
    url = reverse(
        "feedback_response:theme_opinions", args=[world.consultation.pk, world.themes[0].pk]
    )
    assert refused(staff_client(other).get(url))
    # A theme of another consultation is not found through this one.
    stranger = build_world()
    wrong = reverse(
        "feedback_response:theme_opinions", args=[world.consultation.pk, stranger.themes[0].pk]
    )
    assert staff_client(world.editor).get(wrong).status_code == 404
