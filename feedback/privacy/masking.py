"""Mask personal data inside opinion text wherever it is shown or exported (R51, R45).

Where masking happens
---------------------
At display and export time. The stored text stays exactly as the resident wrote it: the
register is evidence, and a better pattern tomorrow masks old opinions too. Masking is
deterministic (same text, same result) and cheap: a quick pre-check (``may_contain_personal_data``)
lets most texts through untouched; see docs/moderation-guide.md for the
measured cost.

What is masked, and how
-----------------------
Each match is **removed completely** and replaced by a bracketed label in the page language,
for example ``[电话已隐去]`` / ``[phone number removed]``. We do not keep partial digits such as
``138****5678``: in a small village the last four digits of a phone number, or the birth date in
an ID number, can be enough to recognise a neighbour (rules-zh.md section 8 asks for full removal).

The text is first folded (``feedback.privacy.masking_patterns``): NFKC, so full-width ``１３８``,
``＠`` and circled ``①`` count as ``138``, ``@`` and ``1``; dashes as ``-``; every space and
invisible joiner as a space. Numbers are also read with Chinese numerals as digits
(``一三八一二三四五六七八``, ``壹叁捌…``, ``幺``, ``〇``). Positions map back to the original, which
is otherwise shown exactly as written (its Chinese punctuation included).

Kinds of data found:

- **phone**: mobiles ``1[3-9]`` + 9 digits, with ``+86``/``0086``/``86``, grouped 3-4-4, 4-3-4,
  4-7 or digit by digit, with spaces, hyphens or dots; landlines with an area code, in brackets
  or not, with an extension; any 6–12 digit number after 电话, 手机, 座机, 联系方式, tel, phone.
- **email**: ``name@domain.tld`` (spaces around ``@``, ``。`` for the dot), and the forms written
  to escape robots: ``name at 163 dot com``, ``name(at)qq.com``, ``name#163.com``,
  ``name艾特qq点com``, ``name@qq`` without its ending.
- **id**: ID-card numbers: 18 characters (17 digits then a digit or X, also grouped 6-4-4-4 or
  6-8-4) and 15 digits.
- **account**: bank cards (16–19 digits), QQ numbers after QQ/扣扣/企鹅, WeChat IDs after 微信,
  微信号, 威信, 薇信, V信, vx, wx, WeChat, with or without a colon or a space (``微信号xiling_zhang88``).
- **plate**: licence plates, ``粤B12345``, ``京A·D12345``, ``浙A 1234学``.
- **address** and **name**: a dwelling's exact address, and a name next to any address
  (``feedback.privacy.masking_places`` says exactly which).

What survives
-------------
Years and dates (2024年, 2027年1月12日, 二〇二七年), amounts (30000元, 1,380,000元, even
13800000000元: a number followed by a unit such as 元, 万, 户 or % is never a phone), percentages,
clause numbers (第3.2.1条), document numbers (〔2024〕12号), postcodes (310000), the 12345 hotline,
a road and house number alone (幸福路12号, often a site the opinion is about), a building alone
(5号楼), and names not next to an address.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from feedback.privacy import masking_patterns as p
from feedback.privacy.masking_places import find_places

PHONE, EMAIL, ID_NUMBER, ACCOUNT = "phone", "email", "id", "account"
PLATE, ADDRESS, NAME = "plate", "address", "name"
KINDS = (PHONE, EMAIL, ID_NUMBER, ACCOUNT, PLATE, ADDRESS, NAME)


def label(kind: str) -> str:
    """The text that replaces a match of ``kind`` (in the active language)."""
    labels = {
        PHONE: _("[phone number removed]"),
        EMAIL: _("[e-mail address removed]"),
        ID_NUMBER: _("[ID number removed]"),
        ACCOUNT: _("[account removed]"),
        PLATE: _("[licence plate removed]"),
        ADDRESS: _("[house number removed]"),
        NAME: _("[name removed]"),
    }
    return labels[kind]


def kind_name(kind: str) -> str:
    """What ``kind`` is, for the moderators' flag ("may contain personal details: …")."""
    names = {
        PHONE: _("phone number"),
        EMAIL: _("e-mail address"),
        ID_NUMBER: _("ID number"),
        ACCOUNT: _("QQ, WeChat or bank account"),
        PLATE: _("licence plate"),
        ADDRESS: _("exact address"),
        NAME: _("personal name"),
    }
    return names[kind]


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    kind: str


