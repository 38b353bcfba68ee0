"""Receipt codes leave no trail (issue 12, point 4), and residents delete their contact by
receipt (point 6), each tried as the adversary would: an access-log reader, someone with an
old link that was used once, someone guessing codes, a cross-site form (CSRF), and someone
who edits the session cookie to reach another opinion.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client, override_settings
from django.utils import timezone

from feedback.intake.receipt_session import COOKIE
from feedback.models import AuditEntry, Contact, Notification, Submission
from feedback.tests._receipt import (
    LOOKUP,
    code_variants,
    contains_code,
    open_receipt,
    receipt_code_on,
    receipt_from_redirect,
    signed_session,
)
from feedback.tests.conftest import form_url, fresh_token

pytestmark = pytest.mark.django_db

EMAIL = "resident@example.org"
PHONE = "13812345678"


@pytest.fixture
def access_log(client):
    """Every URL the client asks for (path and query, as a web server logs it) and every
    redirect address it is given (what a browser's history and address bar get)."""
    seen: list[str] = []
    original = client.request

    def request(**environ):
        response = original(**environ)
        query = environ.get("QUERY_STRING", "")
        seen.append(environ["PATH_INFO"] + (f"?{query}" if query else ""))
        if response.has_header("Location"):
            seen.append(response["Location"])
        return response

    client.request = request
    return seen


def _send(client, consultation, **data) -> str:
    payload = {"token": fresh_token(client, consultation), "stance": "oppose", **data}
    return receipt_from_redirect(client.post(form_url(consultation), payload))


def _links(html: str) -> list[str]:
    return re.findall(r'(?:href|action|src)="([^"]*)"', html)


def test_a_whole_journey_puts_the_code_in_no_url(
    client, index_page, open_consultation, access_log, caplog, settings
):
    from feedback.tests._browser import use_contact_key

    use_contact_key(settings)
    caplog.set_level(logging.DEBUG)
    code = _send(client, open_consultation, comment="离学校太近。", contact_email=EMAIL)
    pages = [client.get(LOOKUP)]
    assert client.post(f"{LOOKUP}close/").status_code == 303
    closed = client.get(LOOKUP)
    assert not contains_code(closed.content.decode(), code)  # closed: the page forgot it
    assert open_receipt(client, code).status_code == 303
    pages.append(client.get(LOOKUP))
    pages.append(client.get(f"{LOOKUP}edit/"))
    edited = client.post(f"{LOOKUP}edit/", {"stance": "support", "comment": "改为支持。"})
    assert edited.status_code == 303
    pages.append(client.get(edited["Location"]))
    assert client.post(f"{LOOKUP}contact/delete/").status_code == 303
    pages.append(client.get(LOOKUP))
    pages.append(client.get(f"{LOOKUP}withdraw/"))
    assert client.post(f"{LOOKUP}withdraw/").status_code == 303
    pages.append(client.get(LOOKUP))

    submission = Submission.objects.get()
    assert submission.formatted_receipt == code
    assert (submission.stance, submission.withdrawn, submission.contact_ref) == (
        "support",
        True,
        "",
    )
    assert len(access_log) > 15
    leaks = [url for url in access_log if contains_code(url, code)]
    assert leaks == []
    for page in pages:
        assert page.status_code == 200
        assert page["Referrer-Policy"] == "same-origin" and page["X-Robots-Tag"] == "noindex"
        assert "no-store" in page["Cache-Control"]
        assert [url for url in _links(page.content.decode()) if contains_code(url, code)] == []
    assert receipt_code_on(pages[0]) == code  # the code is shown on the page, for the resident
    lines = [record.getMessage() for record in caplog.records]
    assert [line for line in lines if contains_code(line, code)] == []


def test_an_old_link_opens_the_receipt_once_then_leads_to_the_form(index_page, open_consultation):
    first, second = Client(), Client()
    code = _send(first, open_consultation)
    first.post(f"{LOOKUP}close/")
    old = f"{LOOKUP}{code}/"

    opened = first.get(old)
    assert opened.status_code == 303 and opened["Location"] == LOOKUP
    assert opened.cookies[COOKIE].value
    assert receipt_code_on(first.get(LOOKUP)) == code

    second.cookies["django_language"] = "en"
    again = second.get(old)  # the same link, another browser (or someone who found it)
    assert again.status_code == 303 and again["Location"] == f"{LOOKUP}?link_used=1"
    assert COOKIE not in again.cookies
    form = second.get(again["Location"])
    html = form.content.decode()
    assert "has already been used once" in html and 'name="code"' in html
    assert not contains_code(html, code)
    # Typing the code still works.
    assert open_receipt(second, code).status_code == 303
    assert receipt_code_on(second.get(LOOKUP)) == code


def test_old_change_and_withdraw_links_lead_to_the_code_free_pages(index_page, open_consultation):
    client = Client()
    first = _send(client, open_consultation)
    other = _send(client, open_consultation, comment="第二条")
    client.post(f"{LOOKUP}close/")
    response = client.get(f"{LOOKUP}{first}/edit/")
    assert response.status_code == 303 and response["Location"] == f"{LOOKUP}edit/"
    assert client.get(response["Location"]).status_code == 200
    response = client.get(f"{LOOKUP}{other.lower()}/withdraw/")
    assert response.status_code == 303 and response["Location"] == f"{LOOKUP}withdraw/"
    assert other in client.get(response["Location"]).content.decode()
    # Both opinions' old links are used now, whichever form they took.
    fresh = Client()
    assert fresh.get(f"{LOOKUP}{first}/")["Location"] == f"{LOOKUP}?link_used=1"
    assert fresh.get(f"{LOOKUP}{other}/")["Location"] == f"{LOOKUP}?link_used=1"


def test_an_old_link_changes_nothing_but_by_get(index_page, open_consultation):
    client = Client()
    code = _send(client, open_consultation)
    stranger = Client()
    # A HEAD (a link checker) and a POST (a form of an old page) use nothing up.
    assert stranger.head(f"{LOOKUP}{code}/")["Location"] == LOOKUP
    posted = stranger.post(f"{LOOKUP}{code}/withdraw/")
    assert posted.status_code == 303 and posted["Location"] == LOOKUP
    assert COOKIE not in posted.cookies
    assert not Submission.objects.get().withdrawn
    assert stranger.get(f"{LOOKUP}{code}/")["Location"] == LOOKUP  # the one use is left


def test_the_former_get_lookup_address_drops_the_code(index_page, open_consultation):
    client = Client()
    code = _send(client, open_consultation)
    stranger = Client()
    response = stranger.get(LOOKUP, {"code": code})
    assert response.status_code == 303 and response["Location"] == LOOKUP
    assert COOKIE not in response.cookies


@override_settings(RATELIMIT_RECEIPT_PER_ADDRESS=(3, 600))
def test_guessing_is_refused_even_for_the_right_code(index_page, open_consultation):
    code = _send(Client(), open_consultation)
    guesser = Client()
    guesses = [open_receipt(guesser, f"0000-0000-000{i}").status_code for i in range(3)]
    assert guesses == [404, 404, 404]
    right = open_receipt(guesser, code)
    assert right.status_code == 429 and COOKIE not in right.cookies
    old = guesser.get(f"{LOOKUP}{code}/")
    assert old.status_code == 429 and COOKIE not in old.cookies
    assert code not in guesser.get(LOOKUP).content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert open_receipt(guesser, code).status_code == 303
        assert receipt_code_on(guesser.get(LOOKUP)) == code
        # The refused old link was not used up.
        assert Client().get(f"{LOOKUP}{code}/")["Location"] == LOOKUP


def _csrf_token(client, url: str = LOOKUP) -> str:
    html = client.get(url).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_changes_need_the_csrf_token(index_page, open_consultation, settings):
    from feedback.tests._browser import use_contact_key

    use_contact_key(settings)
    code = _send(Client(), open_consultation, comment="原文", contact_phone=PHONE)
    resident = Client(enforce_csrf_checks=True)
    assert open_receipt(resident, code).status_code == 403  # even the look-up
    token = _csrf_token(resident)
    assert resident.post(LOOKUP, {"code": code, "csrfmiddlewaretoken": token}).status_code == 303
    # A page of another site makes the resident's browser post (it cannot know the token).
    forged = {
        f"{LOOKUP}edit/": {"stance": "support", "comment": "被改了"},
        f"{LOOKUP}withdraw/": {},
        f"{LOOKUP}contact/delete/": {},
        f"{LOOKUP}close/": {},
    }
    for url, data in forged.items():
        assert resident.post(url, data).status_code == 403, url
    submission = Submission.objects.get()
    assert (submission.comment, submission.withdrawn) == ("原文", False)
    assert submission.contact_ref and Contact.objects.count() == 1
    assert receipt_code_on(resident.get(LOOKUP)) == code  # the session is still open
    # With the token (the resident's own page) the same requests work.
    token = _csrf_token(resident)
    response = resident.post(f"{LOOKUP}contact/delete/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 303
    assert Contact.objects.count() == 0


def _session_value(response) -> str:
    return response.cookies[COOKIE].value


def test_an_edited_cookie_opens_no_other_opinion(index_page, open_consultation):
    mine = Client()
    my_code = _send(mine, open_consultation, comment="我的意见")
    their_code = _send(Client(), open_consultation, comment="别人的意见")
    theirs = Submission.objects.get(comment="别人的意见")
    value = _session_value(open_receipt(mine, my_code))
    pk, rest = value.split(":", 1)
    attempts = {
        "another number, my signature": f"{theirs.pk}:{rest}",
        "signed with another salt": signed_session(theirs.pk, salt="other"),
        "signed as a plain Django cookie": signing.get_cookie_signer(salt=COOKIE).sign(
            str(theirs.pk)
        ),
        "unsigned": str(theirs.pk),
        "garbage": "x" * 40,
    }
    for name, forged in attempts.items():
        attacker = Client()
        attacker.cookies["django_language"] = "en"
        attacker.cookies[COOKIE] = forged
        html = attacker.get(LOOKUP).content.decode()
        assert not contains_code(html, their_code) and not contains_code(html, my_code), name
        assert "别人的意见" not in html and 'name="code"' in html, name
        assert attacker.post(f"{LOOKUP}withdraw/").status_code == 303, name
        assert attacker.post(f"{LOOKUP}contact/delete/").status_code == 303, name
    assert not Submission.objects.filter(withdrawn=True).exists()
    # The real signature (the site's key) does name the opinion: the check above can fail.
    attacker = Client()
    attacker.cookies[COOKIE] = signed_session(theirs.pk)
    assert receipt_code_on(attacker.get(LOOKUP)) == their_code
    assert pk != str(theirs.pk)


def test_a_session_names_one_opinion_and_a_new_look_up_replaces_it(index_page, open_consultation):
    client = Client()
    first = _send(client, open_consultation, comment="第一条")
    second = _send(client, open_consultation, comment="第二条")
    assert receipt_code_on(client.get(LOOKUP)) == second
    open_receipt(client, first)
    assert receipt_code_on(client.get(LOOKUP)) == first
    client.post(f"{LOOKUP}edit/", {"stance": "support", "comment": "第一条改"})
    assert set(Submission.objects.values_list("comment", flat=True)) == {"第一条改", "第二条"}


def test_the_session_ends_after_thirty_minutes_without_use(index_page, open_consultation):
    client = Client()
    client.cookies["django_language"] = "en"
    code = _send(client, open_consultation)
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=20)):
        assert receipt_code_on(client.get(LOOKUP)) == code  # used: renewed
    with time_machine.travel(start + timedelta(minutes=45)):
        assert receipt_code_on(client.get(LOOKUP)) == code
    with time_machine.travel(start + timedelta(minutes=76)):
        ended = client.get(LOOKUP)
        html = ended.content.decode()
        assert "closed after 30 minutes without use" in html
        assert not contains_code(html, code)
        assert ended.cookies[COOKIE].value == ""  # the stale cookie is deleted
        assert client.get(f"{LOOKUP}edit/")["Location"] == LOOKUP


