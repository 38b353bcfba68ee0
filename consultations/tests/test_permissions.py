"""The permission matrix: role × department × lifecycle state × action.

Each case checks the ``permissions.py`` answer and the real admin over HTTP, so the functions,
the permission policy and the views cannot drift apart. Most cells are refusals: for every role
that may act there are at least two that may not (other department, other roles, no role).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from consultations.models import Consultation
from consultations.permissions import (
    can_edit_consultation,
    can_extend_consultation,
    can_manage_reference_data,
    can_publish_consultation,
    can_view_consultation_admin,
    consultations_visible_to,
)
from consultations.roles import Role
from consultations.tests.admin_support import (
    STATES,
    edit_form_data,
    edit_url,
    extend_url,
    list_url,
    make_consultation,
    make_user,
)
from consultations.tests.factories import DepartmentFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

ROLES = (Role.SITE_ADMIN, Role.EDITOR, Role.APPROVER, Role.ANALYST, None)
ROLE_IDS = ("site_admin", "editor", "approver", "analyst", "no_role")


def may_view(role, own: bool) -> bool:
    return role == Role.SITE_ADMIN or (role in (Role.EDITOR, Role.APPROVER) and own)


def may_publish(role, own: bool) -> bool:
    return role == Role.SITE_ADMIN or (role == Role.APPROVER and own)


def may_extend(role, own: bool, state: str) -> bool:
    return may_publish(role, own) and state == "open"


@pytest.fixture
def departments():
    return DepartmentFactory(), DepartmentFactory()


def _case(role, own, state, departments):
    home, other = departments
    user = make_user(role, home)
    consultation = make_consultation(
        state,
        home if own else other,
        title=f"征求意见-{state}-{'own' if own else 'other'}-标记",
    )
    return user, consultation


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("own", [True, False], ids=["own_dept", "other_dept"])
@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_permission_functions_follow_role_department_and_state(role, own, state, departments):
    user, consultation = _case(role, own, state, departments)

    assert consultation.status == state
    assert can_view_consultation_admin(user, consultation) is may_view(role, own)
    assert can_edit_consultation(user, consultation) is may_view(role, own)
    assert can_publish_consultation(user, consultation) is may_publish(role, own)
    assert can_extend_consultation(user, consultation) is may_extend(role, own, state)
    assert can_manage_reference_data(user) is (role == Role.SITE_ADMIN)
    assert (consultation in consultations_visible_to(user)) is may_view(role, own)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("own", [True, False], ids=["own_dept", "other_dept"])
@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_admin_listing_edit_and_extend_views_follow_the_matrix(role, own, state, departments):
    user, consultation = _case(role, own, state, departments)
    client = Client()
    client.force_login(user)

    listing = client.get(list_url())
    if role in (Role.ANALYST, None):
        # No consultation permissions at all: Wagtail sends them away from the listing.
        assert listing.status_code == 302
    else:
        assert listing.status_code == 200
        assert (consultation.title in listing.content.decode()) is may_view(role, own)

    edit = client.get(edit_url(consultation))
    assert edit.status_code == (200 if may_view(role, own) else 302)

    extend = client.get(extend_url(consultation))
    assert extend.status_code == (200 if may_extend(role, own, state) else 302)


@pytest.mark.parametrize("own", [True, False], ids=["own_dept", "other_dept"])
@pytest.mark.parametrize("role", ROLES, ids=ROLE_IDS)
def test_publish_through_the_editor_only_for_approvers_of_the_department(role, own, departments):
    user, consultation = _case(role, own, "draft", departments)
    admin = Client()
    admin.force_login(UserFactory.with_role(Role.SITE_ADMIN))
    data = edit_form_data(admin, consultation, **{"action-publish": "action-publish"})

    client = Client()
    client.force_login(user)
    response = client.post(edit_url(consultation), data)

    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.live is may_publish(role, own)
    if may_view(role, own) and not may_publish(role, own):
        # An editor's click on "publish" only saves a draft revision.
        assert consultation.latest_revision.user_id == user.pk


def test_anonymous_visitor_is_sent_to_login_and_has_no_permissions(departments):
    consultation = make_consultation("open", departments[0])
    anonymous = AnonymousUser()
    assert not can_view_consultation_admin(anonymous, consultation)
    assert not can_publish_consultation(anonymous, consultation)
    assert not can_extend_consultation(anonymous, consultation)
    assert not can_manage_reference_data(anonymous)

    client = Client()
    for url in (list_url(), edit_url(consultation), extend_url(consultation)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_superuser_without_groups_acts_as_site_administrator(departments):
    consultation = make_consultation("open", departments[1])
    superuser = UserFactory(is_staff=True, is_superuser=True)
    assert can_publish_consultation(superuser, consultation)
    assert can_extend_consultation(superuser, consultation)
    client = Client()
    client.force_login(superuser)
    assert client.get(edit_url(consultation)).status_code == 200


def test_editor_without_department_sees_no_consultation(departments):
    make_consultation("open", departments[0])
    editor = make_user(Role.EDITOR, None)
    assert not consultations_visible_to(editor).exists()
    client = Client()
    client.force_login(editor)
    response = client.get(list_url())
    assert response.status_code == 302


def test_inactive_approver_loses_every_permission(departments):
    consultation = make_consultation("open", departments[0])
    approver = make_user(Role.APPROVER, departments[0])
    approver.is_active = False
    approver.save()
    assert not can_publish_consultation(approver, consultation)
    assert not can_extend_consultation(approver, consultation)
    assert Consultation.objects.count() == 1


def test_listing_search_and_filter_stay_inside_the_department(departments):
    home, other = departments
    mine = make_consultation("open", home, title="垃圾焚烧厂选址 本部门")
    theirs = make_consultation("open", other, title="垃圾焚烧厂选址 外部门")
    client = Client()
    client.force_login(make_user(Role.EDITOR, home))

    searched = client.get(list_url(), {"q": "垃圾焚烧厂选址"}).content.decode()
    filtered = client.get(list_url(), {"department": other.pk}).content.decode()

    assert mine.title in searched
    assert theirs.title not in searched
    assert theirs.title not in filtered


def _codenames(role) -> set[str]:
    from django.contrib.auth.models import Group

    return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))


def test_post_migrate_gives_each_role_the_permissions_of_its_work():
    from wagtail.models import GroupCollectionPermission

    editor, approver, analyst = (_codenames(r) for r in (Role.EDITOR, Role.APPROVER, Role.ANALYST))
    assert {"access_admin", "add_consultation", "change_consultation"} <= editor
    assert "publish_consultation" not in editor
    assert {"access_admin", "change_consultation", "publish_consultation"} <= approver
    assert "add_consultation" not in approver
    assert analyst == {"access_admin"}
    assert "change_department" in _codenames(Role.SITE_ADMIN)
    assert "change_department" not in editor | approver
    # Documents: editors and approvers hold no permission on the root collection (that would be
    # every department's documents); their department's group does, on its own collection
    # (consultations/documents.py, tested in test_private_documents.py).
    assert not GroupCollectionPermission.objects.filter(
        group__name__in=[Role.EDITOR, Role.APPROVER], permission__codename="choose_document"
    ).exists()
    assert GroupCollectionPermission.objects.filter(
        group__name=Role.SITE_ADMIN, permission__codename="choose_document", collection__depth=1
    ).exists()
