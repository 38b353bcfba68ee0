from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import fast_route, site_admin_only, views
from cms.staff_auth import views as staff_auth_views
from consultations import documents

urlpatterns = [
    # The second factor after the password (cms/staff_auth), ahead of Wagtail's admin URLs.
    path("admin/second-factor/", include("cms.staff_auth.urls")),
    # Reports listing every department's work and all staff: site administrators only.
    *site_admin_only.urlpatterns,
    # POST only: Wagtail's own logout deletes the session cookie on a GET too (cms/staff_auth).
    path("admin/logout/", staff_auth_views.logout, name="wagtailadmin_logout"),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's serve view behind the permission check, with the title as the download name
    # (consultations/documents.py); the included patterns add the password form.
    path(
        "documents/<int:document_id>/<str:document_filename>",
        documents.serve_document,
        name="wagtaildocs_serve",
    ),
    path("documents/", include(wagtaildocs_urls)),
    # Same URL as Django's view; adds the one-time "language switched" announcement.
    path("i18n/setlang/", views.set_language_announced, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("preferences/", views.preferences_update, name="preferences_update"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    # The audit trail's daily checkpoints, public (feedback/audit/views.py).
    path("audit/", include("feedback.audit.urls")),
]

if settings.DEBUG:
    # Images and avatars only: documents are never served from /media/ (issue 13).
    from django.urls import re_path

    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [re_path(rf"^{media_prefix}(?P<path>.*)$", documents.serve_media_in_debug)]

if settings.BENCH_VIEWS:
    # The baseline for `make bench`: never routed unless BENCH_VIEWS=1.
    from cms import bench_views

    urlpatterns += [path("bench/one-query", bench_views.one_query, name="bench_one_query")]
    urlpatterns += [path("bench/one-insert", bench_views.one_insert, name="bench_one_insert")]

# The consultation page and its opinion form without Wagtail's routing when it is safe; otherwise Wagtail's serve.
urlpatterns += [path("<slug:index_slug>/<slug:slug>/", fast_route.consultation_page)]
urlpatterns += [path("<slug:index_slug>/<slug:slug>/opinion/", fast_route.opinion_form_page)]

urlpatterns += [path("", include(wagtail_urls))]

# Error pages in the site's look and both languages, without the database (cms/errors.py).
handler400 = "cms.errors.bad_request"
handler404 = "cms.errors.page_not_found"
handler500 = "cms.errors.server_error"
