"""Chinese text normalisation and segmentation for search and duplicate detection.

Why: PostgreSQL has no Chinese parser (and the embedded server ships no zhparser or pg_trgm), so
opinions are segmented by jieba in Python and stored as space-joined tokens that the ``simple``
text-search configuration indexes as they are. jieba's search mode also emits the dictionary
words inside long words, so that 焚烧 is a lexeme of 垃圾焚烧发电厂 and a search for 焚烧 finds it
through the GIN index.

Usage with Django (the search vector column is filled from ``segment_for_search``):

    SearchVector(Value(segment_for_search(text)), config="simple")
    SearchQuery(segment_query(q), search_type="raw", config="simple")   # if segment_query(q)
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata

import jieba

# Domain words jieba's dictionary lacks; adding them keeps them whole and still lets search mode
# emit their two-character parts (焚烧厂 → 焚烧).
DOMAIN_WORDS = (
    "二噁英",
    "渗滤液",
    "飞灰",
    "焚烧厂",
    "垃圾焚烧",
    "稳评",
    "环评",
    "听证会",
    "征求意见",
    "学区房",
    "拆迁安置",
    "非机动车道",
    "隔音屏",
)

_WHITESPACE = re.compile(r"\s+")
_init_lock = threading.Lock()
_ready = False


def _ensure_jieba() -> None:
    """Load jieba's dictionary once per process, without its chatty log lines."""
    global _ready
    if _ready:
        return
    with _init_lock:
        if not _ready:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            for word in DOMAIN_WORDS:
                jieba.add_word(word)
            _ready = True


# --- Text as it is stored (issue 14, point 4) -------------------------------------------------
# Control characters (Unicode category Cc) other than tab and newline: NUL, the C0 and C1
# controls, DEL. A carriage return is part of a line break (CRLF, CR), which becomes "\n".
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile("\r\n?")
# Characters that are letters or symbols to Unicode yet show nothing: Hangul fillers, the
# braille blank, the Mongolian vowel separator.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def clean_input(text: str) -> str:
    """Text as it is stored, from whatever a form, a file or a request sent: line breaks as
    ``\n``, every control character other than tab and newline removed, NFC (one code point
    for a character with an accent or a composed form). Nothing else changes: spaces, zero-width
    characters and punctuation stay as written (matching and search fold them away)."""
    if not text:
        return text
    text = _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text))
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def has_visible_character(text: str) -> bool:
    """True when ``text`` shows something: a letter, digit, punctuation mark or symbol (Unicode
    categories L, N, P, S) that is not one of the blank look-alikes. Spaces, zero-width and
    other format characters, combining marks alone and control characters show nothing."""
    return any(
        unicodedata.category(ch)[0] in "LNPS" and ch not in _BLANK_LETTERS for ch in text or ""
    )


def _invisible_class() -> re.Pattern:
    """A character class of every format character (zero-width space and joiners, bidi marks,
    the BOM, soft hyphen…, category Cf), combining mark (Mn, Me) and blank look-alike, built
    once from the Unicode database (the planes that hold them; about 40 ms)."""
    ranges: list[tuple[int, int]] = []
    for low, high in ((0x80, 0x30000), (0xE0000, 0xE1000)):
        for code in range(low, high):
            char = chr(code)
            if unicodedata.category(char) in ("Mn", "Me", "Cf") or char in _BLANK_LETTERS:
                if ranges and ranges[-1][1] == code - 1:
                    ranges[-1] = (ranges[-1][0], code)
                else:
                    ranges.append((code, code))
    body = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(f"[{body}]")


# Invisible or decoration, and they split words, so matching and search drop them; a mark
# NFKC could join to its letter (e + U+0301 → é) is joined first.
_INVISIBLE = _invisible_class()


def _drop_marks(text: str) -> str:
    return text if text.isascii() else _INVISIBLE.sub("", text)


