"""Residents find the receipt look-up from every page, the consultation page and the form.

The footer link comes from ``site_links`` (the consultation index page found by its type, so
it follows the index page's slug); the consultation page's own link is relative to the page.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest

from cms.models import ConsultationIndexPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_page_cache")]

LINK_TEXT = "Follow your opinion with its receipt code"


def _hrefs(html: str, text: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)">' + re.escape(text) + "</a>", html)


def _footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">') :]


def _main(html: str) -> str:
    return html[html.index('<main id="main"') : html.index("</main>")]


def _assert_lookup_works(client, page_url: str, href: str) -> None:
    """Follow the link as a browser would (dot segments resolved): the look-up form answers."""
    url = urljoin(f"http://testserver{page_url}", href)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # A POST form (issue 12: the typed code never goes into a URL) to the page itself.
    assert f'<form method="post" action="{urlsplit(url).path}" class="tj-lookup">' in html
    assert 'name="code"' in html and 'name="csrfmiddlewaretoken"' in html


def _rename_index(slug: str) -> None:
    index = ConsultationIndexPage.objects.get()
    index.slug = slug
    index.save_revision().publish()


@pytest.fixture
def english_client(client, english):
    return client


def test_home_page_footer_links_to_the_lookup(english_client, site_tree):
    html = english_client.get("/").content.decode()
    (href,) = _hrefs(_footer(html), LINK_TEXT)
    assert href == "/consultations/receipt/"
    _assert_lookup_works(english_client, "/", href)


def test_link_is_on_the_chinese_pages_too(client, site_tree):
    footer = _footer(client.get("/").content.decode())
    assert footer.count('href="/consultations/receipt/"') == 1


@pytest.mark.parametrize("routing", ["shortcut", "wagtail"])
def test_consultation_page_links_to_the_lookup_in_footer_and_main(
    english_client, open_consultation, routing, request
):
    if routing == "wagtail":
        request.getfixturevalue("wagtail_routing")()
    url = "/consultations/waste-plant/"
    for _attempt in ("render", "cached"):
        html = english_client.get(url).content.decode()
        (footer_href,) = _hrefs(_footer(html), LINK_TEXT)
        (main_href,) = _hrefs(_main(html), LINK_TEXT)
        assert footer_href == "/consultations/receipt/"
        assert urljoin(url, main_href) == "/consultations/receipt/"
        _assert_lookup_works(english_client, url, footer_href)
        _assert_lookup_works(english_client, url, main_href)


def test_upcoming_consultation_page_has_no_lookup_link_in_main(english_client, site_tree, now):
    from datetime import timedelta

    from consultations.tests.factories import published_consultation

    published_consultation(slug="soon", opens_at=now + timedelta(days=2))
    html = english_client.get("/consultations/soon/").content.decode()
    assert _hrefs(_main(html), LINK_TEXT) == []
    assert _hrefs(_footer(html), LINK_TEXT) == ["/consultations/receipt/"]


def test_opinion_form_links_to_the_lookup_beside_the_submit_button(
    english_client, open_consultation
):
    url = "/consultations/waste-plant/opinion/"
    html = english_client.get(url).content.decode()
    # The action is the form's own path (no fragment, so the error summary can take focus).
    start = html.index(f'<form method="post" action="{url}" class="tj-opinion-form"')
    form = html[start : html.index("</form>", start)]
    (href,) = _hrefs(form, LINK_TEXT)
    assert form.index("Send my opinion") < form.index(href)
    assert href == "/consultations/receipt/"
    _assert_lookup_works(english_client, url, href)


def test_links_follow_the_index_page_slug(english_client, open_consultation, wagtail_routing):
    wagtail_routing()
    _rename_index("yijian")
    home = english_client.get("/").content.decode()
    assert _hrefs(_footer(home), LINK_TEXT) == ["/yijian/receipt/"]
    _assert_lookup_works(english_client, "/", "/yijian/receipt/")
    url = "/yijian/waste-plant/"
    html = english_client.get(url).content.decode()
    assert _hrefs(_footer(html), LINK_TEXT) == ["/yijian/receipt/"]
    (main_href,) = _hrefs(_main(html), LINK_TEXT)
    assert urljoin(url, main_href) == "/yijian/receipt/"
    form = english_client.get(f"{url}opinion/").content.decode()
    assert "/yijian/receipt/" in _hrefs(form, LINK_TEXT)


def test_shortcut_page_links_follow_the_index_page_slug_in_main(english_client, open_consultation):
    _rename_index("yijian")
    url = "/yijian/waste-plant/"
    html = english_client.get(url).content.decode()
    (main_href,) = _hrefs(_main(html), LINK_TEXT)
    _assert_lookup_works(english_client, url, main_href)


def test_shortcut_page_footer_follows_the_index_page_slug(english_client, open_consultation):
    _rename_index("yijian")
    html = english_client.get("/yijian/waste-plant/").content.decode()
    assert _hrefs(_footer(html), LINK_TEXT) == ["/yijian/receipt/"]
