"""The two-person withdrawal screens (issue 13): the request, the decision, the list.

Views only parse, check permission and call ``consultations.withdrawals``; see that module and
docs/adr/0011-two-person-actions.md.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from consultations.admin_views import (
    WITHDRAW_URL_NAME,
    WITHDRAWAL_URL_NAME,
    rule_error_classes,
    rule_error_field_messages,
)
from consultations.permissions import can_view_consultation_admin, consultations_visible_to


def _edit_url(consultation) -> str:
    return reverse("wagtailsnippets_consultations_consultation:edit", args=[consultation.pk])


class WithdrawalRequestView(WagtailAdminTemplateMixin, FormView):
    """Step 1: an approver of the department (or a site administrator) asks, with a reason."""

    template_name = "consultations/admin/withdrawal_request.html"
    page_title = _("Withdraw or cancel")
    header_icon = "warning"

    def get_form_class(self):
        from consultations.admin_forms import WithdrawalRequestForm

        return WithdrawalRequestForm

    def dispatch(self, request, *args, **kwargs):
        from consultations.permissions import can_request_withdrawal

        self.consultation = get_object_or_404(
            consultations_visible_to(request.user), pk=kwargs["pk"]
        )
        if not can_request_withdrawal(request.user, self.consultation):
            raise PermissionDenied
        pending = self.consultation.withdrawal_requests.filter(status="pending").first()
        if pending is not None:
            return redirect(WITHDRAWAL_URL_NAME, pk=pending.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.consultation)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            consultation=self.consultation,
            edit_url=_edit_url(self.consultation),
            action_url=reverse(WITHDRAW_URL_NAME, args=[self.consultation.pk]),
        )
        return context

    def form_valid(self, form):
        from consultations.withdrawals import consultation_withdrawal_request

        try:
            withdrawal = consultation_withdrawal_request(
                consultation=self.consultation,
                user=self.request.user,
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
                reason_en=form.cleaned_data["reason_en"],
            )
        except rule_error_classes() as error:
            for field, message in rule_error_field_messages(error):
                form.add_error(field if field in form.fields else None, message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(
            self.request,
            _(
                "Your request is recorded. The consultation stays published until a second "
                "person confirms it."
            ),
        )
        return redirect(WITHDRAWAL_URL_NAME, pk=withdrawal.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class WithdrawalDetailView(WagtailAdminTemplateMixin, FormView):
    """Step 2: the second person confirms or refuses; the requester may withdraw the request."""

    template_name = "consultations/admin/withdrawal_detail.html"
    page_title = _("Withdrawal request")
    header_icon = "warning"

    def get_form_class(self):
        from consultations.admin_forms import WithdrawalDecisionForm

        return WithdrawalDecisionForm

    def dispatch(self, request, *args, **kwargs):
        from consultations.models import WithdrawalRequest

        self.withdrawal = get_object_or_404(
            WithdrawalRequest.objects.select_related("consultation", "requested_by", "decided_by"),
            pk=kwargs["pk"],
            consultation__in=consultations_visible_to(request.user),
        )
        if not can_view_consultation_admin(request.user, self.withdrawal.consultation):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.withdrawal.consultation)

    def get_context_data(self, **kwargs):
        from consultations.permissions import can_decide_withdrawal

        context = super().get_context_data(**kwargs)
        user = self.request.user
        w = self.withdrawal
        context.update(
            withdrawal=w,
            consultation=w.consultation,
            edit_url=_edit_url(w.consultation),
            action_url=reverse(WITHDRAWAL_URL_NAME, args=[w.pk]),
            may_decide=w.is_pending and can_decide_withdrawal(user, w),
            may_retract=w.is_pending and user.pk == w.requested_by_id,
            is_requester=user.pk == w.requested_by_id,
        )
        return context

    def form_valid(self, form):
        from consultations import withdrawals

        decision = form.cleaned_data["decision"]
        comment = form.cleaned_data["comment"]
        try:
            if decision == "confirm":
                withdrawals.consultation_withdrawal_confirm(
                    request=self.withdrawal, user=self.request.user
                )
                message = _("Confirmed: the consultation is no longer published.")
            elif decision == "refuse":
                withdrawals.consultation_withdrawal_refuse(
                    request=self.withdrawal, user=self.request.user, comment=comment
                )
                message = _("Refused: the consultation stays published.")
            else:
                withdrawals.consultation_withdrawal_retract(
                    request=self.withdrawal, user=self.request.user, comment=comment
                )
                message = _("Your request was withdrawn: the consultation stays published.")
        except rule_error_classes() as error:
            for field, text in rule_error_field_messages(error):
                form.add_error(field if field in form.fields else None, text)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(WITHDRAWAL_URL_NAME, pk=self.withdrawal.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


def withdrawal_list(request):
    """Pending requests the user may see (their department's; all for site administrators),
    then the last decided ones."""
    from django.template.response import TemplateResponse

    from consultations.models import WithdrawalRequest
    from consultations.permissions import may_see_withdrawals

    if not may_see_withdrawals(request.user):
        raise PermissionDenied
    rows = WithdrawalRequest.objects.filter(
        consultation__in=consultations_visible_to(request.user)
    ).select_related("consultation", "requested_by", "decided_by")
    return TemplateResponse(
        request,
        "consultations/admin/withdrawal_list.html",
        {
            "pending": list(rows.filter(status="pending")),
            "decided": list(rows.exclude(status="pending")[:50]),
        },
    )
