"""Themes for opinions, learnt from the officials' own coding, with an honest measure of how good
the suggestions are (issue 14, point 2). Pure: texts and labels in, probabilities and figures out;
no database (``feedback.coding.suggest`` reads the register and stores the suggestions).

Method:

* **Features.** Each text is read in Simplified characters (OpenCC t2s, so 補償 and 补偿 are one
  word) three ways: jieba words (two characters or more, filler words dropped, each word and each
  pair of neighbouring words), character 1- to 3-grams of the text without punctuation (they
  catch words jieba cuts differently and short texts), and, per theme, whether the text contains
  one of the analysts' *seed words* of the theme (the words of its name and description). Each
  block is TF-IDF weighted (sublinear) and scaled to unit length.
* **Classifier.** One logistic regression per theme (one-vs-rest, liblinear, class weights
  balanced, fixed ``random_state``) on the coded opinions. Opinions marked "no theme" train every
  theme as a negative example: they teach the model what fits nothing.
* **Decision.** A theme is suggested for an opinion when its probability is at least
  ``threshold`` (at most ``max_per_opinion`` themes, the likeliest). No theme above it: no
  suggestion ("no theme fits").
* **Held-out measure.** Coded opinions are split into ``folds`` parts by *near-duplicate group*
  (campaign copies and texts identical after folding are one group, so copies never sit on both
  sides); each part is suggested for by a model trained on the other parts, with the same
  decision rule. Precision (of the themes suggested, the share people chose), recall (of the
  themes people chose, the share suggested) and F1 are counted over these out-of-fold
  suggestions, micro-averaged and per theme, with the number of opinions behind each figure.
* **Gate.** A theme is suggested only when its held-out precision is at least
  ``min_precision`` (0.8) over at least ``min_examples`` coded opinions with the theme and at
  least ``min_suggested`` held-out suggestions; otherwise the screen says "not enough coded
  examples yet". The overall figures shown are those of the suggestions as made (gated themes
  count as never suggested).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from importlib import import_module

from feedback.analysis.text import fold_for_matching, segment_for_search, to_simplified


class _Numpy:
    """numpy, imported on first use: the URL configuration (and so every web worker's start) must
    not load the numeric libraries (cms/tests/test_startup_imports.py)."""

    def __getattr__(self, name: str):
        return getattr(import_module("numpy"), name)


np = _Numpy()

RANDOM_STATE = 0

# Words that say nothing about a theme: function words and the stock phrases of any opinion.
STOPWORDS = frozenset(
    """
    我们 你们 他们 她们 它们 自己 大家 这个 那个 这些 那些 这样 那样 这里 那里 这么 那么
    一个 一些 一下 一点 一直 一定 一样 没有 不是 就是 还是 只是 也是 都是 可以 可能 能够
    应该 应当 需要 必须 希望 建议 认为 觉得 感觉 表示 看到 知道 什么 怎么 怎样 如何 为什么
    因为 所以 但是 可是 而且 并且 如果 虽然 或者 以及 还有 其中 其他 已经 现在 目前 时候
    以后 之后 之前 今后 进行 相关 有关 关于 对于 问题 情况 方面 非常 特别 确实 真的 十分
    很多 许多 比较 更加 是否 能否 恳请 强烈 要求 请求 谢谢 感谢 此致 敬礼 您好 你好 各位
    领导 同志 本人 我家 我是 居民 意见 看法 一下子 的话 而是 以上 以下 通过 作为 由于
    """.split()
)


@dataclass(frozen=True)
class ThemeConfig:
    threshold: float = 0.5
    max_per_opinion: int = 3
    min_precision: float = 0.8
    min_examples: int = 5
    min_suggested: int = 3
    folds: int = 5
    C: float = 4.0
    ladder: tuple[float, ...] = (0.5, 0.6, 0.7)


# OpenCC's t2s writes the 2013 standard character 𫫇 for 噁 (二噁英); people, jieba's dictionary
# and the domain words write 噁.
_USUAL = str.maketrans({"𫫇": "噁"})


def words(text: str) -> list[str]:
    """The words of a text that can carry a theme: jieba search-mode tokens of two or more
    characters of the Simplified text, filler words and numbers dropped."""
    return [
        token
        for token in segment_for_search(to_simplified(text).translate(_USUAL)).split()
        if len(token) >= 2 and token not in STOPWORDS and not token.isdigit()
    ]


def _word_features(tokens: list[str]) -> list[str]:
    return tokens + [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]


@dataclass
class Prepared:
    """A text read once (jieba is the slow part): its words and its folded characters."""

    words: list[str]
    folded: str


def prepare(text: str) -> Prepared:
    return Prepared(words=words(text), folded=fold_for_matching(text))


def seed_words(*texts: str) -> list[str]:
    """An analyst's seed words for a theme: the words of its name and description."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in words(text or ""):
            seen.setdefault(word, None)
    return list(seen)


def _identity(x):
    return x


class Features:
    """Word, character and seed-word features, fitted on the training texts."""

    def __init__(self, seeds: Sequence[Sequence[str]]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.seeds = [sorted({fold_for_matching(w) for w in s if w}) for s in seeds]
        self.word_vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=1)
        self.char_vec = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1
        )

    def _seed_matrix(self, docs: Sequence[Prepared]):
        from scipy import sparse

        rows = np.zeros((len(docs), max(1, len(self.seeds))))
        for i, doc in enumerate(docs):
            for j, seed in enumerate(self.seeds):
                hits = sum(1 for w in seed if w in doc.folded)
                rows[i, j] = math.log1p(hits)
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        norms[norms == 0] = 1
        return sparse.csr_matrix(rows / norms)

    def fit_transform(self, docs: Sequence[Prepared]):
        from scipy import sparse

        w = self.word_vec.fit_transform([_word_features(d.words) for d in docs])
        c = self.char_vec.fit_transform([d.folded for d in docs])
        return sparse.hstack([w, c, self._seed_matrix(docs)]).tocsr()

    def transform(self, docs: Sequence[Prepared]):
        from scipy import sparse

        w = self.word_vec.transform([_word_features(d.words) for d in docs])
        c = self.char_vec.transform([d.folded for d in docs])
        return sparse.hstack([w, c, self._seed_matrix(docs)]).tocsr()


