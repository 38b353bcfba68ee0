"""Masking against its adversaries (issue 12 §9), on the real database and the real screens.

Every opinion of the corpus (``test_masking_corpus``) is stored through the real write path,
some as general comments and some as clause comments, all agreeing to be quoted.

- A reader of the public opinions page (every page of it, both moderation modes) finds none of
  the corpus's personal details, however spelt; under post-moderation the opinions in which
  masking found something are not shown at all before a moderator decides.
- A reader of the CSV and XLSX exports of the register finds none.
- An analyst on the coding screen, on the candidate themes and on the campaign screens finds
  none, and cannot use the staff search to learn which opinion holds a phone number.
- A moderator sees the flag, with the kinds found, and can list the flagged opinions.
- A resident (or any code path) who changes a text gets it checked again.
"""

from __future__ import annotations

import csv
import html
import io
import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from consultations.roles import Role
from consultations.tests.factories import DepartmentFactory, UserFactory, published_consultation
from feedback.exports import rows as exports
from feedback.exports import xlsx
from feedback.intake.services import OpinionData, submission_create, submission_update
from feedback.models import ClauseComment, DisplayMode, ModerationState, Submission
from feedback.privacy import pseudonyms
from feedback.privacy.masking import mask_text
from feedback.review import flags, moderation
from feedback.tests.conftest import ensure_clauses
from feedback.tests.test_masking_corpus import NEGATIVES, POSITIVES, canonical

pytestmark = pytest.mark.django_db

SECRETS = [(variant.text, secret) for variant in POSITIVES for secret in variant.secrets]


