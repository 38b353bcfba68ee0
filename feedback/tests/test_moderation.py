"""Public display and moderation of opinions (R51): off by default, pseudonyms, masked text,
role matrix, audit, and hidden opinions still counted."""

# Size: the moderation tests play each adversary (other department, other role, public page,
# exports) against the same fixtures.

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.template.loader import render_to_string
from django.test import override_settings
from django.utils import timezone, translation

from consultations.models import Consultation
from consultations.roles import Role
from consultations.tests.factories import DepartmentFactory, UserFactory, published_consultation
from feedback.audit import trail as audit
from feedback.intake import selectors
from feedback.intake.services import OpinionData, submission_create, submission_withdraw
from feedback.models import (
    AuditAction,
    AuditEntry,
    ClauseComment,
    DisplayMode,
    ModerationDecision,
    ModerationState,
    PublicDisplay,
    Submission,
)
from feedback.privacy import pseudonyms
from feedback.review import moderation
from feedback.tests.conftest import ensure_clauses

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
CONTACT_PHONE = "13987654321"


@pytest.fixture
def department():
    return DepartmentFactory()


@pytest.fixture
def other_department():
    return DepartmentFactory()


@pytest.fixture
def consultation(department):
    now = timezone.now()
    consultation = published_consultation(
        department=department, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30)
    )
    ensure_clauses(consultation)
    return consultation


def opinion(consultation, comment="我反对选址。", *, consent=True, stance="oppose", **extra):
    data = OpinionData(stance=stance, comment=comment, quote_consent=consent, **extra)
    submission, created = submission_create(
        consultation=consultation, data=data, token=uuid.uuid4()
    )
    assert created
    return submission


def user_in(role, department=None):
    return UserFactory.with_role(role, department)


def editor(department):
    return user_in(Role.EDITOR, department)


def enable(consultation, mode=DisplayMode.PRE):
    admin = user_in(Role.SITE_ADMIN)
    return moderation.display_settings_update(admin, consultation, True, mode)


# --- Defaults ------------------------------------------------------------------------------


def test_display_is_off_by_default_with_pre_moderation(client, consultation, index_page):
    opinion(consultation)
    setting = moderation.display_settings(consultation)
    assert setting.enabled is False and setting.mode == DisplayMode.PRE
    assert not PublicDisplay.objects.filter(consultation=consultation).exists()
    assert list(moderation.public_opinions(consultation)) == []
    assert client.get(f"/consultations/{consultation.slug}/opinions/").status_code == 404
    assert Submission.objects.get().moderation_state == ModerationState.PENDING


def test_public_page_is_404_for_an_unknown_consultation(client, index_page):
    assert client.get("/consultations/no-such-thing/opinions/").status_code == 404


# --- Role matrix ---------------------------------------------------------------------------

# (role, in the owning department?, may moderate?)
MODERATE_MATRIX = [
    (Role.SITE_ADMIN, False, True),
    (Role.EDITOR, True, True),
    (Role.APPROVER, True, True),
    (Role.ANALYST, True, True),
    (Role.EDITOR, False, False),
    (Role.APPROVER, False, False),
    (Role.ANALYST, False, False),
    (Role.INTAKE_CLERK, True, False),
    (Role.PRIVACY_OFFICER, True, False),
    (Role.ASSESSOR, True, False),
    (Role.PRIVACY_OFFICER, False, False),
    (Role.ASSESSOR, False, False),
    (Role.INTAKE_CLERK, False, False),
]


@pytest.mark.parametrize(("role", "same_department", "allowed"), MODERATE_MATRIX)
def test_who_may_moderate(role, same_department, allowed, consultation, other_department):
    user = user_in(role, consultation.department if same_department else other_department)
    submission = opinion(consultation)
    assert moderation.can_moderate(user, consultation) is allowed
    if allowed:
        decision = moderation.moderate(user, submission, ModerationState.HIDDEN, "违法信息")
        assert decision.moderator == user and decision.reason == "违法信息"
        submission.refresh_from_db()
        assert submission.moderation_state == ModerationState.HIDDEN
        entry = AuditEntry.objects.get(action=AuditAction.MODERATE)
        assert entry.actor == user and entry.object_id == str(submission.pk)
    else:
        with pytest.raises(PermissionDenied):
            moderation.moderate(user, submission, ModerationState.HIDDEN, "违法信息")
        submission.refresh_from_db()
        assert submission.moderation_state == ModerationState.PENDING
        assert not ModerationDecision.objects.exists()
        assert not AuditEntry.objects.filter(action=AuditAction.MODERATE).exists()


