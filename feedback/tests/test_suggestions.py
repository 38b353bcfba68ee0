"""Suggestions: candidate themes by clustering and themes per opinion by a classifier trained on
the officials' own coding. Nothing is coded until a person accepts; the held-out precision and
recall are measured on generated opinions whose true themes are known."""

from __future__ import annotations

import hashlib
import random
import uuid

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied

from bench import textgen as tg
from consultations.roles import Role
from consultations.tests.factories import DepartmentFactory, UserFactory, published_consultation
from feedback.coding import selectors, services, suggest
from feedback.coding.services import CodingError
from feedback.models import (
    AuditAction,
    AuditEntry,
    Coding,
    StaffJob,
    Submission,
    Suggestion,
    Theme,
)
from feedback.models.receipts import new_receipt

pytestmark = pytest.mark.django_db

TOPICS = ("health", "odour", "compensation", "procedure")
THEME_NAMES = {"health": "健康", "odour": "异味", "compensation": "补偿", "procedure": "程序"}


def labelled_opinions(n: int, seed: int = 3) -> list[tuple[str, set[str]]]:
    """Opinions about the waste plant written from bench/textgen's phrases, each about one topic
    (15 % about two), with the topics as ground truth."""
    rng = random.Random(seed)
    dec = tg.DECISIONS["plant"]
    topics = {**dec.topics, **tg.COMMON_TOPICS}
    out = []
    for i in range(n):
        labels = [TOPICS[i % len(TOPICS)]]
        if rng.random() < 0.15:
            labels.append(rng.choice([t for t in TOPICS if t != labels[0]]))
        parts = [tg._fill(rng, rng.choice(tg.OPENERS), dec)]
        for topic in labels:
            parts.append(tg._end(tg._fill(rng, rng.choice(topics[topic]), dec)))
            for _ in range(rng.randint(0, 2)):
                parts.append(tg._end(tg._fill(rng, tg._composed(rng, topic), dec)))
        parts.append(rng.choice(tg.CLOSERS))
        out.append(("".join(parts), set(labels)))
    return out


def store(consultation, texts: list[str]) -> list[Submission]:
    return Submission.objects.bulk_create(
        [
            Submission(
                consultation=consultation,
                comment=text,
                receipt=new_receipt(),
                idempotency_token=uuid.uuid4(),
                text_hash=hashlib.sha256(text.encode()).hexdigest(),
            )
            for text in texts
        ]
    )


@pytest.fixture
def consultation():
    return published_consultation()


@pytest.fixture
def analyst(consultation):
    return UserFactory.with_role(Role.ANALYST, consultation.department)


@pytest.fixture
def themes(consultation, analyst):
    return {
        topic: services.theme_create(user=analyst, consultation=consultation, name=name)
        for topic, name in THEME_NAMES.items()
    }


def run(user, consultation) -> StaffJob:
    job = suggest.start_suggestions(user, consultation)
    job.refresh_from_db()
    assert job.status == StaffJob.Status.DONE, job.error
    assert job.percent == 100
    return job


@pytest.fixture
def coded_register(consultation, analyst, themes):
    """200 opinions; the first 120 coded by the analyst with their true themes."""
    data = labelled_opinions(200)
    subs = store(consultation, [text for text, _ in data])
    for sub, (_, labels) in zip(subs[:120], data[:120], strict=True):
        for topic in sorted(labels):
            services.code(analyst, sub, themes[topic])
    return subs, data


# --- the pure parts ---------------------------------------------------------------------------


def test_evaluate_computes_micro_and_per_theme_precision_and_recall():
    truth = np.array([[1, 0], [1, 1], [0, 1], [0, 0]], dtype=bool)
    chosen = np.array([[1, 0], [0, 1], [1, 1], [0, 1]], dtype=bool)
    result = suggest.evaluate(truth, chosen, [10, 20])
    # theme 10: tp 1, fp 1, fn 1; theme 20: tp 2, fp 1, fn 0
    assert result["precision"] == round(3 / 5, 4) and result["recall"] == round(3 / 4, 4)
    assert result["per_theme"][0] == {
        "theme": 10,
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
        "support": 2,
        "suggested": 2,
    }
    assert result["per_theme"][1]["precision"] == round(2 / 3, 4)
    assert result["per_theme"][1]["recall"] == 1.0
    empty = suggest.evaluate(np.zeros((2, 1), bool), np.zeros((2, 1), bool), [1])
    assert empty["precision"] is None and empty["recall"] is None


