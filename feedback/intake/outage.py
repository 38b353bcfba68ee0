"""What a resident sent, read back from the POST without the database (issue 13, point 6).

When an opinion or a receipt request cannot be stored (the database is down, an unexpected
error, a failed CSRF check), the error pages of ``cms.errors`` show the resident what they
wrote, to copy, and a button that sends the same POST again. Everything here works from the
request alone: field names and labels come from the form classes and the model choices; the
labels of questions and alternatives come from the form parts this process already keeps
(``views.form_parts``) when it has them, otherwise a generic label.

A re-send is safe: the opinion form carries its idempotency token (``token``), so the same
opinion is stored once however often it is sent (``services.submission_create``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext as _

from feedback.intake.forms import OpinionForm
from feedback.models import AffectedStatus, Preference, Stance

# /<index>/<slug>/opinion/ (any prefix): the public opinion form.
OPINION_PATH = re.compile(r"/[\w-]+/opinion/$")
# /<index>/receipt/… : the receipt pages (look-up, edit, withdraw, contact, close).
RECEIPT_PATH = re.compile(r"^(?P<base>/(?:[\w-]+/)*?receipt/)")
# Sent back with a re-send but never shown: tokens and codes.
HIDDEN = {"csrfmiddlewaretoken", "token", "consultation", "receipt_code", "code"}
MAX_SHOWN_FIELDS = 200  # a POST is already bounded by DATA_UPLOAD_MAX_NUMBER_FIELDS


@dataclass(frozen=True)
class SentField:
    label: str
    value: str
    text: bool  # free text the resident typed (shown as a block, kept as typed)


def is_opinion_post(request: HttpRequest) -> bool:
    return request.method == "POST" and bool(OPINION_PATH.search(request.path))


def receipt_base(path: str) -> str | None:
    """``/<index>/receipt/`` of a path under the receipt pages, else None."""
    match = RECEIPT_PATH.match(path)
    return match.group("base") if match else None


def is_receipt_post(request: HttpRequest) -> bool:
    return request.method == "POST" and receipt_base(request.path) is not None


def _post(request: HttpRequest):
    """The POST data if it can be read without error (never raises)."""
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return None
    try:  # (already parsed by the CSRF check; files are never shown or sent back)
        return request.POST
    except Exception:  # noqa: BLE001 - a body that cannot be read is simply not shown
        return None


def resend_items(request: HttpRequest) -> list[tuple[str, str]]:
    """(name, value) of every field of the POST but the CSRF token, for the re-send form."""
    data = _post(request)
    if data is None:
        return []
    return [
        (name, value)
        for name, values in data.lists()
        if name != "csrfmiddlewaretoken"
        for value in values
    ]


def _known_parts():
    """Questions and alternatives by id from the form parts this process keeps (no query)."""
    from feedback.intake.views import _form_parts

    questions, alternatives = {}, {}
    for _at, parts in list(_form_parts.values()):
        questions.update({q.pk: q for q in parts.questions})
        alternatives.update({a.pk: a for a in parts.alternatives})
    return questions, alternatives


def _choice_label(choices, value: str) -> str:
    return str(dict(choices).get(value, value))


def _answer(question, values: list[str]) -> tuple[str, bool]:
    """The answer's text and whether it is free text."""
    if question is None:
        return "; ".join(values), len(values) == 1 and not values[0].isdigit()
    options = {str(k): str(v) for k, v in question.localized_options()}
    if question.type in ("single", "multiple"):
        return "; ".join(options.get(v, v) for v in values), False
    if question.type == "scale":
        return f"{values[0]} / 5 {question.scale_ends_text()}".strip(), False
    return values[0], True


ORDER = ("stance", "pref_", "q_", "clause_", "comment", "affected_status", "contact_", "quote_")


def _field(name: str, values: list[str], questions: dict, alternatives: dict):
    """The labelled field of one POST name, or None for a name the form does not have."""
    base = OpinionForm.base_fields
    value = values[0]
    if name == "stance":
        return SentField(str(base[name].label), _choice_label(Stance.choices, value), False)
    if name == "affected_status":
        label = str(base[name].label)
        return SentField(label, _choice_label(AffectedStatus.choices, value), False)
    if name == "quote_consent":
        return SentField(str(base[name].label), _("yes"), False)
    if name in ("contact_email", "contact_phone"):
        return SentField(str(base[name].label), value, False)
    if name == "comment":
        return SentField(str(base[name].label), value, True)
    if name.startswith("clause_"):
        label = _("Comment on clause %(number)s") % {"number": name.removeprefix("clause_")}
        return SentField(label, value, True)
    if name.startswith("pref_") and name[5:].isdigit():
        alternative = alternatives.get(int(name[5:]))
        label = alternative.tr("title") if alternative else _("An alternative")
        return SentField(label, _choice_label(Preference.choices, value), False)
    if name.startswith("q_") and name[2:].isdigit():
        question = questions.get(int(name[2:]))
        label = question.tr("text") if question else _("Answer to a question")
        answer, text = _answer(question, values)
        return SentField(label, answer, text)
    return None


def sent_fields(request: HttpRequest) -> list[SentField]:
    """What the resident filled in, labelled in the active language, in the form's order."""
    data = _post(request)
    if data is None:
        return []
    questions, alternatives = _known_parts()
    found = []
    for index, (name, raw) in enumerate(list(data.lists())[:MAX_SHOWN_FIELDS]):
        values = [v for v in raw if v.strip()]
        if name in HIDDEN or not values:
            continue
        field = _field(name, values, questions, alternatives)
        if field is not None:
            rank = next((i for i, p in enumerate(ORDER) if name.startswith(p)), len(ORDER))
            found.append((rank, index, field))
    return [field for _rank, _index, field in sorted(found, key=lambda t: t[:2])]


def sent_text(fields: list[SentField]) -> str:
    """The fields as one plain text to copy: label, then value, a blank line between."""
    return "\n\n".join(f"{f.label}\n{f.value}" for f in fields)
