"""Delete the reply contacts that are due (feedback.privacy.retention).

The application's task worker already does it every day (``feedback.privacy.tasks``); this
command is for cron or a systemd timer as a second line, and for checking by hand.
"""

from django.core.management.base import BaseCommand, CommandError

from feedback.privacy.retention import (
    MAX_DAYS_AFTER_CLOSE,
    RETENTION_DAYS,
    max_days_after_close,
    purge_contacts,
    retention_days,
)
from feedback.privacy.tasks import contacts_purge_daily, next_purge_at, purge_schedule


class Command(BaseCommand):
    help = (
        "Delete reply contacts CONTACT_RETENTION_DAYS after the response was published, or "
        "CONTACT_MAX_DAYS_AFTER_CLOSE after the close when there is no response."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Days after the response (default: the setting, {RETENTION_DAYS}); only shorter.",
        )
        parser.add_argument(
            "--days-after-close",
            type=int,
            default=None,
            help=f"Days after the close without a response (default: the setting, "
            f"{MAX_DAYS_AFTER_CLOSE}); only shorter.",
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Also make sure the daily purge task is queued for the task worker.",
        )

    def handle(self, *args, days, days_after_close, schedule, **options):
        limits = (
            ("--days", days, retention_days()),
            ("--days-after-close", days_after_close, max_days_after_close()),
        )
        for name, value, configured in limits:
            if value is not None and not 1 <= value <= configured:
                raise CommandError(
                    f"{name} must be between 1 and {configured} (the configured retention)."
                )
        result = purge_contacts(days=days, days_after_close=days_after_close)
        for consultation_id, deleted, reason in result.consultations:
            self.stdout.write(
                f"consultation {consultation_id}: {deleted} contacts deleted ({reason})"
            )
        if result.orphans:
            self.stdout.write(f"{result.orphans} contacts without an opinion deleted")
        self.stdout.write(f"{len(result.consultations)} consultations purged")
        if schedule:
            self._schedule()

    def _schedule(self):
        if not contacts_purge_daily.get_backend().supports_defer:
            self.stdout.write("the task backend cannot run tasks later: purge from cron instead")
            return
        added = purge_schedule()
        when = next_purge_at().strftime("%Y-%m-%d %H:%M %Z")
        self.stdout.write(
            f"daily purge queued for {when}" if added else "daily purge already queued"
        )
