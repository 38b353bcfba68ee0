"""The opinion form, built from a consultation's alternatives, questions and clauses.

The same form serves the public (web), the receipt edit page and the intake clerk, so every
channel records the same fields (R60). Text is kept as typed except for bidirectional override
controls, which are removed because they can make a text display differently from what it says,
and control characters (``feedback.analysis.text.clean_input``); it is stored in NFC.
"""

from __future__ import annotations

import copy
import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation, Question
from feedback.analysis.text import clean_input, has_visible_character
from feedback.intake.services import Answer, OpinionData
from feedback.models import AffectedStatus, Channel, Preference, Stance

MAX_COMMENT = 5000
MAX_SHORT_TEXT = 500
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
MOBILE = RegexValidator(
    r"^(\+?86)?1[3-9]\d{9}$",
    _("Enter a mainland mobile number of 11 digits, for example 13812345678."),
)


INVISIBLE_MESSAGE = _(
    "This text has no visible character (only spaces or invisible characters). Please write "
    "your text or leave the box empty."
)


class PlainTextField(forms.CharField):
    """Text shown later as text: bidi override controls and every control character other than
    tab and newline removed, NFC (``clean_input``); a text with no visible character refused."""

    def __init__(self, *, max_length: int = MAX_COMMENT, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "error_messages",
            {
                "max_length": _(
                    "This text is too long: at most %(limit_value)d characters "
                    "(it has %(show_value)d)."
                ),
                "null_characters_not_allowed": _(
                    "This text contains a NUL control character; please remove it and try again."
                ),
            },
        )
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = clean_input(BIDI_CONTROLS.sub("", value))
        value = super().to_python(value)
        if value and not has_visible_character(value):
            raise ValidationError(INVISIBLE_MESSAGE, code="invisible")
        return value


def _phone_digits(value: str) -> str:
    return re.sub(r"[\s\-()]", "", value or "")


