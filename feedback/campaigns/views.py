"""The analysts' campaign screens in the Wagtail admin (R61) and the opinion search box.

Analysts of the consultation's department and site administrators only. Every decision
(confirm, dismiss, split, re-analyse) writes an audit entry (``AuditAction.CAMPAIGN``) in its
transaction. Opinions appear under a pseudonym (never receipt or contact). Plain forms and
links: everything works without JavaScript.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from consultations.models import Consultation
from consultations.roles import is_site_admin, user_department_id
from feedback.audit.trail import record
from feedback.campaigns.grouping import refresh_groups
from feedback.campaigns.selectors import (
    campaign_summary,
    group_members,
    group_variants,
    groups_for_list,
)
from feedback.campaigns.tasks import regroup_task
from feedback.models import (
    AffectedStatus,
    AuditAction,
    CampaignGroup,
    CampaignMember,
    Channel,
    Stance,
    Theme,
)
from feedback.permissions import is_any_department_analyst, is_department_analyst
from feedback.privacy.masking import mask_text
from feedback.privacy.pseudonyms import pseudonym_code
from feedback.search.results import SearchFilters, staff_results


def can_analyse_campaigns(user, consultation: Consultation) -> bool:
    return is_department_analyst(user, consultation)


def may_analyse_any(user) -> bool:
    return is_any_department_analyst(user)


def _consultation(request: HttpRequest, consultation_id: int) -> Consultation:
    consultation = get_object_or_404(Consultation, pk=consultation_id)
    if not can_analyse_campaigns(request.user, consultation):
        raise PermissionDenied
    return consultation


def campaign_index(request: HttpRequest) -> HttpResponse:
    if not may_analyse_any(request.user):
        raise PermissionDenied
    qs = Consultation.objects.select_related("department").order_by("-opens_at")
    if not is_site_admin(request.user):
        qs = qs.filter(department_id=user_department_id(request.user))
    qs = qs.annotate(
        group_count=Count(
            "campaign_groups", filter=~Q(campaign_groups__status=CampaignGroup.Status.DISMISSED)
        )
    )
    return TemplateResponse(
        request, "feedback/campaigns/admin/index.html", {"consultations": qs[:200]}
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Words"), required=False, max_length=200)
    stance = forms.ChoiceField(
        label=gettext_lazy("Stance"), required=False, choices=[("", "—"), *Stance.choices]
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"), required=False, choices=[("", "—"), *Channel.choices]
    )
    affected_status = forms.ChoiceField(
        label=gettext_lazy("How affected"),
        required=False,
        choices=[("", "—"), *AffectedStatus.choices],
    )
    theme = forms.TypedChoiceField(
        label=gettext_lazy("Theme"), required=False, coerce=int, empty_value=None
    )
    date_from = forms.DateField(
        label=pgettext_lazy("date range", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=pgettext_lazy("date range", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        themes = Theme.objects.filter(consultation=consultation).values_list("pk", "name")
        self.fields["theme"].choices = [("", "—"), *themes]

    def filters(self) -> SearchFilters:
        d = self.cleaned_data
        return SearchFilters(
            stance=d["stance"],
            channel=d["channel"],
            affected_status=d["affected_status"],
            theme_id=d["theme"],
            date_from=d["date_from"],
            date_to=d["date_to"],
        )


def campaign_list(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    status = request.GET.get("status", "")
    if status not in CampaignGroup.Status.values:
        status = ""
    paginator = Paginator(groups_for_list(consultation, status), 50)
    page = paginator.get_page(request.GET.get("page"))
    for group in page.object_list:  # texts on staff screens are masked (moderation guide)
        representative = group.representative
        shown = representative is not None and not representative.withdrawn
        comment = representative.comment if shown else ""
        group.representative_text = mask_text(comment)
    searching = any(name in request.GET for name in SearchForm.base_fields)
    form = SearchForm(request.GET if searching else None, consultation=consultation)
    results = None
    if form.is_bound and form.is_valid():
        results = _search_rows(consultation, form, request.GET.get("results_page"))
    context = {
        "consultation": consultation,
        "summary": campaign_summary(consultation),
        "page": page,
        "status": status,
        "statuses": CampaignGroup.Status.choices,
        "form": form,
        "results": results,
    }
    return TemplateResponse(request, "feedback/campaigns/admin/list.html", context)


def _search_rows(consultation: Consultation, form: SearchForm, page) -> dict:
    """One page of matches (feedback.search.results): the total is exact up to COUNT_LIMIT
    (1,000) and "more than" beyond (bench/search.py)."""
    result = staff_results(consultation, form.cleaned_data["q"], form.filters(), page)
    query = form.data.copy()
    query.pop("results_page", None)
    return {"page": result, "query": query.urlencode()}


def _masked(variants):
    for variant in variants:
        variant.text = mask_text(variant.text)
    return variants


def campaign_group(request: HttpRequest, consultation_id: int, group_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    group = get_object_or_404(CampaignGroup, pk=group_id, consultation=consultation)
    members = list(group_members(group)[:200])
    for m in members:
        m.pseudonym = pseudonym_code(m.submission_id)
    context = {
        "consultation": consultation,
        "group": group,
        "variants": _masked(group_variants(group)),
        "members": members,
        "member_count": group.members.filter(submission__withdrawn=False).count(),
        "new_count": sum(1 for m in members if m.is_new),
    }
    return TemplateResponse(request, "feedback/campaigns/admin/group.html", context)


def _decide(request, consultation, group, status: str) -> None:
    old = group.status
    group.status = status
    group.decided_by = request.user
    group.decided_at = timezone.now()
    group.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    record(
        request.user,
        AuditAction.CAMPAIGN,
        consultation=consultation,
        obj=group,
        detail={"action": status, "previous": old, "members": group.members.count()},
    )


def campaign_action(request: HttpRequest, consultation_id: int, group_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    if request.method != "POST":
        return redirect("feedback_campaigns:group", consultation.pk, group_id)
    action = request.POST.get("action")
    with transaction.atomic():
        group = get_object_or_404(
            CampaignGroup.objects.select_for_update(), pk=group_id, consultation=consultation
        )
        if action == "confirm":
            _decide(request, consultation, group, CampaignGroup.Status.CONFIRMED)
            messages.success(request, _("The group is confirmed as a campaign."))
        elif action == "dismiss":
            _decide(request, consultation, group, CampaignGroup.Status.DISMISSED)
            messages.success(request, _("The group is dismissed: its opinions are not a campaign."))
        elif action == "split":
            new = _split(request, consultation, group)
            if new is None:
                messages.error(
                    request,
                    _("Choose some, but not all, opinions or texts to move to a new group."),
                )
                return redirect("feedback_campaigns:group", consultation.pk, group.pk)
            messages.success(request, _("The chosen opinions are now a group of their own."))
            return redirect("feedback_campaigns:group", consultation.pk, new.pk)
        else:
            messages.error(request, _("Unknown action."))
    return redirect("feedback_campaigns:group", consultation.pk, group.pk)


def _split(request, consultation, group) -> CampaignGroup | None:
    member_ids = {int(v) for v in request.POST.getlist("member") if v.isdigit()}
    hashes = set(request.POST.getlist("variant"))
    chosen = CampaignMember.objects.filter(group=group).filter(
        Q(submission_id__in=member_ids) | Q(submission__text_hash__in=hashes - {""})
    )
    moving = list(chosen.values_list("pk", flat=True))
    total = group.members.count()
    if not moving or len(moving) >= total:
        return None
    now = timezone.now()
    new = CampaignGroup.objects.create(
        consultation=consultation,
        kind=group.kind,
        status=CampaignGroup.Status.CONFIRMED,
        split_from=group,
        decided_by=request.user,
        decided_at=now,
    )
    CampaignMember.objects.filter(pk__in=moving).update(group=new)
    # The person has now looked at both parts: the rest stays together as they left it.
    if group.status == CampaignGroup.Status.SUGGESTED:
        group.status = CampaignGroup.Status.CONFIRMED
    group.decided_by, group.decided_at = request.user, now
    group.representative = None
    group.save(update_fields=["status", "decided_by", "decided_at", "representative"])
    refresh_groups({group.pk, new.pk})
    record(
        request.user,
        AuditAction.CAMPAIGN,
        consultation=consultation,
        obj=group,
        detail={"action": "split", "new_group": new.pk, "moved": len(moving), "of": total},
    )
    return new


def campaign_regroup(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    if request.method == "POST":
        with transaction.atomic():
            record(
                request.user,
                AuditAction.CAMPAIGN,
                consultation=consultation,
                obj=consultation,
                detail={"action": "regroup"},
            )
            transaction.on_commit(lambda: regroup_task.enqueue(consultation.pk))
        messages.success(
            request,
            _("Re-analysis started. Confirmed and dismissed groups are kept as they are."),
        )
    return redirect("feedback_campaigns:list", consultation.pk)
