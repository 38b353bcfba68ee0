"""Search results as the screens show them: one page, the total, and each opinion's texts masked,
escaped and with the matches marked (staff: comment, clause comments and answers; residents: the
page's own presentation, see ``feedback.review.views``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from feedback.analysis.opinion_texts import id_array
from feedback.models import Channel, ClauseComment, QuestionAnswer, Stance
from feedback.search.highlight import highlight
from feedback.search.query import (
    ResultPage,
    SearchFilters,
    compiled,
    date_received,
    page_of,
    public_search,
    search,
)

SNIPPET = 300  # characters of each text shown around its first match on the staff screen

__all__ = ["ResultPage", "SearchFilters", "TextPart", "public_results", "staff_results"]


@dataclass
class TextPart:
    label: str  # "" for the general comment
    html: SafeString


def _texts(ids: list[int]) -> tuple[dict, dict]:
    clauses: dict[int, list[tuple[int, str]]] = {pk: [] for pk in ids}
    for pk, number, text in (
        ClauseComment.objects.filter(submission_id__in=id_array(ids))
        .exclude(text="")
        .order_by("submission_id", "clause__number")
        .values_list("submission_id", "clause__number", "text")
    ):
        clauses[pk].append((number, text))
    answers: dict[int, list[str]] = {pk: [] for pk in ids}
    for pk, text in (
        QuestionAnswer.objects.filter(submission_id__in=id_array(ids))
        .exclude(text="")
        .order_by("submission_id", "question_id")
        .values_list("submission_id", "text")
    ):
        answers[pk].append(text)
    return clauses, answers


def staff_results(consultation, query: str, filters: SearchFilters, page) -> ResultPage:
    """Page ``page`` of the staff search: pseudonym, date received, channel, stance and every
    text of the opinion (masked, matches marked, about ``SNIPPET`` characters of each)."""
    from feedback.privacy.masking import mask_text
    from feedback.privacy.pseudonyms import pseudonym_code

    qs = search(consultation, query, filters).annotate(received_on=date_received())
    result = page_of(qs, page, ("pk", "received_on", "channel", "stance", "comment"))
    needles = compiled(query).needles
    ids = [row["pk"] for row in result.rows]
    clauses, answers = _texts(ids)

    def part(label: str, text: str) -> TextPart:
        return TextPart(label, highlight(mask_text(text), needles, width=SNIPPET))

    rows = []
    for row in result.rows:
        parts = [part("", row["comment"])] if row["comment"] else []
        parts += [
            part(_("Clause %(number)s") % {"number": number}, text)
            for number, text in clauses[row["pk"]]
        ]
        parts += [part(_("Answer to a question"), text) for text in answers[row["pk"]]]
        rows.append(
            {
                "pseudonym": pseudonym_code(row["pk"]),
                "received_on": row["received_on"],
                "channel": Channel(row["channel"]).label,
                "stance": Stance(row["stance"]).label if row["stance"] else "",
                "parts": parts,
            }
        )
    result.rows = rows
    return result


def public_results(shown: QuerySet, query: str, page, present, size: int) -> ResultPage:
    """Page ``page`` of the residents' search over ``shown`` (the public page's queryset), each
    opinion presented by ``present`` (the page's own function: pseudonym, date, masked texts),
    then its comment and clause comments escaped with the matches marked."""
    qs = public_search(shown, query)
    result = page_of(qs, page, ("pk",), size)
    by_pk = {s.pk: s for s in shown.filter(pk__in=[row["pk"] for row in result.rows])}
    opinions = present([by_pk[row["pk"]] for row in result.rows if row["pk"] in by_pk])
    needles = compiled(query, public=True).needles
    for opinion in opinions:
        opinion.comment_html = highlight(opinion.comment, needles)
        opinion.clause_comments_html = [
            (number, highlight(text, needles)) for number, text in opinion.clause_comments
        ]
    result.rows = opinions
    return result
