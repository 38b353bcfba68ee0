"""Issue 13: for each staff role of department A, every admin URL shows nothing of department B's
unpublished work, nor B's staff.

The adversary is a staff member of department A who knows (or guesses) the ids of B's rows and
walks the admin: every admin URL pattern of the URL resolver with B's ids filled in, the same
with ``?q=`` searches, the admin API, the choosers, and every link found on the pages reached
(same origin, GET only, bounded). No response may contain B's unpublished consultation title,
its document titles or file names, its opinions, or B's staff names. The data carries unique
ASCII markers so that escaped JSON and HTML still show them.
"""

# Size: one adversary, one world: the data of two departments, the URL walk, the link crawl and
# the public-side checks share the markers and must be read together.

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from itertools import islice
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from wagtail.documents import get_document_model
from wagtail.models import Revision, TaskState, WorkflowState

from consultations.models import Attachment, Consultation, StaffProfile
from consultations.roles import Role
from consultations.tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    UserFactory,
    make_openable,
    published_consultation,
)
from feedback.models import ConsultationResponse, Theme
from feedback.tests.response_fixtures import add_opinion

pytestmark = pytest.mark.django_db

# Unique ASCII markers: found in HTML, in JSON with or without \u escapes, in URLs.
B_TITLE = "XQZUNPUBTITLE"
B_TITLE_EN = "XQZUNPUBENGLISH"
B_SLUG = "xqzunpubslug"
B_DRAFT_TITLE = "XQZDRAFTTITLE"
B_DOC_TITLE = "XQZDOCTITLE"
B_DRAFT_DOC_TITLE = "XQZDRAFTDOCTITLE"
B_LOOSE_DOC_TITLE = "XQZLOOSEDOCTITLE"
B_ATTACHMENT_TITLE = "XQZATTACHTITLE"
B_ORIGINAL_FILE = "xqzoriginalfile"
B_OPINION = "XQZOPINIONTEXT"
B_THEME = "XQZTHEMENAME"
B_RESPONSE = "XQZRESPONSESUMMARY"
B_STAFF = ("bstaffxqz", "Bxqzfirst", "Bxqzlast")

# Searches a curious user would type: parts of B's markers (a whole marker in the query would
# be echoed by every page that shows its own search box).
SEARCHES = ("XQZ", "xqzorig", "bstaff", "Bxqz", "乙局")

ROLES = (
    Role.EDITOR,
    Role.APPROVER,
    Role.ANALYST,
    Role.INTAKE_CLERK,
    Role.PRIVACY_OFFICER,
    Role.ASSESSOR,
)
MAX_LINKS = 250  # followed links per role, on top of the resolver's URLs
MAX_VALUES = 4  # parameter sets tried per URL pattern
SKIP = re.compile(r"/(logout|password_reset|failwhale)/|^/static/|^/media/")


@dataclass
class World:
    department_a: object
    department_b: object
    unpublished: Consultation
    draft: Consultation
    published: Consultation
    documents: list = field(default_factory=list)
    public_document: object = None
    secrets: list[str] = field(default_factory=list)
    ids: dict[str, list] = field(default_factory=dict)


def _document(title: str, filename: str, collection=None):
    document = get_document_model()(title=title)
    if collection is not None:
        document.collection = collection
    document.file = ContentFile(f"{title} internal text".encode(), name=filename)
    document.save()
    return document


def _attach_to(consultation, document):
    Attachment.objects.create(consultation=consultation, document=document, title="附件")


