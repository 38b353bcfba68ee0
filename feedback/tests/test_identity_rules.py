"""Identity look-ups: who may not take part, and what cannot be asked (issue 12, point 6).

Adversaries played: staff of every other role (403 on every screen and action, no menu item), a
request for a withdrawn opinion, for an opinion with no contact and for one that does not exist,
contact details written into the reason, an approval after the contact is gone.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext

import feedback.privacy.hooks  # noqa: F401  (registered by feedback/wagtail_hooks.py too)
from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.intake.services import submission_withdraw
from feedback.models import AuditEntry, ContactAccessLog, IdentityRequest
from feedback.privacy import services
from feedback.privacy.contacts import REPLY_SENDER, contact_read
from feedback.tests._identity import (
    BASIS,
    EMAIL,
    PHONE,
    REASON,
    REFERENCE,
    ask,
    opinion_with_contact,
)

pytestmark = pytest.mark.django_db
Status = IdentityRequest.Status


# --- staff of other roles -----------------------------------------------------------------


def _every_screen(item_pk: int) -> list[tuple[str, str]]:
    gets = ["index", "identity_list", "identity_new", "audit", "access_log", "register_list"]
    get_urls = [("get", reverse(f"feedback_privacy:{n}")) for n in gets]
    get_urls += [
        ("get", reverse("feedback_privacy:identity_detail", args=[item_pk])),
        ("get", reverse("feedback_privacy:register_new")),
    ]
    post_urls = [
        ("post", reverse(f"feedback_privacy:{n}", args=[item_pk]))
        for n in ("identity_decide", "identity_cancel", "identity_reveal")
    ]
    return [*get_urls, ("post", reverse("feedback_privacy:identity_new")), *post_urls]


@pytest.mark.parametrize(
    "role",
    [Role.EDITOR, Role.APPROVER, Role.ANALYST, Role.INTAKE_CLERK, Role.ASSESSOR],
)
def test_staff_of_other_roles_get_403_on_every_screen_and_action(
    client, opinion, officer, second_officer, role
):
    item = ask(officer, opinion)
    services.identity_request_approve(user=second_officer, request=item)
    user = UserFactory.with_role(role, department=opinion.consultation.department)
    client.force_login(user)
    for method, url in _every_screen(item.pk):
        data = {"decision": "refuse", "note": "x"} if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (role, url)
        assert EMAIL not in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.APPROVED
    assert ContactAccessLog.objects.count() == 0
    home = client.get("/admin/").content.decode()
    assert reverse("feedback_privacy:index") not in home


def test_the_menu_item_is_there_for_privacy_officers_and_site_administrators(
    client, officer, site_admin
):
    for user in (officer, site_admin):
        client.force_login(user)
        assert reverse("feedback_privacy:index") in client.get("/admin/").content.decode()
        assert client.get(reverse("feedback_privacy:index")).status_code == 200


# --- what cannot be asked -------------------------------------------------------------------


def _post_new(client, submission_id, **overrides):
    data = {
        "submission_id": submission_id,
        "legal_basis": BASIS,
        "legal_reference": REFERENCE,
        "reason": REASON,
        **overrides,
    }
    return client.post(reverse("feedback_privacy:identity_new"), data)


WITHDRAWN = (
    "This opinion was withdrawn by its author and its contact details were deleted then. "
    "There is nothing to look up."
)
NO_CONTACT = (
    "This opinion has no contact details: none were given, or they have been deleted. "
    "There is nothing to look up."
)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("withdrawn", WITHDRAWN),
        ("no_contact", NO_CONTACT),
        ("unknown", "No opinion has this number."),
    ],
)
def test_nothing_to_look_up_is_refused_with_a_clear_error(
    client, open_consultation, officer, case, message
):
    if case == "withdrawn":
        submission = opinion_with_contact(open_consultation)
        submission_withdraw(submission=submission)
        number = submission.pk
    elif case == "no_contact":
        number = opinion_with_contact(open_consultation, contact=False).pk
    else:
        number = 999_999
    client.force_login(officer)
    response = _post_new(client, number)
    assert response.status_code == 400
    assert response.context["form"].errors["submission_id"] == [gettext(message)]
    assert gettext(message) in response.content.decode()
    assert not IdentityRequest.objects.exists() and not AuditEntry.objects.exists()


def test_contact_details_are_refused_in_the_reason(client, opinion, officer):
    client.force_login(officer)
    response = _post_new(client, opinion.pk, reason="请核实 13912345678 是否为作者")
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == [
        gettext("Do not write phone numbers, e-mail addresses or other contact details here.")
    ]
    assert not IdentityRequest.objects.exists()


def test_the_approver_cannot_approve_once_the_contact_is_gone(opinion, officer, second_officer):
    item = ask(officer, opinion)
    submission_withdraw(submission=opinion)
    with pytest.raises(ValidationError):
        services.identity_request_approve(user=second_officer, request=item)
    item.refresh_from_db()
    assert item.status == Status.PENDING


def test_the_reply_sender_path_is_unchanged(opinion):
    assert contact_read(submission=opinion, actor=REPLY_SENDER, purpose="send reply") == {
        "email": EMAIL,
        "phone": PHONE,
    }


def test_every_screen_renders_for_the_privacy_officer_and_the_site_administrator(
    client, opinion, officer, second_officer, site_admin
):
    item = ask(officer, opinion)
    approved = ask(second_officer, opinion)
    services.identity_request_approve(user=officer, request=approved)
    for user in (officer, second_officer, site_admin):
        client.force_login(user)
        for method, url in _every_screen(item.pk):
            if method != "get" or (user == site_admin and url.endswith("/new/")):
                continue
            response = client.get(url, {"status": "pending"} if url.endswith("identity/") else {})
            assert response.status_code == 200, (user, url)
            html = response.content.decode()
            assert EMAIL not in html and PHONE not in html and opinion.comment not in html
    client.force_login(second_officer)
    page = client.get(reverse("feedback_privacy:identity_detail", args=[approved.pk]))
    assert gettext("Show the contact once") in page.content.decode()
    client.force_login(officer)
    page = client.get(reverse("feedback_privacy:identity_detail", args=[item.pk])).content.decode()
    assert gettext("Show the contact once") not in page and 'name="decision"' not in page
