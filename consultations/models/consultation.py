from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

from consultations.i18n import BilingualMixin
from consultations.rules import period_violations

from .choices import Kind, StabilityLevel, StabilityStatus, Stage, Status
from .organisation import Department, District


class ConsultationQuerySet(models.QuerySet):
    def published(self) -> ConsultationQuerySet:
        return self.filter(live=True)

    def upcoming(self, now=None) -> ConsultationQuerySet:
        now = now or timezone.now()
        return self.published().filter(opens_at__gt=now)

    def open_now(self, now=None) -> ConsultationQuerySet:
        now = now or timezone.now()
        return self.published().filter(opens_at__lte=now, closes_at__gt=now)

    def closed(self, now=None) -> ConsultationQuerySet:
        now = now or timezone.now()
        return self.published().filter(closes_at__lte=now)

    def closing_within(self, days: int, now=None) -> ConsultationQuerySet:
        now = now or timezone.now()
        return self.open_now(now).filter(closes_at__lte=now + timedelta(days=days))

    def with_status(self, status: str, now=None) -> ConsultationQuerySet:
        now = now or timezone.now()
        if status == Status.UPCOMING:
            return self.upcoming(now)
        if status == Status.OPEN:
            return self.open_now(now)
        if status == Status.CLOSED:
            return self.closed(now).filter(stage=Stage.CONSULTING)
        if status in (Status.RESPONSE_PUBLISHED, Status.DECIDED):
            return self.closed(now).filter(stage=status)
        return self.none()


