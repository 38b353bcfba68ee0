"""Roles and the approval workflow, ensured after every migrate.

A post_migrate handler rather than a data migration: it runs on every database, including the
test databases, it is idempotent, and it adds permissions that later migrations or apps create
(Wagtail adds ``publish``/``lock`` permissions for snippets in its own post_migrate handler).
It only ever adds what is missing; it never removes permissions an administrator granted.
"""

from __future__ import annotations

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from consultations.roles import Role

WORKFLOW_NAME = "部门审批 / Department approval"
TASK_NAME = "部门审批 / Department approval"

ACCESS_ADMIN = ("wagtailadmin", "admin", "access_admin")

# Model permissions per role, as (app_label, model, codename).
_CONSULTATION = ("consultations", "consultation")
_REFERENCE_MODELS = ("department", "district", "holidayoverride", "staffprofile")

ROLE_PERMISSIONS: dict[str, list[tuple[str, str, str]]] = {
    Role.EDITOR: [
        ACCESS_ADMIN,
        (*_CONSULTATION, "add_consultation"),
        (*_CONSULTATION, "change_consultation"),
        (*_CONSULTATION, "view_consultation"),
        ("wagtaildocs", "document", "add_document"),
    ],
    Role.APPROVER: [
        ACCESS_ADMIN,
        (*_CONSULTATION, "change_consultation"),
        (*_CONSULTATION, "view_consultation"),
        (*_CONSULTATION, "publish_consultation"),
        (*_CONSULTATION, "lock_consultation"),
        ("wagtaildocs", "document", "add_document"),
    ],
    Role.SITE_ADMIN: [
        ACCESS_ADMIN,
        *[
            (*_CONSULTATION, f"{verb}_consultation")
            for verb in ("add", "change", "delete", "view", "publish", "lock", "unlock")
        ],
        *[
            ("consultations", model, f"{verb}_{model}")
            for model in _REFERENCE_MODELS
            for verb in ("add", "change", "delete", "view")
        ],
        ("wagtaildocs", "document", "add_document"),
        ("wagtaildocs", "document", "change_document"),
        ("wagtaildocs", "document", "delete_document"),
    ],
    Role.ANALYST: [ACCESS_ADMIN],
    Role.INTAKE_CLERK: [ACCESS_ADMIN],
    Role.PRIVACY_OFFICER: [ACCESS_ADMIN],
    Role.ASSESSOR: [ACCESS_ADMIN],
}

# Collection-scoped document permissions on the root collection (Wagtail checks these, not the
# plain model permissions, when uploading and choosing documents). Site administrators only:
# editors and approvers get theirs on their department's collection (consultations/documents.py).
COLLECTION_DOCUMENT_PERMISSIONS: dict[str, list[str]] = {
    Role.SITE_ADMIN: ["add_document", "change_document", "delete_document", "choose_document"],
}


def _permission(app_label: str, model: str, codename: str) -> Permission | None:
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist:
        return None
    permission, _created = Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": codename.replace("_", " ").capitalize()},
    )
    return permission


def ensure_roles() -> None:
    for role, specs in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=str(role))
        permissions = [p for p in (_permission(*spec) for spec in specs) if p is not None]
        group.permissions.add(*permissions)
    _ensure_collection_permissions()
    from consultations.documents import department_documents_ensure_all

    department_documents_ensure_all()


def _ensure_collection_permissions() -> None:
    from wagtail.models import Collection, GroupCollectionPermission

    root = Collection.get_first_root_node()
    if root is None:
        return
    for role, codenames in COLLECTION_DOCUMENT_PERMISSIONS.items():
        group = Group.objects.get(name=str(role))
        for codename in codenames:
            permission = _permission("wagtaildocs", "document", codename)
            if permission is not None:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root, permission=permission
                )


def ensure_workflow() -> None:
    """One active workflow with one department approval task, assigned to consultations."""
    from wagtail.models import Workflow, WorkflowContentType, WorkflowTask

    from consultations.models import Consultation, DepartmentApprovalTask

    content_type = ContentType.objects.get_for_model(Consultation)
    assigned = WorkflowContentType.objects.filter(content_type=content_type).first()
    if assigned is not None:
        return
    workflow, _created = Workflow.objects.get_or_create(
        name=WORKFLOW_NAME, defaults={"active": True}
    )
    task = DepartmentApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = DepartmentApprovalTask.objects.create(name=TASK_NAME, active=True)
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(
            workflow=workflow, task=task, sort_order=workflow.workflow_tasks.count()
        )
    WorkflowContentType.objects.create(workflow=workflow, content_type=content_type)


def _is_last_migrated_app(sender) -> bool:
    labels = [c.label for c in django_apps.get_app_configs() if c.models_module is not None]
    return bool(labels) and getattr(sender, "label", None) == labels[-1]


def ensure_roles_and_workflow(sender, using="default", **kwargs) -> None:
    """post_migrate receiver.

    post_migrate fires once per app, in INSTALLED_APPS order, and our app comes before
    ``auth``, ``wagtaildocs`` and ``wagtailsnippets`` whose handlers create the content types and
    permissions we grant. So we act on the signal for the last app, when all of them have run.
    """
    if not _is_last_migrated_app(sender):
        return
    with transaction.atomic(using=using):
        ensure_roles()
        ensure_workflow()
