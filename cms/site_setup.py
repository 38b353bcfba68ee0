"""Create the public page tree once: home, the consultation index and the fixed pages.

Idempotent: existing pages are found by type or slug and left as editors made them, so the
command can run on every deployment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.html import escape
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from cms import site_content
from cms.models import ConsultationIndexPage, HomePage, StandardPage

HOME_TITLE = "听见·意见征集"
HOME_SLUG = "tingjian"


def _root() -> Page:
    # A flushed database (transactional tests) lacks what Wagtail's migrations created.
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", live=True))
    return root


def _publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _ensure_home(root: Page) -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        home = _publish(
            root,
            HomePage(
                title=HOME_TITLE,
                slug=HOME_SLUG,
                intro="政府作出重大决策前，先听您的意见。用通俗的话读方案，不用注册账号就能提出意见。",
                intro_en=(
                    "Before the government makes a major decision, it asks you first. Read the "
                    "proposal in plain words and give your opinion without an account."
                ),
            ),
        )
    return home


def _ensure_site(home: HomePage) -> None:
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        site = Site(hostname="localhost", port=80)
    site.root_page = home
    site.is_default_site = True
    site.site_name = settings.WAGTAIL_SITE_NAME
    site.save()


def _remove_wagtail_welcome_page(root: Page, home: HomePage) -> None:
    """Wagtail's install creates a plain 'Welcome' page; nothing should be served from it."""
    for page in root.get_children().exclude(pk=home.pk):
        if page.specific_class is Page and page.numchild == 0 and page.slug.startswith("home"):
            page.delete()


def _privacy_contact(language: str) -> str:
    if language == "en":
        value = getattr(settings, "TINGJIAN_PRIVACY_CONTACT_EN", "")
        return escape(value or site_content.DEFAULT_PRIVACY_CONTACT_EN)
    value = getattr(settings, "TINGJIAN_PRIVACY_CONTACT", "")
    return escape(value or site_content.DEFAULT_PRIVACY_CONTACT)


def _ensure_children(home: HomePage) -> None:
    children = {p.slug: p for p in home.get_children()}
    if "consultations" not in children:
        _publish(
            home,
            ConsultationIndexPage(
                title="意见征集",
                title_en="Consultations",
                slug="consultations",
                intro="按状态、类型、区域或部门查找正在征求意见和已经答复的事项。",
                intro_en=(
                    "Find consultations that are open, coming up or answered, by status, kind, "
                    "area or department."
                ),
            ),
        )
    for text in site_content.STANDARD_PAGES:
        if text.slug in children:
            continue
        _publish(
            home,
            StandardPage(
                title=text.title,
                title_en=text.title_en,
                slug=text.slug,
                body=text.body.replace("{contact}", _privacy_contact("zh")),
                body_en=text.body_en.replace("{contact}", _privacy_contact("en")),
            ),
        )


@transaction.atomic
def ensure_site_tree() -> HomePage:
    """The site's HomePage, creating the tree and pointing the default Site at it if needed."""
    root = _root()
    home = _ensure_home(root)
    _ensure_site(home)
    _remove_wagtail_welcome_page(root, home)
    _ensure_children(home)
    return home