def test_anonymous_and_inactive_users_may_not_moderate(consultation):
    submission = opinion(consultation)
    inactive = editor(consultation.department)
    inactive.is_active = False
    inactive.save()
    for user in (AnonymousUser(), inactive):
        assert not moderation.can_moderate(user, consultation)
        with pytest.raises(PermissionDenied):
            moderation.moderate(user, submission, ModerationState.SHOWN, "ok")
    assert not ModerationDecision.objects.exists()


# (role, in the owning department?, may change the display setting?)
DISPLAY_MATRIX = [
    (Role.SITE_ADMIN, False, True),
    (Role.EDITOR, True, True),
    (Role.APPROVER, True, True),
    (Role.EDITOR, False, False),
    (Role.APPROVER, False, False),
    (Role.ANALYST, True, False),
    (Role.INTAKE_CLERK, True, False),
    (Role.PRIVACY_OFFICER, True, False),
    (Role.ASSESSOR, True, False),
]


@pytest.mark.parametrize(("role", "same_department", "allowed"), DISPLAY_MATRIX)
def test_who_may_turn_display_on(role, same_department, allowed, consultation, other_department):
    user = user_in(role, consultation.department if same_department else other_department)
    if allowed:
        setting = moderation.display_settings_update(user, consultation, True, DisplayMode.POST)
        setting.refresh_from_db()
        assert setting.enabled and setting.mode == DisplayMode.POST
        assert setting.changed_by == user
        entry = AuditEntry.objects.get(action=AuditAction.DISPLAY)
        assert entry.actor == user and entry.consultation_id == consultation.pk
        assert entry.detail == {
            "before": {"enabled": False, "mode": "pre"},
            "after": {"enabled": True, "mode": "post"},
        }
    else:
        with pytest.raises(PermissionDenied):
            moderation.display_settings_update(user, consultation, True, DisplayMode.POST)
        assert not PublicDisplay.objects.exists()
        assert not AuditEntry.objects.exists()


def test_unknown_mode_is_refused(consultation):
    with pytest.raises(ValidationError):
        moderation.display_settings_update(user_in(Role.SITE_ADMIN), consultation, True, "anything")
    assert not PublicDisplay.objects.exists()


def test_turning_display_on_rewrites_the_consultation_row_for_the_page_cache(consultation):
    before = Consultation.objects.get(pk=consultation.pk).updated_at
    enable(consultation)
    assert Consultation.objects.get(pk=consultation.pk).updated_at > before


# --- Decisions -----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(consultation, reason):
    submission = opinion(consultation)
    with pytest.raises(ValidationError):
        moderation.moderate(editor(consultation.department), submission, "hidden", reason)
    assert not ModerationDecision.objects.exists()
    assert not AuditEntry.objects.exists()


def test_only_show_or_hide_can_be_decided(consultation):
    submission = opinion(consultation)
    with pytest.raises(ValidationError):
        moderation.moderate(editor(consultation.department), submission, "pending", "reset")
    assert not ModerationDecision.objects.exists()


def test_withdrawn_or_unquotable_opinions_are_not_moderated(consultation):
    withdrawn = submission_withdraw(submission=opinion(consultation))
    unquotable = opinion(consultation, consent=False)
    user = editor(consultation.department)
    for submission in (withdrawn, unquotable):
        with pytest.raises(ValidationError):
            moderation.moderate(user, submission, ModerationState.SHOWN, "无违法内容")
    assert not ModerationDecision.objects.exists()


