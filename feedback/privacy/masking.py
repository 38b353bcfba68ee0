"""Mask personal data inside opinion text before it is shown in public (R51, R45).

What is masked, and how
-----------------------
Each match is **removed completely** and replaced by a bracketed label in the page language,
for example ``[电话已隐去]`` / ``[phone number removed]``. We do not keep partial digits such as
``138****5678``: in a small village the last four digits of a phone number, or the birth date in
an ID number, can be enough to recognise a neighbour (rules-zh.md on the 金寨 example: partial
masking still identifies people; section 8 asks for full removal).

Kinds of data found:

- **phone**: Chinese mobiles ``1[3-9]`` + 9 digits, optionally with ``+86``/``0086``/``86``, in
  the usual groupings 3-4-4 or 4-3-4 with spaces, hyphens or dots (``138 1234 5678``,
  ``138-1234-5678``); landlines with an area code ``0`` + 2–3 digits, in brackets or not, then a
  7–8 digit local number in groups, with an optional extension (``0571-8888 8888``,
  ``（010）6512 3456 转 123``); and any 6–12 digit number right after a word such as 电话, 手机,
  座机, 联系方式, tel or phone (``电话 8888 8888``).
- **email**: ``name@domain.tld``, also with spaces around ``@`` and ``。`` for the dot.
- **id**: ID-card-like numbers: 18 characters (17 digits then a digit or X, also grouped 6-4-4-4
  or 6-8-4) and 15 digits.
- **account**: other long digit runs of 16–19 digits (bank cards), QQ numbers after ``QQ``, and
  WeChat IDs after ``微信号：`` / ``WeChat:``.

Full-width characters (``１３８``, ``－``, ``＠``, ``（）``, the ideographic space) count like
their ASCII forms: matching runs on a shadow copy of the text in which each such character is
replaced by its ASCII twin, one character for one, so positions map back to the original text,
which is otherwise left exactly as written.

What survives
-------------
Years (2024年, 2023-2025), amounts (30000元, 1,380,000元, even 13800000000元: a number followed by
a unit such as 元, 万, 亿, 平方, 户 or % is never masked), clause numbers (第3.2.1条), postcodes
(310000), and the 12345 hotline. Numbers written in Chinese numerals (一三八…) are not found;
moderators read every opinion before it is shown under pre-moderation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

PHONE, EMAIL, ID_NUMBER, ACCOUNT = "phone", "email", "id", "account"


def label(kind: str) -> str:
    """The text that replaces a match of ``kind`` (in the active language)."""
    labels = {
        PHONE: _("[phone number removed]"),
        EMAIL: _("[e-mail address removed]"),
        ID_NUMBER: _("[ID number removed]"),
        ACCOUNT: _("[account removed]"),
    }
    return labels[kind]


def _shadow_table() -> dict[int, str]:
    table = {}
    for offset in range(10):
        table[0xFF10 + offset] = chr(ord("0") + offset)
    for offset in range(26):
        table[0xFF21 + offset] = chr(ord("A") + offset)
        table[0xFF41 + offset] = chr(ord("a") + offset)
    table.update(
        {
            0xFF20: "@",  # ＠
            0xFF0E: ".",  # ．
            0xFF0B: "+",  # ＋
            0xFF08: "(",  # （
            0xFF09: ")",  # ）
            0xFF3F: "_",  # ＿
            0xFF0D: "-",  # －
            0xFF1A: ":",  # ：
            0x3000: " ",  # ideographic space
            0x00A0: " ",
            0x202F: " ",
            0x0009: " ",
        }
    )
    for dash in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE63):
        table[dash] = "-"
    for space in range(0x2000, 0x200B):
        table[space] = " "
    return table


_SHADOW = _shadow_table()

# A separator inside a number: nothing, a space, or a hyphen or dot with optional spaces.
_SEP = r"(?:[ ]?[-.][ ]?|[ ])?"
# A number followed by a unit is an amount or a quantity, never a phone or an ID.
_UNIT = (
    r"(?![ ]?(?:元|圆|块|角|万|亿|千|百|十|平|亩|米|公里|千米|公斤|斤|吨|克|个|人|户|套|间|栋|"
    r"幢|次|年|月|日|天|小时|分钟|岁|%|‰|％))"
)
_NO_DIGIT_BEFORE = r"(?<![0-9¥￥$])"
_COUNTRY = rf"(?:(?:\+|00)?86{_SEP}|\(\+?86\)[ ]?)?"

_MOBILE = re.compile(
    rf"{_NO_DIGIT_BEFORE}{_COUNTRY}"
    rf"(?:1[3-9][0-9]{_SEP}[0-9]{{4}}{_SEP}[0-9]{{4}}|1[3-9][0-9]{{2}}{_SEP}[0-9]{{3}}{_SEP}[0-9]{{4}})"
    rf"(?![0-9]){_UNIT}"
)
_EXTENSION = r"(?:[ ]?(?:转|分机|ext\.?|x|-)[ ]?[0-9]{1,5})"
_LANDLINE = re.compile(
    rf"{_NO_DIGIT_BEFORE}{_COUNTRY}(?:\(0[0-9]{{2,3}}\)|0[0-9]{{2,3}}){_SEP}"
    rf"[1-9][0-9]{{2,3}}{_SEP}[0-9]{{4}}{_EXTENSION}?(?![0-9]){_UNIT}"
)
_CONTACT_WORD = re.compile(
    r"(?:电话|手机|手机号|座机|固话|联系电话|联系方式|联系号码|tel|phone|mobile)"
    r"(?:号码|号)?[ ]?(?:是|为|:)?[ ]?"
    rf"(?P<num>[0-9](?:{_SEP}[0-9]){{5,11}})(?![0-9]){_UNIT}",
    re.IGNORECASE,
)
_QQ = re.compile(
    r"(?<![A-Za-z])qq(?:号码|号)?[ ]?(?:是|为|:)?[ ]?(?P<num>[1-9][0-9]{4,11})(?![0-9])",
    re.IGNORECASE,
)
_WECHAT = re.compile(
    r"(?:微信号|微信|wechat(?:[ ]?id)?|weixin|vx)[ ]?(?:是|为|:)[ ]?"
    r"(?P<num>[A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9])",
    re.IGNORECASE,
)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*[ ]?@[ ]?"
    r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:[ ]?[.。][ ]?[A-Za-z0-9\-]+)*[ ]?[.。][ ]?[A-Za-z]{2,}"
    r"(?![A-Za-z0-9])"
)
_ID_18 = re.compile(
    rf"(?<![0-9A-Za-z])[1-9][0-9]{{5}}{_SEP}[0-9]{{4}}{_SEP}[0-9]{{4}}{_SEP}[0-9]{{3}}[0-9Xx]"
    rf"(?![0-9A-Za-z]){_UNIT}"
)
_ID_15 = re.compile(rf"(?<![0-9A-Za-z])[1-9][0-9]{{14}}(?![0-9A-Za-z]){_UNIT}")
_LONG_NUMBER = re.compile(rf"{_NO_DIGIT_BEFORE}[0-9]{{16,19}}(?![0-9]){_UNIT}")

# In order of priority: where two matches overlap, the earlier pattern wins.
_PATTERNS: tuple[tuple[re.Pattern, str, str | None], ...] = (
    (_EMAIL, EMAIL, None),
    (_ID_18, ID_NUMBER, None),
    (_ID_15, ID_NUMBER, None),
    (_LANDLINE, PHONE, None),
    (_MOBILE, PHONE, None),
    (_QQ, ACCOUNT, "num"),
    (_WECHAT, ACCOUNT, "num"),
    (_CONTACT_WORD, PHONE, "num"),
    (_LONG_NUMBER, ACCOUNT, None),
)


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    kind: str


def shadow(text: str) -> str:
    """``text`` with full-width digits, letters and signs as ASCII (same length)."""
    return text.translate(_SHADOW)


def find_personal_data(text: str) -> list[Found]:
    """Spans of personal data in ``text``, in order, never overlapping."""
    if not text:
        return []
    plain = shadow(text)
    taken: list[Found] = []
    for pattern, kind, group in _PATTERNS:
        for match in pattern.finditer(plain):
            start, end = match.span(group) if group else match.span()
            if any(start < f.end and f.start < end for f in taken):
                continue
            taken.append(Found(start, end, kind))
    return sorted(taken, key=lambda f: f.start)


def mask_text(text: str) -> str:
    """``text`` with every phone number, e-mail address, ID-like and account number removed."""
    found = find_personal_data(text)
    if not found:
        return text
    parts, position = [], 0
    for item in found:
        parts.append(text[position : item.start])
        parts.append(label(item.kind))
        position = item.end
    parts.append(text[position:])
    return "".join(parts)
