"""Search that finds (issue 14 point 3): Traditional and Simplified, phrases, invisible
characters, paging past 50 with the total, clause-box text shown, safe highlighting, the date
received, and the residents' search of the public opinions page (only what is shown, masked)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from consultations.models import Question
from consultations.roles import Role
from consultations.tests.factories import QuestionFactory, UserFactory, published_consultation
from feedback.intake.services import (
    Answer,
    OpinionData,
    submission_create,
    submission_withdraw,
)
from feedback.models import DisplayMode, ModerationState, Submission
from feedback.privacy import pseudonyms
from feedback.review import moderation
from feedback.search.highlight import highlight
from feedback.search.index import index_new_opinions_now
from feedback.search.query import SearchFilters, compiled, search
from feedback.tests.conftest import ensure_clauses

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation():
    now = timezone.now()
    c = published_consultation(
        opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=30)
    )
    ensure_clauses(c)
    return c


def opine(c, comment="", *, consent=True, **data) -> Submission:
    submission, _ = submission_create(
        consultation=c,
        data=OpinionData(comment=comment, quote_consent=consent, **data),
        token=uuid.uuid4(),
    )
    return submission


def found(c, q, filters=None) -> set[int]:
    index_new_opinions_now()
    return set(search(c, q, filters).values_list("pk", flat=True))


def analyst_client(client, c):
    client.force_login(UserFactory.with_role(Role.ANALYST, c.department))
    return client


# --- Matching -----------------------------------------------------------------------------


def test_traditional_and_simplified_find_each_other(consultation):
    c = consultation
    trad = opine(c, "反對在北山村建垃圾焚燒廠，二噁英威脅老人健康。")
    simp = opine(c, "反对在北山村建垃圾焚烧厂，二噁英威胁老人健康。")
    opine(c, "建议增加公交线路。")
    for q in ("焚烧厂", "焚燒廠", "二噁英", "威脅 健康", "垃圾焚烧"):
        assert found(c, q) == {trad.pk, simp.pk}, q


def test_a_phrase_copied_from_an_opinion_finds_it(consultation):
    c = consultation
    a = opine(c, "加装电梯要坚持一楼一议，不能一刀切。")
    b = opine(c, "一户一议和一楼的意见不同，议一议再说。")  # every word of 一楼一议, not the phrase
    assert found(c, "一楼一议") == {a.pk, b.pk}  # unquoted: each word, anywhere
    assert found(c, '"一楼一议"') == {a.pk}  # quoted: the phrase
    assert found(c, "「一楼一议」") == {a.pk}
    assert found(c, "“坚持一楼一议”") == {a.pk}
    assert found(c, '"一议一楼"') == set()  # the same bigrams in another order are not the phrase
    # Punctuation copied along, or left out, does not matter.
    assert found(c, '"一议，不能"') == {a.pk}
    assert found(c, '"一议不能"') == {a.pk}


def test_invisible_characters_and_combining_marks_do_not_break_search(consultation):
    c = consultation
    s = opine(c, "解放\u200b路拓宽必须加装隔\u00adaudio音屏，电\u0301梯要装减震。")
    opine(c, "别的意见。")
    assert found(c, "解放路") == {s.pk}
    assert found(c, "电梯") == {s.pk}
    assert found(c, "解\u200d放路") == {s.pk}  # a zero-width joiner in the query too


def test_single_characters_latin_words_and_width(consultation):
    c = consultation
    s = opine(c, "ＰＭ２．５监测点应设在小区门口，WeChat群里也说了。")
    opine(c, "没有关系的意见")
    assert found(c, "PM2.5") == {s.pk}
    assert found(c, "wechat") == {s.pk}
    assert found(c, "测") == {s.pk}
    assert found(c, "口") == {s.pk}  # the last character of a run


def test_query_operators_cannot_be_injected(consultation):
    c = consultation
    s = opine(c, "焚烧厂选址")
    for q in ("焚烧' | '公交", "焚烧 & !选址", "焚烧:*", "焚烧 <-> x", "'", "\\", "(", "!!!"):
        compiled(q)  # never raises
        found(c, q)  # PostgreSQL never sees an operator of the query
    assert found(c, "焚烧' | '公交") == set()  # both words are required, not either
    assert found(c, "焚烧:*") == {s.pk}


def test_clause_box_and_answer_texts_are_searched_by_staff(consultation):
    c = consultation
    clause = c.current_draft_version().clauses.order_by("number").first()
    question = QuestionFactory(consultation=c, type=Question.Type.TEXT, options="", sort_order=9)
    s = opine(c, clause_comments={clause.pk: "出資比例建議按樓層遞增"})
    t = opine(c, answers={question.pk: Answer(text="维修基金可以用来交电梯维护费")})
    assert found(c, "出资比例") == {s.pk}
    assert found(c, "维修基金") == {t.pk}


def test_date_received_drives_results_and_filters(consultation):
    c = consultation
    clerk = UserFactory.with_role(Role.INTAKE_CLERK, c.department)
    received = timezone.localdate() - timedelta(days=5)
    letter, _ = submission_create(
        consultation=c,
        data=OpinionData(comment="来信：反对焚烧厂选址"),
        token=uuid.uuid4(),
        channel="letter",
        submitted_on=received,
        entered_by=clerk,
    )
    web = opine(c, "网上：反对焚烧厂选址")
    assert found(c, "焚烧厂", SearchFilters(date_from=received, date_to=received)) == {letter.pk}
    today = timezone.localdate()
    assert found(c, "焚烧厂", SearchFilters(date_from=today)) == {web.pk}
    ordered = list(search(c, "焚烧厂").values_list("pk", flat=True))
    assert ordered == [web.pk, letter.pk]  # newest by date received, not by entry time
    html = analyst_client_get(c, f"q=焚烧厂&date_from={received}&date_to={received}")
    assert f"<td>{received.isoformat()}</td>" in html and "1 opinion found" in html


def analyst_client_get(c, query: str) -> str:
    from django.test import Client

    client = Client()
    client.force_login(UserFactory.with_role(Role.ANALYST, c.department))
    response = client.get(f"/admin/campaigns/{c.pk}/?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


# --- The staff screen ---------------------------------------------------------------------


def test_staff_results_page_past_50_with_the_total(consultation):
    c = consultation
    for n in range(120):
        opine(c, f"第{n:03d}条：反对焚烧厂")
    opine(c, "无关")
    index_new_opinions_now()
    first = analyst_client_get(c, "q=焚烧厂")
    assert "120 opinions found" in first and "showing 1–50" in first
    assert "page 1 of 3" in first and "results_page=2" in first
    third = analyst_client_get(c, "q=焚烧厂&results_page=3")
    assert "showing 101–120" in third and "第000条" in third and "第119条" not in third
    assert "results_page=2" in third  # previous
    # A bad page number is page 1 or the last page, never an error.
    for bad in ("abc", "-4", "0", "99999999999999999999999", "３"):
        html = analyst_client_get(c, f"q=焚烧厂&results_page={bad}")
        assert "120 opinions found" in html


def test_staff_results_show_clause_text_marked_and_escaped(consultation):
    c = consultation
    clause = c.current_draft_version().clauses.order_by("number").first()
    opine(
        c,
        "",
        clause_comments={clause.pk: "一樓一議<script>alert(1)</script>，電話13812345678"},
    )
    index_new_opinions_now()
    html = analyst_client_get(c, "q=一楼一议 <b>x</b>")
    assert "0 opinions found" in html  # "b" and "x" are words too: no opinion has them
    html = analyst_client_get(c, "q=一楼一议")
    assert "1 opinion found" in html
    assert f"Clause {clause.number}" in html
    assert "<mark>一樓</mark><mark>一議</mark>" in html or "<mark>一樓一議</mark>" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "13812345678" not in html  # masked as everywhere on staff screens
    html = analyst_client_get(c, "q=13812345678")  # personal details are left out of the query
    assert "0 opinions found" in html


def test_highlight_escapes_text_and_query():
    needles = compiled('<mark onclick="x">楼').needles
    html = highlight('樓上<img src=x onerror=alert(1)>"楼"&', needles)
    assert "<img" not in html and "onclick" not in html
    assert html.startswith("<mark>樓</mark>上&lt;img src=<mark>x</mark> onerror")  # "x" quoted
    assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert "&quot;<mark>楼</mark>&quot;&amp;" in html
    assert highlight("第一行\n第二行", ["第二"]) == "第一行<br><mark>第二</mark>行"
    long = "甲" * 400 + "焚烧厂" + "乙" * 400
    cut = highlight(long, ["焚烧厂"], width=100)
    assert cut.startswith("…") and cut.endswith("…") and "<mark>焚烧厂</mark>" in cut


def test_withdrawn_opinions_are_never_found(consultation):
    c = consultation
    gone = opine(c, "撤回的意见：焚烧厂")
    kept = opine(c, "保留的意见：焚烧厂")
    submission_withdraw(submission=gone)
    assert found(c, "焚烧厂") == {kept.pk}


# --- The residents' search ----------------------------------------------------------------


def public_get(client, c, query: str = "") -> str:
    response = client.get(f"/consultations/{c.slug}/opinions/?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def enable(c, mode):
    admin = UserFactory.with_role(Role.SITE_ADMIN)
    moderation.display_settings_update(admin, c, True, mode)


def test_residents_search_finds_only_what_the_page_shows(client, consultation, index_page):
    """An outsider hunts for the words of hidden, withdrawn, unquotable, flagged and
    answer-only opinions: the search finds none of them."""
    c = consultation
    enable(c, DisplayMode.POST)
    editor = UserFactory.with_role(Role.EDITOR, c.department)
    question = QuestionFactory(consultation=c, type=Question.Type.TEXT, options="", sort_order=9)
    shown = opine(c, "公开的意见：垃圾焚烧厂应当远离水源地。")
    hidden = opine(c, "被隐藏的意见：隐秘词甲乙丙 焚烧厂")
    moderation.moderate(editor, hidden, ModerationState.HIDDEN, "违法信息")
    gone = opine(c, "撤回的意见：撤回词丁戊己 焚烧厂")
    submission_withdraw(submission=gone)
    opine(c, "不同意公开：未授权词庚辛壬 焚烧厂", consent=False)
    opine(c, "可能有个人信息：电话13812345678，标记词子丑寅 焚烧厂")  # flagged: waits
    opine(c, "只有问答", answers={question.pk: Answer(text="问答词卯辰巳 焚烧厂")})
    index_new_opinions_now()

    html = public_get(client, c, "q=焚烧厂")
    assert "1 opinion found." in html
    assert pseudonyms.pseudonym_code(shown.pk) in html
    assert "<mark>焚烧厂</mark>" in html
    for secret in (
        "隐秘词甲乙丙",
        "撤回词丁戊己",
        "未授权词庚辛壬",
        "标记词子丑寅",
        "问答词卯辰巳",
    ):
        page = public_get(client, c, f"q={secret}")
        assert "0 opinions found." in page and secret not in page.split("tj-search-total", 1)[1], (
            secret
        )
        assert "No opinion shown here contains these words." in page
    # The same words in Traditional, or as a phrase, find nothing more.
    assert "0 opinions found." in public_get(client, c, "q=隱秘詞甲乙丙")
    assert "0 opinions found." in public_get(client, c, 'q="问答词卯辰巳"')


def test_residents_search_is_masked_paged_and_a_plain_get_form(client, consultation, index_page):
    c = consultation
    enable(c, DisplayMode.PRE)
    editor = UserFactory.with_role(Role.EDITOR, c.department)
    for n in range(25):
        s = opine(c, f"第{n:02d}号意见：加装电梯，一楼一议。")
        moderation.moderate(editor, s, ModerationState.SHOWN, "已核对")
    phone = opine(c, "加装电梯请联系我13812345678<b>粗</b>")
    moderation.moderate(editor, phone, ModerationState.SHOWN, "已核对")
    index_new_opinions_now()
    first = public_get(client, c, "q=一樓一議")
    assert "25 opinions found." in first and "Page 1 of 2" in first
    assert 'method="get" action="" class="tj-search"' in first and 'name="q"' in first
    second = public_get(client, c, "q=一樓一議&page=2")
    assert "第00号意见" in second and "第24号意见" in first
    # Masked as the page masks: the phone number is neither shown nor searchable.
    html = public_get(client, c, "q=加装电梯 粗")
    assert "1 opinion found." in html and "13812345678" not in html
    assert "&lt;b&gt;<mark>粗</mark>&lt;/b&gt;" in html
    assert "0 opinions found." in public_get(client, c, "q=13812345678")
    # Bad paging and odd queries answer 200.
    for query in ("q=一楼&page=abc", "q=一楼&page=-1", "q=%00%01", "q=" + "楼" * 500, "page=x"):
        public_get(client, c, query)


def test_residents_search_needs_the_page_on(client, consultation, index_page):
    response = client.get(f"/consultations/{consultation.slug}/opinions/?q=焚烧")
    assert response.status_code == 404


def test_date_filter_boundaries_in_local_time(consultation):
    """A web opinion that arrived at 23:30 local time on day D is found on D, not D+1 (the
    date is the site's local day, as the index expression and the screens use)."""
    c = consultation
    s = opine(c, "深夜的意见：焚烧厂")
    local = timezone.localtime().replace(hour=23, minute=30, second=0, microsecond=0)
    local -= timedelta(days=2)
    Submission.objects.filter(pk=s.pk).update(received_at=local)
    day: date = local.date()
    assert found(c, "焚烧厂", SearchFilters(date_from=day, date_to=day)) == {s.pk}
    assert found(c, "焚烧厂", SearchFilters(date_from=day + timedelta(days=1))) == set()


def test_paging_stops_at_the_count_limit(consultation, monkeypatch):
    """Beyond COUNT_LIMIT the total says "more than" and pages stop there: a page number far
    past it cannot make the database read every row before it."""
    from feedback.search import query as search_query

    c = consultation
    for n in range(120):
        opine(c, f"第{n:03d}条：反对焚烧厂")
    index_new_opinions_now()
    monkeypatch.setattr(search_query, "COUNT_LIMIT", 60)
    deep = search_query.page_of(search(c, "焚烧厂"), "99999", ("pk",))
    assert (deep.more, deep.total, deep.number, deep.has_next) == (True, 60, 2, False)
    assert len(deep.rows) == 50  # rows 51-100 of the newest first
    html = analyst_client_get(c, "q=焚烧厂&results_page=2")
    assert "more than 60 opinions found" in html and "page 2" in html and 'rel="next"' not in html
