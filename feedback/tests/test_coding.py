"""Coding: the coding frame, coding and "no theme", group coding, permissions, audit, screens."""

# Size: the coding tests share one register and play each role against it.

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from consultations.roles import Role
from consultations.tests.factories import DepartmentFactory, UserFactory, published_consultation
from feedback.coding import selectors, services
from feedback.coding.services import CodingError
from feedback.models import (
    AuditAction,
    AuditEntry,
    CampaignGroup,
    CampaignMember,
    ClauseComment,
    Coding,
    Submission,
    Theme,
)
from feedback.models.receipts import new_receipt
from feedback.tests.conftest import ensure_clauses

pytestmark = pytest.mark.django_db


def make_opinion(consultation, comment="意见内容", **kwargs) -> Submission:
    return Submission.objects.create(
        consultation=consultation,
        comment=comment,
        receipt=new_receipt(),
        idempotency_token=uuid.uuid4(),
        **kwargs,
    )


@pytest.fixture
def consultation():
    return published_consultation()


@pytest.fixture
def analyst(consultation):
    return UserFactory.with_role(Role.ANALYST, consultation.department)


@pytest.fixture
def theme(consultation, analyst):
    return services.theme_create(
        user=analyst, consultation=consultation, name="健康", concern="health", shortcut="h"
    )