_Check = Callable[[re.Match], bool] | None
# Gates: a group of patterns runs only when its gate is open (the text has five digits close
# together; an at sign or "at"; an account word). Each pattern needs what its gate looks for.
_DIGITS, _MAIL, _ACCOUNT, _ANY = "digits", "mail", "account", "any"
# In order of priority: where two matches overlap, the earlier pattern wins. Patterns gated by
# digits are matched on the folded text and, when it has a run of Chinese numerals, on its copy
# with them as digits.
_PATTERNS: tuple[tuple[re.Pattern, str, str | None, _Check, str], ...] = (
    (p.EMAIL, EMAIL, None, None, _MAIL),
    (p.EMAIL_WORDS, EMAIL, None, None, _MAIL),
    (p.EMAIL_PROVIDER, EMAIL, None, None, _MAIL),
    (p.ID_18, ID_NUMBER, None, None, _DIGITS),
    (p.ID_15, ID_NUMBER, None, None, _DIGITS),
    (p.LANDLINE, PHONE, None, None, _DIGITS),
    (p.MOBILE, PHONE, None, None, _DIGITS),
    (p.QQ, ACCOUNT, "num", None, _ACCOUNT),
    (p.WECHAT, ACCOUNT, "num", None, _ACCOUNT),
    (p.CONTACT_WORD, PHONE, "num", None, _DIGITS),
    (p.LONG_NUMBER, ACCOUNT, None, None, _DIGITS),
    (p.PLATE, PLATE, None, p.plate_ok, _ANY),
)


def fold(text: str) -> tuple[str, list[int] | None]:
    """``text`` folded for matching, and where each folded character came from (``None`` when
    folding kept one character for one, as it does for nearly every text)."""
    folded = text.translate(p.FOLD)
    if len(folded) == len(text):
        return folded, None
    origin: list[int] = []
    for index, char in enumerate(text):
        origin.extend([index] * len(p.FOLD[ord(char)]))
    origin.append(len(text))
    return "".join(p.FOLD[ord(char)] for char in text), origin


def may_contain_personal_data(text: str) -> bool:
    """False only when ``find_personal_data`` surely finds nothing: a set test, a few substring
    tests and two fast searches, a few microseconds. Every pattern needs something this looks
    for (``test_the_quick_checks_never_skip_what_the_full_matching_finds``)."""
    if not text:
        return False
    if not p.TRIGGER_CHARS.isdisjoint(text) or any(word in text for word in p.TRIGGER_WORDS):
        return True
    return any(trigger.search(text) for trigger in p.TRIGGERS)


def _variants(folded: str, gated: bool) -> dict[str, list[str]]:
    """The texts each group of patterns runs on (none when its gate is closed). Ungated, every
    pattern runs on both texts: the tests check that the gates change no result."""
    lower = folded.lower()
    account = not gated or any(word in lower for word in p.ACCOUNT_GATE)
    mail = not gated or any(word in lower for word in p.EMAIL_GATE)
    numerals = not gated or any(
        p.HAS_CN_DIGIT.search(run.group()) for run in p.CN_RUN.finditer(folded)
    )
    as_digits = p.cn_digits(folded) if numerals or account else folded
    digits = [folded] if not gated or p.FIVE_DIGITS.search(folded) else []
    return {
        _DIGITS: digits + [as_digits] if numerals else digits,
        # An account name may hide digits as numerals too (wxm幺幺19): both copies, always.
        _ACCOUNT: [folded, as_digits] if account else [],
        _MAIL: [folded] if mail else [],
        _ANY: [folded],
    }


def _find_folded(folded: str, *, gated: bool = True) -> list[tuple[int, int, str]]:
    variants = _variants(folded, gated)
    taken: list[tuple[int, int, str]] = []
    for pattern, kind, group, check, gate in _PATTERNS:
        for variant in variants[gate]:
            for match in pattern.finditer(variant):
                if check is not None and not check(match):
                    continue
                start, end = match.span(group) if group else match.span()
                if not any(start < e and s < end for s, e, _k in taken):
                    taken.append((start, end, kind))
    places = find_places(folded) if not gated or p.PLACE_GATE.search(folded) else []
    for start, end, kind in places:
        if not any(start < e and s < end for s, e, _k in taken):
            taken.append((start, end, NAME if kind == "name" else ADDRESS))
    return taken


def find_personal_data(text: str) -> list[Found]:
    """Spans of personal data in ``text`` (positions in ``text`` itself), in order, never
    overlapping."""
    if not may_contain_personal_data(text):
        return []
    folded, origin = fold(text)
    found = []
    for start, end, kind in _find_folded(folded):
        if origin is not None:
            start, end = origin[start], origin[end - 1] + 1
        found.append(Found(start, end, kind))
    return sorted(found, key=lambda f: f.start)


def personal_data_kinds(*texts: str) -> list[str]:
    """The kinds of personal data found in any of ``texts``, in the order of ``KINDS``."""
    kinds = {f.kind for text in texts for f in find_personal_data(text)}
    return [kind for kind in KINDS if kind in kinds]


def mask_text(text: str) -> str:
    """``text`` with every phone number, e-mail address, ID or account number, licence plate,
    dwelling address and name next to an address replaced by a label."""
    found = find_personal_data(text)
    if not found:
        return text
    parts, position = [], 0
    for item in found:
        if item.start < position:  # two spans from one folded character
            continue
        parts.append(text[position : item.start])
        parts.append(label(item.kind))
        position = item.end
    parts.append(text[position:])
    return "".join(parts)
