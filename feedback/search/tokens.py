"""What the search index stores and what a query asks for (issue 14, docs/adr/0012-search.md).

Texts and queries are folded the same way (:func:`fold`: NFKC, Traditional → Simplified with
OpenCC, case-folded, zero-width characters and combining marks removed), then cut into *units*:
each Chinese (or other ``Lo``) character is one unit, each run of other letters and digits
(``pm2``, ``2026``, ``wechat``) is one unit, and punctuation, symbols and spaces separate words
without taking a position. The index stores, at the position of each unit:

* the character **bigram** it starts (``一楼`` at 1, ``楼一`` at 2, ``一议`` at 3), or, for the
  last character of a run of Chinese characters, the character alone;
* each other word whole.

So any string of two or more Chinese characters is found wherever it occurs, whatever way a word
segmenter would have cut the sentence, and a phrase is the chain of its bigrams at consecutive
positions (``'一楼' <-> '楼一' <-> '一议'``, checked against the stored positions). A single
character is a prefix query (``'楼':*``: the bigrams it starts, or itself at the end of a run).
Bigrams run across punctuation, so a copied sentence is found whatever punctuation either side
used.

Weights: the parts shown on the public opinions page (comment, clause comments) are stored with
weight ``A``, the free-text answers (never shown in public) with ``B``; the residents' search asks
for ``A`` only, so it cannot find an opinion by words the page does not show.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from feedback.analysis.text import to_simplified

MAX_POSITION = 16383  # PostgreSQL's limit: later positions are all stored as this one
MAX_POSITIONS_PER_LEXEME = 256  # PostgreSQL keeps at most this many positions of one lexeme
MAX_WORD = 60  # characters of one non-Chinese word kept (a lexeme is at most 2 KB)
GAP_BETWEEN_PARTS = 2  # no phrase runs from the comment into a clause comment
PUBLIC_WEIGHT = "A"
PRIVATE_WEIGHT = "B"

_DROPPED = {"Mn", "Me", "Cf"}  # combining marks, zero-width and other format characters


def _kind(ch: str) -> str:
    """``c`` for a character that is a unit by itself, ``w`` for a word character, ``-`` for a
    separator, ```` (empty) for a character that is dropped without separating."""
    cat = unicodedata.category(ch)
    if cat == "Lo":
        return "c"
    if cat[0] in "LN":
        return "w"
    if cat in _DROPPED:
        return ""
    return "-"


def fold(text: str) -> str:
    """NFKC, Traditional → Simplified (OpenCC t2s), case-folded."""
    return to_simplified(unicodedata.normalize("NFKC", text or "")).casefold()


def units(text: str) -> list[tuple[str, str]]:
    """The units of ``text`` (already folded): ``("c", 字)`` or ``("w", word)``, in order."""
    out: list[tuple[str, str]] = []
    word: list[str] = []
    for ch in text:
        kind = _kind(ch)
        if kind == "":
            continue
        if kind == "w":
            word.append(ch)
            continue
        if word:
            out.append(("w", "".join(word)[:MAX_WORD]))
            word = []
        if kind == "c":
            out.append(("c", ch))
    if word:
        out.append(("w", "".join(word)[:MAX_WORD]))
    return out


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


# -- the document side ------------------------------------------------------------------------


def document_vector(parts: list[tuple[str, str]]) -> str:
    """A ``tsvector`` literal for the texts ``parts`` (``(text, weight)`` pairs, weight ``A`` or
    ``B``); empty string when there is no word at all. Cast it with ``%s::tsvector``."""
    lexemes: dict[str, list[str]] = {}
    position = 1
    for text, weight in parts:
        seq = units(fold(text))
        for i, (kind, value) in enumerate(seq):
            if kind == "c" and i + 1 < len(seq) and seq[i + 1][0] == "c":
                lexeme = value + seq[i + 1][1]
            else:
                lexeme = value
            entry = lexemes.setdefault(lexeme, [])
            if len(entry) < MAX_POSITIONS_PER_LEXEME:
                entry.append(f"{min(position, MAX_POSITION)}{weight}")
            position += 1
        position += GAP_BETWEEN_PARTS if seq else 0
    return " ".join(f"{_quote(lex)}:{','.join(pos)}" for lex, pos in lexemes.items())


# -- the query side ---------------------------------------------------------------------------

# "…", “…”, 「…」 and 『…』 are phrases; after NFKC the full-width ＂ is a plain ".
_QUOTED = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」|『([^』]*)』')


@dataclass
class CompiledQuery:
    tsquery: str  # raw tsquery, "" when the query has no word
    needles: list[str]  # folded word-character strings to highlight


def _phrase(seq: list[tuple[str, str]], weight: str, exact: bool) -> str:
    """The tsquery that finds the units ``seq``: at consecutive positions when ``exact`` (a
    quoted phrase: PostgreSQL checks the positions on each candidate row, which reads its whole
    vector), else all its bigrams anywhere (answered by the GIN index alone, no recheck)."""
    items: list[tuple[int, str]] = []
    for i, (kind, value) in enumerate(seq):
        if kind == "w":
            items.append((i, _quote(value) + (":" + weight if weight else "")))
        elif i + 1 < len(seq) and seq[i + 1][0] == "c":
            items.append((i, _quote(value + seq[i + 1][1]) + (":" + weight if weight else "")))
        elif i > 0 and seq[i - 1][0] == "c":
            continue  # the last character of a run: inside the bigram before it
        else:
            items.append((i, _quote(value) + ":*" + weight))  # a character alone: a prefix
    out = items[0][1]
    for (before, _), (at, lexeme) in zip(items, items[1:], strict=False):
        out = f"{out} <{at - before}> {lexeme}" if exact else f"{out} & {lexeme}"
    return f"({out})" if len(items) > 1 else out


def _pieces(term: str) -> list[str]:
    """An unquoted term cut into words by jieba (runs of one-character words joined: 一楼一议 →
    一楼, 一议); one-character pieces are dropped when a longer one remains (在, 的, 建)."""
    from feedback.analysis.text import _ensure_jieba

    _ensure_jieba()
    import jieba

    pieces: list[str] = []
    single = ""
    for word in jieba.cut(term):
        seq = units(word)
        if len(seq) == 1 and seq[0][0] == "c":
            single += seq[0][1]
            continue
        if single:
            pieces.append(single)
            single = ""
        if seq:
            pieces.append(word)
    if single:
        pieces.append(single)
    longer = [p for p in pieces if len(units(p)) > 1 or units(p)[0][0] == "w"]
    return longer or pieces


def compile_query(q: str, *, weight: str = "") -> CompiledQuery:
    """The tsquery for what a person typed: every term must be found (AND). A quoted part is
    one phrase (exact, positions checked); an unquoted term is cut into words, each found when
    all its bigrams occur in the opinion (a word of two characters exactly; longer words almost
    always where they are written, without the slower position check). ``weight="A"`` limits it to the texts shown in public."""
    folded = fold(q)
    phrases: list[tuple[str, bool]] = []
    for match in _QUOTED.finditer(folded):
        phrases.append((next(g for g in match.groups() if g is not None), True))
    rest = _QUOTED.sub(" ", folded).replace('"', " ")
    for term in rest.split():
        if units(term):
            phrases.extend((piece, False) for piece in _pieces(term))
    seen: dict[str, str] = {}
    for phrase, exact in phrases:
        seq = units(phrase)
        if not seq:
            continue
        needle = "".join(value for _kind, value in seq)
        if exact or needle not in seen:
            seen[needle] = _phrase(seq, weight, exact)
    return CompiledQuery(tsquery=" & ".join(seen.values()), needles=list(seen))
