"""Issue 13: documents of an unpublished consultation stay private.

Who may download a document, the 404 that hides its existence, the friendly download name over
a random stored name, the department collections that scope Wagtail's choosers, and no route
to the files under /media/documents/.
"""

from __future__ import annotations

import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.documents import get_document_model
from wagtail.models import Collection

from consultations.documents import (
    department_documents_ensure_all,
    download_name,
    is_random_stored_name,
    random_stored_name,
)
from consultations.models import Attachment, Consultation
from consultations.roles import Role
from consultations.tests.factories import (
    ConsultationFactory,
    DepartmentFactory,
    UserFactory,
    add_role,
    published_consultation,
)

pytestmark = pytest.mark.django_db
Document = get_document_model()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def _document(title, name="内部评估报告.pdf", collection=None, content=b"%PDF-1.4 internal"):
    document = Document(title=title)
    if collection is not None:
        document.collection = collection
    document.file = ContentFile(content, name=name)
    document.save()
    return document


def _attach(consultation, document):
    return Attachment.objects.create(consultation=consultation, document=document, title="附件")


@pytest.fixture
def departments():
    return DepartmentFactory(name="甲局", slug="jia"), DepartmentFactory(name="乙局", slug="yi")


# --- Serving ---------------------------------------------------------------------------------


def test_document_of_an_unpublished_consultation_is_404_for_the_public_and_other_departments(
    client, departments
):
    a, b = departments
    consultation = ConsultationFactory(department=b, live=False)
    document = _document("乙局内部稿", collection=b.document_collection)
    _attach(consultation, document)

    response = client.get(document.url)
    assert response.status_code == 404  # not 403: nobody learns that it exists
    assert b"%PDF" not in response.content

    for role in (Role.EDITOR, Role.APPROVER, Role.ANALYST, Role.ASSESSOR):
        client.force_login(UserFactory.with_role(role, department=a))
        assert client.get(document.url).status_code == 404, role


