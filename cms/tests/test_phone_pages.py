"""Issue 15, an elderly resident on a phone: what the server renders (no browser needed).

The browser checks (heights, first screen, Enter, focus, axe) are in test_phone_browser.py.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import translation

SH = ZoneInfo("Asia/Shanghai")
DETAIL = "/consultations/waste-plant/"
FORM = f"{DETAIL}opinion/"
PLANT_PHONE = "0999-12345601（工作日）；12345政务服务便民热线"


def zh_client():
    """A client of its own: the ``english`` fixture sets the language cookie on ``client``."""
    from django.test import Client

    return Client()


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def plant(open_consultation):
    """The fixture's open consultation with the waste plant's contact text and questions."""
    from consultations.models import Consultation
    from consultations.tests.factories import QuestionFactory

    QuestionFactory(
        consultation=open_consultation,
        type="scale",
        options="",
        text="您认为目前公开的信息是否足以让您作出判断？",
        text_en="Is the information published so far enough?",
        help_text="请按您的感受打分。",
        help_text_en="Score it as you feel.",
        scale_low_label="很不充分",
        scale_low_label_en="not at all",
        scale_high_label="非常充分",
        scale_high_label_en="fully",
    )
    QuestionFactory(consultation=open_consultation, type="text", options="", text="您的建议？")
    Consultation.objects.filter(pk=open_consultation.pk).update(contact_phone=PLANT_PHONE)
    open_consultation.refresh_from_db()
    return open_consultation


# --- one deadline format -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", "2027年1月12日（星期二）24:00 截止，还剩37天"),
        ("en", "Closes at 24:00 on Tuesday, 12 January 2027, 37 days left"),
    ],
)
def test_deadline_has_weekday_and_days_left(db, language, expected):
    from consultations.deadline import deadline_text

    closes = datetime(2027, 1, 13, 0, 0, tzinfo=SH)  # 24:00 on Tuesday 12 January
    now = datetime(2026, 12, 6, 9, 0, tzinfo=SH)
    with translation.override(language):
        assert deadline_text(closes, now=now) == expected
        # The last day, and after the close: never "0 days left", never a wrong "closes".
        last_day = deadline_text(closes, now=datetime(2027, 1, 12, 23, 59, tzinfo=SH))
        after = deadline_text(closes, now=closes)
    assert ("今天是最后一天" in last_day) or ("today is the last day" in last_day)
    assert after.startswith(("已于2027年1月12日（星期二）24:00 截止", "Closed at 24:00 on Tuesday"))


def test_deadline_is_written_one_way_on_page_form_and_admin(plant, english):
    """NOW is 2 March 2026; the fixture closes at 24:00 on Thursday 16 April 2026."""
    client = zh_client()
    wanted_zh = "2026年4月16日（星期四）24:00 截止，还剩45天"
    wanted_en = "Closes at 24:00 on Thursday, 16 April 2026, 45 days left"
    page = html(client.get(DETAIL))
    assert page.count(wanted_zh) == 3  # the two calls to action and the period
    assert wanted_zh in html(client.get(FORM))
    assert wanted_en in html(english.get(DETAIL))
    assert wanted_en in html(english.get(FORM))
    for old in ("2026-04-17 00:00", "2026-04-16 24:00", "2026年4月17日 00:00"):
        assert old not in page

    from consultations.wagtail_hooks import consultation_deadline

    with translation.override("zh-hans"):
        assert consultation_deadline(plant) == wanted_zh


def test_period_rule_message_names_the_instant_it_accepts(db):
    """The message says 24:00 (= 00:00 of the next day) and means it: that instant passes,
    23:59 on the named day is refused, as the message now says."""
    from consultations.models import Consultation
    from consultations.rules import period_violations

    opens = datetime(2026, 12, 11, 9, 0, tzinfo=SH)  # a major decision needs 30 days
    c = Consultation(kind="major_decision", opens_at=opens, affects_businesses=False)
    c.closes_at = datetime(2027, 1, 10, 23, 59, tzinfo=SH)
    with translation.override("zh-hans"):
        [violation] = period_violations(c)
        message = str(violation.message)
    day = re.search(r"最早可于(\d{4}年\d{1,2}月\d{1,2}日)24时截止", message)
    assert day, message
    assert re.search(r"，即\d{4}年\d{1,2}月\d{1,2}日0时", message)  # the same instant as 00:00
    assert f"（{day[1]}23:59截止仍然过早）" in message
    y, m, d = (int(x) for x in re.findall(r"\d+", day[1]))
    c.closes_at = datetime(y, m, d, 23, 59, tzinfo=SH)
    assert period_violations(c), "23:59 of the day the message names is refused"
    c.closes_at = datetime(y, m, d, tzinfo=SH) + timedelta(days=1)  # 24:00 of that day
    assert period_violations(c) == []


# --- the consultation page: call to action twice, contents, phone links ----------------------


def test_call_to_action_first_then_again_after_the_questions(plant, client):
    page = html(client.get(DETAIL))
    first = page.index('id="opinion-cta"')
    again = page.index('id="opinion-cta-again"')
    assert page.index("<h1") < first < page.index('id="summary-title"')
    assert page.index('id="alternatives-title"') < page.index('id="questions-title"') < again
    assert page.count(f'href="{FORM}"') == 2


def test_contents_list_links_to_sections_that_exist(plant, client):
    page = html(client.get(DETAIL))
    toc = page[page.index('class="toc"') : page.index("</nav>", page.index('class="toc"'))]
    targets = re.findall(r'href="#([\w-]+)"', toc)
    assert {"draft-title", "alternatives-title", "questions-title", "channels-title"} <= set(
        targets
    )
    for target in targets:
        assert f'id="{target}"' in page, target
    assert "requisition-title" not in targets  # not a land case: no such section, no entry


def test_every_phone_number_is_its_own_tel_link_with_the_words_beside_it(plant, english):
    page = html(zh_client().get(DETAIL))
    links = re.findall(r'<a href="tel:([^"]*)">([^<]*)</a>', page)
    assert links == [("0999-12345601", "0999-12345601"), ("12345", "12345")]
    for target, _text in links:
        assert re.fullmatch(r"[0-9+-]+", target)
    assert "（工作日）" in page and "政务服务便民热线" in page
    # On the English page the Chinese words beside the numbers say which language they are.
    en = html(english.get(DETAIL))
    assert '<span lang="zh-Hans">（工作日）；</span>' in en


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("工作日9:00-17:00 电话 0999 1234 5678", ["0999-1234-5678"]),
        ("+86 (10) 1234-5678", ["+86-10-1234-5678"]),
        ('<script>alert("x")</script> 12345', ["12345"]),
        ("2027 年", []),
    ],
)
def test_phone_links_are_digits_only_and_escape_the_rest(text, links):
    from cms.phones import phone_links_html

    with translation.override("zh-hans"):
        out = str(phone_links_html(text))
    assert re.findall(r'href="tel:([^"]*)"', out) == links
    assert "<script>" not in out


# --- the opinion form ------------------------------------------------------------------------


def scale_words_in_form(page: str) -> list[str]:
    """The labels of the scale question's radio buttons, in order."""
    block = page[page.index('class="tj-choices tj-scale"') :]
    block = block[: block.index("</div>")]
    return re.findall(r"<span>([^<]*)</span>", block)


