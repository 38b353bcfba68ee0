from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    label = "feedback"
    verbose_name = _("Opinions")

    def ready(self):
        from feedback.campaigns.tasks import connect_signals

        connect_signals()