def test_decide_applies_threshold_and_cap():
    proba = np.array([[0.9, 0.6, 0.55, 0.7], [0.2, 0.49, 0.1, 0.0]])
    chosen = suggest.decide(proba)
    assert chosen[0].tolist() == [True, True, False, True]  # at most three, the likeliest
    assert not chosen[1].any()


def test_analyzer_drops_stopwords_and_single_characters():
    tokens = suggest.analyzer("我们希望垃圾焚烧发电厂的二噁英排放数据公开，谢谢！")
    assert "焚烧" in tokens and "二噁英" in tokens
    assert "我们" not in tokens and "希望" not in tokens and "的" not in tokens


def test_choose_k():
    assert [suggest.choose_k(n) for n in (10, 50, 200, 100_000)] == [2, 5, 10, 15]


# --- (a) candidate themes ---------------------------------------------------------------------


def test_candidate_themes_are_suggested_not_applied(consultation, analyst):
    data = labelled_opinions(80)
    subs = store(consultation, [text for text, _ in data])
    job = run(analyst, consultation)
    candidates = list(selectors.candidate_themes(consultation))
    assert len(candidates) >= 2
    assert job.params["result"]["candidate_themes"] == len(candidates)
    ids = {s.pk for s in subs}
    for candidate in candidates:
        assert candidate.decision == Suggestion.Decision.PENDING
        assert 1 <= len(candidate.keywords) <= suggest.KEYWORDS and candidate.label
        assert len(candidate.example_ids) == 3 and set(candidate.example_ids) <= ids
        assert candidate.size >= suggest.MIN_CLUSTER_SIZE
        assert candidate.method == suggest.METHOD_CLUSTER
    assert sum(c.size for c in candidates) <= len(subs)
    # nothing was created or coded by the machine
    assert not Theme.objects.filter(consultation=consultation).exists()
    assert not Coding.objects.exists()
    # the keywords of some cluster name one of the seeded topics
    words = {w for c in candidates for w in c.keywords}
    assert words & {"补偿", "臭气", "异味", "二噁英", "健康", "公示", "说明会", "体检"}


def test_accepting_a_candidate_creates_the_renamed_theme_and_keeps_both(consultation, analyst):
    store(consultation, [text for text, _ in labelled_opinions(60)])
    run(analyst, consultation)
    first, second = list(selectors.candidate_themes(consultation))[:2]
    theme = services.suggestion_accept(analyst, first, name="健康风险", concern="health")
    first.refresh_from_db()
    assert isinstance(theme, Theme) and theme.name == "健康风险" and theme.concern == "health"
    assert first.decision == Suggestion.Decision.ACCEPTED and first.decided_by == analyst
    assert first.resulting_theme == theme and first.decided_at is not None
    assert "、".join(first.keywords) in theme.description
    services.suggestion_reject(analyst, second)
    second.refresh_from_db()
    assert second.decision == Suggestion.Decision.REJECTED and second.decided_by == analyst
    with pytest.raises(CodingError):
        services.suggestion_accept(analyst, second)
    actions = AuditEntry.objects.filter(consultation_id=consultation.pk)
    assert actions.filter(action=AuditAction.THEME, detail__from_suggestion=first.pk).exists()
    assert actions.filter(action=AuditAction.SUGGESTION, detail__op="accept").count() == 1
    assert actions.filter(action=AuditAction.SUGGESTION, detail__op="reject").count() == 1
    # a new run keeps the decided ones and does not propose the rejected name again
    run(analyst, consultation)
    assert Suggestion.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    pending = selectors.candidate_themes(consultation, Suggestion.Decision.PENDING)
    assert second.label not in {c.label for c in pending}


