"""WSGI entry point (gunicorn). With the production settings, the site refuses to serve unless
every deploy check passes, with the database too: demo accounts, the database role, the
contact key, the base URLs and Django's own security checks (cms/checks.py). Django runs no
system checks under gunicorn by itself."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.config.settings.production")
application = get_wsgi_application()


def _refuse_unsafe() -> None:
    from django.conf import settings

    if getattr(settings, "REFUSE_UNSAFE_START", False):
        from cms.checks import refuse_to_serve

        refuse_to_serve()


_refuse_unsafe()
