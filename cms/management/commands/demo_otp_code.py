"""Print the current second-factor code of a demo account (development only).

    manage.py demo_otp_code editor        (or: make otp USER=editor)

Refuses unless DEBUG is on and the account is one of the demo accounts (cms.demo_content).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cms.staff_auth.demo import current_code


class Command(BaseCommand):
    help = "Print the current sign-in code (second factor) of a demo account; development only."

    def add_arguments(self, parser):
        parser.add_argument("username", help="a demo account, e.g. editor")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No account named “%(username)s”.") % {"username": username})
        try:
            code = current_code(user)
        except PermissionDenied as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(code)
        self.stderr.write(
            _(
                "The code of “%(username)s” for the next few seconds (each code signs in once; "
                "run again for a new one)."
            )
            % {"username": username}
        )