class Consultation(
    BilingualMixin,
    PreviewableMixin,
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    index.Indexed,
    ClusterableModel,
):
    """A consultation (意见征集) on a proposed decision, edited as a Wagtail snippet."""

    Kind = Kind
    Stage = Stage
    Status = Status
    StabilityStatus = StabilityStatus
    StabilityLevel = StabilityLevel

    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=False)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    districts = ParentalManyToManyField(
        District, verbose_name=_("affected districts"), blank=True, related_name="consultations"
    )
    affected_area = models.TextField(_("affected area, in words"), blank=True)
    affected_area_en = models.TextField(_("affected area, in words (English)"), blank=True)

    plain_summary = models.TextField(_("plain-language summary"), blank=True)
    plain_summary_en = models.TextField(_("plain-language summary (English)"), blank=True)
    explanatory_note = models.TextField(_("explanatory note"), blank=True)
    explanatory_note_en = models.TextField(_("explanatory note (English)"), blank=True)
    affects_businesses = models.BooleanField(
        _("closely tied to market players' business"),
        default=False,
        help_text=_(
            "Normative documents closely tied to businesses need 30 days, not 7 working days."
        ),
    )

    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    shortened_reason = models.TextField(_("reason for a shortened period"), blank=True)
    shortened_reason_en = models.TextField(_("reason for a shortened period (English)"), blank=True)
    stage = models.CharField(
        _("stage after closing"), max_length=30, choices=Stage.choices, default=Stage.CONSULTING
    )
    decided_at = models.DateTimeField(_("decision date"), null=True, blank=True)
    # Issue 16 point 5: a post-decision evaluation (决策后评估) is a consultation of its own,
    # opened by consultations.followup from the decided one it evaluates.
    follow_up_of = models.ForeignKey(
        "self",
        verbose_name=_("post-decision evaluation of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="follow_ups",
    )

    opinions_per_network = models.PositiveIntegerField(
        _("web opinions per network in 10 minutes"),
        null=True,
        blank=True,
        help_text=_(
            "Leave empty for the site's limit. Raise it when many residents share one internet "
            "connection (a village collection point, a community centre): they count as one "
            "network. Only site administrators can change it."
        ),
    )

    contact_phone = models.CharField(_("phone for opinions"), max_length=60, blank=True)
    contact_email = models.EmailField(_("e-mail for opinions"), blank=True)
    postal_address = models.CharField(_("postal address for letters"), max_length=300, blank=True)
    postal_address_en = models.CharField(_("postal address (English)"), max_length=300, blank=True)
    visit_address = models.CharField(_("address for walk-in opinions"), max_length=300, blank=True)
    visit_address_en = models.CharField(_("walk-in address (English)"), max_length=300, blank=True)
    office_hours = models.CharField(_("office hours"), max_length=200, blank=True)
    office_hours_en = models.CharField(_("office hours (English)"), max_length=200, blank=True)

    # Land and housing requisition content (R7).
    requisition_scope = models.TextField(_("requisition scope (征收范围)"), blank=True)
    requisition_purpose = models.TextField(_("requisition purpose (征收目的)"), blank=True)
    land_survey_arrangement = models.TextField(
        _("land survey arrangement (土地现状调查安排)"), blank=True
    )
    land_status = models.TextField(_("current land status (土地现状)"), blank=True)
    compensation_standard = models.TextField(
        _("compensation method and standard (补偿方式和标准)"), blank=True
    )
    resettlement_targets = models.TextField(_("who is resettled (安置对象)"), blank=True)
    resettlement_method = models.TextField(_("resettlement method (安置方式)"), blank=True)
    social_security = models.TextField(_("social security (社会保障)"), blank=True)
    compensation_registration = models.TextField(
        _("compensation registration method and deadline (补偿登记方式和期限)"), blank=True
    )
    objection_channel = models.TextField(_("objection channel (异议反馈渠道)"), blank=True)
    review_litigation_rights = models.TextField(
        _("review and litigation rights (复议诉讼权利)"), blank=True
    )

    # Social-stability risk assessment, as disclosed to the public (R36).
    stability_status = models.CharField(
        _("stability risk assessment status"),
        max_length=20,
        choices=StabilityStatus.choices,
        blank=True,
    )
    stability_assessor = models.CharField(_("assessed by"), max_length=200, blank=True)
    stability_assessor_en = models.CharField(_("assessed by (English)"), max_length=200, blank=True)
    stability_methods = models.TextField(_("participation methods used"), blank=True)
    stability_methods_en = models.TextField(_("participation methods used (English)"), blank=True)
    stability_level = models.CharField(
        _("disclosed risk level"), max_length=10, choices=StabilityLevel.choices, blank=True
    )
    stability_measures = models.TextField(_("main mitigation measures"), blank=True)
    stability_measures_en = models.TextField(_("main mitigation measures (English)"), blank=True)
    stability_withheld_ground = models.TextField(_("legal ground for not disclosing"), blank=True)

    change_note = models.TextField(
        _("reason for this change"),
        blank=True,
        help_text=_(
            "Required when changing a published consultation; shown in the public change log."
        ),
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="consultation",
        for_concrete_model=False,
    )
    revisions = GenericRelation(
        "wagtailcore.Revision",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="consultation",
        for_concrete_model=False,
    )

    search_fields = [
        index.SearchField("title"),
        index.SearchField("title_en"),
        index.SearchField("plain_summary"),
        index.AutocompleteField("title"),
        index.FilterField("kind"),
        index.FilterField("department"),
        index.FilterField("live"),
    ]

    objects = ConsultationQuerySet.as_manager()

    # The lifecycle services (consultations/services.py) that ``publish`` runs. They import this
    # model, so it does not import them: ``ConsultationsConfig.ready`` passes the module in here.
    publication_services = None

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [
            models.Index(fields=["live", "opens_at", "closes_at"], name="consultation_period_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__isnull=True)
                | models.Q(closes_at__isnull=True)
                | models.Q(closes_at__gt=models.F("opens_at")),
                name="consultation_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        """Drafts are saved whatever the period rules say (the officials' guide promises it).

        The rules (parts and period, R1-R13) are checked, with their reasons, when the editor
        submits for approval (``admin_views.SubmitChecksMixin``) and again when the approver
        approves or anyone publishes (``services.consultation_publication_prepare``, which every
        publication path runs). ``period_warnings`` lets the editor see them on a plain save.
        """
        super().clean()

    def period_warnings(self) -> list:
        """The period rules this (unsaved or draft) consultation breaks, as RuleViolations.

        Empty once it has opened: its dates then change only through the extend service.
        """
        if self.opens_at is None or self.closes_at is None or self.has_opened():
            return []
        return period_violations(self)

    def status_at(self, now=None) -> str:
        now = now or timezone.now()
        if not self.live or self.opens_at is None or self.closes_at is None:
            return Status.DRAFT
        if now < self.opens_at:
            return Status.UPCOMING
        if now < self.closes_at:
            return Status.OPEN
        if self.stage != Stage.CONSULTING:
            return self.stage
        return Status.CLOSED

    @property
    def status(self) -> str:
        return self.status_at()

    def get_status_display(self) -> str:
        return Status(self.status).label

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    def has_opened(self, now=None) -> bool:
        """True once a published consultation's opening time has passed (content freezes)."""
        now = now or timezone.now()
        return bool(self.live and self.opens_at and self.opens_at <= now)

    def publish(
        self,
        revision,
        user=None,
        changed=True,
        log_action=True,
        previous_revision=None,
        skip_permission_checks=False,
    ):
        """Publish through the consultation rules, whichever path asked for it.

        Admin, workflow approval, scheduled publishing and scripts all end here (Wagtail's
        ``Revision.publish`` calls this). Raises ``ConsultationRuleError`` before anything
        is published when a rule is broken; see ``services.consultation_publication_prepare``.
        """
        services = type(self).publication_services
        if services is None:
            raise ImproperlyConfigured("ConsultationsConfig.ready() has not set up publishing.")
        with transaction.atomic():
            plan = services.consultation_publication_prepare(
                consultation=self, revision=revision, user=user
            )
            result = super().publish(
                revision,
                user=user,
                changed=changed,
                log_action=log_action,
                previous_revision=previous_revision,
                skip_permission_checks=skip_permission_checks,
            )
            services.consultation_publication_finish(plan=plan)
        return result

    def unpublish(self, set_expired=False, commit=True, user=None, log_action=True):
        """Refused unless a two-person withdrawal request was confirmed (issue 13).

        Wagtail's unpublish view, ``publish_scheduled`` (expiry) and scripts all end here;
        only ``services.consultation_withdrawal_confirm`` opens the way.
        """
        from django.core.exceptions import PermissionDenied

        from .changelog import withdrawal_confirmed_for

        if self.live and not withdrawal_confirmed_for(self.pk):
            raise PermissionDenied(
                "A published consultation is withdrawn only by a confirmed withdrawal request."
            )
        return super().unpublish(
            set_expired=set_expired, commit=commit, user=user, log_action=log_action
        )

    def current_draft_version(self):
        return self.draft_versions.order_by("-number").first()

    def get_preview_template(self, request, mode_name):
        return "consultations/consultation_preview.html"
