from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    label = "consultations"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from consultations import (
            checks,  # noqa: F401  (registers the period-floor check)
            services,
        )
        from consultations.models.consultation import Consultation
        from consultations.signals import ensure_roles_and_workflow

        # Consultation.publish runs the lifecycle services; they import the model, so the model
        # does not import them and gets them here.
        Consultation.publication_services = services
        post_migrate.connect(
            ensure_roles_and_workflow, dispatch_uid="consultations_ensure_roles_and_workflow"
        )
        # Documents: random stored names, department collections and groups (issue 13).
        from consultations.documents import connect_signals

        connect_signals()
