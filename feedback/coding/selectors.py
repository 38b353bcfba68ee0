"""Read paths of coding: progress, the queue of the staff screen, what one opinion shows.

Every opinion counts, hidden ones included: each must end coded or marked "no theme" (with a
reason) before the response can be published. Withdrawn opinions are left out of everything
here (issue 12): not in the queue, the progress, the filters or the theme counts, and the
screen shows nothing of them but "withdrawn". Codings made before the withdrawal are kept in
the register, but no longer counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from consultations.models import Question
from feedback.models import (
    CampaignGroup,
    CampaignMember,
    Coding,
    Phase,
    StaffJob,
    Submission,
    Suggestion,
    Theme,
)
from feedback.privacy.masking import mask_text

SUGGESTION_JOB_KIND = "coding_suggestions"


class Filter:
    UNCODED = "uncoded"  # neither coded nor marked "no theme"
    ALL = "all"
    THEME = "theme"  # coded with one theme (``theme`` parameter)
    SUGGESTED = "suggested"  # has a pending suggestion
    NO_THEME = "no_theme"

    CHOICES = (UNCODED, ALL, THEME, SUGGESTED, NO_THEME)


def _has_coding():
    return Exists(Coding.objects.filter(submission=OuterRef("pk")))


def codable(consultation) -> QuerySet[Submission]:
    """The opinions that are coded: every one not withdrawn, hidden ones included; of the
    consultation phase (opinions during implementation, issue 16 point 5, are not coded)."""
    return Submission.objects.filter(
        consultation=consultation, withdrawn=False, phase=Phase.CONSULTATION
    )


def uncoded_submissions(consultation) -> QuerySet[Submission]:
    """Opinions neither coded nor marked "no theme" (hidden ones included, withdrawn ones
    not)."""
    return (
        codable(consultation)
        .filter(no_theme_reason="")
        .exclude(_has_coding())
        .order_by("received_at", "pk")
    )


def coding_progress(consultation) -> dict[str, int]:
    """``total``, ``coded`` (at least one theme), ``no_theme`` and ``left`` (to do), over the
    opinions not withdrawn; ``withdrawn``: how many were withdrawn (only counted, never coded)."""
    active = Q(withdrawn=False)
    counts = (
        Submission.objects.filter(consultation=consultation, phase=Phase.CONSULTATION)
        .annotate(has_coding=_has_coding())
        .aggregate(
            total=Count("pk", filter=active),
            coded=Count("pk", filter=active & Q(has_coding=True)),
            no_theme=Count("pk", filter=active & Q(has_coding=False) & ~Q(no_theme_reason="")),
            withdrawn=Count("pk", filter=Q(withdrawn=True)),
        )
    )
    counts["left"] = counts["total"] - counts["coded"] - counts["no_theme"]
    counts["percent_done"] = (
        int(100 * (counts["coded"] + counts["no_theme"]) / counts["total"])
        if counts["total"]
        else 100
    )
    return counts


def themes_with_counts(consultation) -> QuerySet[Theme]:
    """Themes with ``opinions`` (coded opinions not withdrawn) and ``pending`` (suggestions
    awaiting a decision, none for a withdrawn opinion)."""
    return Theme.objects.filter(consultation=consultation).annotate(
        opinions=Count(
            "codings__submission",
            filter=Q(codings__submission__withdrawn=False),
            distinct=True,
        ),
        pending=Count(
            "suggestions",
            filter=Q(suggestions__decision=Suggestion.Decision.PENDING)
            & ~Q(suggestions__submission__withdrawn=True),
            distinct=True,
        ),
    )


def queue(consultation, filter_: str = Filter.UNCODED, theme_id=None) -> QuerySet[Submission]:
    """The opinions of the screen for a filter, in arrival order (never a withdrawn one)."""
    qs = codable(consultation)
    if filter_ == Filter.UNCODED:
        qs = uncoded_submissions(consultation)
    elif filter_ == Filter.THEME and theme_id:
        qs = qs.filter(Exists(Coding.objects.filter(submission=OuterRef("pk"), theme=theme_id)))
    elif filter_ == Filter.SUGGESTED:
        qs = qs.filter(
            Exists(
                Suggestion.objects.filter(
                    submission=OuterRef("pk"), decision=Suggestion.Decision.PENDING
                )
            )
        )
    elif filter_ == Filter.NO_THEME:
        qs = qs.exclude(no_theme_reason="")
    return qs.order_by("received_at", "pk")


def neighbours(qs: QuerySet[Submission], submission: Submission) -> tuple[int | None, int | None]:
    """Previous and next opinion ids in ``qs`` (arrival order) around ``submission``, which need
    not be in ``qs`` any more (it was just coded and left the "uncoded" filter)."""
    after = Q(received_at__gt=submission.received_at) | Q(
        received_at=submission.received_at, pk__gt=submission.pk
    )
    before = Q(received_at__lt=submission.received_at) | Q(
        received_at=submission.received_at, pk__lt=submission.pk
    )
    nxt = qs.filter(after).order_by("received_at", "pk").values_list("pk", flat=True).first()
    prev = qs.filter(before).order_by("-received_at", "-pk").values_list("pk", flat=True).first()
    return prev, nxt


@dataclass
class TextAnswer:
    question: str
    text: str


def opinion_for_coding(submission: Submission) -> dict:
    """What the coding screen shows of an opinion: its texts, masked (``comment``, each clause
    comment's ``masked_text``, the answers' ``text``), and stance. Never a contact, never the
    receipt code, never a phone number or an address inside the text: coding needs the words
    of an opinion, not how to reach its author (docs/moderation-guide.md, who sees raw text).
    Nothing at all of a withdrawn opinion."""
    if submission.withdrawn:
        return {}
    clause_comments = list(
        submission.clause_comments.select_related("clause").order_by("clause__number")
    )
    codings = list(
        Coding.objects.filter(submission=submission)
        .select_related("theme")
        .order_by("theme__sort_order", "theme__pk")
    )
    by_comment: dict[int | None, list[Coding]] = {}
    for coding in codings:
        by_comment.setdefault(coding.clause_comment_id, []).append(coding)
    for comment in clause_comments:
        comment.coding_list = by_comment.get(comment.pk, [])
        comment.masked_text = mask_text(comment.text)
    answers = [
        TextAnswer(a.question.text, mask_text(a.text))
        for a in submission.answers.select_related("question")
        .filter(question__type=Question.Type.TEXT)
        .exclude(text="")
        .order_by("question__sort_order", "question__pk")
    ]
    membership = (
        CampaignMember.objects.filter(submission=submission)
        .exclude(group__status=CampaignGroup.Status.DISMISSED)
        .select_related("group")
        .first()
    )
    group = membership.group if membership else None
    return {
        "comment": mask_text(submission.comment),
        "clause_comments": clause_comments,
        "text_answers": answers,
        "opinion_codings": by_comment.get(None, []),
        "coded_theme_ids": {c.theme_id for c in by_comment.get(None, [])},
        "group": group,
        "group_size": group.members.count() if group else 0,
    }


def pending_opinion_suggestions(submission: Submission) -> QuerySet[Suggestion]:
    return (
        Suggestion.objects.filter(
            submission=submission,
            submission__withdrawn=False,
            kind=Suggestion.Kind.OPINION_THEME,
            decision=Suggestion.Decision.PENDING,
        )
        .select_related("theme")
        .order_by("-confidence", "pk")
    )


def candidate_themes(consultation, decision=None) -> QuerySet[Suggestion]:
    qs = Suggestion.objects.filter(
        consultation=consultation, kind=Suggestion.Kind.CANDIDATE_THEME
    ).select_related("resulting_theme", "decided_by")
    if decision:
        qs = qs.filter(decision=decision)
    return qs.order_by("-size", "pk")


def suggestion_jobs(consultation) -> QuerySet[StaffJob]:
    return StaffJob.objects.filter(consultation=consultation, kind=SUGGESTION_JOB_KIND)


def latest_suggestion_job(consultation) -> StaffJob | None:
    return suggestion_jobs(consultation).order_by("-created_at", "-pk").first()


def latest_evaluation(consultation) -> dict | None:
    """The held-out precision and recall of the last finished classifier run, if any."""
    job = (
        suggestion_jobs(consultation)
        .filter(status=StaffJob.Status.DONE)
        .order_by("-created_at", "-pk")
        .first()
    )
    if job is None:
        return None
    evaluation = (job.params or {}).get("result", {}).get("evaluation")
    if not evaluation:
        return None
    names = dict(Theme.objects.filter(consultation=consultation).values_list("pk", "name"))
    per_theme = [
        {**row, "name": names.get(int(row["theme"]), row["theme"])}
        for row in evaluation.get("per_theme", [])
    ]
    return {**evaluation, "per_theme": per_theme, "job": job}
