"""Fill or rewrite the full-text search vectors of opinions (jieba-segmented, see feedback.search)."""

from django.core.management.base import BaseCommand

from feedback.models import Submission
from feedback.search.index import index_new_opinions_now, index_submissions


class Command(BaseCommand):
    help = "Write the search vector of opinions that have none (--all: rewrite every one)."

    def add_arguments(self, parser):
        parser.add_argument("--consultation", type=int, help="only this consultation (id)")
        parser.add_argument("--all", action="store_true", help="rewrite existing vectors too")

    def handle(self, *args, consultation=None, all=False, **options):
        if all:
            qs = Submission.objects.order_by("pk")
            if consultation:
                qs = qs.filter(consultation_id=consultation)
            done = index_submissions(qs.values_list("pk", flat=True).iterator())
        else:
            done = index_new_opinions_now(consultation)
        self.stdout.write(f"indexed {done} opinions")