def test_too_few_opinions_give_no_candidates(consultation, analyst):
    store(consultation, ["补偿太低", "气味太大", "希望公开"])
    job = run(analyst, consultation)
    assert job.params["result"]["candidate_themes"] == 0
    assert job.params["result"]["classifier"] == "not_enough_coding"


# --- (b) themes for opinions ------------------------------------------------------------------


def test_classifier_waits_for_enough_coding(consultation, analyst, themes):
    data = labelled_opinions(60)
    subs = store(consultation, [text for text, _ in data])
    for sub, (_, labels) in zip(subs[:25], data[:25], strict=True):
        services.code(analyst, sub, themes[sorted(labels)[0]])
    job = run(analyst, consultation)
    assert job.params["result"]["classifier"] == "not_enough_coding"
    assert not Suggestion.objects.filter(kind=Suggestion.Kind.OPINION_THEME).exists()
    assert selectors.latest_evaluation(consultation) is None


def test_classifier_suggests_for_uncoded_only_and_measures_on_held_out(
    consultation, analyst, themes, coded_register
):
    subs, data = coded_register
    codings_before = Coding.objects.count()
    job = run(analyst, consultation)
    result = job.params["result"]
    assert result["classifier"] == "ready" and result["coded"] == 120
    suggestions = Suggestion.objects.filter(kind=Suggestion.Kind.OPINION_THEME)
    assert suggestions.count() == result["opinion_themes"] > 0
    uncoded = {s.pk for s in subs[120:]}
    assert set(suggestions.values_list("submission_id", flat=True)) <= uncoded
    assert all(0.5 <= s.confidence <= 1 for s in suggestions)
    # nothing is coded until a person accepts
    assert Coding.objects.count() == codings_before
    assert selectors.coding_progress(consultation)["left"] == 80

    evaluation = suggest.screen_evaluation(consultation)
    # every one of the 120 coded opinions was held out once (5 rounds split by text group)
    assert evaluation["opinions"] == 120 and evaluation["folds"] == 5
    assert evaluation["precision"] >= 0.8 and evaluation["recall"] >= 0.6
    assert {row["name"] for row in evaluation["per_theme"]} == set(THEME_NAMES.values())
    assert sum(row["support"] for row in evaluation["per_theme"]) >= 120

    # the held-out figures predict how good the real suggestions are (ground truth known)
    truth = {sub.pk: labels for sub, (_, labels) in zip(subs, data, strict=True)}
    name_of = {t.pk: topic for topic, t in themes.items()}
    right = sum(1 for s in suggestions if name_of[s.theme_id] in truth[s.submission_id])
    real_precision = right / suggestions.count()
    real_recall = right / sum(len(truth[pk]) for pk in uncoded)
    assert real_precision >= 0.8 and real_recall >= 0.6
    assert abs(real_precision - evaluation["precision"]) <= 0.2


def test_suggestions_are_deterministic(consultation, analyst, themes, coded_register):
    run(analyst, consultation)

    def snapshot():
        return sorted(
            Suggestion.objects.filter(decision="pending").values_list(
                "kind", "submission_id", "theme_id", "confidence", "label", "size"
            ),
            key=repr,
        )

    first = snapshot()
    first_eval = selectors.latest_evaluation(consultation)
    run(analyst, consultation)
    assert snapshot() == first
    second_eval = selectors.latest_evaluation(consultation)
    assert first_eval["precision"] == second_eval["precision"]
    assert first_eval["per_theme"] == second_eval["per_theme"]