def build_world() -> World:
    a = DepartmentFactory(name="甲局 Department A", slug="dept-a")
    b = DepartmentFactory(name="乙局 Department B", slug="dept-b")
    b_editor = UserFactory.with_role(
        Role.EDITOR,
        department=b,
        username=f"{B_STAFF[0]}_editor",
        first_name=B_STAFF[1],
        last_name=B_STAFF[2],
        email=f"{B_STAFF[0]}@example.org",
    )
    b_approver = UserFactory.with_role(
        Role.APPROVER,
        department=b,
        username=f"{B_STAFF[0]}_approver",
        first_name=f"{B_STAFF[1]}two",
        last_name=f"{B_STAFF[2]}two",
    )
    b.refresh_from_db()

    # B's consultation that was published, received opinions, and is unpublished now.
    unpublished = published_consultation(
        department=b, title=f"乙局内部 {B_TITLE}", title_en=B_TITLE_EN, slug=B_SLUG, user=b_editor
    )
    doc = _document(f"内部评估 {B_DOC_TITLE}", f"{B_ORIGINAL_FILE}.pdf", b.document_collection)
    Attachment.objects.create(
        consultation=unpublished, document=doc, title=B_ATTACHMENT_TITLE, sort_order=0
    )
    submissions = [add_opinion(unpublished, comment=f"{B_OPINION} 建议{n}") for n in range(3)]
    theme = Theme.objects.create(consultation=unpublished, name=B_THEME)
    response = ConsultationResponse.objects.create(consultation=unpublished, summary=B_RESPONSE)
    Consultation.objects.filter(pk=unpublished.pk).update(live=False)
    unpublished.refresh_from_db()
    unpublished.save_revision(user=b_editor)  # a history entry with the title

    # B's never-published draft, in the approval workflow and locked by B's editor.
    draft = ConsultationFactory(department=b, title=f"乙局草稿 {B_DRAFT_TITLE}", slug="xqzdraft")
    make_openable(draft)
    draft_doc = _document(
        B_DRAFT_DOC_TITLE, f"{B_ORIGINAL_FILE}2.docx", collection=b.document_collection
    )
    Attachment.objects.create(consultation=draft, document=draft_doc, title="xqzatt2")
    draft.save_revision(user=b_editor)
    draft.get_workflow().start(draft, b_editor)
    Consultation.objects.filter(pk=draft.pk).update(locked=True, locked_by=b_editor)

    # A document of B attached to nothing yet.
    loose = _document(B_LOOSE_DOC_TITLE, f"{B_ORIGINAL_FILE}3.txt", b.document_collection)

    # B's published consultation: its title and document are public.
    published = published_consultation(department=b, title="乙局公开方案", slug="b-public")
    public_doc = _document("公开附件", "public-attachment.pdf", b.document_collection)
    Attachment.objects.create(consultation=published, document=public_doc, title="公开附件")

    # A's own work, so that A's screens have rows, links and choosers to follow.
    own = published_consultation(department=a, title="甲局方案 ALPHAOWN", slug="a-own")
    _attach_to(own, _document("甲局附件 ALPHADOC", "a.pdf", a.document_collection))
    for n in range(2):
        add_opinion(own, comment=f"甲局意见{n}")
    a_draft = ConsultationFactory(department=a, title="甲局草稿 ALPHADRAFT", slug="a-draft")
    _attach_to(a_draft, _document("甲局草稿附件", "a2.pdf", a.document_collection))

    documents = [doc, draft_doc, loose]
    secrets = [
        B_TITLE,
        B_TITLE_EN,
        B_SLUG,
        B_DRAFT_TITLE,
        B_DOC_TITLE,
        B_DRAFT_DOC_TITLE,
        B_LOOSE_DOC_TITLE,
        B_ATTACHMENT_TITLE,
        B_ORIGINAL_FILE,
        B_OPINION,
        B_THEME,
        B_RESPONSE,
        *B_STAFF,
        *[d.filename for d in documents],
    ]
    consultations = [unpublished.pk, draft.pk]
    revisions = list(Revision.objects.for_instance(draft).values_list("pk", flat=True)) + list(
        Revision.objects.for_instance(unpublished).values_list("pk", flat=True)
    )
    workflow_states = list(WorkflowState.objects.values_list("pk", flat=True))
    task_states = list(TaskState.objects.values_list("pk", flat=True))
    users = [b_editor.pk, b_approver.pk]
    ids = {
        "consultation": consultations,
        "document": [d.pk for d in documents],
        "submission": [s.pk for s in submissions],
        "theme": [theme.pk],
        "response": [response.pk],
        "revision": revisions,
        "workflow_state": workflow_states,
        "task_state": task_states,
        "user": users,
        "profile": list(StaffProfile.objects.filter(department=b).values_list("pk", flat=True)),
        "group": [b.document_group_id],
        "collection": [b.document_collection_id],
        "department": [b.pk],
    }
    return World(a, b, unpublished, draft, published, documents, public_doc, secrets, ids)


