"""Documents (Wagtail documents attached to consultations): who may download them, where they
are kept, and what they are called on disk.

- **Serving.** Every download goes through Wagtail's serve view (``WAGTAILDOCS_SERVE_METHOD =
  "serve_view"``, streamed by the application; nothing under ``/media/documents/`` is ever
  routed). ``document_serve_check`` (a ``before_serve_document`` hook) answers 404, never 403,
  unless the document is public (attached to a published consultation, or used by a live page)
  or the user may see it (``permissions.can_view_document``). ``serve_document`` wraps Wagtail's
  view to give the download its title as a friendly name.
- **Collections.** Each department has its own collection and a group with the choose, add and
  change permissions on it; editors and approvers of the department are members of that group
  (kept in step with their roles and department by the receivers below). Wagtail's choosers,
  listings, usage pages and admin API then show each department only its own documents; site
  administrators hold the permissions on the root collection and see all.
- **Stored names.** A new file is stored under a random name with its extension
  (``documents/3f9c….pdf``); the title gives the download its name (Content-Disposition).
"""

from __future__ import annotations

import os
import posixpath
import re
import secrets
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import Http404
from django.utils.cache import patch_cache_control

from consultations.models import Attachment, Department, StaffProfile
from consultations.roles import Role

# Roles whose members work with their department's documents.
DOCUMENT_ROLES = (Role.EDITOR, Role.APPROVER)
DEPARTMENT_DOCUMENT_PERMISSIONS = ("add_document", "change_document", "choose_document")
GROUP_NAME_PREFIX = "documents:"
STORED_NAME_BYTES = 16
_EXTENSION = re.compile(r"^\.[A-Za-z0-9]{1,10}$")
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\"<>:|?*]+')


# --- Stored names --------------------------------------------------------------------------


def random_stored_name(name: str) -> str:
    """A random file name that keeps only the (lower-cased) extension of ``name``."""
    extension = os.path.splitext(os.path.basename(name or ""))[1]
    extension = extension.lower() if _EXTENSION.match(extension) else ""
    return secrets.token_hex(STORED_NAME_BYTES) + extension


def is_random_stored_name(name: str) -> bool:
    stem = os.path.splitext(os.path.basename(name or ""))[0]
    return bool(re.fullmatch(rf"[0-9a-f]{{{STORED_NAME_BYTES * 2}}}(_[A-Za-z0-9]{{7}})?", stem))


def document_file_rename(sender, instance, **kwargs) -> None:
    """pre_save of the document model: a file not yet written to storage gets a random name.

    Django sends ``pre_save`` before it asks each field for its value (``Model.save_base`` →
    ``pre_save`` signal → ``_save_table`` → ``FileField.pre_save``, which writes an uncommitted
    file under ``file.name``), so the name set here is the one stored. Files already in storage
    (committed) are left as they are.
    """
    file = getattr(instance, "file", None)
    if not file or getattr(file, "_committed", True):
        return
    file.name = random_stored_name(file.name)


def download_name(document) -> str:
    """The name a download is saved under: the document's title and its file's extension."""
    title = _UNSAFE_IN_NAME.sub(" ", document.title or "").strip().strip(".")
    title = re.sub(r"\s+", " ", title)[:150] or "document"
    extension = document.file_extension
    if extension and not title.lower().endswith(f".{extension.lower()}"):
        return f"{title}.{extension}"
    return title


def _content_disposition(disposition: str, filename: str) -> str:
    ascii_name = filename.encode("ascii", "ignore").decode().strip() or "document"
    ascii_name = ascii_name.replace('"', "")
    if ascii_name == filename:
        return f'{disposition}; filename="{ascii_name}"'
    stem, extension = os.path.splitext(filename)
    ascii_stem = os.path.splitext(ascii_name)[0].strip()
    if (
        not ascii_stem
        or not ascii_name.lower().endswith(extension.lower())
        or len(ascii_stem) < len(stem) / 2
    ):
        # Mostly non-ASCII (a Chinese title): a plain fallback; browsers use filename*.
        ascii_name = f"document{extension}"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