def audit_actions(consultation) -> list[str]:
    return list(
        AuditEntry.objects.filter(consultation_id=consultation.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- role matrix --------------------------------------------------------------------------


def _users(consultation):
    """(label, user, may code) for every role and department combination that matters."""
    dept = consultation.department
    other = DepartmentFactory()
    inactive = UserFactory.with_role(Role.ANALYST, dept)
    inactive.is_active = False
    inactive.save()
    superuser = UserFactory(is_staff=True, is_superuser=True)
    return [
        ("analyst, own department", UserFactory.with_role(Role.ANALYST, dept), True),
        ("site admin group", UserFactory.with_role(Role.SITE_ADMIN, None), True),
        ("superuser", superuser, True),
        ("analyst, other department", UserFactory.with_role(Role.ANALYST, other), False),
        ("analyst without department", UserFactory.with_role(Role.ANALYST, None), False),
        ("inactive analyst", inactive, False),
        ("editor, own department", UserFactory.with_role(Role.EDITOR, dept), False),
        ("approver, own department", UserFactory.with_role(Role.APPROVER, dept), False),
        ("intake clerk", UserFactory.with_role(Role.INTAKE_CLERK, dept), False),
        ("privacy officer", UserFactory.with_role(Role.PRIVACY_OFFICER, None), False),
        ("assessor", UserFactory.with_role(Role.ASSESSOR, None), False),
        ("anonymous", AnonymousUser(), False),
    ]


def test_role_matrix_for_every_coding_action(consultation, analyst, theme):
    users = _users(consultation)
    positives = sum(1 for _, _, ok in users if ok)
    assert len(users) - positives >= 2 * positives
    opinion = make_opinion(consultation)
    group = CampaignGroup.objects.create(consultation=consultation)
    CampaignMember.objects.create(group=group, submission=make_opinion(consultation, "同文"))
    for n, (label, user, allowed) in enumerate(users):
        actions = {
            "theme_create": lambda u, n=n: services.theme_create(
                user=u, consultation=consultation, name=f"主题{n}"
            ),
            "theme_update": lambda u, label=label: services.theme_update(
                user=u, theme=theme, description=f"by {label}"
            ),
            "code": lambda u: services.code(u, opinion, theme),
            "uncode": lambda u: services.uncode(u, opinion, theme),
            "mark_no_theme": lambda u: services.mark_no_theme(u, opinion, "与本次征求无关"),
            "clear_no_theme": lambda u: services.clear_no_theme(u, opinion),
            "code_group": lambda u: services.code_group(u, group, theme),
        }
        for name, action in actions.items():
            before = AuditEntry.objects.count()
            if allowed:
                action(user)
                assert AuditEntry.objects.count() == before + 1, (label, name)
            else:
                with pytest.raises(PermissionDenied):
                    action(user)
                assert AuditEntry.objects.count() == before, (label, name)


def test_screens_role_matrix(client, consultation, theme):
    opinion = make_opinion(consultation)
    urls = [
        "/admin/coding/",
        f"/admin/coding/{consultation.pk}/themes/",
        f"/admin/coding/{consultation.pk}/opinion/{opinion.pk}/",
    ]
    for label, user, allowed in _users(consultation):
        if isinstance(user, AnonymousUser) or not user.is_active:
            continue
        client.force_login(user)
        for url in urls[1:]:
            response = client.get(url)
            if allowed:
                assert response.status_code == 200, (label, url)
            else:  # Wagtail turns PermissionDenied into a redirect to the dashboard
                assert (response.status_code, response["Location"]) == (302, "/admin/"), label
        response = client.post(
            f"/admin/coding/{consultation.pk}/opinion/{opinion.pk}/code/",
            {"theme": theme.pk, "op": "add"},
        )
        assert response.status_code == 302
        assert (response["Location"] != "/admin/") is allowed, label
        assert opinion.codings.exists() is allowed, label
        Coding.objects.all().delete()
    client.logout()
    assert client.get(urls[0]).status_code == 302  # to the login page


# --- the coding frame ---------------------------------------------------------------------


def test_theme_create_and_update_check_name_and_shortcut(consultation, analyst, theme):
    assert theme.concern == "health" and theme.shortcut == "h" and theme.created_by == analyst
    with pytest.raises(CodingError):
        services.theme_create(user=analyst, consultation=consultation, name="健康")
    with pytest.raises(CodingError):
        services.theme_create(user=analyst, consultation=consultation, name="噪声", shortcut="H")
    with pytest.raises(CodingError):
        services.theme_create(user=analyst, consultation=consultation, name="气味", shortcut="!")
    noise = services.theme_create(
        user=analyst, consultation=consultation, name="噪声", shortcut="N", concern="environment"
    )
    assert noise.shortcut == "n" and noise.sort_order > theme.sort_order
    with pytest.raises(CodingError):
        services.theme_update(user=analyst, theme=noise, name="健康")
    services.theme_update(user=analyst, theme=noise, name="噪声与振动", concern="traffic")
    noise.refresh_from_db()
    assert (noise.name, noise.concern) == ("噪声与振动", "traffic")
    # the same name in another consultation is fine
    other = published_consultation(department=consultation.department)
    services.theme_create(user=analyst, consultation=other, name="健康", shortcut="h")
    entries = AuditEntry.objects.filter(action=AuditAction.THEME)
    assert entries.count() == 4
    update = entries.filter(detail__op="update").get()
    assert (
        update.detail["before"]["name"] == "噪声" and update.detail["after"]["name"] == "噪声与振动"
    )


# --- coding and "no theme" ----------------------------------------------------------------


def test_code_several_themes_and_clause_comments_with_audit(consultation, analyst, theme):
    clauses = ensure_clauses(consultation)
    opinion = make_opinion(consultation)
    comment = ClauseComment.objects.create(submission=opinion, clause=clauses[0], text="条款意见")
    safety = services.theme_create(user=analyst, consultation=consultation, name="安全")
    first = services.code(analyst, opinion, theme)
    again = services.code(analyst, opinion, theme)
    assert first.pk == again.pk  # idempotent
    services.code(analyst, opinion, safety)
    on_clause = services.code(analyst, opinion, safety, clause_comment=comment)
    assert on_clause.clause_comment == comment and on_clause.source == Coding.Source.MANUAL
    assert Coding.objects.filter(submission=opinion).count() == 3
    entry = AuditEntry.objects.filter(action=AuditAction.CODE).order_by("pk").last()
    assert entry.detail["clause_comment"] == comment.pk and entry.actor_id == analyst.pk
    assert services.uncode(analyst, opinion, safety) is True
    assert services.uncode(analyst, opinion, safety) is False
    assert Coding.objects.filter(submission=opinion).count() == 2
    assert AuditEntry.objects.filter(action=AuditAction.CODE, detail__op="remove").count() == 2


def test_coding_refuses_themes_and_comments_of_other_opinions(consultation, analyst, theme):
    clauses = ensure_clauses(consultation)
    opinion, other_opinion = make_opinion(consultation), make_opinion(consultation)
    foreign = ClauseComment.objects.create(submission=other_opinion, clause=clauses[0], text="x")
    other = published_consultation(department=consultation.department)
    foreign_theme = services.theme_create(user=analyst, consultation=other, name="其他")
    with pytest.raises(CodingError):
        services.code(analyst, opinion, foreign_theme)
    with pytest.raises(CodingError):
        services.code(analyst, opinion, theme, clause_comment=foreign)
    assert not Coding.objects.exists()


def test_no_theme_needs_a_reason_and_clears_when_coded(consultation, analyst, theme):
    opinion = make_opinion(consultation, "今天天气很好")
    for reason in ("", "   "):
        with pytest.raises(CodingError):
            services.mark_no_theme(analyst, opinion, reason)
    with pytest.raises(CodingError):
        services.mark_no_theme(analyst, opinion, "长" * 301)
    services.mark_no_theme(analyst, opinion, "与本次征求内容无关")
    opinion.refresh_from_db()
    assert opinion.no_theme_reason == "与本次征求内容无关" and opinion.no_theme_by == analyst
    assert selectors.coding_progress(consultation)["no_theme"] == 1
    services.code(analyst, opinion, theme)
    opinion.refresh_from_db()
    assert opinion.no_theme_reason == "" and opinion.no_theme_by is None
    # a coded opinion cannot be marked "no theme" until its themes are removed
    with pytest.raises(CodingError):
        services.mark_no_theme(analyst, opinion, "无关")
    assert audit_actions(consultation).count(AuditAction.NO_THEME) == 1


def test_progress_counts_every_opinion_not_withdrawn_hidden_ones_included(
    consultation, analyst, theme
):
    """Issue 12 (withdrawn means withdrawn): a withdrawn opinion is only counted as withdrawn;
    it is not to do, cannot be coded, and its old coding is not counted for its theme."""
    from django.utils import timezone

    coded = make_opinion(consultation)
    withdrawn = make_opinion(consultation, withdrawn=True, withdrawn_at=timezone.now())
    Coding.objects.create(submission=withdrawn, theme=theme, coded_by=analyst)  # before it left
    hidden = make_opinion(consultation, moderation_state="hidden")
    no_text = make_opinion(consultation, comment="", stance="oppose")
    services.code(analyst, coded, theme)
    progress = selectors.coding_progress(consultation)
    assert progress == {
        "total": 3,
        "coded": 1,
        "no_theme": 0,
        "left": 2,
        "percent_done": 33,
        "withdrawn": 1,
    }
    assert set(selectors.uncoded_submissions(consultation)) == {hidden, no_text}
    assert selectors.themes_with_counts(consultation).get(pk=theme.pk).opinions == 1
    services.mark_no_theme(analyst, no_text, "只表态，无具体内容")
    with pytest.raises(CodingError):
        services.code(analyst, withdrawn, theme)
    services.code(analyst, hidden, theme)
    assert not selectors.uncoded_submissions(consultation).exists()
    assert selectors.coding_progress(consultation)["left"] == 0


# --- campaign groups ----------------------------------------------------------------------


def test_code_group_applies_the_theme_to_every_member(consultation, analyst, theme):
    group = CampaignGroup.objects.create(consultation=consultation)
    members = [make_opinion(consultation, "同一封联名信") for _ in range(4)]
    for member in members:
        CampaignMember.objects.create(group=group, submission=member)
    outsider = make_opinion(consultation, "另一条意见")
    services.code(analyst, members[0], theme)
    services.mark_no_theme(analyst, members[1], "暂无主题")
    assert services.code_group(analyst, group, theme) == 3
    codings = Coding.objects.filter(theme=theme)
    assert set(codings.values_list("submission_id", flat=True)) == {m.pk for m in members}
    assert codings.get(submission=members[0]).source == Coding.Source.MANUAL
    assert codings.get(submission=members[2]).source == Coding.Source.GROUP
    assert not outsider.codings.exists()
    members[1].refresh_from_db()
    assert members[1].no_theme_reason == ""
    entry = AuditEntry.objects.filter(action=AuditAction.CODE, detail__op="group").get()
    assert entry.detail["members"] == 4 and len(entry.detail["coded"]) == 3
    assert entry.detail["cleared_no_theme"] == [members[1].pk]
    assert services.code_group(analyst, group, theme) == 0
    group.status = CampaignGroup.Status.DISMISSED
    group.save()
    with pytest.raises(CodingError):
        services.code_group(analyst, group, theme)


# --- the screen ---------------------------------------------------------------------------


@pytest.fixture
def logged_in(client, analyst):
    client.force_login(analyst)
    return client


def test_screen_shows_texts_but_no_contact_or_receipt(logged_in, consultation, theme):
    from consultations.models import Question
    from consultations.tests.factories import QuestionFactory
    from feedback.models import QuestionAnswer

    clauses = ensure_clauses(consultation)
    question = QuestionFactory(consultation=consultation, type=Question.Type.TEXT, options="")
    opinion = make_opinion(
        consultation, "焚烧厂离学校太近", stance="oppose", contact_ref="secret-contact-ref"
    )
    ClauseComment.objects.create(submission=opinion, clause=clauses[1], text="第二条应删除")
    QuestionAnswer.objects.create(submission=opinion, question=question, text="建议另选址")
    html = logged_in.get(f"/admin/coding/{consultation.pk}/opinion/{opinion.pk}/").content
    html = html.decode()
    for text in ("焚烧厂离学校太近", "第二条应删除", "建议另选址", question.text, "健康"):
        assert text in html
    assert 'data-tj-key="h"' in html and "feedback/coding.js" in html
    assert opinion.formatted_receipt not in html and opinion.receipt not in html
    assert "secret-contact-ref" not in html
    number = clauses[1].number
    assert f"第{number}条" in html or f"On clause {number}" in html


def test_screen_post_redirect_flow_without_javascript(logged_in, consultation, analyst, theme):
    first, second, third = (make_opinion(consultation, f"意见{i}") for i in range(3))
    base = f"/admin/coding/{consultation.pk}"
    start = logged_in.get(f"{base}/?f=uncoded")
    assert start.status_code == 302 and f"/opinion/{first.pk}/" in start["Location"]
    # toggle a theme on: redirected back to the same opinion, with the filter kept
    response = logged_in.post(
        f"{base}/opinion/{first.pk}/code/", {"theme": theme.pk, "op": "toggle", "f": "uncoded"}
    )
    assert response.status_code == 302
    assert f"/opinion/{first.pk}/" in response["Location"] and "f=uncoded" in response["Location"]
    assert first.codings.filter(theme=theme).exists()
    page = logged_in.get(response["Location"]).content.decode()
    assert 'aria-pressed="true"' in page
    assert f"/opinion/{second.pk}/" in page  # the next link still works after leaving the list
    # "no theme" without a reason is refused and changes nothing
    response = logged_in.post(f"{base}/opinion/{second.pk}/no-theme/", {"reason": "", "f": "all"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.no_theme_reason == ""
    # with a reason: marked, and the screen moves to the next opinion
    response = logged_in.post(
        f"{base}/opinion/{second.pk}/no-theme/", {"reason": "与本事项无关", "f": "uncoded"}
    )
    assert f"/opinion/{third.pk}/" in response["Location"]
    second.refresh_from_db()
    assert second.no_theme_reason == "与本事项无关"
    # toggle off again
    logged_in.post(f"{base}/opinion/{first.pk}/code/", {"theme": theme.pk, "op": "toggle"})
    assert not first.codings.exists()
    # filter by theme and "no theme"
    services.code(analyst, third, theme)
    response = logged_in.get(f"{base}/?f=theme&theme={theme.pk}")
    assert f"/opinion/{third.pk}/" in response["Location"]
    response = logged_in.get(f"{base}/?f=no_theme")
    assert f"/opinion/{second.pk}/" in response["Location"]
    # GET on an action is refused
    assert logged_in.get(f"{base}/opinion/{first.pk}/code/").status_code == 405


def test_screen_group_button_and_clause_comment_coding(logged_in, consultation, theme):
    clauses = ensure_clauses(consultation)
    group = CampaignGroup.objects.create(consultation=consultation)
    members = [make_opinion(consultation, "联名信") for _ in range(3)]
    for member in members:
        CampaignMember.objects.create(group=group, submission=member)
    comment = ClauseComment.objects.create(submission=members[0], clause=clauses[0], text="条款")
    base = f"/admin/coding/{consultation.pk}/opinion/{members[0].pk}"
    page = logged_in.get(f"{base}/").content.decode()
    assert "Apply to the whole campaign group" in page or "应用到整个" in page
    logged_in.post(f"{base}/group/", {"theme": theme.pk})
    assert Coding.objects.filter(theme=theme, source="group").count() == 3
    logged_in.post(f"{base}/code/", {"theme": theme.pk, "clause_comment": comment.pk, "op": "add"})
    assert Coding.objects.filter(clause_comment=comment, theme=theme).exists()


def test_coding_frame_page_creates_and_edits_themes(logged_in, consultation):
    url = f"/admin/coding/{consultation.pk}/themes/"
    response = logged_in.post(url, {"name": "补偿标准", "concern": "compensation", "shortcut": "c"})
    assert response.status_code == 302
    theme = Theme.objects.get(consultation=consultation)
    assert (theme.name, theme.concern, theme.shortcut) == ("补偿标准", "compensation", "c")
    duplicate = logged_in.post(url, {"name": "补偿标准", "concern": "other"})
    assert duplicate.status_code == 400 and Theme.objects.count() == 1
    edit = f"/admin/coding/{consultation.pk}/themes/{theme.pk}/"
    assert logged_in.get(edit).status_code == 200
    response = logged_in.post(edit, {"name": "补偿与安置", "concern": "compensation"})
    assert response.status_code == 302
    theme.refresh_from_db()
    assert theme.name == "补偿与安置" and theme.shortcut == ""
    assert "补偿与安置" in logged_in.get(url).content.decode()


# --- the screen in a browser: keyboard shortcuts and fetch() ----------------------------------


@pytest.mark.e2e
def test_keyboard_shortcuts_code_and_move_without_reload(
    live_server, new_context, transactional_db, client
):
    consultation = published_consultation()
    analyst = UserFactory.with_role(Role.ANALYST, consultation.department)
    theme = services.theme_create(
        user=analyst, consultation=consultation, name="健康", shortcut="h"
    )
    first = make_opinion(consultation, "焚烧厂排放的二噁英让人担心。")
    second = make_opinion(consultation, "补偿标准太低。")
    client.force_login(analyst)
    context = new_context(viewport={"width": 1024, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/coding/{consultation.pk}/opinion/{first.pk}/?f=all")
    page.evaluate("window.tjMarker = 1")  # survives only if the page is not reloaded
    page.keyboard.press("h")
    page.wait_for_selector('button[data-tj-key="h"][aria-pressed="true"]')
    assert first.codings.filter(theme=theme).exists()
    assert page.evaluate("window.tjMarker") == 1
    page.keyboard.press("ArrowRight")
    page.wait_for_url(f"**/opinion/{second.pk}/**")
    page.wait_for_selector("text=补偿标准太低")
    assert page.evaluate("window.tjMarker") == 1
    # typing the reason for "no theme" does not trigger shortcuts
    page.fill("#tj-no-theme-reason", "h 与本事项无关")
    assert not second.codings.exists()
    page.locator("#tj-no-theme-reason").press("Enter")
    page.wait_for_selector("text=h 与本事项无关")
    second.refresh_from_db()
    assert second.no_theme_reason == "h 与本事项无关"
    page.screenshot(path="/tmp/coding_screen.png", full_page=True)


def test_screen_says_when_nothing_is_left(logged_in, consultation, analyst, theme):
    opinion = make_opinion(consultation)
    services.code(analyst, opinion, theme)
    response = logged_in.get(f"/admin/coding/{consultation.pk}/?f=uncoded")
    assert response.status_code == 200 and response.context["submission"] is None
    assert response.context["progress"]["left"] == 0
    html = response.content.decode()
    assert "Every opinion is coded" in html or "所有意见均已归类" in html
    # the consultation list shows the progress
    listing = logged_in.get("/admin/coding/").content.decode()
    assert consultation.title in listing


def test_consultation_list_shows_only_the_own_department(client, consultation):
    own = UserFactory.with_role(Role.ANALYST, consultation.department)
    other = UserFactory.with_role(Role.ANALYST, DepartmentFactory())
    client.force_login(own)
    assert consultation.title in client.get("/admin/coding/").content.decode()
    client.force_login(other)
    response = client.get("/admin/coding/")
    assert response.status_code == 200 and consultation.title not in response.content.decode()
    client.force_login(UserFactory.with_role(Role.EDITOR, consultation.department))
    assert client.get("/admin/coding/")["Location"] == "/admin/"


@pytest.mark.parametrize(
    "data",
    [{"theme": "abc"}, {"theme": ""}, {"theme": "1e3"}, {"theme": "1", "clause_comment": "x"}],
)
def test_malformed_values_answer_400_and_change_nothing(logged_in, consultation, theme, data):
    """An outsider's script or a broken form: a clear 400, never a 500, and no coding stored."""
    from feedback.models import Coding

    opinion = make_opinion(consultation, "意见")
    base = f"/admin/coding/{consultation.pk}/opinion/{opinion.pk}"
    data = {**data, "theme": str(theme.pk) if data.get("theme") == "1" else data["theme"]}
    actions = ("code",) if "clause_comment" in data else ("code", "group")
    for action in actions:
        response = logged_in.post(f"{base}/{action}/", data, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, (action, data, response.status_code)
    assert not Coding.objects.exists()