# --- URLs from the resolver -------------------------------------------------------------------


def _admin_routes():
    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return [r for r in walk(get_resolver().url_patterns, "") if r.startswith("admin/")]


_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)|\((?!\?)[^)]*\)")

# A pattern's generic ``pk``/``id`` takes the ids of the model its path names.
_PK_BY_PATH = (
    ("snippets/consultations/consultation", "consultation"),
    ("snippets/choose/consultations/consultation", "consultation"),
    ("snippets/consultations/staffprofile", "profile"),
    ("snippets/consultations/department", "department"),
    ("documents", "document"),
    ("api/main/^documents", "document"),
    ("users", "user"),
    ("groups", "group"),
    ("collections", "collection"),
    ("workflows", "workflow_state"),
)

_STR_VALUES = {
    "action_name": ["approve", "reject"],
    "decision": ["accept", "reject"],
    "scope": ["register", "aggregates", "themes"],
    "app_label": ["consultations", "wagtaildocs"],
    "content_type_app_name": ["consultations"],
    "app_name": ["consultations"],
    "model_name": ["consultation", "document"],
    "content_type_model_name": ["consultation"],
    "filter_spec": ["original"],
    "action": ["delete"],
}


def _values(world: World, route: str, name: str) -> list[str]:
    ids = world.ids
    if name in _STR_VALUES:
        return _STR_VALUES[name]
    if name.startswith("revision_id"):
        extra = ["earliest"] if name.endswith("_a") else ["latest"] if name.endswith("_b") else []
        return extra + [str(i) for i in ids["revision"]]
    key = {
        "consultation_id": "consultation",
        "submission_id": "submission",
        "theme_id": "theme",
        "document_id": "document",
        "doc_id": "document",
        "workflow_state_id": "workflow_state",
        "task_state_id": "task_state",
        "user_id": "user",
        "collection_id": "collection",
        "object_id": "consultation",
    }.get(name)
    if key is None and name in ("pk", "id"):
        path = route[len("admin/") :]
        key = next((k for prefix, k in _PK_BY_PATH if path.startswith(prefix)), None)
    if key is not None:
        return [str(i) for i in ids[key]]
    everything = [str(i) for values in ids.values() for i in values]
    return list(dict.fromkeys(everything))


def resolver_urls(world: World) -> list[str]:
    urls = []
    for route in _admin_routes():
        names = [m.group(2) or m.group(3) or "arg" for m in _PARAM.finditer(route)]
        if not names:
            url = "/" + route.replace("^", "").replace("$", "").replace("\\", "")
            urls += [url] + [f"{url}?{p}={q}" for q in SEARCHES[:2] for p in ("q", "search")]
            continue
        candidates = [_values(world, route, name) for name in names]
        count = min(MAX_VALUES, max(len(c) for c in candidates))
        for i in range(count):
            values = iter([c[i % len(c)] for c in candidates])
            url = _PARAM.sub(lambda _m, v=values: next(v), route)
            urls.append("/" + url.replace("^", "").replace("$", "").replace("\\", ""))
    resolvable = []
    for url in dict.fromkeys(urls):
        if SKIP.search(url):
            continue
        try:
            resolve(urlsplit(url).path)
        except Resolver404:
            continue
        resolvable.append(url)
    return resolvable


