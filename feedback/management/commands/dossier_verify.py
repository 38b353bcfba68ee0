"""Check a dossier ZIP against its manifest (docs/dossier.md).

    manage.py dossier_verify FILE.zip

Recomputes the SHA-256 and size of every file, and finds files missing from the ZIP or not in
the manifest. Exit status 0 and "OK" when the dossier verifies; 1 with one line per problem
when not. Needs no database.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from feedback.dossier.manifest import verify


class Command(BaseCommand):
    help = "Check a dossier ZIP against its manifest (SHA-256 of every file)."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("path", help="the dossier ZIP")

    def handle(self, *args, path, **options):
        problems = verify(Path(path))
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{path}: {len(problems)} problem(s); the dossier does not verify.")
        self.stdout.write(f"OK: {path} verifies against its manifest.")
