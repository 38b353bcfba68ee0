"""Who may do what with consultations in the admin.

Department scoping lives here and nowhere else: editors and approvers act only on their own
department's consultations; site administrators act on all; every other role sees none in the
consultation editor. Wagtail's generic views ask the permission policy below, our own views and
the workflow task ask the ``can_*`` functions, and both read the same rules so that the listing,
the editor, the workflow and the extend view can never disagree.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.permission_policies import ModelPermissionPolicy

from consultations.models.consultation import Consultation
from consultations.roles import Role, is_site_admin, user_department_id, user_has_role

# Roles that work inside the consultation editor, scoped to their department.
DEPARTMENT_EDITOR_ROLES = (Role.EDITOR, Role.APPROVER)


def _is_active_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _in_same_department(user, consultation: Consultation) -> bool:
    department_id = user_department_id(user)
    return department_id is not None and department_id == consultation.department_id


def _department_member_with_role(user, consultation: Consultation, roles) -> bool:
    return _in_same_department(user, consultation) and any(
        user_has_role(user, role) for role in roles
    )


def can_view_consultation_admin(user, consultation: Consultation) -> bool:
    """Whether ``user`` may see ``consultation`` in the admin listing and its editor."""
    if not _is_active_staff(user):
        return False
    if is_site_admin(user):
        return True
    return _department_member_with_role(user, consultation, DEPARTMENT_EDITOR_ROLES)


def can_edit_consultation(user, consultation: Consultation) -> bool:
    """Whether ``user`` may save drafts of ``consultation`` (publishing is separate)."""
    return can_view_consultation_admin(user, consultation)


def can_publish_consultation(user, consultation: Consultation) -> bool:
    """Approvers of the consultation's department and site administrators publish.

    Editors never publish: their route to the public is the department approval workflow.
    """
    if not _is_active_staff(user):
        return False
    if is_site_admin(user):
        return True
    return _department_member_with_role(user, consultation, (Role.APPROVER,))


def can_extend_consultation(user, consultation: Consultation) -> bool:
    """Extending skips the approval workflow, so it takes publishing authority.

    Only an open consultation can be extended: before opening the dates are edited through the
    normal reviewed edit, and a closed one is not reopened by an extension.
    """
    if not can_publish_consultation(user, consultation):
        return False
    return consultation.status == Consultation.Status.OPEN


def can_request_withdrawal(user, consultation: Consultation) -> bool:
    """Asking to withdraw or cancel a published consultation: publishing authority (issue 13)."""
    return bool(consultation.live) and can_publish_consultation(user, consultation)


def can_decide_withdrawal(user, request) -> bool:
    """The second person: publishing authority over the consultation, never the requester."""
    if getattr(user, "pk", None) is None or user.pk == request.requested_by_id:
        return False
    return can_publish_consultation(user, request.consultation)


def may_see_withdrawals(user) -> bool:
    """The withdrawal requests screen: approvers (their department's) and site administrators."""
    return _is_active_staff(user) and (is_site_admin(user) or user_has_role(user, Role.APPROVER))


def can_manage_reference_data(user) -> bool:
    """Departments, districts and holiday overrides shape every consultation: site admins only."""
    return _is_active_staff(user) and is_site_admin(user)


def consultations_visible_to(user):
    """The consultations ``user`` may see in the admin (the listing's queryset)."""
    qs = Consultation.objects.all()
    if not _is_active_staff(user):
        return qs.none()
    if is_site_admin(user):
        return qs
    if not any(user_has_role(user, role) for role in DEPARTMENT_EDITOR_ROLES):
        return qs.none()
    department_id = user_department_id(user)
    if department_id is None:
        return qs.none()
    return qs.filter(department_id=department_id)


def consultation_ids_nameable_by(user, ids) -> set[int]:
    """Of ``ids``, the consultations whose title ``user`` may read on a list that is not about
    consultations (the audit viewer): published ones, and those visible to them in the admin."""
    ids = {i for i in ids if i}
    if not ids:
        return set()
    visible = consultations_visible_to(user).values("pk")
    return set(
        Consultation.objects.filter(pk__in=ids)
        .filter(Q(live=True) | Q(pk__in=visible))
        .values_list("pk", flat=True)
    )


def can_view_document(user, document) -> bool:
    """Staff who may download a document that is not public (consultations/documents.py).

    Site administrators; staff who may see a consultation the document is attached to; staff
    with a document permission on the document's collection (their department's group).
    """
    if not _is_active_staff(user):
        return False
    if is_site_admin(user):
        return True
    from consultations.models.content import Attachment

    attached = Attachment.objects.filter(
        document_id=document.pk, consultation__in=consultations_visible_to(user)
    )
    if attached.exists():
        return True
    from wagtail.documents import get_document_model
    from wagtail.permissions import policy_registry

    policy = policy_registry.get_by_type(get_document_model())
    return policy.user_has_any_permission_for_instance(user, ["change", "choose"], document)


class ConsultationPermissionPolicy(ModelPermissionPolicy):
    """Django model permissions, narrowed to the user's department for each instance.

    The model-level answer (``user_has_permission``) still comes from the groups' permissions
    (created by ``signals.ensure_roles_and_workflow``), so a role without ``change_consultation``
    never reaches the editor. Per instance, the department must match unless the user is a site
    administrator.
    """

    def user_has_permission(self, user, action):
        if not _is_active_staff(user):
            return False
        if not super().user_has_permission(user, action):
            return False
        return is_site_admin(user) or user_department_id(user) is not None

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if action == "publish":
            return can_publish_consultation(user, instance)
        if action == "delete" and instance.first_published_at is not None:
            return False  # once published, only a two-person withdrawal takes it away (issue 13)
        return can_view_consultation_admin(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Consultation.objects.none()
        return consultations_visible_to(user)

    def users_with_any_permission_for_instance(self, actions, instance):
        users = self.users_with_any_permission(actions)
        return users.filter(
            Q(is_superuser=True)
            | Q(groups__name=Role.SITE_ADMIN)
            | Q(staff_profile__department_id=instance.department_id)
        ).distinct()


def department_approvers(consultation: Consultation):
    """Users who can approve ``consultation`` in the workflow (for notifications and tests)."""
    user_model = get_user_model()
    return (
        user_model.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__name=Role.SITE_ADMIN)
            | Q(groups__name=Role.APPROVER, staff_profile__department_id=consultation.department_id)
        )
        .distinct()
    )