def test_every_decision_is_kept_and_the_latest_sets_the_state(consultation):
    submission = opinion(consultation)
    first, second = editor(consultation.department), user_in(Role.SITE_ADMIN)
    moderation.moderate(first, submission, ModerationState.SHOWN, "无违法内容")
    moderation.moderate(second, submission, ModerationState.HIDDEN, "含他人个人信息")
    decisions = list(submission.moderation_decisions.all())
    assert [(d.state, d.moderator, d.reason) for d in decisions] == [
        (ModerationState.HIDDEN, second, "含他人个人信息"),
        (ModerationState.SHOWN, first, "无违法内容"),
    ]
    submission.refresh_from_db()
    assert submission.moderation_state == ModerationState.HIDDEN
    entries = AuditEntry.objects.filter(action=AuditAction.MODERATE).order_by("pk")
    assert [e.detail["to"] for e in entries] == ["shown", "hidden"]
    assert entries[1].detail["from"] == "shown" and entries[1].detail["reason"] == "含他人个人信息"
    assert audit.verify().ok


def test_hidden_opinions_are_still_counted(consultation):
    submissions = [
        opinion(consultation, "反对。", stance="oppose"),
        opinion(consultation, "支持。", stance="support"),
        opinion(consultation, "有条件支持。", stance="conditional"),
    ]
    submission_withdraw(submission=opinion(consultation, "撤回。", stance="oppose"))

    def stance_totals():
        return dict(
            Submission.objects.filter(consultation=consultation)
            .values_list("stance")
            .annotate(n=Count("pk"))
        )

    counts_before, stances_before = selectors.submission_counts(consultation), stance_totals()
    user = editor(consultation.department)
    for submission in submissions:
        moderation.moderate(user, submission, ModerationState.HIDDEN, "测试隐藏")
    assert Submission.objects.filter(moderation_state=ModerationState.HIDDEN).count() == 3
    assert selectors.submission_counts(consultation) == counts_before
    assert counts_before == {"received": 4, "withdrawn": 1, "exact_duplicates": 0}
    assert stance_totals() == stances_before == {"oppose": 2, "support": 1, "conditional": 1}


# --- What the public sees ------------------------------------------------------------------


def _states(consultation):
    """One opinion per state, plus opinions that may never be shown."""
    user = editor(consultation.department)
    pending = opinion(consultation, "待审意见")
    shown = opinion(consultation, "已显示意见")
    hidden = opinion(consultation, "已隐藏意见")
    moderation.moderate(user, shown, ModerationState.SHOWN, "无违法内容")
    moderation.moderate(user, hidden, ModerationState.HIDDEN, "违法信息")
    opinion(consultation, "不同意引用", consent=False)
    submission_withdraw(submission=opinion(consultation, "已撤回意见"))
    opinion(consultation, "", stance="support")  # a stance without text: nothing to show
    return pending, shown, hidden


def _public_comments(consultation):
    return sorted(o.comment for o in moderation.public_opinions(consultation))


def test_pre_moderation_shows_only_opinions_a_moderator_has_shown(consultation):
    _states(consultation)
    assert _public_comments(consultation) == []  # display still off
    enable(consultation, DisplayMode.PRE)
    assert _public_comments(consultation) == ["已显示意见"]


def test_post_moderation_shows_everything_not_hidden(consultation):
    _states(consultation)
    enable(consultation, DisplayMode.POST)
    assert _public_comments(consultation) == ["已显示意见", "待审意见"]


def test_turning_display_off_again_hides_everything(consultation):
    _states(consultation)
    enable(consultation, DisplayMode.POST)
    moderation.display_settings_update(
        editor(consultation.department), consultation, False, DisplayMode.POST
    )
    assert _public_comments(consultation) == []


def test_clause_comments_are_shown_masked(consultation):
    clause = ensure_clauses(consultation)[0]
    submission = opinion(
        consultation, "", clause_comments={clause.pk: f"第一条不合理，电话{PHONE}"}
    )
    assert ClauseComment.objects.filter(submission=submission).exists()
    enable(consultation, DisplayMode.POST)
    # Flagged for personal details: not shown before a moderator decides (issue 12).
    assert list(moderation.public_opinions(consultation)) == []
    moderation.moderate(
        editor(consultation.department), submission, ModerationState.SHOWN, "已核对"
    )
    with translation.override("en"):
        (shown,) = list(moderation.public_opinions(consultation))
    assert shown.comment == ""
    assert shown.clause_comments == [(clause.number, "第一条不合理，电话[phone number removed]")]