# --- Serving -------------------------------------------------------------------------------


def document_is_public(document) -> bool:
    """Attached to a published consultation (or to its decision or a disclosed step of its
    decision chain), or used by a live page of the public site."""
    if Attachment.objects.filter(document_id=document.pk, consultation__live=True).exists():
        return True
    # The decision's document and those of disclosed steps of the decision chain (R22).
    from consultations.models import Decision, DecisionStep

    if Decision.objects.filter(document_id=document.pk, consultation__live=True).exists():
        return True
    if (
        DecisionStep.objects.filter(document_id=document.pk, consultation__live=True)
        .exclude(status__in=["withheld", "not_started"])
        .exists()
    ):
        return True
    from wagtail.models import Page, ReferenceIndex

    page_type = ReferenceIndex._get_base_content_type(Page)
    page_ids = (
        ReferenceIndex.get_references_to(document)
        .filter(base_content_type=page_type)
        .values_list("object_id", flat=True)
    )
    ids = [int(pk) for pk in page_ids if str(pk).isdigit()]
    return bool(ids) and Page.objects.live().filter(pk__in=ids).exists()


def document_serve_check(document, request):
    """``before_serve_document`` hook: 404 unless the document is public or the user may see it.

    404 rather than 403, so that nobody learns that an internal document exists.
    """
    from consultations.permissions import can_view_document

    public = document_is_public(document)
    request._tingjian_document_public = public
    if public or can_view_document(request.user, document):
        return None
    raise Http404


def serve_document(request, document_id, document_filename):
    """Wagtail's serve view (hooks, ETag, CSP, nosniff), then the title as the download name."""
    from wagtail.documents import get_document_model
    from wagtail.documents.views.serve import serve

    response = serve(request, document_id, document_filename)
    if response.status_code == 200 and response.has_header("Content-Disposition"):
        document = get_document_model().objects.get(pk=document_id)
        disposition = response["Content-Disposition"].split(";", 1)[0].strip() or "attachment"
        response["Content-Disposition"] = _content_disposition(disposition, download_name(document))
    if not getattr(request, "_tingjian_document_public", False):
        # Internal documents: never kept by a shared cache.
        patch_cache_control(response, private=True, no_store=True)
    return response


# Folders of MEDIA_ROOT that the development server may serve (images and staff avatars);
# documents never: they go through ``serve_document``.
DEBUG_MEDIA_FOLDERS = ("images", "original_images", "avatar_images")


def serve_media_in_debug(request, path):
    """Development only (DEBUG): Django's static file view for the image folders of MEDIA_ROOT.

    The path is normalised first, so ``images/../documents/x.pdf`` is refused as well.
    """
    from django.views.static import serve

    normalised = posixpath.normpath(path).lstrip("/")
    folder = normalised.split("/", 1)[0]
    if folder not in DEBUG_MEDIA_FOLDERS or "/" not in normalised:
        raise Http404
    return serve(request, normalised, document_root=settings.MEDIA_ROOT)


# --- Department collections and groups ------------------------------------------------------


def _document_permissions() -> list[Permission]:
    try:
        content_type = ContentType.objects.get_by_natural_key("wagtaildocs", "document")
    except ContentType.DoesNotExist:
        return []
    return list(
        Permission.objects.filter(
            content_type=content_type, codename__in=DEPARTMENT_DOCUMENT_PERMISSIONS
        )
    )


def department_group_name(department: Department) -> str:
    return f"{GROUP_NAME_PREFIX}{department.slug}"


def department_documents_ensure(department: Department) -> None:
    """The department's collection (under the root, named after it) and its document group."""
    from wagtail.models import Collection, GroupCollectionPermission

    root = Collection.get_first_root_node()
    if root is None or department.pk is None:
        return
    changes = {}
    collection = department.document_collection
    if collection is None:
        collection = root.add_child(instance=Collection(name=department.name))
        changes["document_collection"] = collection
    elif collection.name != department.name:
        collection.name = department.name
        collection.save(update_fields=["name"])
    group = department.document_group
    name = department_group_name(department)
    if group is None:
        group, _created = Group.objects.get_or_create(name=name)
        changes["document_group"] = group
    elif group.name != name:
        group.name = name
        group.save(update_fields=["name"])
    for permission in _document_permissions():
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=permission
        )
    if changes:
        Department.objects.filter(pk=department.pk).update(**changes)
        for field, value in changes.items():
            setattr(department, field, value)


