"""Forms of the privacy officer's screens. They parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consultations.models import Consultation
from consultations.periods import local_date
from consultations.permissions import consultation_ids_nameable_by
from feedback.models import (
    AuditAction,
    ContactAccessLog,
    IdentityRequest,
    PrivacyRequest,
)
from feedback.privacy.selectors import AuditFilters, audit_actors

SYSTEM = "system"


class DateInput(forms.DateInput):
    input_type = "date"


class IdentityRequestForm(forms.Form):
    submission_id = forms.IntegerField(
        label=_("Opinion no."),
        min_value=1,
        help_text=_("The opinion's internal number, as staff screens show it (第 N 号意见)."),
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"), choices=IdentityRequest.LegalBasis.choices, widget=forms.RadioSelect
    )
    legal_reference = forms.CharField(
        label=_("Law, article and document"),
        max_length=300,
        help_text=IdentityRequest._meta.get_field("legal_reference").help_text,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=IdentityRequest._meta.get_field("reason").help_text,
    )


class DecisionForm(forms.Form):
    APPROVE, REFUSE = "approve", "refuse"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (REFUSE, _("Refuse"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when refusing: say why."),
    )


def _optional_int(value: str) -> int | None:
    return int(value) if value not in (None, "") else None


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("all actions")), *AuditAction.choices]
    )
    actor = forms.ChoiceField(label=_("By"), required=False)
    consultation = forms.TypedChoiceField(
        label=_("Consultation"), required=False, coerce=int, empty_value=None
    )
    date_from = forms.DateField(
        label=pgettext_lazy("date range", "From"), required=False, widget=DateInput
    )
    date_to = forms.DateField(
        label=pgettext_lazy("date range", "To"), required=False, widget=DateInput
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [
            ("", _("everyone")),
            (SYSTEM, _("the system (no person)")),
            *[(str(u.pk), u.get_username()) for u in audit_actors()],
        ]
        rows = list(Consultation.objects.order_by("-pk").values_list("pk", "title"))
        # Unpublished consultations the user may not see are listed by number (issue 13).
        nameable = consultation_ids_nameable_by(user, (pk for pk, _title in rows))
        self.fields["consultation"].choices = [
            ("", _("all consultations")),
            *[(pk, title if pk in nameable else f"#{pk}") for pk, title in rows],
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The first day comes after the last day."))
        return data

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        actor = data.get("actor") or ""
        return AuditFilters(
            action=data.get("action") or "",
            actor=None if actor in ("", SYSTEM) else int(actor),
            system=actor == SYSTEM,
            consultation=data.get("consultation"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class AccessLogFilterForm(forms.Form):
    context = forms.ChoiceField(
        label=_("Read by"),
        required=False,
        choices=[("", _("all")), *ContactAccessLog.Context.choices],
    )
    date_from = forms.DateField(
        label=pgettext_lazy("date range", "From"), required=False, widget=DateInput
    )
    date_to = forms.DateField(
        label=pgettext_lazy("date range", "To"), required=False, widget=DateInput
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The first day comes after the last day."))
        return data


class PrivacyRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Request type"), choices=PrivacyRequest.Kind.choices)
    channel = forms.ChoiceField(label=_("Received by"), choices=PrivacyRequest.Channel.choices)
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    opinion = forms.CharField(
        label=_("Opinion no. or receipt code"),
        required=False,
        max_length=40,
        help_text=_(
            "Optional. The receipt code the resident reads out is checked and not kept; only "
            "the opinion's number is recorded."
        ),
    )
    summary = forms.CharField(
        label=_("What is asked"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=PrivacyRequest._meta.get_field("summary").help_text,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("received_on", local_date(timezone.now()))


class PrivacyRequestCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Result"),
        choices=[
            (PrivacyRequest.Status.ANSWERED, _("answered")),
            (PrivacyRequest.Status.REFUSED, _("refused, with reasons")),
        ],
        widget=forms.RadioSelect,
    )
    closed_on = forms.DateField(label=_("Answered on"), widget=DateInput)
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was answered, or why it was refused. No contact details here."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("closed_on", local_date(timezone.now()))
