"""Admin views around a consultation's lifecycle that are not plain edits.

Lifecycle changes are service calls behind a form (architecture.md), never free-form fields: the
extend view parses the new closing time and reason, checks ``can_extend_consultation`` and calls
``services.consultation_extend``, which enforces "extend, never shorten" (R14) and writes the
change log. ``rule_error_messages`` turns a rules error into readable messages for any view.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.snippets.views import snippets as snippet_views

from consultations.models import Consultation
from consultations.permissions import (
    can_extend_consultation,
    can_view_consultation_admin,
    consultations_visible_to,
)
from consultations.rules import ConsultationRuleError

EXTEND_URL_NAME = "consultations_admin:extend"
WITHDRAW_URL_NAME = "consultations_admin:withdraw"
WITHDRAWAL_URL_NAME = "consultations_admin:withdrawal"
WITHDRAWALS_URL_NAME = "consultations_admin:withdrawals"


def rule_error_classes() -> tuple[type[Exception], ...]:
    """The exceptions that mean "the rules say no", as opposed to a bug."""
    try:
        from consultations.rules import ConsultationRuleError
    except ImportError:  # pragma: no cover - rules module not installed yet
        return (ValidationError,)
    return (ConsultationRuleError, ValidationError)


def rule_error_messages(error: Exception) -> list[str]:
    """Flat, human-readable messages from a rules error or a ValidationError."""
    violations = getattr(error, "violations", None)
    if violations:
        return [str(getattr(v, "message", v)) for v in violations]
    if isinstance(error, ValidationError) or hasattr(error, "messages"):
        return [str(m) for m in error.messages]
    return [str(error)]


def rule_error_field_messages(error: Exception) -> list[tuple[str | None, str]]:
    """(field name or None, message) pairs, so a form can show each violation at its field."""
    violations = getattr(error, "violations", None)
    if violations:
        return [
            (getattr(v, "field", None) or None, str(getattr(v, "message", v))) for v in violations
        ]
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return [
            (None if field == "__all__" else field, str(message))
            for field, messages_ in error.message_dict.items()
            for message in messages_
        ]
    return [(None, message) for message in rule_error_messages(error)]


class ExtendPeriodForm(forms.Form):
    closes_at = forms.DateTimeField(
        label=_("New closing date and time"),
        widget=AdminDateTimeInput,
        help_text=_("Only later than the current closing time: a period is never shortened."),
    )
    reason = forms.CharField(
        label=_("Reason for the extension"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown in the public change log."),
    )

    def __init__(self, *args, consultation: Consultation, **kwargs):
        self.consultation = consultation
        super().__init__(*args, **kwargs)


class ExtendPeriodView(WagtailAdminTemplateMixin, FormView):
    """Extend an open consultation's closing time (approvers of its department, site admins)."""

    form_class = ExtendPeriodForm
    template_name = "consultations/admin/extend_period.html"
    page_title = _("Extend the period")
    header_icon = "calendar-alt"

    def dispatch(self, request, *args, **kwargs):
        self.consultation = get_object_or_404(Consultation, pk=kwargs["pk"])
        if not can_extend_consultation(request.user, self.consultation):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["consultation"] = self.consultation
        return kwargs

    def get_initial(self):
        return {"closes_at": self.consultation.closes_at}

    def get_page_subtitle(self):
        return str(self.consultation)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailsnippets_consultations_consultation:list"),
                "label": Consultation._meta.verbose_name_plural,
            },
            {"url": self.edit_url(), "label": str(self.consultation)},
            {"url": "", "label": self.page_title},
        ]

    def edit_url(self) -> str:
        return reverse(
            "wagtailsnippets_consultations_consultation:edit", args=[self.consultation.pk]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            consultation=self.consultation,
            action_url=reverse(EXTEND_URL_NAME, args=[self.consultation.pk]),
            submit_button_label=_("Extend"),
            submit_button_active_label=_("Extending…"),
            edit_url=self.edit_url(),
        )
        return context

    def form_valid(self, form):
        from consultations.services import consultation_extend

        try:
            consultation_extend(
                consultation=self.consultation,
                closes_at=form.cleaned_data["closes_at"],
                reason=form.cleaned_data["reason"],
                user=self.request.user,
            )
        except rule_error_classes() as error:
            for field, message in rule_error_field_messages(error):
                form.add_error(field if field in form.fields else None, message)
            messages.error(self.request, _("The period was not extended."))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The closing time of “%(title)s” was extended.") % {"title": self.consultation},
        )
        return redirect(self.edit_url())


