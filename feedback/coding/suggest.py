"""Machine suggestions for coding. Nothing here codes an opinion or creates a theme: it writes
``Suggestion`` rows that a person accepts or rejects (``services.suggestion_accept/_reject``).

(a) Candidate themes: the opinions' words (jieba, via ``feedback.analysis.text``) weighted by
    TF-IDF, clustered with k-means (k = round(sqrt(n / 2)), at least 2, at most 15); each cluster
    of 3 or more opinions gives its top keywords and the 3 opinions nearest its centre.
(b) Themes for opinions: once at least ``MIN_CODED`` opinions are coded and at least two themes
    have ``MIN_EXAMPLES`` opinions each, a one-vs-rest logistic regression on TF-IDF is trained on
    the officials' own coding. It suggests, for each opinion not yet coded, every theme whose
    probability is at least ``THRESHOLD`` (at most ``MAX_PER_OPINION``), with the probability as
    the confidence. Before that, 20 % of the coded opinions are held out (identical texts stay
    on the same side), a model trained on the other 80 % makes the same kind of suggestions for
    them, and the precision and recall of those suggestions against the people's coding are
    stored with the run and shown on the screen.

Withdrawn opinions are left out of everything here (issue 12): their texts are neither
clustered nor shown as examples, their coding does not train the classifier, nothing is
suggested for them, and a run during which an opinion was withdrawn starts again before it
stores anything (the withdrawal itself drops the suggestions that concern the opinion, see
``feedback.campaigns.tasks.withdrawn_forget``).

Everything is deterministic (fixed ``random_state``, opinions in id order): the same register
and coding give the same suggestions. A run is a django-tasks task with a ``StaffJob`` row
(progress and result). A new run replaces the suggestions still awaiting a decision (machine
output nobody has decided on); decided suggestions are kept for good, and a pair (opinion,
theme) or a candidate name that a person rejected is not suggested again.
"""

# Size: one module because candidate themes, the classifier and the run share the text pipeline and
# the constants that the screen reports; the split comes with the rework of the suggestions (issue
# 14).

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from feedback.analysis.text import segment_for_search
from feedback.audit.trail import record
from feedback.coding.permissions import can_code
from feedback.coding.selectors import SUGGESTION_JOB_KIND, uncoded_submissions
from feedback.models import (
    AuditAction,
    ClauseComment,
    Coding,
    QuestionAnswer,
    StaffJob,
    Submission,
    Suggestion,
    Theme,
)

if TYPE_CHECKING:  # numpy (~0.2 s) is imported only when suggestions are computed
    import numpy as np

RANDOM_STATE = 0
MIN_CLUSTER_INPUT = 10  # fewer opinions with words than this: no candidate themes
MIN_CLUSTER_SIZE = 3
MAX_K = 15
KEYWORDS = 8
EXAMPLES = 3
MIN_CODED = 30
MIN_EXAMPLES = 5
MIN_THEMES = 2
HOLDOUT = 0.2
THRESHOLD = 0.5
MAX_PER_OPINION = 3
METHOD_CLUSTER = "tfidf+kmeans/1"
METHOD_CLASSIFIER = "tfidf+ovr-logreg/1"

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


def analyzer(text: str) -> list[str]:
    """The words of a text that can carry a theme: jieba search-mode tokens of two or more
    characters, stop words and numbers dropped."""
    return [
        token
        for token in segment_for_search(text).split()
        if len(token) >= 2 and token not in STOPWORDS and not token.isdigit()
    ]


def _identity(tokens):
    return tokens


def _vectorizer(n_docs: int):
    from sklearn.feature_extraction.text import TfidfVectorizer

    # The documents are token lists already (tokenised once): the analyzer passes them on.
    return TfidfVectorizer(
        analyzer=_identity,
        sublinear_tf=True,
        min_df=2 if n_docs >= 20 else 1,
        max_df=0.5 if n_docs >= 20 else 1.0,
    )


def opinion_texts(consultation, ids=None) -> dict[int, str]:
    """All the text of each opinion: general comment, clause comments, answers to text
    questions. Opinions without any text, and withdrawn ones, are left out."""
    subs = Submission.objects.filter(consultation=consultation, withdrawn=False)
    if ids is not None:
        subs = subs.filter(pk__in=ids)
    parts: dict[int, list[str]] = defaultdict(list)
    for pk, comment in subs.order_by("pk").values_list("pk", "comment").iterator(5000):
        if comment:
            parts[pk].append(comment)
    comments = ClauseComment.objects.filter(submission__in=subs)
    for pk, text in comments.order_by("submission_id", "clause__number").values_list(
        "submission_id", "text"
    ):
        parts[pk].append(text)
    answers = QuestionAnswer.objects.filter(submission__in=subs).exclude(text="")
    for pk, text in answers.order_by("submission_id", "question_id").values_list(
        "submission_id", "text"
    ):
        parts[pk].append(text)
    return {pk: "\n".join(texts) for pk, texts in sorted(parts.items())}


