"""The consultation editor in the Wagtail admin, and the reference data for site administrators.

Consultation is a snippet with drafts, revisions, locking, preview and the department approval
workflow. Every view that loads one consultation is scoped by department (``ScopedObjectMixin``),
the listing shows only what ``permissions.consultations_visible_to`` allows, and the permission
policy registered first answers Wagtail's own checks (menus, buttons, publish) the same way.
"""

from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem as AdminMenuItem
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import Button
from wagtail.admin.widgets.button import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from consultations.admin_forms import ConsultationAdminForm
from consultations.admin_scoping import (
    ConsultationChooserViewSet,
    StaffProfileChooserViewSet,
    construct_admin_api,
)
from consultations.admin_views import (
    EXTEND_URL_NAME,
    WITHDRAW_URL_NAME,
    ExtendPeriodView,
    consultation_view_classes,
)
from consultations.decision_views import (
    CHAIN_URL_NAME,
    DecisionChainView,
    DecisionRecordView,
    DecisionStepView,
    can_record_steps,
)
from consultations.documents import document_serve_check
from consultations.models import (
    Consultation,
    Department,
    District,
    HolidayOverride,
    StaffProfile,
)
from consultations.permissions import (
    ConsultationPermissionPolicy,
    can_extend_consultation,
    can_manage_reference_data,
    can_request_withdrawal,
    consultations_visible_to,
    may_see_withdrawals,
)
from consultations.withdrawal_views import (
    WithdrawalDetailView,
    WithdrawalRequestView,
    withdrawal_list,
)

# Registered before any viewset asks for a policy (Wagtail refuses a late registration).
register_permission_policy(Consultation, ConsultationPermissionPolicy(Consultation))


class ReferenceDataPermissionPolicy(ModelPermissionPolicy):
    """Departments, districts, holidays and staff departments: site administrators only."""

    def user_has_permission(self, user, action):
        return can_manage_reference_data(user) and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


for _model in (Department, District, HolidayOverride, StaffProfile):
    register_permission_policy(_model, ReferenceDataPermissionPolicy(_model))


def _both(name: str) -> FieldRowPanel:
    """A Chinese field beside its English companion."""
    return FieldRowPanel([FieldPanel(name), FieldPanel(f"{name}_en")])


content_panels = [
    _both("title"),
    FieldPanel("slug"),
    FieldRowPanel([FieldPanel("kind"), FieldPanel("department")]),
    FieldPanel("districts"),
    _both("affected_area"),
    _both("plain_summary"),
    _both("explanatory_note"),
    InlinePanel("alternatives", heading=_("Alternatives"), label=_("alternative")),
]
draft_panels = [
    InlinePanel("draft_clauses", heading=_("Draft clauses"), label=_("clause")),
]
question_panels = [
    InlinePanel(
        "questions",
        heading=_("Questions"),
        label=_("question"),
        panels=[
            FieldPanel("type"),
            _both("text"),
            _both("help_text"),
            _both("options"),
            # Issue 15: what 1 and 5 mean, shown beside 1 and 5 on every form.
            MultiFieldPanel(
                [_both("scale_low_label"), _both("scale_high_label")],
                heading=_("Scale 1–5: what the two ends mean"),
                help_text=_(
                    "Only for a scale question. The words are shown beside 1 and 5 on the "
                    "public form, the receipt's edit form and the intake form."
                ),
            ),
            FieldPanel("required"),
        ],
    ),
]
attachment_panels = [
    InlinePanel("attachments", heading=_("Attachments"), label=_("attachment")),
]
period_panels = [
    FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
    FieldPanel("affects_businesses"),
    _both("shortened_reason"),
    FieldPanel("change_note"),
]
channel_panels = [
    FieldRowPanel([FieldPanel("contact_phone"), FieldPanel("contact_email")]),
    _both("postal_address"),
    _both("visit_address"),
    _both("office_hours"),
    # Site administrators only: the limit protects the intake from scripts (issue 12).
    FieldPanel("opinions_per_network", permission="superuser"),
]
requisition_panels = [
    MultiFieldPanel(
        [
            FieldPanel(name)
            for name in (
                "requisition_scope",
                "requisition_purpose",
                "land_survey_arrangement",
                "land_status",
                "compensation_standard",
                "resettlement_targets",
                "resettlement_method",
                "social_security",
                "compensation_registration",
                "objection_channel",
                "review_litigation_rights",
            )
        ],
        heading=_("Land and housing requisition"),
    ),
]
stability_panels = [
    FieldRowPanel([FieldPanel("stability_status"), FieldPanel("stability_level")]),
    _both("stability_assessor"),
    _both("stability_methods"),
    _both("stability_measures"),
    FieldPanel("stability_withheld_ground"),
]