def extra_urls(world: World) -> list[str]:
    """The choosers, the admin API and the searches, asked for B's words directly."""
    urls = []
    for q in SEARCHES:
        urls += [
            f"/admin/snippets/choose/consultations/consultation/?q={q}",
            f"/admin/snippets/choose/consultations/consultation/results/?q={q}",
            f"/admin/snippets/consultations/consultation/?q={q}",
            f"/admin/documents/?q={q}",
            f"/admin/documents/results/?q={q}",
            f"/admin/documents/chooser/?q={q}",
            f"/admin/documents/chooser/results/?q={q}",
            f"/admin/images/chooser/?q={q}",
            f"/admin/users/?q={q}",
            f"/admin/search/?q={q}",
            f"/admin/api/main/documents/?search={q}",
            f"/admin/api/main/pages/?search={q}",
            f"/admin/api/main/images/?search={q}",
        ]
    urls += [
        "/admin/api/main/documents/?fields=*",
        "/admin/api/main/pages/?fields=*",
        "/admin/reports/site-history/",
        "/admin/reports/workflow/",
        "/admin/reports/workflow_tasks/",
        "/admin/reports/locked/",
        "/admin/",
    ]
    return urls


# --- The crawl --------------------------------------------------------------------------------

_HREF = re.compile(r"""(?:href|src|action|data-url|hx-get)=["']([^"'#]+)""")


def _links(base: str, body: str) -> list[str]:
    found = []
    for raw in _HREF.findall(body):
        url = urljoin(base, unescape(raw))
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith("/") and not SKIP.search(path):
            found.append(path)
    return found


def crawl(client, world: World, start: list[str]) -> tuple[dict, dict, list]:
    """GET every start URL and then the links found, up to MAX_LINKS more; returns the leaks
    (url → markers found), the status codes seen and the server errors."""
    leaks, statuses, errors = {}, {}, []
    queue, seen = list(start), set()
    followed = 0
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if len(seen) % 100 == 0:
            # Still signed in and verified: a request that ended the session would make every
            # later page a redirect to the login, and the crawl would prove nothing.
            assert client.get("/admin/").status_code == 200, f"signed out before {url}"
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        statuses[url] = response.status_code
        if response.status_code >= 500:
            errors.append(url)
        if getattr(response, "streaming", False):
            body = b"".join(response.streaming_content).decode("utf-8", "replace")
        else:
            body = response.content.decode("utf-8", "replace")
        body += " " + response.get("Location", "") + " " + response.get("Content-Disposition", "")
        # A marker that the requested URL itself carries may be echoed (a 404 page naming the
        # path); the document's content carries its title, so serving it is still caught.
        found = [
            s for s in world.secrets if s.lower() in body.lower() and s.lower() not in url.lower()
        ]
        if found:
            leaks[url] = found
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for link in islice(_links(url, body), 200):
                if link not in seen and followed < MAX_LINKS:
                    followed += 1
                    queue.append(link)
    return leaks, statuses, errors


OVERSIGHT = re.compile(r"^/admin/privacy/(audit|access-log)/")


def _is_staff(marker: str) -> bool:
    return any(marker.startswith(name) for name in B_STAFF)


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return build_world()


@pytest.mark.parametrize("role", ROLES, ids=[str(r) for r in ROLES])
def test_no_role_of_department_a_sees_department_b_unpublished_work(client, world, role):
    user = UserFactory.with_role(role, department=world.department_a, username=f"a_{role}")
    client.force_login(user)
    client.raise_request_exception = False
    start = resolver_urls(world) + extra_urls(world)
    start += [d.url for d in world.documents]
    leaks, statuses, errors = crawl(client, world, start)
    assert client.get("/admin/").status_code == 200  # still signed in at the end
    if role == Role.PRIVACY_OFFICER:
        # The privacy officer oversees every staff member's actions: the audit viewer and the
        # contact access log name the staff who acted (never unpublished titles).
        leaks = {
            url: rest
            for url, found in leaks.items()
            if (rest := [m for m in found if not (OVERSIGHT.match(url) and _is_staff(m))])
        }
    assert not leaks, "\n".join(f"{url}: {markers}" for url, markers in leaks.items())
    # The crawl really reached the admin: the dashboard and at least one screen of the role.
    assert statuses["/admin/"] == 200
    assert sum(1 for s in statuses.values() if s == 200) >= 5, statuses
    # B's documents are not served to A's staff, and their existence is not revealed.
    for document in world.documents:
        assert statuses[document.url] == 404


