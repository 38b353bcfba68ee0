"""Staff screens of the decision chain: the steps with their blockers, one step's form, and the
decision's form (issues 15, 16; R22).

Editors and approvers of the consultation's department (and site administrators) record the
steps; recording the decision takes publishing authority (approvers, site administrators), as it
changes the public page and starts the 20 working days for the response. The services in
``consultations.decisions`` check everything; these views only translate their refusals.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput
from wagtail.documents import get_document_model
from wagtail.documents.widgets import AdminDocumentChooser

from consultations.admin_views import rule_error_classes, rule_error_field_messages
from consultations.decisions import (
    RECORDED_STEPS,
    decision_blockers,
    decision_chain,
    decision_record,
    decision_step_record,
)
from consultations.models import Consultation, Decision, DecisionStep, Step, StepStatus
from consultations.permissions import (
    can_edit_consultation,
    can_publish_consultation,
    can_view_document,
)

CHAIN_URL_NAME = "consultations_admin:decision_chain"
STEP_URL_NAME = "consultations_admin:decision_step"
DECISION_URL_NAME = "consultations_admin:decision"


def can_record_steps(user, consultation: Consultation) -> bool:
    return bool(consultation.live) and can_edit_consultation(user, consultation)


def can_record_decision(user, consultation: Consultation) -> bool:
    return bool(consultation.live) and can_publish_consultation(user, consultation)


class DocumentField(forms.ModelChoiceField):
    """A document the user may see (their department's collection, or an attachment)."""

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("queryset", get_document_model().objects.all())
        kwargs.setdefault("widget", AdminDocumentChooser)
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self, value):
        document = super().clean(value)
        if document is not None and not can_view_document(self.user, document):
            raise forms.ValidationError(
                _("Choose a document of your own department."), code="document"
            )
        return document


class DecisionStepForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), widget=forms.RadioSelect)
    date = forms.DateField(label=_("Date"), required=False, widget=AdminDateInput)
    summary = forms.CharField(
        label=_("What was done and how opinions were adopted"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Shown on the public page. For an expert review: the experts' opinions and how they "
            "were adopted. When the step was not required: why."
        ),
    )
    summary_en = forms.CharField(
        label=_("The same in English"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    withheld_ground = forms.CharField(
        label=_("Legal ground for not disclosing"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the step was done but may not be disclosed (依法不予公开)."),
    )
    url = forms.CharField(label=_("Public link"), required=False, max_length=500)
    required = forms.BooleanField(
        label=_("Mandatory for this consultation"),
        required=False,
        help_text=_(
            "For example a hearing that the law requires because most of those "
            "affected consider the plan unlawful."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = StepStatus.choices
        self.fields["document"] = DocumentField(label=_("Document"), user=user)


class DecisionForm(forms.Form):
    decided_on = forms.DateField(label=_("Decision date"), widget=AdminDateInput)
    body = forms.CharField(label=_("Deciding body"), max_length=200)
    body_en = forms.CharField(label=_("Deciding body (English)"), max_length=200, required=False)
    meeting = forms.CharField(
        label=_("Meeting"),
        max_length=200,
        required=False,
        help_text=_("For example: the 12th executive meeting of the city government."),
    )
    meeting_en = forms.CharField(label=_("Meeting (English)"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("The decision and how opinions were adopted"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Shown on the public page: what was decided, and how public and expert "
            "opinions were adopted."
        ),
    )
    summary_en = forms.CharField(
        label=_("The same in English"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, user=None, correcting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"] = DocumentField(label=_("Decision document"), user=user)
        if correcting:
            self.fields["correction_reason"] = forms.CharField(
                label=_("Reason for the correction"),
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Shown in the public change log."),
            )


class ConsultationAdminMixin(WagtailAdminTemplateMixin):
    header_icon = "doc-full"

    def load(self, pk) -> Consultation:
        consultation = get_object_or_404(Consultation, pk=pk)
        if not can_record_steps(self.request.user, consultation):
            raise PermissionDenied
        return consultation

    def edit_url(self) -> str:
        return reverse(
            "wagtailsnippets_consultations_consultation:edit", args=[self.consultation.pk]
        )

    def chain_url(self) -> str:
        return reverse(CHAIN_URL_NAME, args=[self.consultation.pk])

    def get_page_subtitle(self):
        return str(self.consultation)

    def get_breadcrumbs_items(self):
        items = [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailsnippets_consultations_consultation:list"),
                "label": Consultation._meta.verbose_name_plural,
            },
            {"url": self.edit_url(), "label": str(self.consultation)},
        ]
        if self.page_title != DecisionChainView.page_title:
            items.append({"url": self.chain_url(), "label": DecisionChainView.page_title})
        return [*items, {"url": "", "label": self.page_title}]


class DecisionChainView(ConsultationAdminMixin, TemplateView):
    """The steps the kind requires, their status and what still blocks the decision."""

    template_name = "consultations/admin/decision_chain.html"
    page_title = _("Decision chain")

    def dispatch(self, request, *args, **kwargs):
        self.consultation = self.load(kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chain = decision_chain(self.consultation)
        context.update(
            consultation=self.consultation,
            chain=chain,
            blockers=[s.blocker for s in chain if s.blocker is not None],
            decision=Decision.objects.filter(consultation=self.consultation).first(),
            can_decide=can_record_decision(self.request.user, self.consultation),
            decision_url=reverse(DECISION_URL_NAME, args=[self.consultation.pk]),
            step_urls={
                step: reverse(STEP_URL_NAME, args=[self.consultation.pk, step])
                for step in RECORDED_STEPS
            },
            edit_url=self.edit_url(),
            # What other apps add to this screen (issue 16: feedback.after_decision shows the
            # opinions during implementation and the prompt to consider an evaluation).
            panels=[
                panel
                for hook in hooks.get_hooks("consultation_decision_chain_panels")
                if (panel := hook(self.request, self.consultation))
            ],
        )
        return context


class DecisionStepView(ConsultationAdminMixin, FormView):
    template_name = "consultations/admin/decision_form.html"
    form_class = DecisionStepForm

    def dispatch(self, request, *args, **kwargs):
        self.consultation = self.load(kwargs["pk"])
        if kwargs["step"] not in RECORDED_STEPS:
            raise PermissionDenied
        self.step = kwargs["step"]
        self.row = DecisionStep.objects.filter(
            consultation=self.consultation, step=self.step
        ).first()
        return super().dispatch(request, *args, **kwargs)

    @property
    def page_title(self):
        return Step(self.step).label

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        row = self.row
        if row is None:
            return {"status": StepStatus.NOT_STARTED}
        return {
            "status": row.status,
            "date": row.date,
            "summary": row.summary,
            "summary_en": row.summary_en,
            "withheld_ground": row.withheld_ground,
            "url": row.url,
            "required": row.required,
            "document": row.document_id,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            consultation=self.consultation,
            action_url=reverse(STEP_URL_NAME, args=[self.consultation.pk, self.step]),
            submit_button_label=_("Save the step"),
            media=context["form"].media,
            chain_url=self.chain_url(),
            intro=_(
                "Recorded steps are shown on the consultation's public page and in its change log."
            ),
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            decision_step_record(
                self.consultation,
                self.step,
                status=data["status"],
                date=data["date"],
                summary=data["summary"],
                summary_en=data["summary_en"],
                url=data["url"],
                document=data["document"],
                withheld_ground=data["withheld_ground"],
                # The form can make a step mandatory, never take that back: a hearing made
                # mandatory by a majority count (feedback.hearings) stays mandatory.
                required=True if data["required"] else None,
                user=self.request.user,
            )
        except rule_error_classes() as error:
            for field, message in rule_error_field_messages(error):
                form.add_error(field if field in form.fields else None, message)
            return self.form_invalid(form)
        messages.success(self.request, _("The step was saved."))
        return redirect(self.chain_url())


class DecisionRecordView(ConsultationAdminMixin, FormView):
    """Record (or correct) the decision; refused, with the list, while steps are missing."""

    template_name = "consultations/admin/decision_form.html"
    form_class = DecisionForm
    page_title = _("Record the decision taken")

    def dispatch(self, request, *args, **kwargs):
        self.consultation = self.load(kwargs["pk"])
        if not can_record_decision(request.user, self.consultation):
            raise PermissionDenied
        self.decision = Decision.objects.filter(consultation=self.consultation).first()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "correcting": self.decision is not None,
        }

    def get_initial(self):
        d = self.decision
        if d is None:
            return {}
        return {
            "decided_on": d.decided_on,
            "body": d.body,
            "body_en": d.body_en,
            "meeting": d.meeting,
            "meeting_en": d.meeting_en,
            "summary": d.summary,
            "summary_en": d.summary_en,
            "document": d.document_id,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            consultation=self.consultation,
            action_url=reverse(DECISION_URL_NAME, args=[self.consultation.pk]),
            submit_button_label=_("Record the decision taken"),
            media=context["form"].media,
            chain_url=self.chain_url(),
            blockers=decision_blockers(self.consultation),
            intro=_(
                "The decision is shown on the consultation's public page, its stage "
                "becomes “decided”, and the response must be published within 20 working "
                "days of the decision date."
            ),
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            decision_record(
                self.consultation,
                decided_on=data["decided_on"],
                body=data["body"],
                body_en=data["body_en"],
                meeting=data["meeting"],
                meeting_en=data["meeting_en"],
                summary=data["summary"],
                summary_en=data["summary_en"],
                document=data["document"],
                correction_reason=data.get("correction_reason", ""),
                user=self.request.user,
            )
        except rule_error_classes() as error:
            for field, message in rule_error_field_messages(error):
                form.add_error(field if field in form.fields else None, message)
            messages.error(self.request, _("The decision was not recorded."))
            return self.form_invalid(form)
        messages.success(self.request, _("The decision was recorded and published."))
        return redirect(self.chain_url())