def test_pseudonyms_are_stable_keyed_and_unrelated_to_the_receipt(consultation):
    a, b = opinion(consultation), opinion(consultation)
    code = pseudonyms.pseudonym_code(a.pk)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}", code)
    assert pseudonyms.pseudonym_code(a.pk) == code
    assert pseudonyms.pseudonym_code(b.pk) != code
    assert code not in a.receipt
    with override_settings(SECRET_KEY="another-secret-key-for-this-test"):
        assert pseudonyms.pseudonym_code(a.pk) != code
    with translation.override("en"):
        assert pseudonyms.pseudonym(a.pk) == f"Resident {code}"


def test_public_page_shows_pseudonyms_and_masked_escaped_text(client, consultation, index_page):
    text = f"我反对。我的电话{PHONE}，邮箱zs@163.com。<script>alert(1)</script>"
    submission = opinion(consultation, text, contact_phone=CONTACT_PHONE)
    assert submission.has_contact
    enable(consultation, DisplayMode.POST)
    moderation.moderate(
        editor(consultation.department), submission, ModerationState.SHOWN, "已核对"
    )
    response = client.get(
        f"/consultations/{consultation.slug}/opinions/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert pseudonyms.pseudonym_code(submission.pk) in html
    assert "我反对。我的电话" in html
    assert PHONE not in html and "zs@163.com" not in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert CONTACT_PHONE not in html
    assert submission.receipt not in html and submission.formatted_receipt not in html
    assert 'name="robots" content="noindex"' in html


def test_public_page_hides_a_hidden_opinion_and_paginates(client, consultation, index_page):
    enable(consultation, DisplayMode.POST)
    hidden = opinion(consultation, "这条被隐藏")
    for n in range(21):
        opinion(consultation, f"公开意见{n:02d}")
    moderation.moderate(editor(consultation.department), hidden, "hidden", "违法信息")
    url = f"/consultations/{consultation.slug}/opinions/"
    first, second = client.get(url), client.get(url + "?page=2")
    assert first.status_code == second.status_code == 200
    both = first.content.decode() + second.content.decode()
    assert "这条被隐藏" not in both
    assert all(f"公开意见{n:02d}" in both for n in range(21))
    assert "公开意见20" in first.content.decode() and "公开意见00" in second.content.decode()


def test_link_include_renders_only_when_display_is_on(consultation):
    context = {"consultation": consultation, "detail_url": f"/consultations/{consultation.slug}/"}
    assert "opinions/" not in render_to_string(
        "feedback/review/_public_opinions_link.html", context
    )
    enable(consultation)
    consultation = Consultation.objects.get(pk=consultation.pk)
    context["consultation"] = consultation
    html = render_to_string("feedback/review/_public_opinions_link.html", context)
    assert f'href="/consultations/{consultation.slug}/opinions/"' in html


# --- Staff screens -------------------------------------------------------------------------


def test_queue_shows_pseudonymised_masked_opinions_pending_first(client, consultation):
    user = editor(consultation.department)
    older = opinion(consultation, "早先的意见，已显示")
    moderation.moderate(user, older, ModerationState.SHOWN, "无违法内容")
    pending = opinion(
        consultation, f"请联系我{PHONE}", contact_phone=CONTACT_PHONE, contact_email="me@x.org"
    )
    client.force_login(user)
    assert client.get("/admin/review/").status_code == 200
    response = client.get(f"/admin/review/{consultation.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(pseudonyms.pseudonym_code(pending.pk)) < html.index(
        pseudonyms.pseudonym_code(older.pk)
    )
    assert "请联系我" in html and PHONE not in html
    assert CONTACT_PHONE not in html and "me@x.org" not in html
    for submission in (older, pending):
        assert submission.receipt not in html and submission.formatted_receipt not in html
    shown_only = client.get(f"/admin/review/{consultation.pk}/?state=shown").content.decode()
    assert pseudonyms.pseudonym_code(older.pk) in shown_only
    assert pseudonyms.pseudonym_code(pending.pk) not in shown_only


def test_moderating_through_the_screen_with_plain_post(client, consultation):
    user = editor(consultation.department)
    submission = opinion(consultation)
    client.force_login(user)
    url = f"/admin/review/{consultation.pk}/opinions/{submission.pk}/moderate/"
    next_url = f"/admin/review/{consultation.pk}/?state=pending"
    missing_reason = client.post(url, {"state": "hidden", "reason": "", "next": next_url})
    assert missing_reason.status_code == 302
    submission.refresh_from_db()
    assert submission.moderation_state == ModerationState.PENDING
    response = client.post(url, {"state": "hidden", "reason": "违法信息", "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    submission.refresh_from_db()
    assert submission.moderation_state == ModerationState.HIDDEN
    assert AuditEntry.objects.filter(action=AuditAction.MODERATE).count() == 1
    offsite = client.post(url, {"state": "shown", "reason": "ok", "next": "https://evil.example/"})
    assert offsite["Location"] == f"/admin/review/{consultation.pk}/"
    assert client.get(url).status_code == 405


def test_display_setting_through_the_screen(client, consultation):
    user = editor(consultation.department)
    client.force_login(user)
    url = f"/admin/review/{consultation.pk}/display/"
    assert client.post(url, {"enabled": "on", "mode": "post"}).status_code == 302
    setting = PublicDisplay.objects.get(consultation=consultation)
    assert setting.enabled and setting.mode == DisplayMode.POST
    assert client.post(url, {"mode": "pre"}).status_code == 302
    setting.refresh_from_db()
    assert not setting.enabled and setting.mode == DisplayMode.PRE
    assert AuditEntry.objects.filter(action=AuditAction.DISPLAY).count() == 2


def refused(response) -> bool:
    """Wagtail turns PermissionDenied in the admin into a redirect to the dashboard."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


def test_screens_refuse_other_departments_and_other_roles(client, consultation, other_department):
    submission = opinion(consultation)
    queue = f"/admin/review/{consultation.pk}/"
    moderate_url = f"{queue}opinions/{submission.pk}/moderate/"
    for user in (
        editor(other_department),
        user_in(Role.ANALYST, other_department),
        user_in(Role.INTAKE_CLERK, consultation.department),
        user_in(Role.ASSESSOR),
    ):
        client.force_login(user)
        assert refused(client.get(queue))
        assert refused(client.post(moderate_url, {"state": "shown", "reason": "x"}))
        assert refused(client.post(f"{queue}display/", {"enabled": "on", "mode": "pre"}))
    client.force_login(user_in(Role.INTAKE_CLERK, consultation.department))
    assert refused(client.get("/admin/review/"))
    analyst = user_in(Role.ANALYST, consultation.department)
    client.force_login(analyst)
    assert client.get(queue).status_code == 200
    assert refused(client.post(f"{queue}display/", {"enabled": "on", "mode": "pre"}))
    assert not PublicDisplay.objects.exists()
    submission.refresh_from_db()
    assert submission.moderation_state == ModerationState.PENDING


def test_an_edited_opinion_goes_back_to_review_and_a_hidden_one_stays_hidden(consultation):
    from feedback.intake.services import submission_update

    enable(consultation, DisplayMode.PRE)
    moderator = editor(consultation.department)
    shown = opinion(consultation, "第一稿。")
    hidden = opinion(consultation, "广告。")
    moderation.moderate(moderator, shown, ModerationState.SHOWN, "符合规则")
    moderation.moderate(moderator, hidden, ModerationState.HIDDEN, "广告")

    for submission, text in ((shown, "改过的第二稿。"), (hidden, "改过的广告。")):
        submission_update(
            submission=submission,
            data=OpinionData(stance="oppose", comment=text, quote_consent=True),
        )
    shown.refresh_from_db()
    hidden.refresh_from_db()
    assert shown.moderation_state == ModerationState.PENDING
    assert hidden.moderation_state == ModerationState.HIDDEN
    assert [o.pseudonym for o in moderation.public_opinions(consultation)] == []
