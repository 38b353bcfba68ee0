"""setup_site builds the page tree once and the helpers find the consultation pages."""

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.test import RequestFactory
from wagtail.models import Page, Site

from cms.models import ConsultationIndexPage, HomePage, StandardPage
from cms.routes_feedback import FeedbackRoutesMixin
from cms.urls_helpers import consultation_url
from consultations.tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db


def test_setup_site_command_replaces_wagtail_welcome_page_and_is_repeatable():
    call_command("setup_site")
    call_command("setup_site")
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert site.root_page.title == "听见·意见征集"
    assert HomePage.objects.count() == 1
    assert ConsultationIndexPage.objects.count() == 1
    assert StandardPage.objects.count() == 4
    assert not Page.objects.filter(depth=2).exclude(pk=site.root_page_id).exists()


def test_setup_site_keeps_editor_changes(site_tree):
    privacy = StandardPage.objects.get(slug="privacy")
    privacy.body = "<p>编辑改过的内容</p>"
    privacy.save_revision().publish()
    call_command("setup_site")
    assert StandardPage.objects.get(slug="privacy").body == "<p>编辑改过的内容</p>"


def test_fixed_pages_have_english_titles_and_bodies(site_tree):
    for page in StandardPage.objects.all():
        assert page.title_en
        assert page.body_en
    accessibility = StandardPage.objects.get(slug="accessibility")
    assert "GB/T 37668-2019" in accessibility.body
    assert "WCAG 2.2" in accessibility.body


def test_consultation_url_tag_and_helper_agree(site_tree):
    consultation = ConsultationFactory(slug="river-park")
    request = RequestFactory().get("/")
    html = Template("{% load tingjian %}{% consultation_url c %}").render(
        Context({"c": consultation, "request": request})
    )
    assert html == "/consultations/river-park/"
    assert consultation_url(consultation) == "/consultations/river-park/"


def test_consultation_url_is_empty_without_index_page(db):
    assert consultation_url(ConsultationFactory()) == ""


def test_feedback_routes_mixin_comes_first_so_its_routes_win():
    assert ConsultationIndexPage.__mro__[1] is FeedbackRoutesMixin
    names = [r.name for r in ConsultationIndexPage.get_subpage_urls()]
    assert {"consultation_list", "consultation_detail"} <= set(names)


def test_the_public_methodology_page_explains_counts_campaigns_and_suggestions(client, site_tree):
    page = StandardPage.objects.get(slug="methodology")
    assert "撤回" in page.body and "批量意见" in page.body and "由人决定" in page.body
    assert "withdrawn" in page.body_en and "suggestion" in page.body_en.lower()
    response = client.get("/")
    assert 'href="/methodology/"' in response.content.decode()