def staff_documents_sync(user) -> None:
    """Make ``user`` a member of exactly their department's document group, if their role
    works with documents (editor, approver), and of no other department's."""
    if user is None or user.pk is None:
        return
    wanted = None
    has_role = user.groups.filter(name__in=[str(r) for r in DOCUMENT_ROLES]).exists()
    if has_role:
        profile = StaffProfile.objects.filter(user_id=user.pk).select_related("department")
        profile = profile.first()
        department = profile.department if profile else None
        if department is not None:
            if department.document_group_id is None:
                department_documents_ensure(department)
            wanted = department.document_group_id
    current = set(
        user.groups.filter(document_department__isnull=False).values_list("pk", flat=True)
    )
    stale = current - {wanted}
    if stale:
        user.groups.remove(*stale)
    if wanted is not None and wanted not in current:
        user.groups.add(wanted)
    if hasattr(user, "_tingjian_roles"):
        del user._tingjian_roles


def _move_attached_documents_from_root() -> None:
    """Documents in the root collection that only one department's consultations use move to
    that department's collection (documents uploaded before the collections existed)."""
    from wagtail.documents import get_document_model
    from wagtail.models import Collection

    root = Collection.get_first_root_node()
    if root is None:
        return
    departments_of: dict[int, set[int]] = {}
    rows = Attachment.objects.filter(document__collection=root).values_list(
        "document_id", "consultation__department__document_collection"
    )
    for document_id, collection_id in rows:
        departments_of.setdefault(document_id, set()).add(collection_id)
    for document_id, collections in departments_of.items():
        if len(collections) == 1 and None not in collections:
            document = get_document_model().objects.get(pk=document_id)
            document.collection_id = collections.pop()
            document.save(update_fields=["collection"])


def department_documents_ensure_all() -> None:
    """After every migrate: collections and groups of every department, every staff member's
    group, and documents of consultations moved out of the root collection. Idempotent."""
    for department in Department.objects.all():
        department_documents_ensure(department)
    for user in get_user_model().objects.filter(staff_profile__isnull=False):
        staff_documents_sync(user)
    _move_attached_documents_from_root()


# --- Receivers -----------------------------------------------------------------------------


def _department_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        department_documents_ensure(instance)


def _profile_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    user = get_user_model().objects.filter(pk=instance.user_id).first()
    if user is not None:
        staff_documents_sync(user)


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action == "pre_clear" and reverse:
        instance._tingjian_cleared_users = list(instance.user_set.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    user_model = get_user_model()
    if reverse:
        # group.user_set changed: ``instance`` is the group, ``pk_set`` the users. Members of a
        # document group are computed, so a hand-made membership is undone here too.
        ids = pk_set or getattr(instance, "_tingjian_cleared_users", [])
        for user in user_model.objects.filter(pk__in=ids):
            staff_documents_sync(user)
        return
    # user.groups changed: skip the additions this module makes itself.
    if pk_set and action == "post_add":
        if not Group.objects.filter(pk__in=pk_set, document_department__isnull=True).exists():
            return
    staff_documents_sync(instance)


def connect_signals() -> None:
    from wagtail.documents import get_document_model

    pre_save.connect(
        document_file_rename, sender=get_document_model(), dispatch_uid="tingjian_document_rename"
    )
    post_save.connect(_department_saved, sender=Department, dispatch_uid="tingjian_dept_docs")
    post_save.connect(_profile_changed, sender=StaffProfile, dispatch_uid="tingjian_profile_docs")
    post_delete.connect(
        _profile_changed, sender=StaffProfile, dispatch_uid="tingjian_profile_docs_deleted"
    )
    m2m_changed.connect(
        _groups_changed,
        sender=get_user_model().groups.through,
        dispatch_uid="tingjian_groups_docs",
    )