def test_scale_words_come_from_the_question_in_both_languages(plant, english):
    """The question's own words on 1 and 5, on the public form, the receipt's edit form and
    the clerk's intake form, in Chinese and English; no hint says anything else."""
    from consultations.roles import Role
    from consultations.tests.factories import UserFactory
    from feedback.tests.conftest import fresh_token

    client = zh_client()
    zh_words = ["1 很不充分", "2", "3", "4", "5 非常充分"]
    en_words = ["1 not at all", "2", "3", "4", "5 fully"]
    zh = html(client.get(FORM))
    en = html(english.get(FORM))
    assert scale_words_in_form(zh) == zh_words
    assert scale_words_in_form(en) == en_words

    # The receipt's edit form: the opinion is sent, the receipt session opens the edit page.
    sent = client.post(FORM, {"token": fresh_token(client, plant), "stance": "oppose"})
    assert sent.status_code == 302, sent.status_code
    edit_zh = html(client.get("/consultations/receipt/edit/"))
    assert scale_words_in_form(edit_zh) == zh_words
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    edit_en = html(client.get("/consultations/receipt/edit/"))
    assert scale_words_in_form(edit_en) == en_words

    # The clerk's intake form in the admin.
    clerk = zh_client()
    clerk.force_login(UserFactory.with_role(Role.INTAKE_CLERK, plant.department))
    intake_zh = html(clerk.get(f"/admin/intake/{plant.pk}/"))
    assert scale_words_in_form(intake_zh) == zh_words
    intake_en = html(clerk.get(f"/admin/intake/{plant.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert scale_words_in_form(intake_en) == en_words

    for page in (zh, en, edit_zh, edit_en, intake_zh, intake_en):
        for other in ("非常不同意", "非常同意", "strongly disagree", "strongly agree"):
            assert other not in page
    # The page's own preview of the questions says the same, beside the question's hint.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    detail = html(client.get(DETAIL))
    assert "从1（很不充分）到5（非常充分）" in detail and "请按您的感受打分。" in detail
    assert "From 1 (not at all) to 5 (fully)" in html(english.get(DETAIL))


def test_scale_words_from_two_option_lines_win(db):
    from consultations.models import Question
    from feedback.intake.forms import scale_choices

    q = Question(type="scale", text="满意度（1＝很不满意，5＝很满意）", options="差\n好")
    assert scale_choices(q) == [(1, "1 差"), (2, "2"), (3, "3"), (4, "4"), (5, "5 好")]
    assert scale_choices(Question(type="scale", text="满意度")) == [
        (i, str(i)) for i in range(1, 6)
    ]


def test_the_demo_scale_questions_say_what_1_and_5_mean_in_their_fields(db):
    """seed_demo runs ``Question.clean()`` on each; the words are fields, not in the text."""
    from cms.demo_content import CONSULTATIONS
    from consultations.models import Question

    scales = [q for spec in CONSULTATIONS for q in spec["questions"] if q["type"] == "scale"]
    assert len(scales) >= 2
    for spec in scales:
        question = Question(**spec)
        question.clean()
        assert question.scale_label_pair() and question.scale_label_pair("_en")
        assert "1＝" not in question.text and "1 =" not in question.text_en


def test_form_has_a_disabled_first_submit_button_so_enter_sends_nothing(plant, client):
    page = html(client.get(FORM))
    form = page[page.index('class="tj-opinion-form"') :]
    first_submit = re.search(r'<(?:input|button)[^>]*type="submit"[^>]*>', form)[0]
    assert "disabled" in first_submit and "hidden" in first_submit
    assert 'aria-hidden="true"' in first_submit


def test_empty_opinion_error_is_said_once_and_the_summary_takes_focus(plant, client):
    from feedback.tests.conftest import fresh_token

    token = fresh_token(client, plant)
    response = client.post(FORM, {"token": token})
    assert response.status_code == 400
    page = response.content.decode()
    message = "提交前请至少选择总体态度、回答一个问题或填写一条意见。"
    assert page.count(message) == 1
    assert "各项都可以不填" not in page  # the help sentence that said it a third time
    summary = re.search(r'<div class="tj-error-summary"[^>]*>', page)[0]
    assert "autofocus" in summary and 'tabindex="-1"' in summary


def test_clause_link_opens_that_clause_without_javascript(plant, client):
    page = html(client.get(f"{FORM}?clause=3"))
    opened = re.findall(
        r'<details open>\s*<summary>[^<]*</summary>\s*<div class="tj-clause-body" id="clause-(\d+)"',
        page,
    )
    assert opened == ["3"]
    assert re.findall(r"<details open>", html(client.get(FORM))) == []


# --- receipts --------------------------------------------------------------------------------


@pytest.fixture
def world(consultation_index):
    from feedback.tests.response_fixtures import build_world

    return build_world()


def test_withdrawn_receipt_says_so_and_offers_nothing_else(client, world):
    from feedback.tests._receipt import LOOKUP, open_receipt

    withdrawn = world.subs[4]
    assert withdrawn.withdrawn
    open_receipt(client, withdrawn.formatted_receipt)
    page = html(client.get(LOOKUP))
    assert 'id="withdrawn-note"' in page
    for offer in ("edit/", "withdraw/", "contact/", "data-tj-copy", "data-tj-print"):
        assert offer not in page, offer


def test_once_answered_the_answer_comes_first_on_the_receipt(client, world):
    from feedback.tests._receipt import LOOKUP, open_receipt
    from feedback.tests.test_response_views import publish

    publish(world)
    open_receipt(client, world.subs[1].formatted_receipt)
    page = html(client.get(LOOKUP))
    main = page[page.index('id="main"') :]
    answer = main.index('id="answer"')
    assert answer < main.index('id="receipt-code"')
    assert answer < main.index("tj-summary")
    assert main.count("tj-theme-answer") == 2  # shown once, at the top


# --- favicon, settings -----------------------------------------------------------------------


def test_favicon_is_linked_and_favicon_ico_never_404s(site_tree, client):
    from django.templatetags.static import static

    page = html(client.get("/"))
    icon = static("cms/favicon.svg")
    assert f'<link rel="icon" href="{icon}"' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == icon


def test_settings_fold_into_one_details_control(plant, client):
    page = html(client.get(DETAIL))
    header = page[page.index('<header class="site-header">') : page.index("</header>")]
    assert header.count("<details") == 1
    details = header[header.index("<details") :]
    for part in ('name="language"', 'name="font_size"', 'name="contrast"', "data-read-aloud"):
        assert part in details, part


def test_a_scale_answer_says_what_1_and_5_mean_on_the_receipt_and_in_the_template(plant):
    """ "4 / 5" alone means nothing to a resident reading the receipt a month later, nor to the
    clerk filling in the import template: the question's words come with it."""
    from consultations.models import Question
    from feedback.intake.import_template import template_columns
    from feedback.tests.conftest import fresh_token

    question = plant.questions.get(type="scale")
    client = zh_client()
    sent = client.post(
        FORM, {"token": fresh_token(client, plant), "stance": "oppose", f"q_{question.pk}": "4"}
    )
    assert sent.status_code == 302, sent.status_code
    receipt = html(client.get(sent["Location"]))
    assert "4 / 5 （1＝很不充分，5＝非常充分）" in receipt
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "4 / 5 (1 = not at all, 5 = fully)" in html(client.get(sent["Location"]))

    with translation.override("zh-hans"):
        accepted = {key: hint for key, _label, hint in template_columns(plant)}
    assert "1–5 （1＝很不充分，5＝非常充分）" in accepted.values()
    # A scale question without words keeps the bare range.
    Question.objects.filter(pk=question.pk).update(scale_low_label="", scale_high_label="")
    with translation.override("zh-hans"):
        assert "1–5" in {hint for _k, _l, hint in template_columns(plant)}