consultation_edit_handler = TabbedInterface(
    [
        ObjectList(content_panels, heading=_("Content")),
        ObjectList(draft_panels, heading=_("Draft clauses")),
        ObjectList(question_panels, heading=_("Questions")),
        ObjectList(attachment_panels, heading=_("Attachments")),
        ObjectList(period_panels, heading=_("Period")),
        ObjectList(channel_panels, heading=_("Channels")),
        ObjectList(requisition_panels, heading=_("Requisition")),
        ObjectList(stability_panels, heading=_("Stability assessment")),
    ],
    base_form_class=ConsultationAdminForm,
)


def extend_button_for(user, consultation, *, priority=40):
    if not can_extend_consultation(user, consultation):
        return None
    return MenuItem(
        _("Extend the period"),
        url=reverse(EXTEND_URL_NAME, args=[consultation.pk]),
        icon_name="calendar-alt",
        priority=priority,
    )


views = consultation_view_classes()


class ConsultationIndexView(views["index"]):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if extend := extend_button_for(self.request.user, instance):
            buttons.append(extend)
        return buttons


class ConsultationEditView(views["edit"]):
    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons
        if can_extend_consultation(self.request.user, self.live_object):
            buttons.append(
                Button(
                    _("Extend the period"),
                    url=reverse(EXTEND_URL_NAME, args=[self.live_object.pk]),
                    icon_name="calendar-alt",
                    priority=40,
                )
            )
        if can_record_steps(self.request.user, self.live_object):
            buttons.append(
                Button(
                    _("Decision chain"),
                    url=reverse(CHAIN_URL_NAME, args=[self.live_object.pk]),
                    icon_name="list-ol",
                    priority=45,
                )
            )
        if can_request_withdrawal(self.request.user, self.live_object):
            buttons.append(
                Button(
                    _("Withdraw or cancel"),
                    url=reverse(WITHDRAW_URL_NAME, args=[self.live_object.pk]),
                    icon_name="warning",
                    priority=50,
                )
            )
        return buttons


def consultation_deadline(consultation) -> str:
    from consultations.deadline import deadline_text

    return deadline_text(consultation.closes_at)


def consultation_admin_status(consultation) -> str:
    """The list's status: a draft in the approval workflow is "awaiting approval" (issue 15)."""
    if not consultation.live and consultation.workflow_in_progress:
        return str(_("awaiting approval"))
    return consultation.get_status_display()


class ConsultationViewSet(SnippetViewSet):
    model = Consultation
    icon = "doc-full"
    menu_label = _("Consultations")
    menu_order = 200
    add_to_admin_menu = True
    edit_handler = consultation_edit_handler
    list_display = [
        "title",
        Column("kind", label=_("kind"), accessor="get_kind_display"),
        "department",
        Column("status", label=_("status"), accessor=consultation_admin_status),
        # The one deadline format of the public pages (issue 15).
        Column("closes_at", label=_("closes at"), accessor=consultation_deadline),
    ]
    list_filter = ["kind", "department"]
    search_fields = ["title", "title_en", "plain_summary"]
    index_view_class = ConsultationIndexView
    chooser_viewset_class = ConsultationChooserViewSet  # department-scoped (issue 13)
    edit_view_class = ConsultationEditView
    add_view_class = views["add"]
    delete_view_class = views["delete"]
    history_view_class = views["history"]
    usage_view_class = views["usage"]
    inspect_view_class = views["inspect"]
    unpublish_view_class = views["unpublish"]
    revisions_view_class = views["revisions"]
    revisions_compare_view_class = views["revisions_compare"]
    revisions_unschedule_view_class = views["revisions_unschedule"]
    preview_on_edit_view_class = views["preview_on_edit"]
    lock_view_class = views["lock"]
    unlock_view_class = views["unlock"]
    workflow_action_view_class = views["workflow_action"]
    collect_workflow_action_data_view_class = views["collect_workflow_action_data"]
    confirm_workflow_cancellation_view_class = views["confirm_workflow_cancellation"]
    workflow_preview_view_class = views["workflow_preview"]
    workflow_history_view_class = views["workflow_history"]
    workflow_history_detail_view_class = views["workflow_history_detail"]

    def get_queryset(self, request):
        return consultations_visible_to(request.user)