class OpinionForm(forms.Form):
    """Fields are named ``pref_<alternative id>``, ``q_<question id>``, ``clause_<number>``."""

    token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    stance = forms.ChoiceField(
        label=_("Overall, what do you think of the proposal?"),
        choices=Stance.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    comment = PlainTextField(
        label=_("Your opinion in your own words"),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    affected_status = forms.ChoiceField(
        label=_("How does the proposal affect you? (optional)"),
        choices=AffectedStatus.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    contact_email = forms.EmailField(
        label=_("E-mail for the reply (optional)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=_("Mobile number for the reply (optional)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    quote_consent = forms.BooleanField(
        label=_("My words may be quoted in the published response, without my name."),
        required=False,
    )

    def __init__(
        self,
        *args,
        consultation: Consultation,
        alternatives=(),
        questions=(),
        clauses=(),
        require_token: bool = True,
        field_cache: dict | None = None,
        **kwargs,
    ):
        """``field_cache``, when given, is a dict kept as long as these parts stay the same
        (``feedback.intake.views.FormParts``): the fields are built there once per form class and
        language. A bound form (a POST being validated) then uses those field objects as
        they are, since validating and rendering never change a field; an unbound one gets
        copies, as Django's forms do."""
        self.alternatives = list(alternatives)
        self.questions = list(questions)
        self.clauses = list(clauses)
        prototype = None
        if field_cache is not None:
            key = (type(self), get_language())
            prototype = field_cache.get(key)
            if prototype is None:
                prototype = {**copy.deepcopy(self.base_fields), **self._parts_fields()}
                field_cache[key] = prototype
            self.base_fields = {}  # (this instance only) nothing for Django to copy
        super().__init__(*args, **kwargs)
        if prototype is not None:
            del self.base_fields
            self.fields = dict(prototype) if self.is_bound else copy.deepcopy(prototype)
        else:
            self.fields.update(self._parts_fields())
        self.consultation = consultation
        self.require_token = require_token
        if require_token and not self.is_bound and not self.initial.get("token"):
            self.initial["token"] = uuid.uuid4()

    def _clean_fields(self):
        """Django's ``_clean_fields`` without a BoundField per field: the value is read from
        the widget as ``BoundField.data`` reads it (``_widget_data_value``). Fields that
        clean differently (disabled, or their own ``_clean_bound_field``) go Django's way."""
        plain = forms.Field._clean_bound_field
        for name, field in self.fields.items():
            try:
                if field.disabled or type(field)._clean_bound_field is not plain:
                    value = field._clean_bound_field(self[name])
                else:
                    html_name = self.add_prefix(name)
                    value = field.clean(self._widget_data_value(field.widget, html_name))
                self.cleaned_data[name] = value
                hook = getattr(self, f"clean_{name}", None)
                if hook is not None:
                    self.cleaned_data[name] = hook()
            except ValidationError as e:
                self.add_error(name, e)

    def _parts_fields(self) -> dict[str, forms.Field]:
        """The fields of the alternatives, questions and clauses, in display order."""
        fields: dict[str, forms.Field] = {}
        for alt in self.alternatives:
            fields[f"pref_{alt.pk}"] = forms.ChoiceField(
                label=alt.tr("title"),
                choices=Preference.choices,
                widget=forms.RadioSelect,
                required=False,
            )
        for q in self.questions:
            fields[f"q_{q.pk}"] = self._question_field(q)
        for clause in self.clauses:
            fields[f"clause_{clause.number}"] = PlainTextField(
                label=_("Comment on clause %(number)s") % {"number": clause.number},
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        return fields

    @staticmethod
    def _question_field(q: Question) -> forms.Field:
        common = {"label": q.tr("text"), "help_text": q.tr("help_text"), "required": q.required}
        if q.type == Question.Type.SINGLE:
            return forms.TypedChoiceField(
                choices=q.localized_options(), coerce=int, widget=forms.RadioSelect, **common
            )
        if q.type == Question.Type.MULTIPLE:
            return forms.TypedMultipleChoiceField(
                choices=q.localized_options(),
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        if q.type == Question.Type.SCALE:
            return forms.TypedChoiceField(
                choices=scale_choices(q),
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "tj-scale"}),
                **common,
            )
        return PlainTextField(max_length=MAX_SHORT_TEXT, **common)

    # Groups for the template, in display order.
    def preference_fields(self):
        return [(alt, self[f"pref_{alt.pk}"]) for alt in self.alternatives]

    def question_fields(self):
        return [(q, self[f"q_{q.pk}"]) for q in self.questions]

    def clause_fields(self):
        return [(c, self[f"clause_{c.number}"]) for c in self.clauses]

    def field_anchor(self, name: str) -> str:
        """The element id an error summary links to."""
        if name.startswith("clause_"):
            return f"clause-{name.removeprefix('clause_')}"
        return f"field-{name}"

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(anchor, field label, message) for the summary at the top of the form."""
        rows = []
        for name, errors in self.errors.items():
            if name == "__all__":
                anchor, label = "field-stance", ""
            else:
                anchor, label = self.field_anchor(name), str(self.fields[name].label or "")
            rows.extend((anchor, label, str(e)) for e in errors)
        return rows

    def clean_token(self):
        token = self.cleaned_data.get("token")
        if self.require_token and token is None:
            # Give the re-rendered form a fresh token so that sending it again works.
            self.data = self.data.copy()
            self.data["token"] = str(uuid.uuid4())
            raise ValidationError(
                _("This form has expired. Please check your opinion and send it again.")
            )
        return token

    def clean_contact_phone(self):
        value = _phone_digits(self.cleaned_data.get("contact_phone", ""))
        if value:
            MOBILE(value)
        return value

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            # Kept for the view (``to_data`` after a valid form): cleaned_data no longer changes.
            self._opinion_data = self.to_data()
        if not self.errors and not self._opinion_data.has_content():
            raise ValidationError(
                _(
                    "Please give at least your overall stance, one answer or a comment "
                    "before sending."
                ),
                code="empty",
            )
        return cleaned

    def to_data(self) -> OpinionData:
        if getattr(self, "_opinion_data", None) is not None and self.is_valid():
            return self._opinion_data
        c = self.cleaned_data
        answers = {}
        for q in self.questions:
            value = c.get(f"q_{q.pk}")
            if q.type == Question.Type.MULTIPLE:
                answers[q.pk] = Answer(options=[int(v) for v in value or []])
            elif q.type == Question.Type.SINGLE:
                answers[q.pk] = Answer(options=[value] if value not in (None, "") else [])
            elif q.type == Question.Type.SCALE:
                answers[q.pk] = Answer(scale=value if value not in (None, "") else None)
            else:
                answers[q.pk] = Answer(text=value or "")
        return OpinionData(
            stance=c.get("stance") or "",
            affected_status=c.get("affected_status") or "",
            comment=c.get("comment") or "",
            quote_consent=bool(c.get("quote_consent")),
            preferences={alt.pk: c.get(f"pref_{alt.pk}") or "" for alt in self.alternatives},
            answers=answers,
            clause_comments={
                clause.pk: c.get(f"clause_{clause.number}") or "" for clause in self.clauses
            },
            contact_email=c.get("contact_email") or "",
            contact_phone=c.get("contact_phone") or "",
        )


def initial_from_submission(submission, clauses) -> dict:
    """Form initial values from a stored opinion, for the edit page (contact never shown)."""
    initial = {
        "stance": submission.stance,
        "affected_status": submission.affected_status,
        "comment": submission.comment,
        "quote_consent": submission.quote_consent,
    }
    for pref in submission.alternative_preferences.all():
        initial[f"pref_{pref.alternative_id}"] = pref.preference
    for answer in submission.answers.select_related("question"):
        q = answer.question
        if q.type == Question.Type.MULTIPLE:
            initial[f"q_{q.pk}"] = answer.options
        elif q.type == Question.Type.SINGLE:
            initial[f"q_{q.pk}"] = answer.options[0] if answer.options else None
        elif q.type == Question.Type.SCALE:
            initial[f"q_{q.pk}"] = answer.scale
        else:
            initial[f"q_{q.pk}"] = answer.text
    numbers = {c.pk: c.number for c in clauses}
    for cc in submission.clause_comments.all():
        if cc.clause_id in numbers:
            initial[f"clause_{numbers[cc.clause_id]}"] = cc.text
    return initial


def scale_labels(q: Question) -> tuple[str, str] | None:
    """What 1 and 5 mean, in the question's own words (issue 15), or None: its fields first,
    then the sources read before they existed (``Question.scale_ends``)."""
    return q.scale_ends()


def scale_choices(q: Question) -> list[tuple[int, str]]:
    """1–5, with the question's words for the two ends on 1 and 5."""
    ends = scale_labels(q)
    choices = [(i, str(i)) for i in range(1, 6)]
    if ends:
        choices[0] = (1, f"1 {ends[0]}")
        choices[4] = (5, f"5 {ends[1]}")
    return choices


class IntakeForm(OpinionForm):
    """The clerk's version: the same fields plus the channel and the date received."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.offline_choices)
    submitted_on = forms.DateField(
        label=_("Date received"),
        # A date input shows only an ISO date (2026-12-06), whatever the page's language.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["channel", "submitted_on"])

    def clean_submitted_on(self):
        value = self.cleaned_data["submitted_on"]
        if value > timezone.localdate():
            raise ValidationError(_("The date received cannot be in the future."))
        return value
