"""Forms of the hearing: the public registration (R31: name, contact, category and a short
statement, nothing else) and the staff forms of each step."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from feedback.analysis.text import clean_input, has_visible_character
from feedback.hearings.services import CategoryData
from feedback.models import HearingParticipant, HearingRecordItem, Stance

MAX_STATEMENT = 500
MOBILE = RegexValidator(
    r"^(\+?86)?1[3-9]\d{9}$",
    _("Enter a mainland mobile number of 11 digits, for example 13812345678."),
)


def _text(value: str, *, required: bool = True) -> str:
    value = clean_input(value or "").strip()
    if required and not has_visible_character(value):
        raise forms.ValidationError(_("This field is required."))
    return value


class RegistrationForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Your name"),
        max_length=60,
        help_text=_("If you are selected, this name is published in the participant list."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    category = forms.ChoiceField(label=_("You take part as"), widget=forms.RadioSelect)
    statement = forms.CharField(
        label=_("What you want to say at the hearing, in short"),
        max_length=MAX_STATEMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    contact_phone = forms.CharField(
        label=_("Mobile number"),
        required=False,
        max_length=20,
        help_text=_(
            "For the hearing materials and the invitation. Give a mobile number or an e-mail address."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    contact_email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, hearing, **kwargs):
        super().__init__(*args, **kwargs)
        self.hearing = hearing
        self.categories = {c.code: c for c in hearing.categories.all()}
        self.fields["category"].choices = [
            (code, c.display_name) for code, c in self.categories.items()
        ]

    def clean_name(self):
        return _text(self.cleaned_data.get("name", ""))

    def clean_statement(self):
        return _text(self.cleaned_data.get("statement", ""))

    def clean_contact_phone(self):
        value = re.sub(r"[\s\-()]", "", self.cleaned_data.get("contact_phone", "") or "")
        if value:
            MOBILE(value)
        return value

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("contact_phone") or cleaned.get("contact_email")):
            self.add_error(
                "contact_phone",
                _(
                    "Give a mobile number or an e-mail address, so that the materials can reach you."
                ),
            )
        return cleaned

    def category_obj(self):
        return self.categories[self.cleaned_data["category"]]


CATEGORY_LINE = re.compile(
    r"^\s*([a-z0-9-]{1,30})\s*\|\s*([^|]+?)\s*\|\s*(\d{1,3})\s*(?:\|\s*(.*?)\s*)?$"
)


class HearingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Hearing starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    registration_closes_at = forms.DateTimeField(
        label=_("Registration closes at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    place = forms.CharField(label=_("Place"), max_length=300)
    place_en = forms.CharField(label=_("Place (English)"), max_length=300, required=False)
    explanation = forms.CharField(label=_("Explanation of the draft"), widget=forms.Textarea)
    explanation_en = forms.CharField(
        label=_("Explanation (English)"), widget=forms.Textarea, required=False
    )
    selection_method = forms.CharField(
        label=_("Participant selection method"), widget=forms.Textarea
    )
    selection_method_en = forms.CharField(
        label=_("Selection method (English)"), widget=forms.Textarea, required=False
    )
    categories = forms.CharField(
        label=_("Stakeholder categories"),
        help_text=_(
            "One per line: code | name | seats | English name (optional), for example "
            "“affected | 受影响的村民 | 6 | Affected villagers”."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_categories(self):
        rows, errors = [], []
        for n, line in enumerate(self.cleaned_data["categories"].splitlines(), start=1):
            if not line.strip():
                continue
            match = CATEGORY_LINE.match(line)
            if not match:
                errors.append(_("Line %(n)d is not “code | name | seats”.") % {"n": n})
                continue
            code, name, seats, name_en = match.groups()
            rows.append(CategoryData(code=code, name=name, seats=int(seats), name_en=name_en or ""))
        if errors:
            raise forms.ValidationError(errors)
        return rows

    def fields_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "categories"}


def categories_text(hearing) -> str:
    return "\n".join(
        f"{c.code} | {c.name} | {c.seats}" + (f" | {c.name_en}" if c.name_en else "")
        for c in hearing.categories.all()
    )


class MaterialsForm(forms.Form):
    sent_on = forms.DateField(
        label=_("Materials sent to every participant on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class RecordItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=HearingRecordItem.Kind.choices)
    speaker = forms.ModelChoiceField(
        label=_("Speaker"), queryset=HearingParticipant.objects.none(), required=False
    )
    speaker_label = forms.CharField(
        label=_("Or: speaker who is not a participant"), max_length=100, required=False
    )
    stance = forms.ChoiceField(
        label=_("Stance"), choices=[("", "—"), *Stance.choices], required=False
    )
    text = forms.CharField(label=_("What was said"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, hearing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].queryset = hearing.participants.all()


class ConfirmationForm(forms.Form):
    participant = forms.IntegerField(widget=forms.HiddenInput)
    confirmed = forms.TypedChoiceField(
        label=_("Record"),
        choices=[("1", _("confirmed and signed")), ("0", _("refused to sign"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ViewForm(forms.Form):
    summary = forms.CharField(label=_("View raised"), widget=forms.Textarea(attrs={"rows": 2}))
    adopted = forms.TypedChoiceField(
        label=_("Adopted"),
        choices=[("1", _("adopted")), ("0", _("not adopted"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(forms.Form):
    report = forms.CharField(label=_("Hearing report"), widget=forms.Textarea(attrs={"rows": 6}))
    report_en = forms.CharField(
        label=_("Hearing report (English)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class MajorityOpenForm(forms.Form):
    roster_size = forms.IntegerField(
        label=_("Members or owners on the verified roster"), min_value=1
    )
    closes_at = forms.DateTimeField(
        label=_("Count closes at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class TokensForm(forms.Form):
    number = forms.IntegerField(label=_("Tokens to make"), min_value=1, max_value=2000)


class PaperTokensForm(forms.Form):
    tokens = forms.CharField(
        label=_("Tokens from the ballot box, one per line"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def token_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["tokens"].splitlines() if line.strip()]


class ObjectionForm(forms.Form):
    token = forms.CharField(
        label=_("Your token"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    unlawful = forms.BooleanField(
        label=_("I consider that the plan does not comply with laws and regulations."),
    )
