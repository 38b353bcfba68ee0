"""Top keywords of a consultation's active opinions, cut by jieba (texts streamed), filler
words left out (stopwords_zh.txt), each campaign group counted once, counted by the rules of
``feedback.analysis.aggregates``.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from feedback.analysis.shapes import (
    Item,
    Series,
    active_submissions,
)

# --------------------------------------------------------------------------- keywords

STOPWORDS_FILE = Path(__file__).resolve().parent / "stopwords_zh.txt"
# A numeral with an optional unit: 十年, 两个, 一些 … say how much, not about what.
_NUMERAL_WORD = re.compile(
    r"^[\d.零〇一二三四五六七八九十百千万亿两几半多]+[年月天日周个次岁号位条件些份米]?$"
)


@functools.cache
def stopwords() -> frozenset[str]:
    """The words left out of the keyword list: stopwords_zh.txt (see its header for the
    criteria) and any ``STOPWORDS`` that ``feedback.analysis.text`` defines."""
    from feedback.analysis import text

    words = set()
    for line in STOPWORDS_FILE.read_text(encoding="utf-8").splitlines():
        words.update(line.split("#", 1)[0].split())
    return frozenset(words) | frozenset(getattr(text, "STOPWORDS", None) or ())


def is_keyword(word: str, stop: frozenset[str]) -> bool:
    return len(word) >= 2 and word not in stop and not _NUMERAL_WORD.match(word)


def one_per_campaign(ids: list[int]) -> list[int]:
    """``ids`` with each campaign group counted once: of the opinions of a group that an analyst
    did not dismiss, only one stays (the group's representative when it is among ``ids``, else
    the lowest id); opinions in no group all stay. Order kept."""
    from feedback.analysis.opinion_texts import id_array
    from feedback.models import CampaignGroup, CampaignMember

    rows = (
        CampaignMember.objects.filter(submission_id__in=id_array(ids))
        .exclude(group__status=CampaignGroup.Status.DISMISSED)
        .values_list("submission_id", "group_id", "group__representative_id")
    )
    wanted = set(ids)
    members: dict[int, list[int]] = {}
    representative: dict[int, int | None] = {}
    for sub, group, rep in rows.iterator(5000):
        members.setdefault(group, []).append(sub)
        representative[group] = rep
    grouped = {sub for subs in members.values() for sub in subs}
    keep = {
        representative[g] if representative[g] in wanted else min(subs)
        for g, subs in members.items()
    }
    return [pk for pk in ids if pk not in grouped or pk in keep]


def top_keywords(consultation, *, n=30, suppressed=False, limit=50_000) -> Series:
    """The words used by most active opinions (each opinion counts a word once), from the
    general comment and clause comments, cut by jieba with the domain words of ``text.py``.
    A campaign group (suggested or confirmed) counts as one opinion: its representative's
    words (issue 14: copies of a form letter no longer fill the list). Filler words
    (:func:`stopwords`) and numerals (十年) are left out.

    Only the ``limit`` most recent opinions are read (the note says so when that happens).
    With ``suppressed`` words used by fewer than 5 opinions are left out (they could be names).
    """
    import jieba

    from feedback.analysis.text import _ensure_jieba, _is_word_char, normalize_text
    from feedback.models import ClauseComment

    _ensure_jieba()
    stop = stopwords()
    active = active_submissions(consultation)
    total = active.count()
    ids = list(active.order_by("-received_at", "-pk").values_list("pk", flat=True)[:limit])
    read = len(ids)
    ids = one_per_campaign(ids)
    texts: dict[int, list[str]] = {}
    for pk, comment in active.filter(pk__in=ids).values_list("pk", "comment").iterator(2000):
        if comment:
            texts.setdefault(pk, []).append(comment)
    clause_texts = ClauseComment.objects.filter(submission_id__in=ids).values_list(
        "submission_id", "text"
    )
    for pk, comment in clause_texts.iterator(2000):
        texts.setdefault(pk, []).append(comment)
    counter: Counter[str] = Counter()
    for parts in texts.values():
        words = set()
        for word in jieba.cut(normalize_text(" ".join(parts)).casefold()):
            word = "".join(ch for ch in word if _is_word_char(ch))
            if is_keyword(word, stop):
                words.add(word)
        counter.update(words)
    pairs = counter.most_common()
    if suppressed:
        pairs = [(word, count) for word, count in pairs if count >= 5]
    pairs = pairs[:n]
    note = ""
    if total > limit:
        note = _("Based on the %(limit)d most recent of %(total)d opinions.") % {
            "limit": limit,
            "total": total,
        }
    if len(ids) < read:
        counted = _(
            "Each campaign group counts once: %(copies)d copies in campaign groups not counted."
        ) % {"copies": read - len(ids)}
        note = f"{note} {counted}".strip()
    items = [Item(word, word, count) for word, count in pairs]
    return Series("keywords", str(_("Top keywords")), items, total, suppressed, str(note))
