"""Phone numbers in contact text as ``tel:`` links (issue 15).

A contact field holds what people write: "0999-12345601（工作日）；12345政务服务便民热线". Each
number in it becomes its own link whose ``tel:`` target holds digits, "+" and "-" only; the
words around it (hours, the name of a hotline) stay as text beside it.
"""

from __future__ import annotations

import re

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

# A run of digits with single spaces or hyphens inside, optionally after "+" or "(0xx)";
# not part of a time ("9:00-17:00") or of a longer run of digits.
NUMBER = re.compile(
    r"(?<![\d:+])((?:\+\d{1,3}[\s-]?)?(?:\(\d{2,5}\)[\s-]?)?\d(?:\d|[\s-](?=\d))*\d)(?![\d:])"
)
MIN_DIGITS = 5  # 12345 is the shortest number we link (the government service hotline)


def tel_target(number: str) -> str:
    """``+86 (10) 1234-5678`` -> ``+86-10-1234-5678``: digits, "+" and "-" only."""
    parts = re.split(r"[^\d+]+", number)
    return "-".join(p for p in parts if p)


def phone_numbers(text: str) -> list[str]:
    return [m.group(1) for m in NUMBER.finditer(text or "") if _long_enough(m.group(1))]


def _long_enough(number: str) -> bool:
    return sum(ch.isdigit() for ch in number) >= MIN_DIGITS


CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _words(text: str, *, english_page: bool) -> str:
    """Escaped text; Chinese words on an English page carry ``lang="zh-Hans"`` (WCAG 3.1.2)."""
    if english_page and CJK.search(text):
        return format_html('<span lang="zh-Hans">{}</span>', text)
    return conditional_escape(text)


def phone_links_html(text: str) -> SafeString:
    """The text, escaped, with each phone number in it wrapped in its own ``tel:`` link."""
    from consultations.i18n import wants_english

    english_page = wants_english()
    text = str(text or "")
    out: list[str] = []
    position = 0
    for match in NUMBER.finditer(text):
        number = match.group(1)
        if not _long_enough(number):
            continue
        out.append(_words(text[position : match.start(1)], english_page=english_page))
        out.append(format_html('<a href="tel:{}">{}</a>', tel_target(number), number))
        position = match.end(1)
    out.append(_words(text[position:], english_page=english_page))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above
