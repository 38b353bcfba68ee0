"""Matches marked in the texts shown, escaped: ``<mark>`` is the only markup that comes out.

The text shown (already masked) is folded character by character as the index folds it
(:mod:`feedback.search.tokens`), so a Traditional 樓 is marked for the query 楼 and a match across
punctuation or a zero-width character is marked whole. Every piece of the text is escaped by
Django's ``escape`` before it is joined with the ``<mark>`` tags: neither the opinion nor the
query can add markup.
"""

from __future__ import annotations

import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from feedback.analysis.text import to_simplified
from feedback.search.tokens import _kind


def _folded_with_origin(text: str) -> tuple[str, list[int]]:
    """The word characters of ``text`` folded (NFKC, Simplified, case-folded), and for each the
    index of the character of ``text`` it came from."""
    nfkc = [unicodedata.normalize("NFKC", ch) for ch in text]
    joined = "".join(nfkc)
    simplified = to_simplified(joined)
    if len(simplified) == len(joined):  # OpenCC t2s keeps lengths in practice; else per piece
        pieces, at = [], 0
        for piece in nfkc:
            pieces.append(simplified[at : at + len(piece)])
            at += len(piece)
    else:
        pieces = [to_simplified(piece) for piece in nfkc]
    folded: list[str] = []
    origin: list[int] = []
    for index, piece in enumerate(pieces):
        for ch in piece.casefold():
            if _kind(ch) in ("c", "w"):
                folded.append(ch)
                origin.append(index)
    return "".join(folded), origin


def match_spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of ``text`` where a needle is found, merged and sorted."""
    if not text or not needles:
        return []
    folded, origin = _folded_with_origin(text)
    spans = []
    for needle in needles:
        if not needle:
            continue
        at = folded.find(needle)
        while at != -1:
            spans.append((origin[at], origin[at + len(needle) - 1] + 1))
            at = folded.find(needle, at + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _render(text: str, spans: list[tuple[int, int]]) -> str:
    out, at = [], 0
    for start, end in spans:
        out.append(escape(text[at:start]))
        out.append("<mark>" + escape(text[start:end]) + "</mark>")
        at = end
    out.append(escape(text[at:]))
    return "".join(out).replace("\n", "<br>")


def highlight(text: str, needles: list[str], *, width: int | None = None) -> SafeString:
    """``text`` escaped, line breaks as ``<br>``, the matches of ``needles`` in ``<mark>``.
    With ``width``, only about ``width`` characters around the first match (… where cut)."""
    spans = match_spans(text, needles)
    if width is None or len(text) <= width:
        return mark_safe(_render(text, spans))  # noqa: S308 - every piece escaped above
    first = spans[0][0] if spans else 0
    start = max(0, min(first - width // 5, len(text) - width))
    end = start + width
    inside = [
        (max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start
    ]
    body = _render(text[start:end], inside)
    return mark_safe(("…" if start else "") + body + ("…" if end < len(text) else ""))  # noqa: S308