# --- (a) candidate themes ---------------------------------------------------------------------


@dataclass
class Candidate:
    label: str
    keywords: list[str]
    example_ids: list[int]
    size: int


def choose_k(n: int) -> int:
    return max(2, min(MAX_K, round(math.sqrt(n / 2))))


def tokenise(texts: dict[int, str]) -> dict[int, list[str]]:
    """Each opinion's words, computed once per run (jieba is the slow part)."""
    return {pk: analyzer(text) for pk, text in texts.items()}


def cluster_candidates(tokens: dict[int, list[str]]) -> list[Candidate]:
    """Clusters of opinions (``tokens``: opinion id → words) as candidate themes, largest
    first."""
    import numpy as np
    from sklearn.cluster import KMeans, MiniBatchKMeans

    ids, docs = [], []
    for pk, words in tokens.items():
        if words:
            ids.append(pk)
            docs.append(words)
    n = len(ids)
    if n < MIN_CLUSTER_INPUT:
        return []
    vectorizer = _vectorizer(n)
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # no word is left after min_df/max_df
        return []
    k = min(choose_k(n), matrix.shape[0])
    if n <= 5000:
        model = KMeans(n_clusters=k, n_init=4, random_state=RANDOM_STATE)
    else:
        model = MiniBatchKMeans(n_clusters=k, n_init=3, batch_size=2048, random_state=RANDOM_STATE)
    labels = model.fit_predict(matrix)
    centres = model.cluster_centers_
    terms = vectorizer.get_feature_names_out()
    candidates = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        if len(members) < MIN_CLUSTER_SIZE:
            continue
        top = [j for j in np.argsort(-centres[c], kind="stable")[:KEYWORDS] if centres[c, j] > 0]
        keywords = [str(terms[j]) for j in top]
        if not keywords:
            continue
        nearness = np.asarray(matrix[members] @ centres[c]).ravel()
        nearest = members[np.argsort(-nearness, kind="stable")[:EXAMPLES]]
        candidates.append(
            Candidate(
                label="、".join(keywords[:3]),
                keywords=keywords,
                example_ids=[int(ids[i]) for i in nearest],
                size=int(len(members)),
            )
        )
    candidates.sort(key=lambda c: (-c.size, c.label))
    return candidates


# --- (b) themes for opinions ------------------------------------------------------------------


def _classifier():
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    return OneVsRestClassifier(
        LogisticRegression(
            C=10.0,
            class_weight="balanced",
            solver="liblinear",
            max_iter=1000,
            random_state=RANDOM_STATE,
        )
    )


def _fit(docs: list[list[str]], y: np.ndarray):
    vectorizer = _vectorizer(len(docs))
    matrix = vectorizer.fit_transform(docs)
    model = _classifier().fit(matrix, y)
    return vectorizer, model


def _proba(vectorizer, model, docs: list[list[str]]) -> np.ndarray:
    import numpy as np

    if not docs:
        return np.zeros((0, len(model.classes_)))
    return np.asarray(model.predict_proba(vectorizer.transform(docs)))


def decide(proba: np.ndarray) -> np.ndarray:
    """The suggestions made from probabilities: every theme at or above THRESHOLD, at most
    MAX_PER_OPINION per opinion (the likeliest). The same rule is evaluated and applied."""
    import numpy as np

    chosen = np.zeros(proba.shape, dtype=bool)
    for i, row in enumerate(proba):
        order = np.argsort(-row, kind="stable")[:MAX_PER_OPINION]
        chosen[i, [j for j in order if row[j] >= THRESHOLD]] = True
    return chosen


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def evaluate(truth: np.ndarray, chosen: np.ndarray, theme_ids: list[int]) -> dict:
    """Micro-averaged and per-theme precision and recall of ``chosen`` against ``truth``."""
    tp = (truth & chosen).sum(axis=0)
    fp = (~truth & chosen).sum(axis=0)
    fn = (truth & ~chosen).sum(axis=0)
    per_theme = [
        {
            "theme": int(theme_ids[j]),
            "precision": _ratio(int(tp[j]), int(tp[j] + fp[j])),
            "recall": _ratio(int(tp[j]), int(tp[j] + fn[j])),
            "support": int(tp[j] + fn[j]),
            "suggested": int(tp[j] + fp[j]),
        }
        for j in range(len(theme_ids))
    ]
    return {
        "precision": _ratio(int(tp.sum()), int(tp.sum() + fp.sum())),
        "recall": _ratio(int(tp.sum()), int(tp.sum() + fn.sum())),
        "held_out": int(truth.shape[0]),
        "per_theme": per_theme,
    }


