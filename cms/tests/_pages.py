"""Helpers of the tests that compare a kept page with Wagtail-routed full renders."""

import re

import pytest

HOSTILE_QUERY = '?next=<b>"x"&y=%E4%B8%AD'
_TOKENS = re.compile(r'name="(csrfmiddlewaretoken|token)" value="[^"]*"')


def reader_variants(test):
    """Run ``test`` for each language, with and without a query string that must be escaped,
    and with default and changed display preferences (arguments ``language``, ``query`` and
    ``cookies``; ``as_reader`` applies them)."""
    test = pytest.mark.parametrize("language", ["zh-hans", "en"])(test)
    test = pytest.mark.parametrize("query", ["", HOSTILE_QUERY])(test)
    return pytest.mark.parametrize("cookies", [{}, {"tj_font": "xlarge", "tj_contrast": "high"}])(
        test
    )


def as_reader(client, language: str, cookies: dict[str, str]):
    client.cookies["django_language"] = language
    for name, value in cookies.items():
        client.cookies[name] = value
    return client


def blank_tokens(html: str) -> str:
    """The HTML with the per-request CSRF tokens and the form's idempotency token blanked."""
    return _TOKENS.sub(lambda m: f'name="{m.group(1)}" value=""', html)