def test_staff_who_may_see_the_consultation_download_it_privately(client, departments):
    _a, b = departments
    consultation = ConsultationFactory(department=b, live=False)
    document = _document("乙局内部稿", collection=b.document_collection)
    _attach(consultation, document)

    for user in (
        UserFactory.with_role(Role.EDITOR, department=b),
        UserFactory.with_role(Role.APPROVER, department=b),
        UserFactory.with_role(Role.SITE_ADMIN),
    ):
        client.force_login(user)
        response = client.get(document.url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 internal"
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_an_unpublished_consultations_document_is_private_even_in_the_root_collection(
    client, departments
):
    """Permission follows the consultation as well as the collection: a document a site
    administrator left in the root collection is still closed to other departments."""
    a, b = departments
    consultation = ConsultationFactory(department=b, live=False)
    document = _document("根目录里的内部稿")
    _attach(consultation, document)
    client.force_login(UserFactory.with_role(Role.EDITOR, department=a))
    assert client.get(document.url).status_code == 404
    client.force_login(UserFactory.with_role(Role.EDITOR, department=b))
    assert client.get(document.url).status_code == 200


def test_published_consultations_documents_stay_public(client, departments):
    _a, b = departments
    consultation = published_consultation(department=b)
    document = _document("征求意见稿全文", collection=b.document_collection)
    _attach(consultation, document)
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 internal"
    assert "no-store" not in response.get("Cache-Control", "")


def test_unpublishing_closes_the_documents_again(client, departments):
    _a, b = departments
    consultation = published_consultation(department=b)
    document = _document("撤回后的附件", collection=b.document_collection)
    _attach(consultation, document)
    assert client.get(document.url).status_code == 200
    Consultation.objects.filter(pk=consultation.pk).update(live=False)
    assert client.get(document.url).status_code == 404


def test_a_document_tied_to_nothing_is_for_its_department_and_site_admins_only(client, departments):
    a, b = departments
    document = _document("未关联的文件", collection=b.document_collection)
    assert client.get(document.url).status_code == 404
    client.force_login(UserFactory.with_role(Role.EDITOR, department=a))
    assert client.get(document.url).status_code == 404
    client.force_login(UserFactory.with_role(Role.ANALYST, department=b))
    assert client.get(document.url).status_code == 404
    client.force_login(UserFactory.with_role(Role.EDITOR, department=b))
    assert client.get(document.url).status_code == 200
    client.force_login(UserFactory.with_role(Role.SITE_ADMIN))
    assert client.get(document.url).status_code == 200


def test_the_download_is_named_after_the_title_not_the_stored_name(client, departments):
    _a, b = departments
    consultation = published_consultation(department=b)
    document = _document(
        "环境影响报告书（简本）", name="eia_report.pdf", collection=b.document_collection
    )
    _attach(consultation, document)
    response = client.get(document.url)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;")  # PDFs open in the browser, as Wagtail does
    assert "filename*=UTF-8''%E7%8E%AF%E5%A2%83" in disposition
    assert 'filename="document.pdf"' in disposition  # the ASCII fallback, never the stored name
    assert document.filename not in disposition
    assert "eia_report" not in disposition


def test_a_wrong_file_name_in_the_url_is_404(client, departments):
    _a, b = departments
    consultation = published_consultation(department=b)
    document = _document("公开附件", collection=b.document_collection)
    _attach(consultation, document)
    assert client.get(f"/documents/{document.pk}/other.pdf").status_code == 404


# --- Stored names ----------------------------------------------------------------------------


def test_new_files_are_stored_under_a_random_name_with_their_extension(_media):
    document = _document("说明", name="张三的内部意见汇总.PDF")
    stored = os.path.basename(document.file.name)
    assert document.file.name.startswith("documents/")
    assert is_random_stored_name(stored)
    assert stored.endswith(".pdf")
    assert "张三" not in document.file.name
    assert os.listdir(_media / "documents") == [stored]
    other = _document("说明", name="张三的内部意见汇总.PDF")
    assert other.file.name != document.file.name


def test_random_names_keep_only_a_plain_extension():
    assert random_stored_name("a.tar.gz").endswith(".gz")
    assert "." not in random_stored_name("no-extension")
    assert "." not in random_stored_name("evil.p/hp")
    assert "." not in random_stored_name("x.<script>")


def test_a_file_already_in_storage_keeps_its_name_on_save(_media):
    document = _document("说明", name="a.pdf")
    name = document.file.name
    document.title = "新标题"
    document.save()
    assert document.file.name == name


def test_uploading_through_the_admin_stores_a_random_name(client, departments):
    _a, b = departments
    editor = UserFactory.with_role(Role.EDITOR, department=b)
    client.force_login(editor)
    upload = SimpleUploadedFile("王五身份证复印件.pdf", b"%PDF-1.4 upload", "application/pdf")
    response = client.post("/admin/documents/add/", {"title": "上传测试", "file": upload})
    assert response.status_code == 302, response.content[:2000]
    document = Document.objects.get(title="上传测试")
    assert is_random_stored_name(document.file.name)
    assert "王五" not in document.file.name
    # Wagtail put it in the editor's department collection, the only one offered.
    assert document.collection_id == b.document_collection_id


def test_download_name_is_safe():
    document = Document(title='a/b\\c"d\r\n', file="documents/0123.pdf")
    assert download_name(document) == "a b c d.pdf"
    document = Document(title="报告.pdf", file="documents/0123.pdf")
    assert download_name(document) == "报告.pdf"


# --- Collections per department --------------------------------------------------------------


def test_each_department_gets_a_collection_and_a_group_with_document_permissions(departments):
    from wagtail.models import GroupCollectionPermission

    a, b = departments
    assert a.document_collection.get_parent().depth == 1
    assert a.document_collection.name == "甲局"
    permissions = set(
        GroupCollectionPermission.objects.filter(group=a.document_group).values_list(
            "collection_id", "permission__codename"
        )
    )
    assert permissions == {
        (a.document_collection_id, "add_document"),
        (a.document_collection_id, "change_document"),
        (a.document_collection_id, "choose_document"),
    }
    a.name = "甲局（新名）"
    a.save()
    a.document_collection.refresh_from_db()
    assert a.document_collection.name == "甲局（新名）"


def test_group_membership_follows_role_and_department(departments):
    a, b = departments
    editor = UserFactory.with_role(Role.EDITOR, department=a)
    analyst = UserFactory.with_role(Role.ANALYST, department=a)
    assert set(editor.groups.values_list("name", flat=True)) == {"editor", a.document_group.name}
    assert a.document_group.name not in analyst.groups.values_list("name", flat=True)

    editor.staff_profile.department = b
    editor.staff_profile.save()
    assert set(editor.groups.values_list("name", flat=True)) == {"editor", b.document_group.name}

    editor.groups.remove(editor.groups.get(name="editor"))
    assert not editor.groups.exists()

    add_role(analyst, Role.APPROVER)
    assert a.document_group in analyst.groups.all()
    # A hand-made membership of another department's group is undone.
    b.document_group.user_set.add(analyst)
    assert b.document_group not in analyst.groups.all()
    assert a.document_group in analyst.groups.all()


def test_choosers_and_listings_show_only_the_departments_documents(client, departments):
    a, b = departments
    _document("ALPHA shared", collection=a.document_collection)
    _document("BRAVO shared", collection=b.document_collection)
    _document("ROOTDOC shared")
    client.force_login(UserFactory.with_role(Role.EDITOR, department=a))
    for url in (
        "/admin/documents/",
        "/admin/documents/chooser/",
        "/admin/documents/chooser/results/?q=shared",
        "/admin/api/main/documents/",
    ):
        body = client.get(url).content.decode()
        assert "ALPHA" in body, url
        assert "BRAVO" not in body, url
        assert "ROOTDOC" not in body, url
    client.force_login(UserFactory.with_role(Role.SITE_ADMIN, username="root-admin"))
    body = client.get("/admin/documents/").content.decode()
    assert {"ALPHA", "BRAVO", "ROOTDOC"} <= {w for w in ("ALPHA", "BRAVO", "ROOTDOC") if w in body}


def test_consultation_chooser_shows_only_the_departments_consultations(client, departments):
    a, b = departments
    mine = ConsultationFactory(department=a, title="MINE shared")
    theirs = ConsultationFactory(department=b, title="THEIRS shared")
    client.force_login(UserFactory.with_role(Role.EDITOR, department=a))
    body = client.get(
        "/admin/snippets/choose/consultations/consultation/?q=shared"
    ).content.decode()
    assert "MINE" in body and "THEIRS" not in body
    url = f"/admin/snippets/choose/consultations/consultation/chosen/{theirs.pk}/"
    assert client.get(url).status_code == 404
    assert (
        client.get(
            f"/admin/snippets/choose/consultations/consultation/chosen/{mine.pk}/"
        ).status_code
        == 200
    )


def test_existing_documents_of_a_consultation_move_into_its_departments_collection(departments):
    _a, b = departments
    consultation = ConsultationFactory(department=b)
    attached = _document("旧文件")
    loose = _document("未关联的旧文件")
    _attach(consultation, attached)
    root = Collection.get_first_root_node()
    assert attached.collection == root
    department_documents_ensure_all()
    attached.refresh_from_db()
    loose.refresh_from_db()
    assert attached.collection_id == b.document_collection_id
    assert loose.collection == root  # site administrators only, until someone files it


def test_site_history_report_is_for_site_administrators(client, departments):
    a, b = departments
    ConsultationFactory(department=b, title="乙局秘密SECRETX").save_revision()
    client.force_login(UserFactory.with_role(Role.EDITOR, department=a))
    response = client.get("/admin/reports/site-history/")
    assert response.status_code == 302
    assert b"SECRETX" not in client.get("/admin/reports/site-history/results/").content
    client.force_login(UserFactory.with_role(Role.SITE_ADMIN, username="history-admin"))
    assert client.get("/admin/reports/site-history/").status_code == 200