def test_accept_codes_with_source_suggestion_and_reject_is_kept(
    consultation, analyst, themes, coded_register
):
    run(analyst, consultation)
    pending = list(Suggestion.objects.filter(kind=Suggestion.Kind.OPINION_THEME).order_by("pk")[:2])
    accepted, rejected = pending
    opinion = accepted.submission
    services.mark_no_theme(analyst, opinion, "先标记，后来改了")
    coding = services.suggestion_accept(analyst, accepted)
    accepted.refresh_from_db()
    opinion.refresh_from_db()
    assert coding.source == Coding.Source.SUGGESTION and coding.coded_by == analyst
    assert coding.submission == opinion and coding.theme == accepted.theme
    assert accepted.decision == Suggestion.Decision.ACCEPTED and accepted.decided_by == analyst
    assert opinion.no_theme_reason == ""
    entries = AuditEntry.objects.filter(consultation_id=consultation.pk).order_by("-pk")[:2]
    assert {e.action for e in entries} == {AuditAction.CODE, AuditAction.SUGGESTION}
    services.suggestion_reject(analyst, rejected)
    rejected.refresh_from_db()
    assert rejected.decision == Suggestion.Decision.REJECTED
    assert not Coding.objects.filter(
        submission=rejected.submission, theme=rejected.theme, source="suggestion"
    ).exists()
    # the next run keeps both records and does not suggest the rejected pair again
    run(analyst, consultation)
    assert Suggestion.objects.filter(pk__in=[accepted.pk, rejected.pk]).count() == 2
    assert not Suggestion.objects.filter(
        submission=rejected.submission, theme=rejected.theme, decision="pending"
    ).exists()


def test_only_coders_start_runs_and_decide(consultation, analyst, themes, coded_register):
    run(analyst, consultation)
    suggestion = Suggestion.objects.filter(kind=Suggestion.Kind.OPINION_THEME).first()
    outsiders = [
        UserFactory.with_role(Role.ANALYST, DepartmentFactory()),
        UserFactory.with_role(Role.EDITOR, consultation.department),
        UserFactory.with_role(Role.ASSESSOR, None),
        UserFactory.with_role(Role.INTAKE_CLERK, consultation.department),
    ]
    jobs = StaffJob.objects.count()
    for user in outsiders:
        with pytest.raises(PermissionDenied):
            suggest.start_suggestions(user, consultation)
        with pytest.raises(PermissionDenied):
            services.suggestion_accept(user, suggestion)
        with pytest.raises(PermissionDenied):
            services.suggestion_reject(user, suggestion)
    assert StaffJob.objects.count() == jobs
    suggestion.refresh_from_db()
    assert suggestion.decision == Suggestion.Decision.PENDING
    admin = UserFactory.with_role(Role.SITE_ADMIN, None)
    services.suggestion_reject(admin, suggestion)


# --- the screen -------------------------------------------------------------------------------


def test_screen_shows_suggestions_and_the_measurement_and_accepts_by_post(
    client, consultation, analyst, themes, coded_register
):
    client.force_login(analyst)
    base = f"/admin/coding/{consultation.pk}"
    response = client.post(f"{base}/suggestions/generate/")
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    job_page = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in job_page  # finished: no reload
    start = client.get(f"{base}/?f=suggested")
    assert start.status_code == 302
    page = client.get(start["Location"])
    html = page.content.decode()
    suggestion = page.context["suggestions"][0]
    evaluation = suggest.screen_evaluation(consultation)
    assert f"<td>{evaluation['precision']:.2f}</td>" in html
    assert f"/suggestions/{suggestion.pk}/accept/" in html
    response = client.post(
        f"{base}/suggestions/{suggestion.pk}/accept/", {"next": start["Location"]}
    )
    assert response.status_code == 302 and response["Location"] == start["Location"]
    suggestion.refresh_from_db()
    assert suggestion.decision == Suggestion.Decision.ACCEPTED
    assert Coding.objects.filter(
        submission=suggestion.submission, theme=suggestion.theme, source="suggestion"
    ).exists()
    # an outside "next" is not followed
    other = Suggestion.objects.filter(decision="pending", kind="opinion_theme").first()
    response = client.post(
        f"{base}/suggestions/{other.pk}/reject/", {"next": "https://example.com/"}
    )
    assert response["Location"] == f"{base}/themes/"
    # the coding frame lists the candidate themes with accept and reject
    frame = client.get(f"{base}/themes/").content.decode()
    candidate = selectors.candidate_themes(consultation, "pending").first()
    assert f"/suggestions/{candidate.pk}/accept/" in frame
    example = Submission.objects.get(pk=candidate.example_ids[0])
    assert example.comment[:30] in frame
    response = client.post(
        f"{base}/suggestions/{candidate.pk}/accept/", {"name": "新主题", "concern": "safety"}
    )
    assert Theme.objects.filter(consultation=consultation, name="新主题", concern="safety").exists()
