"""Take today's checkpoint of the audit chain now (the task worker takes it daily at
AUDIT_CHECKPOINT_AT); running it again the same day changes nothing."""

from django.core.management.base import BaseCommand

from feedback.audit.checkpoints import take_checkpoint


class Command(BaseCommand):
    help = "Take today's signed checkpoint of the audit chain (one per day)."

    def handle(self, *args, **options):
        point, created = take_checkpoint()
        state = "taken" if created else "already taken today"
        self.stdout.write(
            self.style.SUCCESS(
                f"Checkpoint {point.day} {state}: {point.entries} entries, head {point.head}."
            )
        )