def test_the_crawl_finds_b_when_it_is_there(client, world):
    """The adversary's check works: B's own editor sees B's title and documents."""
    editor = world.department_b.staff.get(user__username__endswith="_editor").user
    client.force_login(editor)
    client.raise_request_exception = False
    urls = [
        "/admin/snippets/consultations/consultation/",
        "/admin/snippets/choose/consultations/consultation/?q=XQZ",
        "/admin/documents/",
        "/admin/documents/chooser/?q=XQZ",
        "/admin/api/main/documents/",
        *[d.url for d in world.documents],
    ]
    leaks = {url: found for url, found in crawl(client, world, urls)[0].items() if url in urls}
    assert B_TITLE in leaks["/admin/snippets/consultations/consultation/"]
    assert B_DRAFT_TITLE in leaks["/admin/snippets/choose/consultations/consultation/?q=XQZ"]
    assert B_DOC_TITLE in leaks["/admin/documents/"]
    assert B_LOOSE_DOC_TITLE in leaks["/admin/documents/chooser/?q=XQZ"]
    assert B_DRAFT_DOC_TITLE in leaks["/admin/api/main/documents/"]
    for document in world.documents:  # the file's content carries its title
        assert leaks[document.url]


def test_public_side_unpublished_documents_404_published_200(client, world):
    for document in world.documents:
        assert client.get(document.url).status_code == 404
        name = document.file.name
        assert client.get(f"/media/{name}").status_code == 404
    response = client.get(world.public_document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith("公开附件".encode())


def test_a_document_linked_from_a_live_page_is_public(client, site_tree, settings, tmp_path):
    from cms.models import StandardPage

    settings.MEDIA_ROOT = str(tmp_path)
    document = _document("公开的指南", "guide.pdf")
    page = StandardPage(
        title="指南", slug="guide-xyz", body=f'<a linktype="document" id="{document.pk}">指南</a>'
    )
    site_tree.add_child(instance=page)
    page.save_revision().publish()
    assert client.get(document.url).status_code == 200
    page.unpublish()
    assert client.get(document.url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/media/documents/{name}",
        "/media/images/../documents/{name}",
        "/media/images/%2e%2e/documents/{name}",
        "/media/./documents/{name}",
        "/media//documents/{name}",
        "/media/images/{name}/../../documents/{name}",
    ],
)
def test_the_development_media_route_never_serves_documents(client, settings, tmp_path, path):
    """With DEBUG on, /media/ serves the image folders only; documents never, however the
    path is written."""
    import importlib

    from django.urls import clear_url_caches

    from cms.config import urls

    settings.MEDIA_ROOT = str(tmp_path)
    document = _document("附件", "a.pdf")
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "x.png").write_bytes(b"png")
    settings.DEBUG = True
    importlib.reload(urls)
    clear_url_caches()
    try:
        name = document.file.name.split("/")[-1]
        assert (tmp_path / "documents" / name).exists()
        assert client.get(path.format(name=name)).status_code == 404
        assert client.get("/media/images/x.png").status_code == 200
    finally:
        settings.DEBUG = False
        importlib.reload(urls)
        clear_url_caches()


def test_seed_demo_files_documents_in_department_collections_under_random_names(tmp_path):
    from io import StringIO

    from django.core.management import call_command
    from django.test import override_settings

    from consultations.documents import is_random_stored_name

    with override_settings(DEBUG=True, MEDIA_ROOT=str(tmp_path)):
        call_command("seed_demo", "--if-empty", stdout=StringIO())
    attachments = Attachment.objects.select_related("document", "consultation__department")
    assert attachments.exists()
    for attachment in attachments:
        document = attachment.document
        assert document.collection_id == attachment.consultation.department.document_collection_id
        assert is_random_stored_name(document.file.name), document.file.name
