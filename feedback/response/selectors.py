"""Read paths of the response: the publication check, theme rows, the receipt's answer, overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation, DraftVersion, Stage
from consultations.periods import WorkCalendar, local_date
from consultations.rules import RuleViolation
from feedback.models import Coding, ConsultationResponse, Disposition, Phase, Submission, Theme

# Days after the decision within which the response must be public (R21).
RESPONSE_DUE_WORKING_DAYS = 20


@dataclass(frozen=True)
class Problem:
    """Something that blocks publishing; ``message`` is a lazy bilingual string."""

    code: str
    message: str
    theme_id: int | None = None


def consulted_version(consultation: Consultation) -> DraftVersion | None:
    """The draft version residents commented on: the newest frozen before the close."""
    versions = DraftVersion.objects.filter(consultation=consultation).order_by("-number")
    if consultation.closes_at is not None:
        before = versions.filter(created_at__lte=consultation.closes_at).first()
        if before is not None:
            return before
    return versions.order_by("number").first()


def newer_versions(consultation: Consultation):
    base = consulted_version(consultation)
    qs = DraftVersion.objects.filter(consultation=consultation)
    return qs.filter(number__gt=base.number) if base else qs.none()


def theme_rows(consultation: Consultation) -> list[Theme]:
    """Themes with ``opinions`` (distinct coded opinions) and ``theme_response`` (or None)."""
    themes = list(
        Theme.objects.filter(consultation=consultation)
        .annotate(
            opinions=Count(
                "codings__submission",
                filter=Q(codings__submission__withdrawn=False),
                distinct=True,
            )
        )
        .select_related("response")
        .order_by("sort_order", "pk")
    )
    for theme in themes:
        try:
            theme.theme_response = theme.response
        except Theme.response.RelatedObjectDoesNotExist:
            theme.theme_response = None
    return themes


EXAMPLES_PER_THEME = 3
EXAMPLE_CHARS = 200


def _excerpt(text: str, limit: int = EXAMPLE_CHARS) -> str:
    from feedback.privacy.masking import mask_text

    text = " ".join(mask_text(text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def theme_opinions(theme: Theme):
    """The opinions coded with ``theme`` (withdrawn ones left out: they are only counted as
    withdrawn), in register order, for the response writer's list of a theme's opinions."""
    return (
        Submission.objects.filter(
            Exists(Coding.objects.filter(submission=OuterRef("pk"), theme=theme)),
            consultation_id=theme.consultation_id,
            withdrawn=False,
        )
        .prefetch_related("clause_comments__clause")
        .order_by("pk")
    )


def theme_examples(theme_ids, per_theme: int = EXAMPLES_PER_THEME) -> dict[int, list[dict]]:
    """A few opinions of each theme for the response screen, beside the reason being written:
    masked (``feedback.privacy.masking``), the coded clause comment where the coding is for
    one, each opinion once. One query for every theme."""
    rows = (
        Coding.objects.filter(theme_id__in=list(theme_ids), submission__withdrawn=False)
        .order_by("theme_id", "submission_id", "pk")
        .values_list(
            "theme_id",
            "submission_id",
            "submission__comment",
            "clause_comment__text",
            "clause_comment__clause__number",
        )
    )
    examples: dict[int, list[dict]] = {pk: [] for pk in theme_ids}
    seen: set[tuple[int, int]] = set()
    for theme_id, submission_id, comment, clause_text, clause_number in rows.iterator():
        if len(examples[theme_id]) >= per_theme or (theme_id, submission_id) in seen:
            continue
        text = _excerpt(clause_text or comment)
        if text:
            seen.add((theme_id, submission_id))
            examples[theme_id].append(
                {
                    "id": submission_id,
                    "text": text,
                    "clause": clause_number if clause_text else None,
                }
            )
    return examples


def uncoded_opinions(consultation: Consultation):
    """Opinions neither coded nor marked "no theme": hidden ones included, withdrawn ones not
    (they are only counted as withdrawn, never coded; issue 12)."""
    coded = Coding.objects.filter(submission=OuterRef("pk"))
    return Submission.objects.filter(
        consultation=consultation,
        no_theme_reason="",
        withdrawn=False,
        phase=Phase.CONSULTATION,  # opinions during implementation are not answered here
    ).exclude(Exists(coded))


def response_check(consultation: Consultation, summary: str = "") -> list[Problem]:
    """Everything that blocks publishing the response; empty when it may be published."""
    from feedback.response.report import personal_data_found

    problems: list[Problem] = []
    found = personal_data_found(summary)
    if found:
        problems.append(
            Problem(
                "personal_data",
                _(
                    "The summary seems to contain personal data (%(kinds)s). Published "
                    "responses contain no names or contact data."
                )
                % {"kinds": ", ".join(found)},
            )
        )
    for theme in theme_rows(consultation):
        answer = theme.theme_response
        if theme.opinions and answer is None:
            problems.append(
                Problem(
                    "no_disposition",
                    _("Theme “%(name)s” has %(count)s opinions but no disposition yet.")
                    % {"name": theme.name, "count": theme.opinions},
                    theme.pk,
                )
            )
        elif (
            answer is not None
            and answer.disposition != Disposition.ADOPTED
            and not answer.reason.strip()
        ):
            problems.append(
                Problem(
                    "no_reason",
                    _("Theme “%(name)s” is “%(disposition)s” but has no reason.")
                    % {"name": theme.name, "disposition": answer.get_disposition_display()},
                    theme.pk,
                )
            )
        if answer is not None:
            found = personal_data_found(f"{answer.reason}\n{answer.reason_en}")
            if found:
                problems.append(
                    Problem(
                        "personal_data",
                        _(
                            "The reason of theme “%(name)s” seems to contain personal data "
                            "(%(kinds)s). Published responses contain no names or contact data."
                        )
                        % {"name": theme.name, "kinds": ", ".join(found)},
                        theme.pk,
                    )
                )
    uncoded = uncoded_opinions(consultation).count()
    if uncoded:
        problems.append(
            Problem(
                "uncoded",
                _(
                    "%(count)s opinions (hidden ones included; withdrawn ones are left out) are "
                    "neither coded to a theme nor marked as having no theme."
                )
                % {"count": uncoded},
            )
        )
    if published_response(consultation) is not None:
        problems.append(Problem("published", _("The response has already been published.")))
    return problems


def published_response(consultation: Consultation) -> ConsultationResponse | None:
    return ConsultationResponse.objects.filter(
        consultation=consultation, published_at__isnull=False
    ).first()


def stage_violations(consultation: Consultation, stage: str) -> list[RuleViolation]:
    """Why ``consultation`` may not move to ``stage``: "response published" needs a published
    response (issue 15). Called by ``consultations.services.consultation_set_stage`` through
    the ``consultation_stage_check`` hook (feedback/response/hooks.py); publishing the
    response (``response_approve``) sets the stage itself once the response is published."""
    if stage != Stage.RESPONSE_PUBLISHED or published_response(consultation) is not None:
        return []
    return [
        RuleViolation(
            "no_published_response",
            "stage",
            _(
                "The stage “response published” needs a published response to the opinions. "
                "Publish the response (submitted by one person, approved by another); that "
                "sets the stage."
            ),
        )
    ]


def response_in_progress(consultation: Consultation) -> ConsultationResponse | None:
    """The response submitted or sent back, not yet published (None otherwise)."""
    return (
        ConsultationResponse.objects.filter(consultation=consultation, published_at__isnull=True)
        .select_related("submitted_by", "returned_by")
        .first()
    )


def receipt_answer(submission: Submission) -> dict:
    """Context for the receipt page: the themes of the opinion and their answers, once public.
    An opinion given during the decision's implementation is not answered by the response."""
    if submission.phase == Phase.IMPLEMENTATION:
        return {"response_published": False, "implementation_phase": True}
    response = published_response(submission.consultation)
    if response is None:
        return {"response_published": False}
    themes = list(
        Theme.objects.filter(codings__submission=submission)
        .distinct()
        .select_related("response")
        .order_by("sort_order", "pk")
    )
    answers = []
    for theme in themes:
        try:
            answers.append((theme, theme.response))
        except Theme.response.RelatedObjectDoesNotExist:
            answers.append((theme, None))
    return {
        "response_published": True,
        "opinion_response": response,
        "theme_answers": answers,
        "no_theme": not themes and bool(submission.no_theme_reason),
    }


