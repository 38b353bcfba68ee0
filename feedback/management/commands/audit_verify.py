"""Verify the hash chain of the audit trail; exit status 1 when it is broken."""

from django.core.management.base import BaseCommand, CommandError

from feedback.audit.trail import verify


class Command(BaseCommand):
    help = "Recompute the audit trail's hash chain and report the first broken entry, if any."

    def handle(self, *args, **options):
        result = verify()
        if not result.ok:
            raise CommandError(
                f"Audit chain broken at entry {result.first_bad_pk} after {result.checked} "
                f"good entries: {result.problem}."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {result.checked} entries."))
