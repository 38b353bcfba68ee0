"""The project's URLs plus a probe outside /admin/ that tells whether the request's user is a
signed-in staff member (cms/tests/test_staff_auth_sessions.py)."""

from django.http import HttpResponse
from django.urls import path

from cms.config.urls import urlpatterns as project_urlpatterns


def probe(request):
    return HttpResponse("staff" if request.user.is_authenticated else "anonymous")


urlpatterns = [path("staff-probe/", probe), *project_urlpatterns]
