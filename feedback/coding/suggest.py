"""Machine suggestions for coding. Nothing here codes an opinion or creates a theme: it writes
``Suggestion`` rows that a person accepts or rejects (``services.suggestion_accept/_reject``).

(a) Candidate themes: the opinions' words (jieba, via ``feedback.analysis.text``) weighted by
    TF-IDF, clustered with k-means (k = round(sqrt(n / 2)), at least 2, at most 15); each cluster
    of 3 or more opinions gives its top keywords and the 3 opinions nearest its centre. Campaign
    copies go in once: one opinion per campaign group and per text identical after folding.
(b) Themes for opinions (``feedback.analysis.themes``, method and measure described there):
    once at least ``MIN_CODED`` opinions are coded (or marked "no theme") and at least two themes
    have ``MIN_EXAMPLES`` opinions each, one logistic regression per theme on word, character
    and seed-word features is trained on the officials' own coding. Its precision and recall
    are measured on every coded opinion by a model that saw neither it nor any copy of it
    (folds split by near-duplicate group), per theme with the number of opinions behind the
    figure. A theme is suggested only when its held-out precision reaches
    ``SUGGEST_MIN_PRECISION`` (0.8); for each opinion not yet coded, every such theme
    whose probability reaches the theme's threshold (at most ``MAX_PER_OPINION``), with the
    probability as the confidence. No theme above its threshold: no suggestion.

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

# Size: candidate themes, the classifier's use of the register and the run share the text
# pipeline and the constants that the screen reports; the model itself is feedback.analysis.themes.

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from feedback.analysis import themes as themes_model
from feedback.analysis.text import fold_for_matching
from feedback.analysis.themes import ThemeConfig
from feedback.audit.trail import record
from feedback.coding.permissions import can_code
from feedback.coding.selectors import (
    SUGGESTION_JOB_KIND,
    latest_evaluation,
    uncoded_submissions,
)
from feedback.models import (
    AuditAction,
    CampaignGroup,
    CampaignMember,
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
THRESHOLD = 0.5
MAX_PER_OPINION = 3
METHOD_CLUSTER = "tfidf+kmeans/1"
METHOD_CLASSIFIER = "words+chars+seeds/ovr-logreg/2"

STOPWORDS = themes_model.STOPWORDS


def analyzer(text: str) -> list[str]:
    """The words of a text that can carry a theme (``feedback.analysis.themes.words``): jieba
    tokens of two or more characters of the Simplified text, stop words and numbers dropped."""
    return themes_model.words(text)


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


def cluster_representatives(consultation, texts: dict[int, str]) -> list[int]:
    """The opinions that go into theme discovery: one per campaign group (its representative,
    or its first member), one per text identical after folding, none marked as an exact copy."""
    copies = set(
        Submission.objects.filter(consultation=consultation, is_exact_duplicate=True).values_list(
            "pk", flat=True
        )
    )
    groups = stored_groups(consultation, list(texts))
    return one_per_group(
        [pk for pk in sorted(texts) if pk not in copies],
        texts,
        groups,
    )


def one_per_group(ids: list[int], texts: dict[int, str], groups: dict[int, int]) -> list[int]:
    """The first opinion (lowest id) of each campaign group and of each folded text."""
    seen: set = set()
    kept = []
    for pk in ids:
        keys = [("f", fold_for_matching(texts[pk]))]
        if pk in groups:
            keys.append(("g", groups[pk]))
        if any(k in seen for k in keys):
            seen.update(keys)
            continue
        seen.update(keys)
        kept.append(pk)
    return kept


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


def theme_config() -> ThemeConfig:
    """The classifier's settings; the precision a theme must reach on held-out opinions before
    it is suggested is the setting ``SUGGEST_MIN_PRECISION`` (0.8)."""
    return ThemeConfig(
        min_precision=float(getattr(settings, "SUGGEST_MIN_PRECISION", 0.8)),
        min_examples=MIN_EXAMPLES,
        max_per_opinion=MAX_PER_OPINION,
        threshold=THRESHOLD,
    )


def decide(proba: np.ndarray) -> np.ndarray:
    """Every theme at or above THRESHOLD, at most MAX_PER_OPINION per opinion (the likeliest)."""
    return themes_model.decide(proba, theme_config())


def evaluate(truth: np.ndarray, chosen: np.ndarray, theme_ids: list[int]) -> dict:
    """Micro-averaged and per-theme precision, recall and F1 of ``chosen`` against ``truth``."""
    return themes_model.score(truth, chosen, [int(t) for t in theme_ids])


@dataclass
class ClassifierResult:
    ready: bool
    reason: str = ""
    evaluation: dict | None = None
    suggestions: list[tuple[int, int, float]] | None = None  # (submission, theme, confidence)
    coded: int = 0
    theme_ids: list[int] | None = None
    enabled: list[int] | None = None  # themes suggested (held-out precision reached)


def training_labels(consultation) -> dict[int, set[int]]:
    """The people's coding of each coded opinion: the themes on it or on its clause comments;
    an opinion marked "no theme" has an empty set (it teaches what fits no theme). Withdrawn
    opinions are left out: their coding is kept, but nothing learns from it."""
    labels: dict[int, set[int]] = defaultdict(set)
    rows = Coding.objects.filter(
        submission__consultation=consultation, submission__withdrawn=False
    ).values_list("submission_id", "theme_id")
    for sub_id, theme_id in rows.iterator(5000):
        labels[sub_id].add(theme_id)
    no_theme = (
        Submission.objects.filter(consultation=consultation, withdrawn=False)
        .exclude(no_theme_reason="")
        .values_list("pk", flat=True)
    )
    for pk in no_theme.iterator(5000):
        labels.setdefault(pk, set())
    return labels


def theme_seeds(consultation, theme_ids: list[int]) -> list[list[str]]:
    """The analysts' seed words of each theme: the words of its name and description."""
    rows = {
        pk: (name, description)
        for pk, name, description in Theme.objects.filter(pk__in=theme_ids).values_list(
            "pk", "name", "description"
        )
    }
    return [themes_model.seed_words(*rows.get(t, ("", ""))) for t in theme_ids]


