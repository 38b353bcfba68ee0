"""Wagtail pages of the public site. Consultations themselves are snippets (consultations app)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from cms import page_cache
from cms.request_index import remember_consultation_index
from cms.routes_feedback import FeedbackRoutesMixin
from cms.routes_hearings import HearingRoutesMixin
from cms.routes_response import ResponseRoutesMixin
from cms.routes_review import ReviewRoutesMixin

LIST_PAGE_SIZE = 20


def localized_page_field(page: Page, field: str) -> str:
    """Pages follow the same ``<field>_en`` convention as the consultation models."""
    from consultations.i18n import localized

    return localized(page, field)


class HomePage(Page):
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    content_panels = [*Page.content_panels, "intro", "intro_en"]
    max_count = 1
    subpage_types = ["cms.ConsultationIndexPage", "cms.StandardPage"]

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        from consultations.selectors import home_sections

        context = super().get_context(request, *args, **kwargs)
        context["sections"] = home_sections()
        context["intro_text"] = localized_page_field(self, "intro")
        context["standard_pages"] = {
            p.slug: p for p in StandardPage.objects.live().child_of(self).specific()
        }
        return context


class StandardPage(Page):
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    body = RichTextField(_("body"), blank=True)
    body_en = RichTextField(_("body (English)"), blank=True)

    content_panels = [*Page.content_panels, "title_en", "body", "body_en"]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context["page_title"] = localized_page_field(self, "title")
        context["page_body"] = localized_page_field(self, "body")
        return context


class ConsultationIndexPage(
    FeedbackRoutesMixin,
    ReviewRoutesMixin,
    ResponseRoutesMixin,
    HearingRoutesMixin,
    RoutablePageMixin,
    Page,
):
    """The one public entry to consultations: list, detail and later the form and receipts."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    content_panels = [*Page.content_panels, "title_en", "intro", "intro_en"]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context["page_title"] = localized_page_field(self, "title")
        context["intro_text"] = localized_page_field(self, "intro")
        return context

    @path("", name="consultation_list")
    def consultation_list(self, request: HttpRequest):
        from cms.filters import ConsultationFilterForm
        from consultations.selectors import consultation_list_public

        remember_consultation_index(request, self)
        form = ConsultationFilterForm(request.GET or None)
        filters = form.filters() if form.is_valid() else {}
        paginator = Paginator(consultation_list_public(**filters), LIST_PAGE_SIZE)
        page_obj = paginator.get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return self.render(
            request,
            context_overrides={
                "filter_form": form,
                "page_obj": page_obj,
                "consultations": page_obj.object_list,
                "filter_query": query.urlencode(),
                "is_filtered": bool(filters),
            },
        )

    @path("<slug:slug>/", name="consultation_detail")
    def consultation_detail(self, request: HttpRequest, slug: str):
        """The consultation page. ``cms.fast_route.consultation_page`` usually answers this URL
        before Wagtail's routing runs; both serve the same cached main region."""
        remember_consultation_index(request, self)
        stamp = page_cache.consultation_stamp(slug)
        if stamp is None:
            return self._withdrawn_notice(request, slug)
        detail_url = self.detail_path(self.get_url(request=request) or "/", slug)
        return self.render(
            request,
            template=page_cache.DETAIL_TEMPLATE,
            context_overrides=page_cache.detail_context(stamp, detail_url=detail_url),
        )

    def _withdrawn_notice(self, request: HttpRequest, slug: str):
        """410 with the reason and date when a confirmed two-person request took the
        consultation offline (issue 13); otherwise 404. Only on the not-found path."""
        from consultations.models import WithdrawalRequest

        notice = WithdrawalRequest.objects.public_notice(slug)
        if notice is None:
            raise Http404
        response = self.render(
            request,
            template="cms/consultation/withdrawn.html",
            context_overrides={"withdrawal": notice, "consultation": notice.consultation},
        )
        response.status_code = 410
        return response

    @classmethod
    def detail_path(cls, base: str, slug: str) -> str:
        """The detail URL of ``slug`` below the index page's URL ``base``."""
        return (
            base.rstrip("/")
            + "/"
            + cls.get_resolver().reverse("consultation_detail", slug=slug).lstrip("/")
        )

    def consultation_url(self, consultation, request: HttpRequest | None = None) -> str:
        return self.detail_path(self.get_url(request=request) or "/", consultation.slug)


# Cached consultation pages follow changes of the departments, districts and documents they show.
page_cache.connect_receivers()
