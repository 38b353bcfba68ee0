"""Fill or rewrite the full-text search vectors of opinions (jieba-segmented, see feedback.search).

Withdrawn opinions are skipped, and any vector one of them still has (written before withdrawn
opinions left search) is cleared.
"""

from django.core.management.base import BaseCommand

from feedback.models import Submission
from feedback.search.index import index_new_opinions_now, index_submissions, search_vectors_clear


class Command(BaseCommand):
    help = (
        "Write the search vector of opinions that have none (--all: rewrite every one); "
        "withdrawn opinions are skipped and their vectors cleared."
    )

    def add_arguments(self, parser):
        parser.add_argument("--consultation", type=int, help="only this consultation (id)")
        parser.add_argument("--all", action="store_true", help="rewrite existing vectors too")

    def handle(self, *args, consultation=None, all=False, **options):
        withdrawn = Submission.objects.filter(withdrawn=True)
        if consultation:
            withdrawn = withdrawn.filter(consultation_id=consultation)
        cleared = search_vectors_clear(withdrawn.values_list("pk", flat=True))
        if all:
            qs = Submission.objects.filter(withdrawn=False).order_by("pk")
            if consultation:
                qs = qs.filter(consultation_id=consultation)
            done = index_submissions(qs.values_list("pk", flat=True).iterator())
        else:
            done = index_new_opinions_now(consultation)
        self.stdout.write(f"indexed {done} opinions")
        if cleared:
            self.stdout.write(f"cleared the search vectors of {cleared} withdrawn opinions")
