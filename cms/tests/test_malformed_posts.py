"""Issue 14, point 4: every staff form and every public form answers malformed values with a
4xx (a form shown again with its errors, a 400 page, a 403 or 404), never a server error, and
a POST that is not valid UTF-8 is refused with 400 and stores nothing.

The adversary walks the URL resolver: every URL pattern of the project's own views (``cms``,
``consultations``, ``feedback``) with the ids of a small world filled in (and the same with a
number too large for the database), and the public pages of an open consultation with the links
they lead to. Each page is read by the staff member who may use it (a site administrator, and
the department's editor, approver, analyst, intake clerk, assessor and privacy officer, all
signed in with their second factor), or anonymously for a public page; every POST form found on
it, and every URL that answers a GET with 405, is then sent malformed values: non-numeric ids,
huge and negative numbers, impossible dates, invalid choices, lists where one value is
expected, NUL and other control bytes, and a body that is not UTF-8. Destructive URLs (delete,
logout) are sent last.
"""

# Size: one adversary and its world: the URL enumeration, the form discovery in HTML and the
# payload matrix must be read together.

from __future__ import annotations

import os
import re
import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone

from consultations.models import Consultation
from consultations.roles import Role
from consultations.tests.factories import UserFactory, published_consultation
from feedback.models import AuditEntry, CampaignGroup, CampaignMember, Submission, Theme
from feedback.tests.response_fixtures import add_opinion

pytestmark = pytest.mark.django_db(transaction=True)

PROJECT_APPS = ("cms", "consultations", "feedback")
SKIP = re.compile(r"/(logout|password_reset)/|^/static/|^/media/|^/favicon|/healthz")
DESTRUCTIVE = re.compile(r"/(delete|unpublish|withdraw|lock|unlock|close|reset|decide)/")
HUGE = "9" * 25
MAX_FOLLOWED = 80  # public links followed from the start pages
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")

# Malformed values, each sent in every field of a form at once.
MALFORMED: dict[str, object] = {
    "text": "abc",
    "huge": HUGE,
    "float": "-1e400",  # also a number beyond every range
    "date": "2026-02-30",
    "choice": "no-such-choice-☃\x00\x01",  # also NUL and another control byte
    "list": ["1", "abc", ""],
    "empty": "",
}
# Those also sent in the structural fields alone, the others keeping the page's values.
STRUCTURAL = ("text", "list")
# A form body that is not UTF-8 (a lone byte, an overlong sequence, a truncated one).
BAD_UTF8 = b"comment=%FF%FE%FD&name=%C0%AF&stance=%E6%88&q=%C3%28"


@dataclass
class FoundForm:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> default values
    structural: set[str] = field(default_factory=set)  # ids, choices, dates, hidden


class _Forms(HTMLParser):
    """The POST forms of a page: action and fields with their default values."""

    def __init__(self, base: str):
        super().__init__(convert_charrefs=True)
        self.base = base
        self.forms: list[FoundForm] = []
        self.current: FoundForm | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self.current = FoundForm(urljoin(self.base, a.get("action") or self.base))
            return
        form = self.current
        if form is None or not a.get("name"):
            if tag == "option" and form is not None and self.select:
                form.fields.setdefault(self.select, [])
            return
        name = a["name"]
        if tag in ("input", "button"):
            kind = a.get("type", "text").lower()
            if kind in ("file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                form.fields.setdefault(name, [])
            else:
                form.fields.setdefault(name, []).append(a.get("value", ""))
            if kind in ("hidden", "radio", "checkbox", "number", "date", "datetime-local"):
                form.structural.add(name)
        elif tag == "textarea":
            form.fields.setdefault(name, []).append("")
        elif tag == "select":
            self.select = name
            form.fields.setdefault(name, [])
            form.structural.add(name)

    def handle_endtag(self, tag):
        if tag == "form" and self.current is not None:
            self.forms.append(self.current)
            self.current = None
        elif tag == "select":
            self.select = None


def forms_of(url: str, html: str) -> list[FoundForm]:
    parser = _Forms(url)
    parser.feed(html)
    return parser.forms


# --- the world --------------------------------------------------------------------------------


@dataclass
class World:
    consultation: Consultation
    clients: dict[str, Client]
    ids: dict[str, list[int]]


def build_world() -> World:
    now = timezone.now()
    consultation = published_consultation(
        title="畸形输入测试",
        slug="malformed",
        opens_at=now - timezone.timedelta(days=2),
        closes_at=now + timezone.timedelta(days=30),
    )
    department = consultation.department
    from consultations.models import Question
    from consultations.tests.factories import AlternativeFactory, QuestionFactory

    AlternativeFactory(consultation=consultation, title="方案甲", sort_order=0)
    QuestionFactory(consultation=consultation, type=Question.Type.SINGLE, options="是\n否")
    QuestionFactory(consultation=consultation, type=Question.Type.MULTIPLE, options="甲\n乙")
    QuestionFactory(consultation=consultation, type=Question.Type.SCALE, options="")
    opinions = [add_opinion(consultation, comment=f"反对选址，理由{n}。" * 3) for n in range(3)]
    opinions.append(add_opinion(consultation, channel="letter", comment="来信意见"))
    theme = Theme.objects.create(consultation=consultation, name="选址")
    group = CampaignGroup.objects.create(consultation=consultation, representative=opinions[0])
    for s in opinions[:2]:
        CampaignMember.objects.create(group=group, submission=s, similarity=1.0)
    roles = {
        "admin": UserFactory.with_role(Role.SITE_ADMIN),
        "editor": UserFactory.with_role(Role.EDITOR, department),
        "approver": UserFactory.with_role(Role.APPROVER, department),
        "analyst": UserFactory.with_role(Role.ANALYST, department),
        "clerk": UserFactory.with_role(Role.INTAKE_CLERK, department),
        "assessor": UserFactory.with_role(Role.ASSESSOR),
        "privacy": UserFactory.with_role(Role.PRIVACY_OFFICER),
    }
    clients = {"public": Client(raise_request_exception=False)}
    for name, user in roles.items():
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(user)
    ids = {
        "consultation": [consultation.pk],
        "submission": [s.pk for s in opinions],
        "theme": [theme.pk],
        "group": [group.pk],
        "user": [u.pk for u in roles.values()],
    }
    return World(consultation, clients, ids)


# --- the URLs ---------------------------------------------------------------------------------


def _project_routes() -> list[str]:
    def module_of(callback) -> str:
        view_class = getattr(callback, "view_class", None)
        return (view_class or callback).__module__ or ""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), module_of(pattern.callback)

    return [
        route
        for route, module in walk(get_resolver().url_patterns, "")
        if module.split(".")[0] in PROJECT_APPS
    ]


