"""Issue 14, point 4: odd input. Control characters other than newline and tab are removed from
every stored text, text is stored NFC, a text with no visible character is refused with a
clear message in both languages, a POST that is not UTF-8 is refused with 400 and stores
nothing, and zero-width characters and combining marks break neither search nor grouping.

The adversary sends what a hostile or broken client sends: NUL and escape bytes, a terminal
colour code, C1 controls, decomposed accents and Hangul, zero-width spaces and joiners, a
Hangul filler and the braille blank (which look like letters to Unicode but show nothing),
bytes that are not UTF-8 in a URL-encoded and in a multipart body, through the public form
(with CSRF checked, as in production), the clerk's form, an import file and a staff form.
"""

from __future__ import annotations

import re
import unicodedata
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.analysis.text import (
    clean_input,
    fold_for_matching,
    has_visible_character,
    normalize_text,
    segment_for_search,
    segment_query,
)
from feedback.intake.services import OpinionData, submission_create
from feedback.models import Submission, Theme
from feedback.tests._receipt import receipt_from_redirect
from feedback.tests.conftest import form_url, fresh_token

pytestmark = pytest.mark.django_db

HOSTILE = "甲\x00乙\x1b[31m丙\x7f\r\n丁\x85戊\x08\x0c\t己"
HOSTILE_STORED = "甲乙[31m丙\n丁戊\t己"
DECOMPOSED = "cafe\u0301 \u1100\u1161"  # café and 가, decomposed
INVISIBLE = "\u200b \u3164\u2060\ufeff\u2800\u00a0\u180e\u200d"


# --- the text functions -----------------------------------------------------------------------


def test_clean_input_removes_controls_keeps_tab_and_newline_and_composes():
    assert clean_input(HOSTILE) == HOSTILE_STORED
    assert clean_input(DECOMPOSED) == unicodedata.normalize("NFC", DECOMPOSED) == "café 가"
    assert clean_input("a\rb\r\nc") == "a\nb\nc"
    # Every control character but tab and newline goes, C0, DEL and C1 alike.
    controls = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)])
    assert clean_input(controls) == "\t\n\n"  # the carriage return is a line break


def test_text_without_a_visible_character_is_recognised():
    assert not has_visible_character(INVISIBLE)
    assert not has_visible_character("\u0301\u0308")  # combining marks alone
    for visible in ("。", "a", "1", "😀", "¥", "意"):
        assert has_visible_character(INVISIBLE + visible)


def test_zero_width_characters_and_combining_marks_do_not_split_words():
    plain = "反对在居民区旁建设垃圾焚烧厂"
    odd = "反\u200b对在居\u200d民区旁建\u2060设垃\ufeff圾焚\u0301烧厂\u0308"
    assert normalize_text(odd) == plain
    assert fold_for_matching(odd) == fold_for_matching(plain)
    assert segment_for_search(odd) == segment_for_search(plain)
    tokens = set(segment_for_search(odd).split())
    query = re.findall(r"'([^']+)'", segment_query("焚\u200b烧"))
    assert query and set(query) <= tokens


def test_copies_differing_only_by_invisible_characters_are_exact_duplicates(open_consultation):
    first, _ = submission_create(
        consultation=open_consultation,
        data=OpinionData(comment="坚决反对选址，请重新论证。"),
        token=uuid.uuid4(),
    )
    second, _ = submission_create(
        consultation=open_consultation,
        data=OpinionData(comment="坚\u200b决反对选址\u2060，请重新论\u0301证。"),
        token=uuid.uuid4(),
    )
    second.refresh_from_db()
    assert first.text_hash == second.text_hash != ""
    assert second.is_exact_duplicate


# --- the public form --------------------------------------------------------------------------


def test_public_form_stores_text_without_controls_and_in_nfc(client, index_page, open_consultation):
    token = fresh_token(client, open_consultation)
    response = client.post(
        form_url(open_consultation),
        {"token": token, "comment": HOSTILE, "clause_1": DECOMPOSED},
    )
    receipt_from_redirect(response)
    submission = Submission.objects.get()
    assert submission.comment == HOSTILE_STORED
    assert submission.clause_comments.get().text == "café 가"