def test_the_session_cookie_is_scoped_and_hidden(index_page, open_consultation, settings):
    client = Client()
    token = fresh_token(client, open_consultation)
    response = client.post(form_url(open_consultation), {"token": token, "stance": "oppose"})
    cookie = response.cookies[COOKIE]
    assert cookie["path"] == LOOKUP
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # ends with the browser
    assert not cookie["secure"]  # (test settings: plain HTTP)
    code = Submission.objects.get().formatted_receipt
    assert not (code_variants(code) & set(cookie.value.split(":")))
    settings.SESSION_COOKIE_SECURE = True  # production
    response = client.post(f"{LOOKUP}close/")
    assert response.cookies[COOKIE]["path"] == LOOKUP
    assert open_receipt(client, code).cookies[COOKIE]["secure"] is True


def test_a_change_sent_after_the_session_ended_keeps_the_text_and_asks_for_the_code(
    index_page, open_consultation
):
    client = Client()
    client.cookies["django_language"] = "en"
    code = _send(client, open_consultation, comment="原来的意见")
    form = client.get(f"{LOOKUP}edit/").content.decode()
    assert f'name="consultation" value="{open_consultation.slug}"' in form
    change = {
        "consultation": open_consultation.slug,
        "stance": "support",
        "comment": "写了很久的新意见",
    }
    with time_machine.travel(timezone.now() + timedelta(minutes=40)):
        ended = client.post(f"{LOOKUP}edit/", change)
        assert ended.status_code == 403
        html = ended.content.decode()
        assert "写了很久的新意见" in html and 'name="receipt_code"' in html
        assert Submission.objects.get().comment == "原来的意见"
        wrong = client.post(f"{LOOKUP}edit/", {**change, "receipt_code": "0000-0000-0000"})
        assert wrong.status_code == 403
        assert "does not belong to an opinion on this consultation" in wrong.content.decode()
        assert Submission.objects.get().comment == "原来的意见"
        saved = client.post(f"{LOOKUP}edit/", {**change, "receipt_code": code.lower()})
        assert saved.status_code == 303 and saved["Location"] == f"{LOOKUP}?updated=1"
        assert receipt_code_on(client.get(LOOKUP)) == code
    assert Submission.objects.get().comment == "写了很久的新意见"