@dataclass
class ClassifierResult:
    ready: bool
    reason: str = ""
    evaluation: dict | None = None
    suggestions: list[tuple[int, int, float]] | None = None  # (submission, theme, confidence)
    coded: int = 0
    theme_ids: list[int] | None = None


def training_labels(consultation) -> dict[int, set[int]]:
    """The people's coding of each coded opinion: the themes on it or on its clause comments.
    Withdrawn opinions are left out: their coding is kept, but nothing learns from it."""
    labels: dict[int, set[int]] = defaultdict(set)
    rows = Coding.objects.filter(
        submission__consultation=consultation, submission__withdrawn=False
    ).values_list("submission_id", "theme_id")
    for sub_id, theme_id in rows.iterator(5000):
        labels[sub_id].add(theme_id)
    return labels


def classify(consultation, tokens: dict[int, list[str]] | None = None) -> ClassifierResult:
    import numpy as np
    from sklearn.model_selection import GroupShuffleSplit

    labels = training_labels(consultation)
    coded_ids = sorted(labels)
    if tokens is None:
        tokens = tokenise(opinion_texts(consultation))
    coded_ids = [pk for pk in coded_ids if tokens.get(pk)]
    per_theme = defaultdict(int)
    for pk in coded_ids:
        for theme_id in labels[pk]:
            per_theme[theme_id] += 1
    theme_ids = sorted(t for t, count in per_theme.items() if count >= MIN_EXAMPLES)
    if len(coded_ids) < MIN_CODED or len(theme_ids) < MIN_THEMES:
        return ClassifierResult(
            ready=False,
            reason="not_enough_coding",
            coded=len(coded_ids),
            theme_ids=theme_ids,
        )
    docs = [tokens[pk] for pk in coded_ids]
    column = {t: j for j, t in enumerate(theme_ids)}
    y = np.zeros((len(coded_ids), len(theme_ids)), dtype=bool)
    for i, pk in enumerate(coded_ids):
        for theme_id in labels[pk]:
            if theme_id in column:
                y[i, column[theme_id]] = True

    # Identical texts (one campaign's copies) stay on one side of the split.
    hashes = dict(
        Submission.objects.filter(pk__in=coded_ids).values_list("pk", "text_hash").iterator(5000)
    )
    groups = [hashes.get(pk) or f"pk{pk}" for pk in coded_ids]
    split = GroupShuffleSplit(n_splits=1, test_size=HOLDOUT, random_state=RANDOM_STATE)
    train, test = next(split.split(docs, y, groups))
    evaluation = None
    if len(test) and all(y[train].any(axis=0)):
        vec, model = _fit([docs[i] for i in train], y[train])
        chosen = decide(_proba(vec, model, [docs[i] for i in test]))
        evaluation = evaluate(y[test], chosen, theme_ids)
        evaluation["trained_on"] = int(len(train))

    vec, model = _fit(docs, y)
    todo = list(uncoded_submissions(consultation).values_list("pk", flat=True))
    todo = [pk for pk in sorted(todo) if tokens.get(pk)]
    todo_docs = [tokens[pk] for pk in todo]
    proba = _proba(vec, model, todo_docs)
    chosen = decide(proba)
    suggestions = [
        (pk, theme_ids[j], round(float(proba[i, j]), 4))
        for i, pk in enumerate(todo)
        for j in np.flatnonzero(chosen[i])
    ]
    return ClassifierResult(
        ready=True,
        evaluation=evaluation,
        suggestions=suggestions,
        coded=len(coded_ids),
        theme_ids=theme_ids,
    )


# --- The run ----------------------------------------------------------------------------------


RUN_ATTEMPTS = 3  # a run during which opinions were withdrawn starts again, this many times at most


def _withdrawn_count(consultation) -> int:
    return Submission.objects.filter(consultation=consultation, withdrawn=True).count()


