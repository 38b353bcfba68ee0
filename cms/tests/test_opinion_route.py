"""The opinion form's routing shortcut (cms.fast_route.opinion_form_page).

``/<index>/<slug>/opinion/`` is answered by the same view as through Wagtail's routing; only
the site and page look-ups are replaced by the one routing query. Whatever the response, it
must be the one Wagtail's routing would give, and anything the shortcut cannot vouch for goes
to Wagtail.
"""

import re

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from wagtail import hooks
from wagtail.models import PageViewRestriction, Site

from feedback.models import Submission
from feedback.tests._receipt import receipt_code_on

from ._pages import blank_tokens

pytestmark = pytest.mark.django_db

FORM = "/consultations/waste-plant/opinion/"
# The code-free receipt page (issue 12): the receipt session cookie names the opinion.
RECEIPT = re.compile(r"^/consultations/receipt/\?sent=1$")


def token_of(client) -> str:
    html = client.get(FORM).content.decode()
    return re.search(r'name="token" value="([0-9a-f-]{36})"', html).group(1)


def opinion(client, **fields) -> dict:
    return {"token": token_of(client), "stance": "oppose", "comment": "选址离学校太近。", **fields}


def wagtail_queries(queries) -> list[str]:
    """Wagtail's own reads of sites and pages (the ORM quotes table names; the routing query,
    plain SQL, does not)."""
    return [
        q["sql"]
        for q in queries
        if '"wagtailcore_site"' in q["sql"] or '"wagtailcore_page"' in q["sql"]
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_form_page_is_the_one_wagtail_routing_gives(
    open_consultation, client, wagtail_routing, language
):
    client.cookies["django_language"] = language
    fast = client.get(FORM)
    wagtail_routing()
    routed = client.get(FORM)
    assert fast.status_code == routed.status_code == 200
    assert blank_tokens(fast.content.decode()) == blank_tokens(routed.content.decode())
    for header in ("Content-Type", "Content-Security-Policy", "Cache-Control", "Vary"):
        assert fast[header] == routed[header], header


def test_sent_opinion_is_stored_and_redirected_without_reading_pages(open_consultation, client):
    data = opinion(client)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(FORM, data)
    assert response.status_code == 302
    assert RECEIPT.match(response["Location"])
    assert response.cookies["tj_receipt"]["path"] == "/consultations/receipt/"
    stored = Submission.objects.get(idempotency_token=data["token"])
    assert stored.comment == "选址离学校太近。"
    assert wagtail_queries(queries) == []  # the routing query reads pages through its own SQL
    # ... and the consultation's status and version: no ORM read of the consultation row.
    assert not [q for q in queries if 'FROM "consultations_consultation"' in q["sql"]]
    inserts = [q["sql"] for q in queries if q["sql"].lstrip().startswith("WITH s AS (INSERT")]
    assert len(inserts) == 1
    # The receipt page it leads to works, and shows the code.
    assert receipt_code_on(client.get(response["Location"])) == stored.formatted_receipt


def test_same_redirect_and_receipt_as_through_wagtail(open_consultation, client, wagtail_routing):
    data = opinion(client)
    shown = []

    def post():
        response = client.post(FORM, data)
        shown.append(receipt_code_on(client.get(response["Location"])))
        return response

    fast = post()
    again_fast = post()  # a retry: the same receipt, nothing stored twice
    wagtail_routing()
    again_routed = post()
    assert fast.status_code == again_fast.status_code == again_routed.status_code == 302
    assert RECEIPT.match(fast["Location"])
    assert (
        again_fast["Location"]
        == again_routed["Location"]
        == fast["Location"].replace("?sent=1", "?again=1")
    )
    assert len(set(shown)) == 1
    assert Submission.objects.filter(idempotency_token=data["token"]).count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"stance": "", "comment": ""},  # nothing given: 400 with the error summary
        {"stance": "no-such-stance"},
        {"comment": "长" * 5001},
    ],
    ids=["empty", "bad-choice", "too-long"],
)
def test_errors_render_the_page_wagtail_routing_renders(
    open_consultation, client, wagtail_routing, fields
):
    data = opinion(client, **fields)
    fast = client.post(FORM, data)
    wagtail_routing()
    routed = client.post(FORM, data)
    assert fast.status_code == routed.status_code == 400
    assert blank_tokens(fast.content.decode()) == blank_tokens(routed.content.decode())
    assert "垃圾焚烧发电厂选址方案" in fast.content.decode()
    assert not Submission.objects.exists()


def test_closed_consultation_refuses_as_through_wagtail(
    closed_consultation, client, wagtail_routing
):
    url = "/consultations/old-bus-plan/opinion/"
    fast_get = client.get(url)
    fast_post = client.post(
        url, {"token": "6f1f0b8e-4a8e-4c53-9d2e-0c4a3f5e6a7b", "stance": "support"}
    )
    wagtail_routing()
    routed_get = client.get(url)
    routed_post = client.post(
        url, {"token": "6f1f0b8e-4a8e-4c53-9d2e-0c4a3f5e6a7b", "stance": "support"}
    )
    assert fast_get.status_code == routed_get.status_code == 200
    assert blank_tokens(fast_get.content.decode()) == blank_tokens(routed_get.content.decode())
    assert fast_post.status_code == routed_post.status_code == 403
    assert blank_tokens(fast_post.content.decode()) == blank_tokens(routed_post.content.decode())
    assert not Submission.objects.exists()


def test_unknown_consultation_is_not_found(open_consultation, client):
    assert client.get("/consultations/no-such-plan/opinion/").status_code == 404
    assert client.post("/consultations/no-such-plan/opinion/", {}).status_code == 404


def test_view_restriction_on_the_index_page_is_enforced(open_consultation, client):
    data = opinion(client)
    index = Site.objects.get().root_page.get_children().get(slug="consultations")
    PageViewRestriction.objects.create(
        page=index, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    response = client.post(FORM, data)
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()
    assert not Submission.objects.exists()


def test_unpublished_index_page_is_not_found(open_consultation, client):
    data = opinion(client)
    Site.objects.get().root_page.get_children().get(slug="consultations").unpublish()
    assert client.post(FORM, data).status_code == 404
    assert not Submission.objects.exists()


def test_several_sites_leave_the_choice_to_wagtail(open_consultation, client):
    site = Site.objects.get()
    Site.objects.create(hostname="other.example", port=80, root_page=site.root_page)
    data = opinion(client)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(FORM, data)
    assert response.status_code == 302
    assert wagtail_queries(queries)  # Wagtail's routing ran


def test_another_serve_hook_turns_the_shortcut_off(open_consultation, client):
    def closed_for_maintenance(page, request, args, kwargs):
        return HttpResponse("maintenance", status=503)

    data = opinion(client)
    with hooks.register_temporarily("before_serve_page", closed_for_maintenance):
        response = client.post(FORM, data)
    assert response.status_code == 503
    assert not Submission.objects.exists()