class DepartmentViewSet(SnippetViewSet):
    model = Department
    icon = "group"
    list_display = ["name", "name_en", "phone"]
    search_fields = ["name", "name_en"]


class DistrictViewSet(SnippetViewSet):
    model = District
    icon = "site"
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "name_en", "code"]


class HolidayOverrideViewSet(SnippetViewSet):
    model = HolidayOverride
    icon = "date"
    list_display = ["date", "is_working_day", "is_statutory_holiday", "note"]


class StaffProfileViewSet(SnippetViewSet):
    """Which department a staff account belongs to; roles are groups (Settings → Groups)."""

    model = StaffProfile
    icon = "user"
    chooser_viewset_class = StaffProfileChooserViewSet  # site administrators only (issue 13)
    list_display = ["user", "department"]
    list_filter = ["department"]


class ReferenceDataGroup(SnippetViewSetGroup):
    menu_label = _("Reference data")
    menu_icon = "folder-open-inverse"
    menu_order = 900
    items = (DepartmentViewSet, DistrictViewSet, HolidayOverrideViewSet, StaffProfileViewSet)


register_snippet(ConsultationViewSet)
register_snippet(ReferenceDataGroup)


@hooks.register("register_admin_urls")
def register_consultation_admin_urls():
    urls = [
        path("<int:pk>/extend/", ExtendPeriodView.as_view(), name="extend"),
        # Two-person withdrawal (issue 13); Wagtail's unpublish URL leads here too.
        path("<int:pk>/withdraw/", WithdrawalRequestView.as_view(), name="withdraw"),
        path("withdrawals/", withdrawal_list, name="withdrawals"),
        # The decision chain and the decision (issues 15, 16).
        path("<int:pk>/decision-chain/", DecisionChainView.as_view(), name="decision_chain"),
        path(
            "<int:pk>/decision-chain/<str:step>/", DecisionStepView.as_view(), name="decision_step"
        ),
        path("<int:pk>/decision/", DecisionRecordView.as_view(), name="decision"),
        path("withdrawals/<int:pk>/", WithdrawalDetailView.as_view(), name="withdrawal"),
    ]
    return [
        path(
            "consultations/",
            include((urls, "consultations_admin"), namespace="consultations_admin"),
        )
    ]


# Documents of unpublished consultations: served only to staff who may see them (issue 13).
hooks.register("before_serve_document", document_serve_check)
# The admin API lists only the documents and images each user may choose (after Wagtail's own).
hooks.register("construct_admin_api", construct_admin_api, order=100)


@hooks.register("construct_snippet_action_menu")
def hide_wagtail_unpublish(menu_items, request, context):
    """No one-click unpublish of a consultation: the header's "Withdraw or cancel" asks for a
    second person (issue 13)."""
    if context.get("model") is Consultation:
        menu_items[:] = [item for item in menu_items if item.name != "action-unpublish"]


class WithdrawalsMenuItem(AdminMenuItem):
    def is_shown(self, request):
        return may_see_withdrawals(request.user)


@hooks.register("register_admin_menu_item")
def register_withdrawals_menu_item():
    return WithdrawalsMenuItem(
        _("Withdrawal requests"),
        reverse("consultations_admin:withdrawals"),
        icon_name="warning",
        order=210,
    )
