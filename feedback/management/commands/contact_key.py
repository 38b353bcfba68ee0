"""Print a new Fernet key for CONTACT_ENCRYPTION_KEY, or check that the configured one works."""

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand, CommandError

from feedback.privacy.crypto import decrypt_contact, encrypt_contact


class Command(BaseCommand):
    help = "Print a new key for CONTACT_ENCRYPTION_KEY (or --check the configured key)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Round-trip a test value.")

    def handle(self, *args, **options):
        if options["check"]:
            try:
                ok = decrypt_contact(encrypt_contact({"probe": "ok"})) == {"probe": "ok"}
            except Exception as exc:
                raise CommandError(f"Contact encryption does not work: {exc}") from exc
            self.stdout.write("Contact encryption key works." if ok else "Round trip failed.")
            return
        self.stdout.write(Fernet.generate_key().decode())
