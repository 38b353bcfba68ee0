"""Helpers of the receipt tests: codes are never in a URL, so they are read off the pages."""

from __future__ import annotations

import re

RECEIPT_ON_PAGE = re.compile(r'id="receipt-code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<')
LOOKUP = "/consultations/receipt/"


def code_variants(code: str) -> set[str]:
    """The ways a code could appear in a URL: as shown, without hyphens, in lower case."""
    plain = code.replace("-", "")
    return {code, plain, code.lower(), plain.lower()}


def contains_code(text: str, code: str) -> bool:
    return any(variant in text for variant in code_variants(code))


def receipt_code_on(response) -> str:
    match = RECEIPT_ON_PAGE.search(response.content.decode())
    assert match, response.content.decode()[:2000]
    return match.group(1)


def receipt_from_redirect(response) -> str:
    """The receipt code of the opinion an opinion-form POST stored. The POST redirects to the
    code-free receipt page and opens a receipt session: a signed cookie naming the opinion by
    its internal number. The code is read from the database for that number (no request is
    made, so tests counting queries or requests around the POST are not disturbed)."""
    from django.http import HttpRequest

    from feedback.intake.receipt_session import COOKIE, SALT
    from feedback.models import Submission

    assert response.status_code == 302, response.content.decode()[:2000]
    location = response["Location"]
    request = HttpRequest()
    request.COOKIES[COOKIE] = response.cookies[COOKIE].value
    pk = int(request.get_signed_cookie(COOKIE, salt=SALT))
    code = Submission.objects.values_list("receipt", flat=True).get(pk=pk)
    code = f"{code[:4]}-{code[4:8]}-{code[8:]}"
    assert not contains_code(location, code), location
    return code


def signed_session(pk: int, *, salt: str | None = None) -> str:
    """A receipt session cookie's value naming opinion ``pk``, signed as the site signs it
    (or with another ``salt``)."""
    from django.http import HttpResponse

    from feedback.intake.receipt_session import COOKIE, SALT

    response = HttpResponse()
    response.set_signed_cookie(COOKIE, str(pk), salt=SALT if salt is None else salt)
    return response.cookies[COOKIE].value


def open_receipt(client, code: str, *, url: str = LOOKUP):
    """Type ``code`` into the look-up form: the response (303 to the receipt page)."""
    return client.post(url, {"code": code})