class ThemeModel:
    """One logistic regression per theme; a theme without a positive example predicts 0."""

    def __init__(self, config: ThemeConfig, seeds: Sequence[Sequence[str]]) -> None:
        self.config = config
        self.features = Features(seeds)
        self.models: list = []

    def fit(self, docs: Sequence[Prepared], y: np.ndarray) -> ThemeModel:
        from sklearn.linear_model import LogisticRegression

        x = self.features.fit_transform(docs)
        self.models = []
        for j in range(y.shape[1]):
            column = y[:, j]
            if column.all() or not column.any():
                self.models.append(float(column.any()))
                continue
            model = LogisticRegression(
                C=self.config.C,
                class_weight="balanced",
                solver="liblinear",
                dual=True,  # many more features than opinions: 30x faster, same model
                max_iter=1000,
                random_state=RANDOM_STATE,
            )
            self.models.append(model.fit(x, column))
        return self

    def proba(self, docs: Sequence[Prepared]) -> np.ndarray:
        out = np.zeros((len(docs), len(self.models)))
        if not docs:
            return out
        x = self.features.transform(docs)
        for j, model in enumerate(self.models):
            out[:, j] = model if isinstance(model, float) else model.predict_proba(x)[:, 1]
        return out


def decide(
    proba: np.ndarray,
    config: ThemeConfig,
    enabled: np.ndarray | None = None,
    thresholds: np.ndarray | None = None,
) -> np.ndarray:
    """The suggestions made from probabilities: every (enabled) theme at or above the threshold,
    at most ``max_per_opinion`` per opinion (the likeliest). The same rule is measured and
    applied."""
    chosen = np.zeros(proba.shape, dtype=bool)
    if thresholds is None:
        thresholds = np.full(proba.shape[1], config.threshold)
    if enabled is not None:
        proba = np.where(enabled[None, :], proba, -1.0)
    above = proba >= thresholds[None, :]
    for i, row in enumerate(proba):
        order = np.argsort(-row, kind="stable")[: config.max_per_opinion]
        chosen[i, [j for j in order if above[i, j]]] = True
    return chosen


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _f1(tp: int, fp: int, fn: int) -> float | None:
    if not tp + fp or not tp + fn:
        return None
    return round(2 * tp / (2 * tp + fp + fn), 4)