def test_the_resident_deletes_the_contact_at_any_time(index_page, open_consultation, settings):
    from feedback.tests._browser import use_contact_key

    use_contact_key(settings)
    client = Client()
    client.cookies["django_language"] = "en"
    code = _send(client, open_consultation, contact_email=EMAIL, contact_phone=PHONE)
    _send(Client(), open_consultation, contact_email="neighbour@example.org")
    mine = Submission.objects.get(receipt=code.replace("-", ""))
    Notification.objects.create(submission=mine)  # a notice waiting to be sent
    assert "Delete my contact details" in client.get(LOOKUP).content.decode()
    with time_machine.travel(open_consultation.closes_at + timedelta(days=3)):  # closed
        open_receipt(client, code)
        response = client.post(f"{LOOKUP}contact/delete/")
        assert response["Location"] == f"{LOOKUP}?contact_deleted=1"
        html = client.get(response["Location"]).content.decode()
    assert "Your contact details have been deleted" in html
    assert "Delete my contact details" not in html
    mine.refresh_from_db()
    assert mine.contact_ref == "" and Contact.objects.count() == 1  # the neighbour's stays
    assert not Notification.objects.filter(submission=mine).exists()
    entry = AuditEntry.objects.get(object_id=str(mine.pk))
    assert (entry.action, entry.actor_id, entry.detail) == (
        "contact_purge",
        None,
        {"by": "resident", "contacts_deleted": 1},
    )
    everything = " ".join(str(e.__dict__) for e in AuditEntry.objects.all())
    assert EMAIL not in everything and PHONE not in everything and code not in everything
    assert mine.receipt not in everything
    # Nothing is left to notify: the notice for this opinion is skipped.
    from feedback.response.notify import notifications_prepare

    assert notifications_prepare(open_consultation.pk) == 1  # the neighbour only
    assert not Notification.objects.filter(submission=mine).exists()
    # Deleting again changes nothing and writes nothing.
    open_receipt(client, code)
    client.post(f"{LOOKUP}contact/delete/")
    assert AuditEntry.objects.filter(object_id=str(mine.pk)).count() == 1


def test_receipt_pages_without_a_session_lead_to_the_form(index_page, open_consultation):
    client = Client()
    for url in ("edit/", "withdraw/", "contact/delete/", "close/"):
        assert client.get(f"{LOOKUP}{url}")["Location"] == LOOKUP
    assert client.post(f"{LOOKUP}edit/", {"stance": "support"})["Location"] == LOOKUP
    empty = client.post(LOOKUP, {"code": "  "})
    assert empty.status_code == 400 and 'name="code"' in empty.content.decode()