def response_due_date(consultation: Consultation):
    """The last day the response may be published: 20 working days after the decision date."""
    if consultation.decided_at is None:
        return None
    start = local_date(consultation.decided_at)
    calendar = WorkCalendar(start, start + timedelta(days=2 * RESPONSE_DUE_WORKING_DAYS + 30))
    return calendar.add_working_days(start, RESPONSE_DUE_WORKING_DAYS)


def response_overdue(consultation: Consultation, now: datetime) -> bool:
    """True when no response is published and 20 working days have passed since the decision."""
    due = response_due_date(consultation)
    if due is None or published_response(consultation) is not None:
        return False
    return local_date(now) > due


def opinions_in_themes(consultation: Consultation) -> dict[int, int]:
    rows = (
        Coding.objects.filter(theme__consultation=consultation, submission__withdrawn=False)
        .order_by()
        .values("theme_id")
        .annotate(n=Count("submission_id", distinct=True))
    )
    return {row["theme_id"]: row["n"] for row in rows}


__all__ = [
    "Problem",
    "consulted_version",
    "newer_versions",
    "opinions_in_themes",
    "published_response",
    "receipt_answer",
    "response_check",
    "response_due_date",
    "response_in_progress",
    "response_overdue",
    "stage_violations",
    "theme_examples",
    "theme_opinions",
    "theme_rows",
    "uncoded_opinions",
]
