from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    label = "feedback"
    verbose_name = _("Opinions")

    def ready(self):
        from feedback.campaigns.tasks import connect_signals
        from feedback.privacy import checks as _retention_checks  # noqa: F401 - registers
        from feedback.privacy.tasks import purge_schedule_after_migrate
        from feedback.response import checks as notification_checks

        connect_signals()
        # The consultation services' two-person actions go into the audit chain (issue 13).
        from feedback.audit.consultation_actions import connect as connect_consultation_audit

        connect_consultation_audit()
        # Production refuses to start (web, task worker, any command) when residents'
        # notifications could not be delivered; elsewhere `check --deploy` reports it.
        notification_checks.refuse_start_without_delivery()
        # Every `migrate` makes sure the daily purge of contacts is queued for the worker.
        post_migrate.connect(
            purge_schedule_after_migrate, sender=self, dispatch_uid="feedback_purge_schedule"
        )
        # The audit chain (issue 13): production refuses to start without a valid key, and
        # every `migrate` makes sure the daily checkpoint is queued for the worker.
        from feedback.audit import checks as audit_checks
        from feedback.privacy.audit_checkpoints import checkpoint_schedule_after_migrate

        audit_checks.refuse_start_without_key()
        post_migrate.connect(
            checkpoint_schedule_after_migrate,
            sender=self,
            dispatch_uid="feedback_audit_checkpoint_schedule",
        )
