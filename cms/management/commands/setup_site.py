from django.core.management.base import BaseCommand

from cms.site_setup import ensure_site_tree


class Command(BaseCommand):
    help = "Create the public page tree (home, consultations, fixed pages). Safe to run again."

    def handle(self, *args, **options):
        home = ensure_site_tree()
        self.stdout.write(f"Site tree ready: home page {home.pk} ({home.title}).")
