"""Re-run a hearing's participant draw and check it against what was published (R28).

    manage.py hearing_verify_draw <consultation-slug>        # from this site's database
    manage.py hearing_verify_draw --file hearing-draw.json   # from a downloaded record

The record holds the registration numbers and categories (no names), the seats per category,
the SHA-256 of the list and of the seed, the seed (after the draw) and the selected numbers.
The check: the seed matches its hash published before the draw, the list matches its hash, and
HMAC-SHA256(seed, registration number) ranking within each category selects exactly the
published participants (the algorithm: ``feedback/hearings/draw.py``). Exit status 1 when not.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from feedback.hearings import draw, selectors


class Command(BaseCommand):
    help = "Re-run a hearing's draw from the published record and check the result."

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", help="the consultation's slug")
        parser.add_argument("--file", help="a record downloaded from the public draw page")

    def handle(self, *args, slug=None, file=None, **options):
        if bool(slug) == bool(file):
            raise CommandError("Give a consultation slug or --file, one of them.")
        if file:
            with open(file, encoding="utf-8") as handle:
                record = json.load(handle)
        else:
            from consultations.models import Consultation

            consultation = Consultation.objects.published().filter(slug=slug).first()
            hearing = consultation and selectors.published_hearing(consultation)
            if not hearing:
                raise CommandError(f"No published hearing for {slug!r}.")
            record = selectors.draw_record(hearing)
        problems = draw.verify(record)
        if record.get("seed"):
            entries = [(r["number"], r["category"]) for r in record.get("registrations", [])]
            seats = {k: int(v) for k, v in record.get("seats", {}).items()}
            for code, numbers in sorted(draw.draw(record["seed"], entries, seats).items()):
                self.stdout.write(f"{code}: {', '.join(sorted(numbers)) or '-'}")
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise SystemExit(1)
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {len(record['registrations'])} registrations; the seed, the list and "
                "the selection agree."
            )
        )