# --- Department-scoped snippet views -------------------------------------------------------


class ScopedObjectMixin:
    """Every view that loads one consultation refuses consultations of other departments.

    The generic views only check model permissions; the department check happens here, on the
    published row (``live_object``) so that a draft cannot move itself into another department.
    """

    def get_base_object_queryset(self):
        return consultations_visible_to(self.request.user)

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        target = getattr(self, "live_object", None) or obj
        if target is not None and not can_view_consultation_admin(self.request.user, target):
            raise PermissionDenied
        return obj


class RuleErrorsOnPublishMixin:
    """Show a rules refusal on publish or approval as form errors and messages, not a 500."""

    publish_refused_message = _(
        "Saved as a draft but not published: the consultation does not meet the rules yet."
    )
    approval_refused_message = _(
        "Not approved: the consultation does not meet the rules for publication yet."
    )

    def publish_action(self):
        try:
            with transaction.atomic():
                return super().publish_action()
        except rule_error_classes() as error:
            for field, message in rule_error_field_messages(error):
                self.form.add_error(field if field in self.form.fields else None, message)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.publish_refused_message
            return self.form_invalid(self.form)

    def workflow_action_action(self):
        try:
            with transaction.atomic():
                return super().workflow_action_action()
        except rule_error_classes() as error:
            messages.error(self.request, self.approval_refused_message)
            for message in rule_error_messages(error):
                messages.error(self.request, message)
            return redirect(self.get_edit_url())


class SubmitChecksMixin:
    """The rules are checked, with their reasons, when the editor submits for approval.

    Saving a draft is never refused by them (the officials' guide promises it; a plain save
    only warns). "Submit for approval" and "Restart the workflow" first save the draft as
    Wagtail does, then check the saved revision as publication will
    (``services.consultation_submission_violations``); if anything is missing the workflow is
    not started and the reasons are shown at their fields. The approver's approval checks
    again, since publishing runs ``consultation_publication_prepare`` whatever the path.
    """

    submit_refused_message = _(
        "Saved as a draft but not submitted for approval: the consultation does not meet the "
        "rules yet."
    )
    draft_warning_message = _(
        "Saved as a draft. Before it can be submitted for approval: %(reason)s"
    )

    def _submission_violations(self):
        from consultations.services import consultation_submission_violations

        revision = getattr(self, "new_revision", None)
        candidate = revision.as_object() if revision is not None else self.object
        return consultation_submission_violations(candidate)

    def _refuse_submission(self, violations):
        raise NotImplementedError

    def submit_action(self):
        if violations := self._submission_violations():
            return self._refuse_submission(violations)
        return super().submit_action()

    def restart_workflow_action(self):
        if violations := self._submission_violations():
            return self._refuse_submission(violations)
        return super().restart_workflow_action()

    def save_action(self):
        response = super().save_action()
        if self.action in ("create", "edit") and not getattr(self, "expects_json_response", False):
            revision = getattr(self, "new_revision", None)
            candidate = revision.as_object() if revision is not None else self.object
            for violation in candidate.period_warnings():
                messages.warning(
                    self.request, self.draft_warning_message % {"reason": violation.message}
                )
        return response


class ConsultationEditViewBase(
    SubmitChecksMixin, RuleErrorsOnPublishMixin, ScopedObjectMixin, snippet_views.EditView
):
    def _refuse_submission(self, violations):
        for field, message in rule_error_field_messages(ConsultationRuleError(violations)):
            self.form.add_error(field if field in self.form.fields else None, message)
        self.produced_error_code = "validation_error"
        self.produced_error_message = self.submit_refused_message
        return self.form_invalid(self.form)


