import os
import sys

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    label = "cms"
    verbose_name = _("Site")

    def ready(self):
        from django.conf import settings
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from cms import checks, db_roles

        # Production refuses to start with a contact key that does not work or without the
        # site's https addresses (every process), and with a superuser's or owner's database
        # connection (checked at each process's first connection). cms/checks.py.
        checks.refuse_unsafe_start()
        if getattr(settings, "REFUSE_UNSAFE_START", False):
            connection_created.connect(
                checks.refuse_unsafe_database, dispatch_uid="cms_refuse_unsafe_database"
            )
        # After every migrate (as the owner): the application role's privileges.
        post_migrate.connect(db_roles.grant_after_migrate, dispatch_uid="cms_grant_after_migrate")
        # A Wagtail chooser shown again with a value that is not an id: no 500 (issue 14).
        from cms import wagtail_patches

        wagtail_patches.apply()
        announce_worker(settings)


def announce_worker(settings) -> None:
    """The task worker says which settings it runs with, and whether DEBUG is on (once: not
    again in the autoreloader's child)."""
    if sys.argv[1:2] != ["db_worker"] or os.environ.get("RUN_MAIN") == "true":
        return
    debug = "ON (development only)" if settings.DEBUG else "off"
    sys.stderr.write(
        f"Task worker: settings {settings.SETTINGS_MODULE}, DEBUG {debug}, "
        f"database role {getattr(settings, 'DATABASE_ROLE', 'app')}.\n"
    )