def _value(world: World, name: str, huge: bool) -> str:
    if huge and name not in ("index_slug", "slug", "fmt", "scope", "step", "decision"):
        return HUGE
    fixed = {
        "index_slug": "consultations",
        "slug": world.consultation.slug,
        "fmt": "csv",
        "scope": "register",
        "decision": "accept",
        "action_name": "approve",
        "step": "hearing",
        "document_filename": "x.pdf",
        "code": "ABCD-EFGH-JKLM",
        "rest": "reports/site-history/",
    }
    if name in fixed:
        return fixed[name]
    key = {
        "consultation_id": "consultation",
        "pk": "consultation",
        "submission_id": "submission",
        "theme_id": "theme",
        "group_id": "group",
        "user_id": "user",
    }.get(name)
    return str(world.ids[key][0]) if key else "1"


def resolver_urls(world: World) -> list[str]:
    only = re.compile(os.environ.get("MALFORMED_ONLY", ""))  # to debug one area by hand
    urls = []
    for route in _project_routes():
        names = [m.group(2) or m.group(3) for m in _PARAM.finditer(route)]
        for huge in (False, True) if names else (False,):
            values = iter([_value(world, n, huge) for n in names])
            url = _PARAM.sub(lambda _m, v=values: next(v), route)
            url = "/" + re.sub(r"[\^$\\]", "", url)
            url = url.replace("(?:results/)?", "")
            urls.append(url)
    found = []
    for url in dict.fromkeys(urls):
        if SKIP.search(url) or not only.search(url):
            continue
        try:
            resolve(urlsplit(url).path)
        except Resolver404:
            continue
        found.append(url)
    return found


def public_urls(world: World) -> list[str]:
    slug = world.consultation.slug
    return [
        "/",
        "/consultations/",
        f"/consultations/{slug}/",
        f"/consultations/{slug}/opinion/",
        "/consultations/receipt/",
        "/preferences/",
        "/i18n/setlang/",
    ]


_HREF = re.compile(r"""href=["']([^"'#]+)""")


def discover(world: World, errors: list[str]):
    """Forms by action URL (with the client that found them) and POST-only URLs (405 to GET);
    a GET that fails is added to ``errors``."""
    forms: dict[str, tuple[str, FoundForm]] = {}
    post_only: dict[str, str] = {}
    admin_urls = [u for u in resolver_urls(world) if u.startswith("/admin/")]
    other_urls = [u for u in resolver_urls(world) if not u.startswith("/admin/")]
    plan = [(role, admin_urls) for role in world.clients if role != "public"]
    queue = list(dict.fromkeys(public_urls(world) + other_urls))
    plan.append(("public", queue))
    followed = 0
    served: set[str] = set()  # read by an earlier role: its forms are known
    for role, urls in plan:
        client = world.clients[role]
        seen = set()
        for url in urls:
            if url in seen or url in served or DESTRUCTIVE.search(url):
                continue
            seen.add(url)
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
            if response.status_code >= 500:
                errors.append(f"{role} GET {url}: {_why(response)}")
            if response.status_code == 405:
                post_only.setdefault(url, role)
                continue
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            served.add(url)
            html = response.content.decode("utf-8", "replace")
            for form in forms_of(url, html):
                path = urlsplit(form.action)
                if path.netloc not in ("", "testserver"):
                    continue
                action = path.path + (f"?{path.query}" if path.query else "")
                if not SKIP.search(action):
                    forms.setdefault(action, (role, form))
            if role == "public":
                for link in _HREF.findall(html):
                    target = urlsplit(urljoin(url, link))
                    if target.netloc in ("", "testserver") and followed < MAX_FOLLOWED:
                        path = target.path
                        if not SKIP.search(path) and path not in seen and path not in urls:
                            followed += 1
                            urls.append(path)
    for url in resolver_urls(world):
        if DESTRUCTIVE.search(url) and url not in post_only:
            post_only[url] = "admin" if url.startswith("/admin/") else "public"
    return forms, post_only


