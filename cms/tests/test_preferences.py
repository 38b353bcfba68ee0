"""Reading preferences are cookies applied server-side, so they work without JavaScript."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_large_font_preference_sets_cookie_and_html_class(site_tree, client):
    response = client.post(
        reverse("preferences_update"), {"font_size": "large", "next": "/privacy/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/privacy/"
    assert response.cookies["tj_font"].value == "large"
    page = client.get("/privacy/").content.decode()
    assert 'class="font-large contrast-normal"' in page
    assert 'value="large" class="pref-button size-large" aria-pressed="true"' in page


def test_high_contrast_toggles_on_and_off(site_tree, client):
    client.post(reverse("preferences_update"), {"contrast": "high", "next": "/"})
    page = client.get("/").content.decode()
    assert "contrast-high" in page
    assert 'name="contrast" value="normal"' in page
    client.post(reverse("preferences_update"), {"contrast": "normal", "next": "/"})
    assert "contrast-normal" in client.get("/").content.decode()


def test_unknown_preference_values_are_ignored(site_tree, client):
    client.cookies["tj_font"] = "huge"
    response = client.post(reverse("preferences_update"), {"font_size": "huge"})
    assert "tj_font" not in response.cookies
    assert 'class="font-standard' in client.get("/").content.decode()


def test_preferences_refuse_offsite_redirect(client):
    response = client.post(
        reverse("preferences_update"), {"font_size": "xlarge", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_preferences_need_post(client):
    assert client.get(reverse("preferences_update")).status_code == 405
