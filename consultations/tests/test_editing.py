"""Issue 15, editing a consultation: slugs from Chinese titles, the district picker and the
tabs and fields that only some kinds have. (Drafts saving whatever the period, and the rules on
submission and approval: test_period_on_save.py and test_workflow.py.)"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from consultations.models import Consultation, District, Kind
from consultations.roles import Role
from consultations.slugs import MAX_LENGTH, pinyin_slug, unique_slug
from consultations.tests.admin_support import (
    add_url,
    edit_form_data,
    edit_url,
    form_post_data,
    make_consultation,
    make_user,
)
from consultations.tests.factories import DistrictFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

TITLE = "示例市住宅小区停车服务收费管理规定（征求意见稿）"


@pytest.fixture
def editor_client(department):
    client = Client()
    client.force_login(make_user(Role.EDITOR, department))
    return client


# --- Slugs ---------------------------------------------------------------------------------


def test_a_chinese_title_gives_a_readable_ascii_slug():
    slug = pinyin_slug(TITLE)
    assert slug.startswith("shili-shi-zhuzhaixiaoqu-tingche")
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert len(slug) <= MAX_LENGTH


def test_a_long_title_is_cut_at_a_word_and_latin_and_digits_stay():
    slug = pinyin_slug("关于" * 60 + "2027年GB标准")
    assert len(slug) <= MAX_LENGTH and not slug.endswith("-")
    assert pinyin_slug("2027年PM2.5治理方案") == "2027-nian-pm25-zhili-fangan"
    assert unique_slug("《》！？").startswith("consultation-")  # nothing readable: a fallback


def test_slugs_are_unique(department):
    first = unique_slug(TITLE)
    make_consultation("draft", department, slug=first)
    assert unique_slug(TITLE) == f"{first}-2"


def test_the_editor_creates_a_consultation_without_typing_a_slug(editor_client, department):
    """Without JavaScript: the empty slug field is filled from the title on the server."""
    page = editor_client.get(add_url())
    data = form_post_data(page.context["form"], title=TITLE, slug="", kind=Kind.OTHER)

    for _ in range(2):
        response = editor_client.post(add_url(), data)
        assert response.status_code == 302, response.context["form"].errors

    slugs = sorted(Consultation.objects.values_list("slug", flat=True))
    assert slugs[0].startswith("shili-shi-") and slugs[1] == f"{slugs[0]}-2"


def test_an_emptied_slug_keeps_the_address(editor_client, department):
    consultation = make_consultation("draft", department, slug="kept-address")
    data = edit_form_data(editor_client, consultation, slug="")
    assert editor_client.post(edit_url(consultation), data).status_code == 302
    consultation.refresh_from_db()
    assert consultation.latest_revision.as_object().slug == "kept-address"


# --- The district picker -------------------------------------------------------------------


def test_districts_are_checkboxes_grouped_by_district(editor_client, department):
    city = DistrictFactory(name="示例市", level=District.Level.CITY, code="999900")
    west = DistrictFactory(name="西山区", parent=city, code="999902")
    town = DistrictFactory(
        name="松林镇", parent=west, level=District.Level.SUBDISTRICT, code="999902001"
    )
    village = DistrictFactory(
        name="河口村", parent=town, level=District.Level.COMMUNITY, code="999902001003"
    )
    consultation = make_consultation("draft", department)

    page = editor_client.get(edit_url(consultation))
    html = page.content.decode()

    assert '<select name="districts"' not in html
    assert html.count('type="checkbox" name="districts"') == 4
    assert "西山区 › 松林镇 › 河口村" in html  # each option says where it is
    data = edit_form_data(editor_client, consultation)
    data["districts"] = [str(town.pk), str(village.pk)]
    assert editor_client.post(edit_url(consultation), data).status_code == 302
    consultation.refresh_from_db()
    saved = consultation.latest_revision.as_object()
    assert sorted(d.pk for d in saved.districts.all()) == sorted([town.pk, village.pk])


# --- Kind-specific tabs --------------------------------------------------------------------


def _names(response) -> set[str]:
    return set(response.context["form"].fields)


def test_the_requisition_tab_shows_only_for_requisition_kinds(editor_client, department):
    other = make_consultation("draft", department, kind=Kind.OTHER)
    land = make_consultation("draft", department, kind=Kind.LAND_COMPENSATION)
    housing = make_consultation("draft", department, kind=Kind.HOUSING_EXPROPRIATION)

    other_page = editor_client.get(edit_url(other))
    land_page = editor_client.get(edit_url(land))
    housing_page = editor_client.get(edit_url(housing))

    assert "requisition_scope" not in _names(other_page)
    assert 'name="requisition_scope"' not in other_page.content.decode()

    def squeezed(page):
        return re.sub(r"\s+", "", page.content.decode())

    assert ">征收<" not in squeezed(other_page)  # no tab either
    assert ">征收<" in squeezed(land_page)
    assert {"requisition_scope", "social_security", "objection_channel"} <= _names(land_page)
    assert "compensation_standard" in _names(housing_page)
    assert "land_survey_arrangement" not in _names(housing_page)
    assert "affects_businesses" not in _names(land_page)  # normative documents only


def test_a_new_consultation_shows_every_kind_field_until_its_kind_is_saved(editor_client):
    page = editor_client.get(add_url())
    assert {"requisition_scope", "affects_businesses"} <= _names(page)


def test_hidden_kind_fields_keep_their_stored_values(editor_client, department):
    """A field the editor could not see is never posted empty over what is stored."""
    consultation = make_consultation(
        "draft", department, kind=Kind.OTHER, requisition_scope="旧的征收范围"
    )
    data = edit_form_data(editor_client, consultation, plain_summary="新的摘要")
    assert editor_client.post(edit_url(consultation), data).status_code == 302
    consultation.refresh_from_db()
    saved = consultation.latest_revision.as_object()
    assert (saved.plain_summary, saved.requisition_scope) == ("新的摘要", "旧的征收范围")