def _save(
    consultation, candidates: list[Candidate], result: ClassifierResult, *, withdrawn: int
) -> dict | None:
    """Store the run's suggestions; None (nothing stored) when an opinion was withdrawn since
    the run read the register (``withdrawn``: how many were withdrawn then)."""
    with transaction.atomic():
        if _withdrawn_count(consultation) != withdrawn:
            return None
        Suggestion.objects.filter(
            consultation=consultation, decision=Suggestion.Decision.PENDING
        ).delete()
        refused_labels = set(
            Suggestion.objects.filter(
                consultation=consultation,
                kind=Suggestion.Kind.CANDIDATE_THEME,
                decision=Suggestion.Decision.REJECTED,
            ).values_list("label", flat=True)
        )
        taken = set(Theme.objects.filter(consultation=consultation).values_list("name", flat=True))
        made_candidates = [
            Suggestion(
                consultation=consultation,
                kind=Suggestion.Kind.CANDIDATE_THEME,
                label=c.label,
                keywords=c.keywords,
                example_ids=c.example_ids,
                size=c.size,
                method=METHOD_CLUSTER,
            )
            for c in candidates
            if c.label not in refused_labels and c.label not in taken
        ]
        Suggestion.objects.bulk_create(made_candidates)
        made_opinion = []
        if result.ready and result.suggestions:
            rejected = set(
                Suggestion.objects.filter(
                    consultation=consultation,
                    kind=Suggestion.Kind.OPINION_THEME,
                    decision=Suggestion.Decision.REJECTED,
                ).values_list("submission_id", "theme_id")
            )
            made_opinion = [
                Suggestion(
                    consultation=consultation,
                    kind=Suggestion.Kind.OPINION_THEME,
                    submission_id=sub_id,
                    theme_id=theme_id,
                    confidence=confidence,
                    method=METHOD_CLASSIFIER,
                )
                for sub_id, theme_id, confidence in result.suggestions
                if (sub_id, theme_id) not in rejected
            ]
            Suggestion.objects.bulk_create(made_opinion, batch_size=2000)
    return {"candidate_themes": len(made_candidates), "opinion_themes": len(made_opinion)}


def run_suggestions(job: StaffJob) -> dict:
    """Compute and store the suggestions for ``job.consultation``, with progress on ``job``."""
    consultation = job.consultation
    StaffJob.objects.filter(pk=job.pk).update(status=StaffJob.Status.RUNNING, done=0, total=4)
    try:
        for _attempt in range(RUN_ATTEMPTS):
            withdrawn = _withdrawn_count(consultation)
            texts = opinion_texts(consultation)
            tokens = tokenise(texts)
            StaffJob.objects.filter(pk=job.pk).update(done=1)
            # Copies of one text would outweigh everything else: cluster distinct texts only.
            copies = set(
                Submission.objects.filter(
                    consultation=consultation, is_exact_duplicate=True
                ).values_list("pk", flat=True)
            )
            candidates = cluster_candidates(
                {pk: words for pk, words in tokens.items() if pk not in copies}
            )
            StaffJob.objects.filter(pk=job.pk).update(done=2)
            result = classify(consultation, tokens)
            StaffJob.objects.filter(pk=job.pk).update(done=3)
            counts = _save(consultation, candidates, result, withdrawn=withdrawn)
            if counts is not None:
                break
        else:
            raise RuntimeError("opinions were withdrawn during every attempt; run it again")
        summary = {
            **counts,
            "opinions_with_text": len(texts),
            "classifier": "ready" if result.ready else result.reason,
            "coded": result.coded,
            "themes_used": result.theme_ids or [],
            "evaluation": result.evaluation,
            "methods": [METHOD_CLUSTER, METHOD_CLASSIFIER],
            "threshold": THRESHOLD,
        }
        with transaction.atomic():
            job.refresh_from_db()
            job.params = {**(job.params or {}), "result": summary}
            job.status = StaffJob.Status.DONE
            job.done = job.total = 4
            job.finished_at = timezone.now()
            job.save()
            record(
                job.requested_by,
                AuditAction.SUGGESTION,
                consultation=consultation,
                obj=job,
                detail={"op": "generated", **counts},
            )
        return summary
    except Exception as exc:
        StaffJob.objects.filter(pk=job.pk).update(
            status=StaffJob.Status.FAILED, error=repr(exc), finished_at=timezone.now()
        )
        raise


@task()
def generate_suggestions(job_id: int) -> dict:
    job = StaffJob.objects.select_related("consultation", "requested_by").get(pk=job_id)
    if job.status == StaffJob.Status.DONE:
        # Run again (its worker was lost after the work, issue 13): no second run, no second
        # audit entry; the first run's result stands.
        return (job.params or {}).get("result", {})
    return run_suggestions(job)


def start_suggestions(user, consultation) -> StaffJob:
    """Queue a suggestion run (or return the one already queued or running)."""
    if not can_code(user, consultation):
        raise PermissionDenied
    with transaction.atomic():
        active = (
            StaffJob.objects.select_for_update()
            .filter(
                consultation=consultation,
                kind=SUGGESTION_JOB_KIND,
                status__in=[StaffJob.Status.QUEUED, StaffJob.Status.RUNNING],
                # A worker that died leaves a job "running": after an hour, start afresh.
                created_at__gte=timezone.now() - timedelta(hours=1),
            )
            .first()
        )
        if active is not None:
            return active
        job = StaffJob.objects.create(
            kind=SUGGESTION_JOB_KIND,
            consultation=consultation,
            requested_by=user,
            params={"random_state": RANDOM_STATE},
        )
        record(
            user, AuditAction.SUGGESTION, consultation=consultation, obj=job, detail={"op": "start"}
        )
    generate_suggestions.enqueue(job.pk)
    job.refresh_from_db()
    return job
