"""The receipt session: which one opinion this browser may read, change or withdraw.

A receipt code is never put in a URL (issue 12): the code is typed into a POST form (or the
opinion has just been sent), and the answer opens a short session instead, a signed cookie
that names that one opinion. Nothing is stored on the server for it. The cookie:

- names the opinion by its internal number, signed with the site's key and a salt of its own,
  so it cannot be moved to another opinion without the key (``signing``);
- is valid for ``RECEIPT_SESSION_SECONDS`` (30 minutes) after the last receipt page, renewed
  by each; it has no Max-Age, so closing the browser ends it too; "Close" deletes it;
- is sent only to the receipt pages (its path), never read by scripts (HttpOnly), only over
  HTTPS in production (``SESSION_COOKIE_SECURE``), and with SameSite=Lax: not sent with
  another site's POSTs or embedded requests. (Strict would drop it from the redirect that an
  old receipt link opened from a mail program makes, so the link would not work even once;
  every change is a POST with a CSRF token in any case.)

Old receipt links (``receipt/<code>/``, printed or e-mailed before) open the session once per
opinion; ``old_link_claim`` remembers that use without the code.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from feedback.models import Submission
from feedback.web import sub_url

COOKIE = "tj_receipt"
SALT = "feedback.intake.receipt_session"
DEFAULT_SECONDS = 30 * 60


def receipt_session_seconds() -> int:
    return int(getattr(settings, "RECEIPT_SESSION_SECONDS", None) or DEFAULT_SECONDS)


def lookup_url(page, request: HttpRequest, *, base: str | None = None) -> str:
    """The code-free receipt address ``…/receipt/``: the look-up form, or the receipt of the
    browser's receipt session."""
    return sub_url(page, request, "receipt_lookup", base=base)


def to_receipt(request, page, submission: Submission, flag: str = "", *, base=None):
    """The redirect to the code-free receipt page of ``submission`` (after the opinion form),
    opening its session; ``flag`` says what the page tells (``sent``, ``again``)."""
    url = lookup_url(page, request, base=base)
    response = HttpResponseRedirect(f"{url}?{flag}=1" if flag else url)
    return receipt_session_open(response, submission, receipt_url=url)


def _cookie_path(receipt_url: str) -> str:
    return urlsplit(receipt_url).path or "/"


def receipt_session_open(response: HttpResponse, submission: Submission, *, receipt_url: str):
    """Let this browser open ``submission``'s receipt for the next 30 minutes (it replaces any
    other opinion's session). ``receipt_url`` is the receipt look-up's URL: the cookie goes
    only to it and the pages below it."""
    response.set_signed_cookie(
        COOKIE,
        str(submission.pk),
        salt=SALT,
        path=_cookie_path(receipt_url),
        secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
        httponly=True,
        samesite="Lax",
    )
    return response


def receipt_session_close(response: HttpResponse, *, receipt_url: str) -> HttpResponse:
    response.delete_cookie(COOKIE, path=_cookie_path(receipt_url), samesite="Lax")
    return response


def receipt_session_present(request: HttpRequest) -> bool:
    """True when the browser sent a receipt session cookie, valid or not (an ended session)."""
    return COOKIE in request.COOKIES


def receipt_session_submission(request: HttpRequest) -> Submission | None:
    """The opinion of the request's receipt session; None when there is none, it has ended,
    or its signature does not hold (an edited cookie)."""
    value = request.get_signed_cookie(
        COOKIE, default=None, salt=SALT, max_age=receipt_session_seconds()
    )
    if not value or not value.isdigit():
        return None
    return Submission.objects.select_related("consultation").filter(pk=int(value)).first()


# Old links: one use per opinion, remembered on the opinion itself (no code, no time).
def old_link_claim(submission: Submission) -> bool:
    """True the first time an old receipt link of ``submission`` is used, False afterwards
    (one conditional UPDATE: two browsers opening the link at once get one True)."""
    claimed = Submission.objects.filter(pk=submission.pk, receipt_link_used=False).update(
        receipt_link_used=True
    )
    return claimed == 1