def score(truth: np.ndarray, chosen: np.ndarray, theme_ids: Sequence) -> dict:
    """Micro-averaged and per-theme precision, recall and F1 of ``chosen`` against ``truth``
    (opinions × themes, booleans). ``support``: opinions with the theme; ``suggested``: opinions
    it was suggested for; ``opinions``: rows; ``no_theme``: rows with no theme in ``truth``."""
    tp = (truth & chosen).sum(axis=0)
    fp = (~truth & chosen).sum(axis=0)
    fn = (truth & ~chosen).sum(axis=0)
    per_theme = []
    for j, theme in enumerate(theme_ids):
        p = _ratio(int(tp[j]), int(tp[j] + fp[j]))
        r = _ratio(int(tp[j]), int(tp[j] + fn[j]))
        per_theme.append(
            {
                "theme": theme,
                "precision": p,
                "recall": r,
                "f1": _f1(int(tp[j]), int(fp[j]), int(fn[j])),
                "support": int(tp[j] + fn[j]),
                "suggested": int(tp[j] + fp[j]),
            }
        )
    p = _ratio(int(tp.sum()), int(tp.sum() + fp.sum()))
    r = _ratio(int(tp.sum()), int(tp.sum() + fn.sum()))
    empty = ~truth.any(axis=1)
    return {
        "precision": p,
        "recall": r,
        "f1": _f1(int(tp.sum()), int(fp.sum()), int(fn.sum())),
        "opinions": int(truth.shape[0]),
        "no_theme": int(empty.sum()),
        "no_theme_left_alone": int((empty & ~chosen.any(axis=1)).sum()),
        "per_theme": per_theme,
    }


def near_duplicate_groups(texts: Sequence[str], extra: Sequence[Hashable | None] = ()) -> list[int]:
    """A group number per text: texts identical after folding or grouped as near-identical by the
    campaign matcher (``feedback.analysis.campaigns``) share one, and so do texts with the same
    non-empty ``extra`` key (e.g. the campaign group stored in the register)."""
    from feedback.analysis.campaigns import CampaignIndex

    index = CampaignIndex.build(enumerate(texts))
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_of: dict[Hashable, int] = {}
    for i in range(len(texts)):
        for key in (("c", index.group_of(i)), ("x", extra[i] if i < len(extra) else None)):
            if key[1] is None:
                continue
            j = first_of.setdefault(key, i)
            a, b = find(i), find(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return [find(i) for i in range(len(texts))]


def out_of_fold(
    docs: Sequence[Prepared],
    y: np.ndarray,
    groups: Sequence[int],
    seeds: Sequence[Sequence[str]],
    config: ThemeConfig,
) -> np.ndarray:
    """Each coded opinion's probabilities from a model that saw neither it nor any copy of it."""
    from sklearn.model_selection import GroupKFold

    proba = np.zeros(y.shape)
    n_groups = len(set(groups))
    if n_groups < 2:
        return proba
    splitter = GroupKFold(n_splits=min(config.folds, n_groups))
    for train, test in splitter.split(np.zeros(len(docs)), groups=groups):
        model = ThemeModel(config, seeds).fit([docs[i] for i in train], y[train])
        proba[test] = model.proba([docs[i] for i in test])
    return proba


@dataclass
class Assessment:
    """The held-out measure and which themes may be suggested."""

    evaluation: dict
    enabled: np.ndarray
    status: list[str] = field(default_factory=list)  # per theme: ok | few_examples | imprecise
    thresholds: np.ndarray | None = None


def assess(
    docs: Sequence[Prepared],
    y: np.ndarray,
    groups: Sequence[int],
    seeds: Sequence[Sequence[str]],
    theme_ids: Sequence,
    config: ThemeConfig,
) -> Assessment:
    """Held-out precision and recall per theme, the gate, and the figures of the suggestions as
    made (only enabled themes suggested)."""
    proba = out_of_fold(docs, y, groups, seeds, config)
    enabled = np.zeros(len(theme_ids), dtype=bool)
    thresholds = np.full(len(theme_ids), config.threshold)
    status = []
    rows = []
    for j in range(len(theme_ids)):
        # The lowest threshold of the ladder at which the theme's held-out precision is enough.
        for threshold in config.ladder:
            thresholds[j] = threshold
            row = score(y[:, [j]], proba[:, [j]] >= threshold, [theme_ids[j]])["per_theme"][0]
            if row["support"] < config.min_examples:
                state = "few_examples"
                break
            if row["suggested"] < config.min_suggested:
                state = "few_examples"
                continue
            if (row["precision"] or 0) >= config.min_precision:
                state = "ok"
                break
            state = "imprecise"
        if state != "ok":
            thresholds[j] = config.threshold
            row = score(y[:, [j]], proba[:, [j]] >= config.threshold, [theme_ids[j]])
            row = row["per_theme"][0]
        enabled[j] = state == "ok"
        status.append(state)
        rows.append({**row, "status": state, "threshold": float(thresholds[j])})
    made = score(y, decide(proba, config, enabled, thresholds), theme_ids)
    for row_made, row in zip(made["per_theme"], rows, strict=True):
        # Per theme, the screen shows what the theme's model reached, whether or not it is on.
        row_made.update(row)
    made["groups"] = len(set(groups))
    made["folds"] = min(config.folds, len(set(groups)))
    made["min_precision"] = config.min_precision
    made["min_examples"] = config.min_examples
    return Assessment(evaluation=made, enabled=enabled, status=status, thresholds=thresholds)
