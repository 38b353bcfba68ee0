"""Verify the audit trail's HMAC chain against its checkpoints; exit status 1 when it is broken.

    manage.py audit_verify [--checkpoints-from FILE_OR_URL ...] [--no-checkpoint-file]

Recomputes every entry's signature with the configured keys (AUDIT_CHAIN_KEY, or the key file
in development), and holds the chain to every checkpoint: the database's, the file in
AUDIT_CHECKPOINT_DIR and each copy given with --checkpoints-from (a file or an http(s) URL of
the published /audit/checkpoints.json or .txt that someone kept). Names the first entry or
checkpoint that does not fit.
"""

from django.core.management.base import BaseCommand, CommandError

from feedback.audit.checkpoints import UnreadableCheckpoints, read_points
from feedback.audit.trail import verify


class Command(BaseCommand):
    help = (
        "Recompute the audit trail's signatures, hold them to the daily checkpoints and report "
        "the first entry or checkpoint that does not fit."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoints-from",
            action="append",
            default=[],
            metavar="FILE_OR_URL",
            help="a copy of the published checkpoints (JSON or text, file or http(s) URL); "
            "may be given several times",
        )
        parser.add_argument(
            "--no-checkpoint-file",
            action="store_true",
            help="do not read the checkpoint file in AUDIT_CHECKPOINT_DIR",
        )

    def handle(self, *args, **options):
        sources = []
        for location in options["checkpoints_from"]:
            try:
                sources.append(read_points(location))
            except (OSError, UnicodeDecodeError, UnreadableCheckpoints) as error:
                raise CommandError(f"Cannot read checkpoints from {location}: {error}") from None
        result = verify(sources, include_file=not options["no_checkpoint_file"])
        if not result.ok:
            raise CommandError(
                f"Audit chain broken at {result.where}: {result.problem}. "
                f"{result.checked} entries before it are intact."
            )
        copies = sum(len(points) for _label, points in sources)
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {result.checked} entries, held to {result.checkpoints} "
                f"checkpoints" + (f" and {copies} kept copies." if sources else ".")
            )
        )