class ConsultationCreateView(SubmitChecksMixin, snippet_views.CreateView):
    def _refuse_submission(self, violations):
        # The draft exists now: continue on its edit view with the reasons shown there.
        messages.error(self.request, self.submit_refused_message)
        for violation in violations:
            messages.error(self.request, str(violation.message))
        return redirect(
            reverse("wagtailsnippets_consultations_consultation:edit", args=[self.object.pk])
        )

    def publish_action(self):
        try:
            with transaction.atomic():
                return super().publish_action()
        except rule_error_classes() as error:
            # The draft exists now: continue on its edit view with the reasons shown there.
            messages.error(self.request, RuleErrorsOnPublishMixin.publish_refused_message)
            for message in rule_error_messages(error):
                messages.error(self.request, message)
            return redirect(
                reverse("wagtailsnippets_consultations_consultation:edit", args=[self.object.pk])
            )


class ConsultationWorkflowActionView(ScopedObjectMixin, snippet_views.WorkflowActionView):
    def post(self, request, *args, **kwargs):
        try:
            with transaction.atomic():
                return super().post(request, *args, **kwargs)
        except rule_error_classes() as error:
            messages.error(request, RuleErrorsOnPublishMixin.approval_refused_message)
            for message in rule_error_messages(error):
                messages.error(request, message)
            if request.headers.get("x-requested-with") == "XMLHttpRequest":
                return self.render_modal_json(
                    request, {"step": "success", "redirect": self.redirect_url}
                )
            return redirect(self.redirect_url)


class ConsultationUnpublishView(ScopedObjectMixin, snippet_views.UnpublishView):
    """Wagtail's unpublish URL never unpublishes a consultation: GET and POST both lead to the
    two-person withdrawal request (``WithdrawalRequestView``). ``Consultation.unpublish``
    refuses on its own too, whatever calls it."""

    def get(self, request, *args, **kwargs):
        return redirect(WITHDRAW_URL_NAME, pk=self.object.pk)

    def post(self, request, *args, **kwargs):
        messages.warning(
            request,
            _(
                "A published consultation is withdrawn only with a written reason and a "
                "second person's confirmation."
            ),
        )
        return redirect(WITHDRAW_URL_NAME, pk=self.object.pk)


class ConsultationDeleteView(ScopedObjectMixin, snippet_views.DeleteView):
    """Only a consultation never published can be deleted; a published one is withdrawn or
    cancelled by two people instead (its change log and draft versions stay)."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not self.user_has_permission_for_instance("delete", obj):
            raise PermissionDenied
        return obj


def _scoped(name: str, base: type) -> type:
    return type(name, (ScopedObjectMixin, base), {"__module__": __name__})


def consultation_view_classes() -> dict[str, type]:
    """The snippet view classes for Consultation, each scoped by department."""
    v = snippet_views
    return {
        "index": v.IndexView,  # scoped through ConsultationViewSet.get_queryset
        "add": ConsultationCreateView,
        "edit": ConsultationEditViewBase,
        "workflow_action": ConsultationWorkflowActionView,
        "delete": ConsultationDeleteView,
        "history": _scoped("ConsultationHistoryView", v.HistoryView),
        "usage": _scoped("ConsultationUsageView", v.UsageView),
        "inspect": _scoped("ConsultationInspectView", v.InspectView),
        "unpublish": ConsultationUnpublishView,
        "revisions": _scoped("ConsultationPreviewRevisionView", v.PreviewRevisionView),
        "revisions_compare": _scoped("ConsultationRevisionsCompareView", v.RevisionsCompareView),
        "revisions_unschedule": _scoped(
            "ConsultationRevisionsUnscheduleView", v.RevisionsUnscheduleView
        ),
        "preview_on_edit": _scoped("ConsultationPreviewOnEditView", v.PreviewOnEditView),
        "lock": _scoped("ConsultationLockView", v.LockView),
        "unlock": _scoped("ConsultationUnlockView", v.UnlockView),
        "collect_workflow_action_data": _scoped(
            "ConsultationCollectWorkflowActionDataView", v.CollectWorkflowActionDataView
        ),
        "confirm_workflow_cancellation": _scoped(
            "ConsultationConfirmWorkflowCancellationView", v.ConfirmWorkflowCancellationView
        ),
        "workflow_preview": _scoped("ConsultationWorkflowPreviewView", v.WorkflowPreviewView),
        "workflow_history": _scoped("ConsultationWorkflowHistoryView", v.WorkflowHistoryView),
        "workflow_history_detail": _scoped(
            "ConsultationWorkflowHistoryDetailView", v.WorkflowHistoryDetailView
        ),
    }