def stored_groups(consultation, ids: list[int]) -> dict[int, int]:
    """The campaign group of each opinion in the register (groups not dismissed)."""
    return dict(
        CampaignMember.objects.filter(submission_id__in=ids)
        .exclude(group__status=CampaignGroup.Status.DISMISSED)
        .values_list("submission_id", "group_id")
    )


def classify(
    consultation,
    tokens: dict[int, list[str]] | None = None,
    texts: dict[int, str] | None = None,
) -> ClassifierResult:
    import numpy as np

    config = theme_config()
    labels = training_labels(consultation)
    if texts is None:
        texts = opinion_texts(consultation)
    coded_ids = [pk for pk in sorted(labels) if texts.get(pk, "").strip()]
    per_theme = defaultdict(int)
    for pk in coded_ids:
        for theme_id in labels[pk]:
            per_theme[theme_id] += 1
    theme_ids = sorted(
        set(per_theme)
        | set(Theme.objects.filter(consultation=consultation).values_list("pk", flat=True))
    )
    learnable = [t for t in theme_ids if per_theme[t] >= MIN_EXAMPLES]
    if len(coded_ids) < MIN_CODED or len(learnable) < MIN_THEMES:
        return ClassifierResult(
            ready=False,
            reason="not_enough_coding",
            coded=len(coded_ids),
            theme_ids=learnable,
        )
    if tokens is None:
        tokens = tokenise(texts)
    prepared = {
        pk: themes_model.Prepared(words=tokens[pk], folded=fold_for_matching(texts[pk]))
        for pk in texts
    }
    docs = [prepared[pk] for pk in coded_ids]
    column = {t: j for j, t in enumerate(theme_ids)}
    y = np.zeros((len(coded_ids), len(theme_ids)), dtype=bool)
    for i, pk in enumerate(coded_ids):
        for theme_id in labels[pk]:
            y[i, column[theme_id]] = True
    seeds = theme_seeds(consultation, theme_ids)

    # Copies of one text (a campaign, stored or found now) stay on one side of every split.
    stored = stored_groups(consultation, coded_ids)
    groups = themes_model.near_duplicate_groups(
        [texts[pk] for pk in coded_ids], [stored.get(pk) for pk in coded_ids]
    )
    assessment = themes_model.assess(docs, y, groups, seeds, theme_ids, config)
    evaluation = assessment.evaluation

    model = themes_model.ThemeModel(config, seeds).fit(docs, y)
    todo = list(uncoded_submissions(consultation).values_list("pk", flat=True))
    todo = [pk for pk in sorted(todo) if pk in prepared]
    proba = model.proba([prepared[pk] for pk in todo])
    chosen = themes_model.decide(proba, config, assessment.enabled, assessment.thresholds)
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
        enabled=[t for t, on in zip(theme_ids, assessment.enabled, strict=True) if on],
    )


def screen_evaluation(consultation) -> dict | None:
    """The last run's held-out measure as the screens show it: every theme of the frame, with
    its figures and whether it is suggested ("not enough coded examples yet" otherwise)."""
    evaluation = latest_evaluation(consultation)
    if evaluation is None or "folds" not in evaluation:
        return None  # none yet, or measured by the earlier method (20 % held out at random)
    seen = {int(row["theme"]) for row in evaluation["per_theme"]}
    missing = [
        {
            "theme": pk,
            "name": name,
            "precision": None,
            "recall": None,
            "f1": None,
            "support": 0,
            "suggested": 0,
            "status": "few_examples",
        }
        for pk, name in Theme.objects.filter(consultation=consultation)
        .exclude(pk__in=seen)
        .values_list("pk", "name")
    ]
    rows = [
        {**row, "status": row.get("status", "ok"), "on": row.get("status", "ok") == "ok"}
        for row in evaluation["per_theme"] + missing
    ]
    return {**evaluation, "per_theme": rows, "waiting": [r for r in rows if not r["on"]]}


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
            # Copies of one text would outweigh everything else: one opinion per campaign group
            # and per folded text is clustered.
            candidates = cluster_candidates(
                {pk: tokens[pk] for pk in cluster_representatives(consultation, texts)}
            )
            StaffJob.objects.filter(pk=job.pk).update(done=2)
            result = classify(consultation, tokens, texts)
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
            "min_precision": theme_config().min_precision,
            "themes_suggested": result.enabled or [],
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