# --- the payloads -----------------------------------------------------------------------------


def payloads(form: FoundForm) -> list[tuple[str, dict]]:
    """(name, data) pairs: each malformed value in every field, then in the structural fields
    only (ids, choices, dates, hidden values) with the others as the page gave them."""
    out = []
    names = list(form.fields) or ["id", "pk", "theme", "action", "date", "member"]
    for kind, bad in MALFORMED.items():
        out.append((f"all={kind}", {n: bad for n in names if n != "csrfmiddlewaretoken"}))
        if form.structural and kind in STRUCTURAL:
            data = {n: (v if len(v) != 1 else v[0]) for n, v in form.fields.items() if v}
            data.update({n: bad for n in form.structural if n != "csrfmiddlewaretoken"})
            out.append((f"structural={kind}", data))
    return out


def _post(client, url: str, data: dict):
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")


def _why(response) -> str:
    """The status and, for a server error, the exception and where it was raised."""
    info = getattr(response, "exc_info", None)
    if not info or not info[1]:
        return str(response.status_code)
    tb, where = info[2], "?"
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if "/.venv/" not in name and "/tests/" not in name:
            where = f"{name.rsplit('/main/', 1)[-1]}:{tb.tb_lineno}"
        tb = tb.tb_next
    if os.environ.get("MALFORMED_TRACEBACKS"):
        traceback.print_exception(*info)
    return f"{response.status_code} {type(info[1]).__name__}: {str(info[1])[:120]} at {where}"


def _counts() -> tuple[int, int]:
    return Submission.objects.count(), AuditEntry.objects.count()


def test_malformed_values_never_give_a_server_error_and_bad_utf8_stores_nothing(
    consultation_index_transactional,
):
    world = build_world()
    errors: list[str] = []
    forms, post_only = discover(world, errors)
    # The walk reached the forms that matter (a guard against a walk that finds nothing).
    slug = world.consultation.slug
    for needle in (
        f"/consultations/{slug}/opinion/",
        "/consultations/receipt/",
        "/admin/coding/",
        "/admin/intake/",
        "/admin/review/",
        "/admin/campaigns/",
        "/admin/snippets/consultations/consultation/edit/",
    ):
        if not any(action.startswith(needle) for action in forms):
            errors.append(f"no form under {needle} was found")

    targets = [(url, role, form) for url, (role, form) in forms.items()]
    targets += [(url, role, FoundForm(url)) for url, role in post_only.items()]
    targets.sort(key=lambda t: bool(DESTRUCTIVE.search(t[0])))
    for url, role, form in targets:
        client = world.clients[role]
        before = _counts()
        response = client.generic(
            "POST", url, BAD_UTF8, content_type="application/x-www-form-urlencoded"
        )
        if response.status_code != 400 or _counts() != before:
            errors.append(f"{role} POST {url} not UTF-8: {response.status_code}, stored")
        multipart = (
            b'--B\r\nContent-Disposition: form-data; name="comment"\r\n\r\n\xff\xfe\r\n--B--\r\n'
        )
        response = client.generic(
            "POST", url, multipart, content_type="multipart/form-data; boundary=B"
        )
        if response.status_code not in (400, 403, 413) or _counts() != before:
            errors.append(f"{role} POST {url} multipart not UTF-8: {response.status_code}")
        for name, data in payloads(form):
            response = _post(client, url, data)
            if response.status_code >= 500:
                errors.append(f"{role} POST {url} {name}: {_why(response)}")
    assert not errors, "\n".join(errors)


def test_invalid_utf8_is_refused_with_a_message_in_both_languages(
    client, consultation_index_transactional
):
    world = build_world()
    url = f"/consultations/{world.consultation.slug}/opinion/"
    for language, words in (("en", "could not read"), ("zh-hans", "无法读取")):
        response = client.generic(
            "POST",
            url,
            BAD_UTF8,
            content_type="application/x-www-form-urlencoded",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 400
        assert words in response.content.decode()
    assert Submission.objects.filter(comment__contains="\ufffd").count() == 0
    # The same body, valid UTF-8, is read (the refusal is about the bytes, not the form).
    ok = client.post(
        url, urlencode({"comment": "ÿþ"}), content_type="application/x-www-form-urlencoded"
    )
    assert ok.status_code != 400 or b"could not read" not in ok.content
