"""The assessor's form: level, reasons, disclosure, and a concern/measure formset (no JS)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.models import RiskLevel, Theme


class AssessmentForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Risk level (your decision)"),
        choices=[("", _("not decided yet"))] + list(RiskLevel.choices),
        required=False,
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label=_("Written reasons for the level"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    reasons_en = forms.CharField(
        label=_("Reasons (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    disclose = forms.BooleanField(
        label=_("Disclose the level and the measures on the public consultation page"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("level") and not (data.get("reasons") or "").strip():
            self.add_error("reasons", _("Give the written reasons for the level."))
        if data.get("disclose") and not data.get("level"):
            self.add_error("disclose", _("Record a level before disclosing it."))
        return data


class MeasureForm(forms.Form):
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.none(), required=False)
    concern = forms.CharField(label=_("Major concern"), max_length=300, required=False)
    concern_en = forms.CharField(label=_("Concern (English)"), max_length=300, required=False)
    measure = forms.CharField(
        label=_("Mitigation measure"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    measure_en = forms.CharField(
        label=_("Measure (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, consultation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if consultation is not None:
            self.fields["theme"].queryset = Theme.objects.filter(consultation=consultation)

    def clean(self):
        data = super().clean()
        if bool((data.get("concern") or "").strip()) != bool((data.get("measure") or "").strip()):
            raise forms.ValidationError(_("Give both the concern and the measure, or neither."))
        return data


MeasureFormSet = forms.formset_factory(MeasureForm, extra=3, max_num=30)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What must change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the history with the record; the level does not count."),
    )
