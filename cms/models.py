"""Wagtail pages of the public site. Consultations themselves are snippets (consultations app)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    content_panels = [*Page.content_panels, "intro", "intro_en"]
    max_count = 1
    subpage_types = ["cms.ConsultationIndexPage", "cms.StandardPage"]


class StandardPage(Page):
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    body = RichTextField(_("body"), blank=True)
    body_en = RichTextField(_("body (English)"), blank=True)

    content_panels = [*Page.content_panels, "title_en", "body", "body_en"]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []


class ConsultationIndexPage(RoutablePageMixin, Page):
    """The one public entry to consultations: list, detail and later the form and receipts."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)

    content_panels = [*Page.content_panels, "title_en", "intro", "intro_en"]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1
