"""The regular expressions of ``feedback.privacy.masking``, and the text folding they run on.

Every pattern runs on the *folded* text (``fold``): each character replaced by its NFKC form
(full-width ``１３８`` and ``＠`` become ``138`` and ``@``, circled ``①`` becomes ``1``), dashes
as ``-``, every kind of space and invisible joiner as one space. Number patterns also run on a
second copy in which Chinese numerals (一三八…, 壹贰叁…, 〇, 幺) are digits, when the text has a
run of them. No pattern here is ever run on the original text.
"""

from __future__ import annotations

import re
import unicodedata

# --------------------------------------------------------------------------- folding


def _extra(code: int) -> str | None:
    """What folding does beyond NFKC for one character, or None."""
    if code in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0x2E3A, 0x2E3B):
        return "-"  # dashes and the minus sign
    if code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x180E, 0x0009):
        return " "  # zero-width characters and the soft hyphen: invisible, used to split numbers
    return None


class _Fold(dict):
    """``str.translate`` table: code point → folded text, computed on first sight of a character."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        out = _extra(code)
        if out is None:
            out = unicodedata.normalize("NFKC", char)
            out = "".join(_extra(ord(c)) or c for c in out)
            if out.isspace():
                out = " " * len(out)
        out = out or " "  # never shorter: one character in, at least one out
        self[code] = out
        return out


FOLD = _Fold()

CN_DIGITS = "零〇○一壹幺二贰貳三叁參四肆五伍六陆陸七柒八捌九玖"
_CN_DIGIT_TABLE = str.maketrans(CN_DIGITS, "0001112223334455666778899")


def cn_digits(folded: str) -> str:
    """``folded`` with Chinese numerals as ASCII digits (one character for one)."""
    return folded.translate(_CN_DIGIT_TABLE)


# A run of five digits (Arabic or Chinese), each at most three separators (space, dot, hyphen)
# from the next, as the number patterns allow: only then is the copy with Chinese numerals as
# digits worth matching.
CN_RUN = re.compile(rf"[0-9{CN_DIGITS}](?:[ .\-]{{0,3}}[0-9{CN_DIGITS}]){{4,}}")
HAS_CN_DIGIT = re.compile(f"[{CN_DIGITS}]")

# --------------------------------------------------------------------------- numbers

# A separator inside a number: nothing, a space, or a hyphen or dot with optional spaces.
SEP = r"(?:[ ]?[-.][ ]?|[ ])?"
# A number followed by a unit is an amount or a quantity, never a phone or an ID.
UNIT = (
    r"(?![ ]?(?:元|圆|块|角|万|亿|千|百|十|平|亩|米|公里|千米|公斤|斤|吨|克|个|人|户|套|间|栋|"
    r"幢|次|年|月|日|天|小时|分钟|岁|%|‰))"
)
NO_DIGIT_BEFORE = r"(?<![0-9¥$])"
COUNTRY = rf"(?:(?:\+|00)?86{SEP}|\(\+?86\)[ ]?)?"

# Each pattern starts with a look-ahead for the characters a match can start with: the regular
# expression engine then skips other positions quickly (3-4 times faster on Chinese text).
_NUMBER_START = r"(?=[+(0-9])"
MOBILE = re.compile(
    rf"{_NUMBER_START}{NO_DIGIT_BEFORE}{COUNTRY}"
    r"(?:"
    rf"1[3-9][0-9]{SEP}[0-9]{{4}}{SEP}[0-9]{{4}}"  # 138 1234 5678
    rf"|1[3-9][0-9]{{2}}{SEP}[0-9]{{3}}{SEP}[0-9]{{4}}"  # 1381 234 5678
    rf"|1[3-9][0-9]{{2}}{SEP}[0-9]{{7}}"  # 1381 2345678
    r"|1(?P<s>[ ]|-|\.)[3-9](?:(?P=s)[0-9]){9}"  # 1 3 8 1 2 3 4 5 6 7 8
    r")"
    rf"(?![0-9]){UNIT}"
)
_EXTENSION = r"(?:[ ]?(?:转|分机|ext\.?|x|-)[ ]?[0-9]{1,5})"
LANDLINE = re.compile(
    rf"{_NUMBER_START}{NO_DIGIT_BEFORE}{COUNTRY}(?:\(0[0-9]{{2,3}}\)|0[0-9]{{2,3}}){SEP}"
    rf"[1-9][0-9]{{2,3}}{SEP}[0-9]{{4}}{_EXTENSION}?(?![0-9]){UNIT}"
)
CONTACT_WORD = re.compile(
    r"(?=[电手座固联号TtPpMm])(?:电话|手机|座机|固话|联系方式|联系号码|号码|tel|phone|mobile)"
    r"(?:号码|号)?[ ]?(?:是|为|:)?[ ]?"
    rf"(?P<num>[0-9](?:{SEP}[0-9]){{5,11}})(?![0-9]){UNIT}",
    re.IGNORECASE,
)
QQ_WORDS = ("qq", "扣扣", "企鹅")
QQ = re.compile(
    rf"(?=[Qq扣企])(?<![A-Za-z])(?:{'|'.join(QQ_WORDS)})(?:号码|号|邮箱|群)?[ ]?(?:是|为|:)?[ ]?"
    r"(?P<num>[1-9](?:[ ]?[0-9]){4,11})(?![0-9])",
    re.IGNORECASE,
)
ID_18 = re.compile(
    rf"(?=[1-9])(?<![0-9A-Za-z])[1-9][0-9]{{5}}{SEP}[0-9]{{4}}{SEP}[0-9]{{4}}{SEP}[0-9]{{3}}[0-9Xx]"
    rf"(?![0-9A-Za-z]){UNIT}"
)
ID_15 = re.compile(rf"(?=[1-9])(?<![0-9A-Za-z])[1-9][0-9]{{14}}(?![0-9A-Za-z]){UNIT}")
LONG_NUMBER = re.compile(rf"(?=[0-9]){NO_DIGIT_BEFORE}[0-9]{{16,19}}(?![0-9]){UNIT}")

# --------------------------------------------------------------------------- accounts

# 微信, its homophones and abbreviations (威信, 薇信, V信, vx, wx…), then an optional 号/ID, an
# optional 是/为/colon and the ID itself: 6–20 letters, digits, _ or -, starting with a letter
# (WeChat's rule), or a number. With or without a colon or a space: 微信号xiling_zhang88.
WECHAT_WORDS = ("微信", "威信", "薇信", "维信", "卫星", "微x", "v信")
WECHAT_LATIN = ("vx", "wx", "weixin", "wechat")
WECHAT = re.compile(
    r"(?=[微威薇维卫VvWw])"
    rf"(?:{'|'.join(WECHAT_WORDS)}|(?<![A-Za-z0-9_])(?:{'|'.join(WECHAT_LATIN)}))"
    r"(?:[ ]?(?:号|id))?[ ]?(?:是|为|:)?[ ]?"
    r"(?P<num>[A-Za-z][-_A-Za-z0-9]{5,19}|[0-9]{5,12})(?![-_A-Za-z0-9])",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------- e-mail

_LOCAL = r"(?=[A-Za-z0-9])(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_DOT = r"[ ]?[.。][ ]?"
EMAIL = re.compile(
    rf"{_LOCAL}[ ]?@[ ]?{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}[A-Za-z]{{2,}}(?![A-Za-z0-9])"
)
# The same address spelt to escape robots: "zhang.san at 163 dot com", "zhangsan(at)qq.com",
# "zhangsan#163.com", "zhangsan艾特qq点com", and "zhangsan@qq" without its ending.
_AT_WORD = r"(?:[ ]*(?:\(at\)|\[at\]|\{at\}|<at>|【at】|\(艾特\)|艾特|#|@)[ ]*|[ ]+at[ ]+|(?<=[0-9])at(?=[a-z]))"
_DOT_WORD = r"(?:[ ]*(?:[.。]|\(dot\)|\[dot\]|\{dot\}|<dot>|【dot】|点|點)[ ]*|[ ]+dot[ ]+)"
_TLD = (
    r"(?:com|cn|net|org|edu|gov|info|top|xyz|vip|cc|io|me|co|hk|tw|mo|biz|site|online|club|"
    r"ltd|work|tech|mail|email)"
)
_PROVIDER = (
    r"(?:qq|163|126|139|189|sina|sohu|gmail|outlook|hotmail|yahoo|foxmail|aliyun|yeah|icloud|"
    r"live|msn|tom|21cn|wo)"
)
_LOCAL_WORDS = rf"{_LOCAL}(?:{_DOT_WORD}[A-Za-z0-9_%+\-]+)*"
EMAIL_WORDS = re.compile(
    rf"{_LOCAL_WORDS}{_AT_WORD}{_LABEL}(?:{_DOT_WORD}{_LABEL})*{_DOT_WORD}{_TLD}"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
EMAIL_PROVIDER = re.compile(
    rf"{_LOCAL_WORDS}{_AT_WORD}{_PROVIDER}(?![A-Za-z0-9])(?:[ ]?(?:邮箱|mail))?",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------- licence plates

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE = re.compile(
    rf"[{PROVINCES}][A-Za-z][ ]?[·•・.\-]?[ ]?"
    r"(?P<tail>[A-Za-z0-9]{5,6}|[A-Za-z0-9]{4}[挂学警港澳领])(?![A-Za-z0-9])"
)


def plate_ok(match: re.Match) -> bool:
    """A plate has at least three digits after the city letter; 粤BCDEFG is not one."""
    return sum(ch.isdigit() for ch in match.group("tail")) >= 3


# --------------------------------------------------------------------------- the quick pre-check


def _compat_chars() -> str:
    """Characters other than ASCII that fold to a letter, digit, ``@`` or ``#``. The Basic
    Multilingual Plane is scanned (15 ms) and, above it, the blocks that hold such characters
    (mathematical letters and digits, enclosed and segmented digits); a test scans all of
    Unicode and finds nothing else."""
    ranges = [
        (0x80, 0x10000),
        (0x10780, 0x107C0),
        (0x1D400, 0x1D800),
        (0x1F100, 0x1F200),
        (0x1FBF0, 0x1FC00),
    ]
    found = []
    for low, high in ranges:
        for code in range(low, high):
            if 0xD800 <= code < 0xE000:
                continue
            folded = unicodedata.normalize("NFKC", chr(code))
            if any(c.isascii() and (c.isalnum() or c in "@#") for c in folded):
                found.append(chr(code))
    return "".join(found)


COMPAT_CHARS = _compat_chars()
_DIGITISH = f"0-9{CN_DIGITS}"
# What ``may_contain_personal_data`` looks for, on the text as written, each found fast: every
# pattern above and in masking_places needs at least one of these.
# Look-alike letters and digits (full-width, circled…) and at signs; a set, as a character class
# with characters beyond the Basic Multilingual Plane is tested item by item.
TRIGGER_CHARS = frozenset(COMPAT_CHARS + "@#")
TRIGGER_WORDS = (
    "艾特",
    "微信",
    "威信",
    "薇信",
    "维信",
    "卫星",
    "扣扣",
    "企鹅",
    "姓名",
    "名字",
    "联系人",
    "户主",
    "我叫",
)
TRIGGERS = (
    # Latin letters: e-mail addresses, WeChat IDs, vx/wx/QQ/WeChat, licence plates, "at"
    re.compile("[A-Za-z]"),
    # an address: a number and 号, 栋, 室…, or a dashed flat number
    re.compile(rf"[{_DIGITISH}十百两](?:[号栋幢座室户房单元组队楼层院]|(?<=[0-9])-[0-9])"),
    # five digits, Arabic or Chinese, each within three characters of the next
    re.compile(rf"[{_DIGITISH}](?:[^{_DIGITISH}]{{0,3}}[{_DIGITISH}]){{4}}"),
)
# Gates inside the full matching, on the folded text.
FIVE_DIGITS = re.compile(r"[0-9](?:[^0-9]{0,3}[0-9]){4}")
PLACE_GATE = re.compile(
    rf"[0-9A-Za-z{CN_DIGITS}十百两](?:[号栋幢座室户房组队]|单元)|[0-9]-[0-9]|姓名|名字|联系人|户主|我叫"
)
EMAIL_GATE = ("@", "#", "艾特", "at")  # in the lower-case folded text
ACCOUNT_GATE = (*WECHAT_WORDS, *WECHAT_LATIN, *QQ_WORDS)  # in the lower-case folded text
