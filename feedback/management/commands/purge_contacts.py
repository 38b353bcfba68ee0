"""Delete reply contacts 90 days after the response was published (run daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from feedback.privacy.retention import RETENTION_DAYS, purge_contacts


class Command(BaseCommand):
    help = "Delete the contacts of consultations whose response was published 90+ days ago."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=RETENTION_DAYS)

    def handle(self, *args, days: int, **options):
        done = purge_contacts(days=max(days, 1))
        for consultation_id, deleted in done:
            self.stdout.write(f"consultation {consultation_id}: {deleted} contacts deleted")
        self.stdout.write(f"{len(done)} consultations purged")