def normalize_text(text: str) -> str:
    """NFKC (full-width letters, digits and punctuation to half width), control and format
    characters (zero-width ones) and stray combining marks removed, one space per run of
    whitespace, stripped. Keeps the wording and punctuation: this is what people wrote, in the
    form search and the exact-duplicate test compare."""
    folded = _drop_marks(_CONTROLS.sub(" ", unicodedata.normalize("NFKC", text or "")))
    return _WHITESPACE.sub(" ", folded).strip()


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"


# Every character that is not a letter or a digit (Unicode categories L*, N*) below U+20000:
# ``\w`` is exactly L*, N* and "_" (checked for every code point in
# feedback/tests/test_campaign_folding.py); the planes from U+20000 (CJK extensions) are kept
# whole, as the translate table this replaces did. 1.7x faster than str.translate with a dict.
# Punctuation, symbols (emoji are symbols), spaces, zero-width and other format characters and
# combining marks are all outside L* and N*, so this removes them.
_NON_WORD = re.compile(r"[^\w\U00020000-\U0010FFFF]|_")
# A run of the same character (digits excepted: 100 is not 10) counts as one: "好好好好" → "好".
_REPEATS = re.compile(r"(\D)\1+")

_converter = None
_converter_lock = threading.Lock()


def to_simplified(text: str) -> str:
    """Traditional Chinese characters and phrases converted to Simplified (OpenCC ``t2s``; one
    converter per process, loaded on first use). Simplified text is returned unchanged."""
    global _converter
    if _converter is None:
        with _converter_lock:
            if _converter is None:
                import opencc

                _converter = opencc.OpenCC("t2s")
    return _converter.convert(text) if text else ""


def fold_for_matching(text: str) -> str:
    """The form two texts must share to count as the same text (campaign grouping, issue 14):
    NFKC (full-width letters, digits and punctuation to half width), Traditional → Simplified,
    case-folded, every punctuation mark, symbol, emoji, space, zero-width character and combining
    mark removed, and each run of a repeated character (not a digit) cut to one. So "反對!!"、
    "反对！"、"反 对" and "反对对对" are one text."""
    folded = to_simplified(unicodedata.normalize("NFKC", text or "")).casefold()
    return _REPEATS.sub(r"\1", _NON_WORD.sub("", folded))


def _tokens(text: str) -> list[str]:
    _ensure_jieba()
    out = []
    for token in jieba.cut_for_search(normalize_text(text).casefold()):
        token = "".join(ch for ch in token if _is_word_char(ch))
        if token:
            out.append(token)
    return out


def segment_for_search(text: str) -> str:
    """Space-joined jieba search-mode tokens (whole words and the dictionary words inside them),
    punctuation dropped, case-folded: the document side of a ``simple`` tsvector."""
    return " ".join(_tokens(text))


def _query_pieces(word: str) -> list[str]:
    """The finest pieces of ``word`` that the document side is sure to contain.

    A long word is replaced by its two-character dictionary words when those cover it entirely
    (垃圾焚烧 → 垃圾, 焚烧), because jieba may cut the same characters differently inside a
    sentence than in a short query, whereas the two-character words are always emitted."""
    if len(word) <= 2:
        return [word]
    freq = jieba.dt.FREQ
    pairs = [(i, word[i : i + 2]) for i in range(len(word) - 1) if freq.get(word[i : i + 2])]
    covered = {j for i, _ in pairs for j in (i, i + 1)}
    if len(covered) == len(word):
        return [pair for _, pair in pairs]
    return [word]


def segment_query(q: str) -> str:
    """A raw tsquery that ANDs the query's words (``'垃圾' & '焚烧'``), safe to pass to
    ``to_tsquery('simple', …)``; empty string when the query has no word at all."""
    _ensure_jieba()
    seen: dict[str, None] = {}
    for word in jieba.cut(normalize_text(q).casefold()):
        word = "".join(ch for ch in word if _is_word_char(ch))
        for piece in _query_pieces(word) if word else ():
            seen.setdefault(piece, None)
    # Only letters and digits remain, so quoting cannot be broken; double quotes anyway.
    return " & ".join("'" + token.replace("'", "''") + "'" for token in seen)
