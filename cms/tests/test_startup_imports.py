"""A web worker starts without the heavy numeric libraries: they are imported only by the
tasks and screens that compute suggestions, campaign groups or reports."""

import os
import subprocess
import sys

from django.conf import settings

HEAVY = ("numpy", "scipy", "sklearn", "datasketch")


def test_url_configuration_loads_without_numeric_libraries():
    code = (
        "import django, sys; django.setup(); import cms.config.urls; "
        "from django.urls import get_resolver; get_resolver().url_patterns; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE},
        check=True,
    )
    assert done.stdout.strip() == ""