def visible_text(page: str) -> str:
    """What a person reads on a page: tags (and their attributes) removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def assert_no_secret(text: str, where: str) -> None:
    readable = canonical(text)
    leaked = [(source, secret) for source, secret in SECRETS if canonical(secret) in readable]
    assert leaked == [], f"{where}: {leaked[:5]}"


@pytest.fixture
def department():
    return DepartmentFactory()


@pytest.fixture
def corpus(department):
    """The consultation and its opinions: (submission, text, is_positive)."""
    now = timezone.now()
    consultation = published_consultation(
        department=department, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30)
    )
    clause = ensure_clauses(consultation)[0]
    stored = []
    texts = [(variant.text, True) for variant in POSITIVES] + [(t, False) for t in NEGATIVES]
    for n, (text, positive) in enumerate(texts):
        if n % 3 == 0:  # every third as a comment on a clause
            data = OpinionData(stance="oppose", clause_comments={clause.pk: text})
        else:
            data = OpinionData(stance="oppose", comment=text)
        data.quote_consent = True
        submission, _created = submission_create(
            consultation=consultation, data=data, token=uuid.uuid4()
        )
        stored.append((submission, text, positive))
    return consultation, stored


def moderator(department):
    return UserFactory.with_role(Role.EDITOR, department)


def enable(consultation, mode):
    admin = UserFactory.with_role(Role.SITE_ADMIN)
    moderation.display_settings_update(admin, consultation, True, mode)


def public_pages(client, consultation) -> str:
    url = f"/consultations/{consultation.slug}/opinions/"
    pages, number = [], 1
    while True:
        response = client.get(f"{url}?page={number}", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200
        page = response.content.decode()
        pages.append(visible_text(page))
        if 'rel="next"' not in page:
            return "\n".join(pages)
        number += 1


def test_a_reader_of_the_public_page_finds_no_personal_detail(client, corpus, index_page):
    consultation, stored = corpus
    enable(consultation, DisplayMode.PRE)
    user = moderator(consultation.department)
    for submission, _text, _positive in stored:
        moderation.moderate(user, submission, ModerationState.SHOWN, "内容合规")
    page = public_pages(client, consultation)
    for submission, _text, _positive in stored:
        assert pseudonyms.pseudonym_code(submission.pk) in page  # every opinion is shown
    assert_no_secret(page, "public page")
    for text in NEGATIVES:
        assert text in page  # ordinary text is shown as written


def test_under_post_moderation_flagged_opinions_wait_for_a_moderator(client, corpus, index_page):
    consultation, stored = corpus
    enable(consultation, DisplayMode.POST)
    page = public_pages(client, consultation)
    for submission, text, positive in stored:
        shown = pseudonyms.pseudonym_code(submission.pk) in page
        assert shown is not positive, text
    assert_no_secret(page, "public page, post-moderation")
    # A moderator decides: the opinion is shown, masked.
    submission, _text, _positive = next(s for s in stored if s[2])
    moderation.moderate(moderator(consultation.department), submission, "shown", "已核对")
    page = public_pages(client, consultation)
    assert pseudonyms.pseudonym_code(submission.pk) in page
    assert_no_secret(page, "public page after the decision")


def test_a_reader_of_the_csv_and_xlsx_exports_finds_no_personal_detail(corpus, tmp_path):
    from openpyxl import load_workbook

    consultation, stored = corpus
    body = b"".join(
        exports.csv_stream(exports.register_header(), exports.iter_register_rows(consultation))
    ).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 1 + len(stored)
    assert_no_secret(body, "CSV export")
    assert all(text in body for text in NEGATIVES)

    path = tmp_path / "register.xlsx"
    header = exports.register_header()
    xlsx.write_xlsx(path, [("登记册", header, exports.iter_register_rows(consultation))])
    cells = [
        str(value)
        for row in load_workbook(path, read_only=True).active.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert len(cells) > len(stored)
    assert_no_secret("\n".join(cells), "XLSX export")


def test_an_analyst_on_the_coding_screen_finds_no_personal_detail(client, corpus):
    consultation, stored = corpus
    analyst = UserFactory.with_role(Role.ANALYST, consultation.department)
    client.force_login(analyst)
    for submission, text, positive in stored:
        if not positive:
            continue
        url = f"/admin/coding/{consultation.pk}/opinion/{submission.pk}/"
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200
        page = visible_text(response.content.decode())
        with translation.override("zh-hans"):
            assert mask_text(text) in page  # the text is there, masked
        assert_no_secret(page, f"coding screen of {text}")


def test_an_analyst_on_the_campaign_screens_finds_no_personal_detail(client, corpus):
    from feedback.models import CampaignGroup, CampaignMember
    from feedback.search.index import index_submissions

    consultation, stored = corpus
    positives = [s for s, _t, positive in stored if positive]
    group = CampaignGroup.objects.create(
        consultation=consultation,
        status=CampaignGroup.Status.SUGGESTED,
        representative=positives[1],
    )
    for submission in positives:
        CampaignMember.objects.create(group=group, submission=submission)
    client.force_login(UserFactory.with_role(Role.ANALYST, consultation.department))
    base = f"/admin/campaigns/{consultation.pk}/"
    pages = [
        client.get(base),
        client.get(f"{base}groups/{group.pk}/"),
        client.get(base, {"stance": "oppose"}),  # the search results list
    ]
    for response in pages:
        assert response.status_code == 200
        assert_no_secret(visible_text(response.content.decode()), response.request["PATH_INFO"])
    # The search cannot be used to find out which opinion holds a phone number.
    index_submissions([s.pk for s, _t, _p in stored])
    from feedback.search.query import search

    assert search(consultation, "13812345678").count() == 0
    assert search(consultation, "手机 13812345678").count() >= 1  # the other words still count


def test_a_moderator_sees_the_flag_and_the_kinds(client, corpus):
    consultation, stored = corpus
    client.force_login(moderator(consultation.department))
    positives = sum(1 for _s, _t, positive in stored if positive)
    markers = set()
    for language in ("en", "zh-hans"):  # whichever language the admin speaks
        with translation.override(language):
            markers.add(translation.gettext("May contain personal details:"))

    def flags_on_every_page(state: str) -> tuple[int, str]:
        count, pages, number = 0, [], 1
        while True:
            url = f"/admin/review/{consultation.pk}/?state={state}&page={number}"
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code == 200
            page = response.content.decode()
            count += sum(page.count(marker) for marker in markers)
            assert response.context["flagged_count"] == positives
            pages.append(page)
            if 'rel="next"' not in page:
                return count, "\n".join(pages)
            number += 1

    count, pages = flags_on_every_page("")
    assert count == positives
    assert_no_secret(visible_text(pages), "moderation queue")  # moderators read masked text
    assert flags_on_every_page("flagged")[0] == positives
    for submission, text, positive in stored:
        submission.refresh_from_db()
        expected = next((v.kinds for v in POSITIVES if v.text == text), ())
        assert sorted(flags.kinds_of(submission.personal_data)) == sorted(expected), text
        assert bool(submission.personal_data) is positive
    plate = next(s for s, t, _p in stored if t.startswith("车牌粤B12345"))
    with translation.override("en"):
        assert flags.flag_text(plate.personal_data) == "licence plate"


def test_every_change_of_a_text_is_checked_again(corpus, client, index_page):
    consultation, _stored = corpus
    enable(consultation, DisplayMode.POST)
    clean = submission_create(
        consultation=consultation,
        data=OpinionData(stance="oppose", comment="噪音太大。", quote_consent=True),
        token=uuid.uuid4(),
    )[0]
    code = pseudonyms.pseudonym_code(clean.pk)
    assert code in public_pages(client, consultation)
    clean.refresh_from_db()
    assert clean.personal_data == ""

    # The resident edits it and adds a phone number: checked again, held back.
    submission_update(
        submission=clean,
        data=OpinionData(stance="oppose", comment="噪音太大，电话13912345678", quote_consent=True),
    )
    clean.refresh_from_db()
    assert clean.personal_data is None
    assert code not in public_pages(client, consultation)
    clean.refresh_from_db()
    assert clean.personal_data == "phone"

    # A change by any other path: a bulk update, a clause comment written directly.
    other = submission_create(
        consultation=consultation,
        data=OpinionData(
            stance="oppose",
            clause_comments={ensure_clauses(consultation)[0].pk: "同意"},
            quote_consent=True,
        ),
        token=uuid.uuid4(),
    )[0]
    flags.flags_refresh(Submission.objects.filter(pk=other.pk))
    ClauseComment.objects.filter(submission=other).update(text="同意，微信号xiling_zhang88")
    other.refresh_from_db()
    assert other.personal_data is None
    flags.flags_refresh(Submission.objects.filter(pk=other.pk))
    other.refresh_from_db()
    assert other.personal_data == "account"
    Submission.objects.filter(pk=other.pk).update(comment="好")
    assert Submission.objects.get(pk=other.pk).personal_data is None
    # A change that leaves the texts as they were keeps the check.
    flags.flags_refresh(Submission.objects.filter(pk=other.pk))
    Submission.objects.filter(pk=other.pk).update(stance="support", comment="好")
    assert Submission.objects.get(pk=other.pk).personal_data == "account"
