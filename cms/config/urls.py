from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import fast_route, views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Same URL as Django's view; adds the one-time "language switched" announcement.
    path("i18n/setlang/", views.set_language_announced, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("preferences/", views.preferences_update, name="preferences_update"),
    path("healthz", views.healthz, name="healthz"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.BENCH_VIEWS:
    # The baseline for `make bench`: never routed unless BENCH_VIEWS=1.
    from cms import bench_views

    urlpatterns += [path("bench/one-query", bench_views.one_query, name="bench_one_query")]
    urlpatterns += [path("bench/one-insert", bench_views.one_insert, name="bench_one_insert")]

# The consultation page and its opinion form without Wagtail's routing when it is safe; otherwise Wagtail's serve.
urlpatterns += [path("<slug:index_slug>/<slug:slug>/", fast_route.consultation_page)]
urlpatterns += [path("<slug:index_slug>/<slug:slug>/opinion/", fast_route.opinion_form_page)]

urlpatterns += [path("", include(wagtail_urls))]
