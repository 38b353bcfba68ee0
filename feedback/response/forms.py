"""Forms of the officials' response screen (plain POST, no JavaScript needed)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.models import Clause, DraftVersion
from feedback.models import Disposition
from feedback.response.selectors import consulted_version, newer_versions


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(label=_("Disposition"), choices=Disposition.choices)
    reason = forms.CharField(
        label=_("Reason (shown in public)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required unless adopted. No names or contact data."),
    )
    reason_en = forms.CharField(
        label=_("Reason (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    changed_clauses = forms.ModelMultipleChoiceField(
        label=_("Clauses changed in the new draft"),
        queryset=Clause.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["changed_clauses"].queryset = Clause.objects.filter(
            version__in=newer_versions(consultation)
        ).order_by("version__number", "number")
        self.fields["changed_clauses"].label_from_instance = lambda c: (
            _("Version %(version)s, clause %(number)s: %(text)s")
            % {"version": c.version.number, "number": c.number, "text": (c.heading or c.text)[:40]}
        )

    def clean(self):
        data = super().clean()
        if (
            data.get("disposition") not in (None, Disposition.ADOPTED)
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Give the reason: it is required unless adopted."))
        return data


class SubmitForm(forms.Form):
    """The editor's submission: the summary and draft versions, then an approver decides."""

    summary = forms.CharField(
        label=_("Summary (shown in public)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("No names or contact data."),
    )
    summary_en = forms.CharField(
        label=_("Summary (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    draft_from = forms.ModelChoiceField(
        label=_("Draft consulted on"), queryset=DraftVersion.objects.none(), required=False
    )
    draft_to = forms.ModelChoiceField(
        label=_("Revised draft"), queryset=DraftVersion.objects.none(), required=False
    )
    confirm = forms.BooleanField(
        label=_(
            "I have checked the response. It goes to an approver of the department, who "
            "publishes it or sends it back."
        ),
        required=True,
    )

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        versions = DraftVersion.objects.filter(consultation=consultation).order_by("number")
        self.fields["draft_from"].queryset = versions
        self.fields["draft_to"].queryset = versions
        self.fields["draft_from"].label_from_instance = self.fields[
            "draft_to"
        ].label_from_instance = lambda v: _("Version %(n)s") % {"n": v.number}
        base = consulted_version(consultation)
        if base is not None and not self.is_bound:
            self.initial.setdefault("draft_from", base.pk)
            newest = versions.last()
            if newest is not None and newest.number > base.number:
                self.initial.setdefault("draft_to", newest.pk)


class ApproveForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the response: it is published now and final once published."),
        required=True,
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What must change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Shown to the department and in the public change log with the note that the "
            "response was sent back. No names or contact data."
        ),
    )
