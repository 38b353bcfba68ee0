"""What the public page and the staff screens read about opinions during implementation.

The count is of every opinion given during implementation, hidden and withdrawn ones included:
moderation changes what is shown, never what is counted. The threshold is the setting
``IMPLEMENTATION_REVIEW_THRESHOLD`` (30 by default; 0 turns the prompt off).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from consultations.followup import follow_up_of, published_follow_up
from consultations.models import Consultation, Decision
from feedback.models import ModerationState, Phase, Submission

DEFAULT_THRESHOLD = 30


def review_threshold() -> int:
    return max(0, int(getattr(settings, "IMPLEMENTATION_REVIEW_THRESHOLD", DEFAULT_THRESHOLD)))


def implementation_open(consultation: Consultation) -> bool:
    """The channel is open: the consultation is published, decided and its decision recorded."""
    return (
        bool(consultation.live)
        and consultation.stage == Consultation.Stage.DECIDED
        and Decision.objects.filter(consultation_id=consultation.pk).exists()
    )


def implementation_submissions(consultation) -> QuerySet[Submission]:
    return Submission.objects.filter(consultation=consultation, phase=Phase.IMPLEMENTATION)


def implementation_count(consultation) -> int:
    """Every opinion given during implementation: shown, hidden and withdrawn alike."""
    return implementation_submissions(consultation).count()


def over_threshold(count: int) -> bool:
    threshold = review_threshold()
    return bool(threshold) and count >= threshold


@dataclass(frozen=True)
class ImplementationStatus:
    """What the consultation's page and the staff screens say about the channel."""

    open: bool
    count: int
    threshold: int
    prompt: bool  # past the threshold: the department is asked to consider an evaluation
    follow_up: Consultation | None  # the evaluation opened (published or not)
    published_follow_up: Consultation | None
    shown: int  # opinions staff published


def implementation_status(consultation: Consultation) -> ImplementationStatus:
    counts = implementation_submissions(consultation).aggregate(
        n=Count("pk"),
        shown=Count(
            "pk",
            filter=Q(moderation_state=ModerationState.SHOWN, withdrawn=False, quote_consent=True),
        ),
    )
    follow_up = follow_up_of(consultation)
    return ImplementationStatus(
        open=implementation_open(consultation),
        count=counts["n"],
        threshold=review_threshold(),
        prompt=over_threshold(counts["n"]),
        follow_up=follow_up,
        published_follow_up=published_follow_up(consultation) if follow_up else None,
        shown=counts["shown"],
    )


def prompted_consultations(consultations: QuerySet[Consultation]) -> list[Consultation]:
    """Of ``consultations`` (already scoped to the user), the decided ones past the threshold
    whose department has not opened an evaluation yet: the staff home page's prompt."""
    threshold = review_threshold()
    if not threshold:
        return []
    return list(
        consultations.filter(
            live=True, stage=Consultation.Stage.DECIDED, decision__isnull=False, follow_ups=None
        )
        .annotate(
            implementation=Count("submissions", filter=Q(submissions__phase=Phase.IMPLEMENTATION))
        )
        .filter(implementation__gte=threshold)
        .order_by("-decided_at", "pk")
    )


def public_implementation_opinions(consultation: Consultation) -> QuerySet[Submission]:
    """The opinions during implementation that staff published: quoting allowed, not withdrawn,
    shown by a moderator (always read first: never shown before a decision), newest first."""
    return (
        implementation_submissions(consultation)
        .filter(quote_consent=True, withdrawn=False, moderation_state=ModerationState.SHOWN)
        .exclude(comment="")
        .order_by("-received_at", "-pk")
    )
