from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    label = "consultations"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from consultations import checks  # noqa: F401  (registers the period-floor check)
        from consultations.signals import ensure_roles_and_workflow

        post_migrate.connect(
            ensure_roles_and_workflow, dispatch_uid="consultations_ensure_roles_and_workflow"
        )