@pytest.mark.parametrize(
    ("language", "words"), [("en", "no visible character"), ("zh-hans", "没有可见的字符")]
)
def test_text_with_no_visible_character_is_refused_with_a_clear_message(
    client, index_page, open_consultation, language, words
):
    token = fresh_token(client, open_consultation)
    response = client.post(
        form_url(open_consultation),
        {"token": token, "stance": "oppose", "comment": INVISIBLE},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert words in response.content.decode()
    assert 'href="#field-comment"' in response.content.decode()
    assert Submission.objects.count() == 0


def _csrf_client(client_url: str) -> tuple[Client, str]:
    """A client that checks CSRF as production does, with the token of the form page."""
    browser = Client(enforce_csrf_checks=True)
    html = browser.get(client_url).content.decode()
    return browser, re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_post_that_is_not_utf8_is_refused_and_stores_nothing(index_page, open_consultation):
    url = form_url(open_consultation)
    browser, csrf = _csrf_client(url)
    token = re.search(
        r'name="token" value="([0-9a-f-]{36})"', browser.get(url).content.decode()
    ).group(1)
    body = f"csrfmiddlewaretoken={csrf}&token={token}&stance=oppose&comment=%FF%FE%C3%28"
    response = browser.generic(
        "POST", url, body.encode(), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "could not read" in response.content.decode() or "无法读取" in response.content.decode()
    boundary = "XyZ"
    multipart = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f'{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name="token"\r\n\r\n'
            f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="comment"\r\n\r\n'
        ).encode()
        + b"\xff\xfe bad\r\n--"
        + boundary.encode()
        + b"--\r\n"
    )
    response = browser.generic(
        "POST", url, multipart, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 400
    assert Submission.objects.count() == 0
    # Broken bytes in a field's name are refused too.
    body = f"csrfmiddlewaretoken={csrf}&token={token}&stance=oppose&comm%FFent=x"
    response = browser.generic(
        "POST", url, body.encode(), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert Submission.objects.count() == 0
    # The same form in valid UTF-8 is stored (the refusal is about the bytes), a typed U+FFFD
    # (valid UTF-8: EF BF BD) included.
    good = (
        f"csrfmiddlewaretoken={csrf}&token={token}&stance=oppose&comment=%E6%84%8F%C3%BF%EF%BF%BD"
    )
    response = browser.generic(
        "POST", url, good.encode(), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    assert Submission.objects.get().comment == "意ÿ\ufffd"


# --- the clerk's form, the import, a staff form -----------------------------------------------


@pytest.fixture
def clerk(client, open_consultation):
    user = UserFactory.with_role(Role.INTAKE_CLERK, open_consultation.department)
    client.force_login(user)
    return user


def _clerk_form(client, consultation, **data):
    html = client.get(f"/admin/intake/{consultation.pk}/").content.decode()
    token = re.search(r'name="token" value="([0-9a-f-]{36})"', html).group(1)
    payload = {
        "token": token,
        "channel": "letter",
        "submitted_on": timezone.localdate().isoformat(),
        **data,
    }
    return client.post(f"/admin/intake/{consultation.pk}/", payload, HTTP_ACCEPT_LANGUAGE="en")


def test_clerk_entry_is_cleaned_and_invisible_text_refused(client, clerk, open_consultation):
    refused = _clerk_form(client, open_consultation, stance="oppose", comment=INVISIBLE)
    assert refused.status_code == 400
    assert "no visible character" in refused.content.decode()
    assert Submission.objects.count() == 0
    stored = _clerk_form(client, open_consultation, comment=HOSTILE)
    assert stored.status_code == 302
    assert Submission.objects.get().comment == HOSTILE_STORED


def test_import_cleans_each_row_and_reports_an_invisible_one(client, clerk, open_consultation):
    today = timezone.localdate().isoformat()
    rows = [
        "渠道,收到日期,总体态度,意见",
        f"来信,{today},反对,{HOSTILE.replace(chr(13), '').replace(chr(10), ' ')}",
        f"来信,{today},反对,{INVISIBLE}",
    ]
    content = "\n".join(rows).encode()
    response = client.post(
        f"/admin/intake/{open_consultation.pk}/import/",
        {"file": SimpleUploadedFile("forms.csv", content)},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert 'data-problem-row="3"' in html and "no visible character" in html
    stored = Submission.objects.get()
    assert stored.comment == "甲乙[31m丙 丁戊\t己"


def test_a_staff_text_field_is_stored_without_control_characters(client, open_consultation):
    analyst = UserFactory.with_role(Role.ANALYST, open_consultation.department)
    client.force_login(analyst)
    client.post(
        f"/admin/coding/{open_consultation.pk}/themes/",
        {
            "name": "噪\x00音\x1b扰民",
            "name_en": "Noise\x07",
            "concern": "other",
            "description": "e\u0301",
        },
    )
    theme = Theme.objects.get(consultation=open_consultation)
    assert (theme.name, theme.name_en, theme.description) == ("噪音扰民", "Noise", "é")
