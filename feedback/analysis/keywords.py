"""Top keywords of a consultation's active opinions, cut by jieba (texts streamed), filler
words left out, counted by the rules of ``feedback.analysis.aggregates``.
"""

from __future__ import annotations

import re
from collections import Counter

from django.utils.translation import gettext_lazy as _

from feedback.analysis.shapes import (
    Item,
    Series,
    active_submissions,
)

# --------------------------------------------------------------------------- keywords

_KEYWORD_STOPWORDS = frozenset(
    """
    我们 你们 他们 她们 它们 我 你 他 她 它 的 了 和 与 及 或 是 在 有 也 都 就 还 又 而 但 但是
    因为 所以 如果 这个 那个 这些 那些 这样 那样 一个 一些 没有 不是 可以 应该 希望 建议 认为
    觉得 是否 进行 问题 方面 相关 有关 对于 关于 以及 其中 目前 现在 已经 非常 比较 特别 能够
    需要 要求 请 等 之 其 该 此 为 被 把 让 给 将 从 对 向 由 于 以 到 上 下 中 内 外 前 后
    什么 怎么 为什么 如何 多少 哪里 很 太 最 更 再 不 没 无 非 本 各 每 另 其他 其它 自己
    """.split()
)
_DIGITS = re.compile(r"^[\d.]+$")


def _stopwords() -> frozenset[str]:
    from feedback.analysis import text

    extra = getattr(text, "STOPWORDS", None) or ()
    return _KEYWORD_STOPWORDS | frozenset(extra)


def top_keywords(consultation, *, n=30, suppressed=False, limit=50_000) -> Series:
    """The words used by most active opinions (each opinion counts a word once), from the
    general comment and clause comments, cut by jieba with the domain words of ``text.py``.

    Only the ``limit`` most recent opinions are read (the note says so when that happens).
    With ``suppressed`` words used by fewer than 5 opinions are left out (they could be names).
    """
    import jieba

    from feedback.analysis.text import _ensure_jieba, _is_word_char, normalize_text
    from feedback.models import ClauseComment

    _ensure_jieba()
    stop = _stopwords()
    active = active_submissions(consultation)
    total = active.count()
    ids = list(active.order_by("-received_at", "-pk").values_list("pk", flat=True)[:limit])
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
            if len(word) >= 2 and word not in stop and not _DIGITS.match(word):
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
    items = [Item(word, word, count) for word, count in pairs]
    return Series("keywords", str(_("Top keywords")), items, total, suppressed, str(note))
