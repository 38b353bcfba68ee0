"""The dossier (issue 16 point 6, R55): manifest round trip, tampering caught, PDF/A, no contact
data, the task and its screens, the two commands."""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.dossier.build import dossier_manifest
from feedback.dossier.manifest import MANIFEST, verify
from feedback.dossier.tasks import dossier_write
from feedback.models import AuditAction, AuditEntry, StaffJob
from feedback.risk_chapter.document import docx_text
from feedback.tests import _hearing
from feedback.tests._chapter_world import CONTACTS, published_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(consultation_index):
    return published_world()


def _rewrite(src: Path, dst: Path, change) -> None:
    """Copy the ZIP ``src`` to ``dst``, passing each (name, data) through ``change``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            result = change(info.filename, zin.read(info.filename))
            if result is not None:
                zout.writestr(*result)


def test_round_trip_and_tampering(world, tmp_path):
    path = tmp_path / "d.zip"
    manifest = dossier_write(world.consultation, path)
    assert verify(path) == []
    paths = {f["path"] for f in manifest["files"]}
    for expected in (
        "documents/01-consultation-and-drafts.pdf",
        "documents/02-response.pdf",
        "documents/04-decision.pdf",
        "documents/05-risk-chapter.pdf",
        "documents/05-risk-chapter.docx",
        "data/register.csv",
        "data/themes.json",
        "data/notices.json",
        "data/drafts.json",
        "data/decision.json",
        "audit/checkpoint.json",
    ):
        assert expected in paths
    assert manifest["consultation"]["slug"] == world.consultation.slug
    call_command("dossier_verify", str(path), stdout=io.StringIO())

    # One changed byte in one file: the dossier no longer verifies, and says which file.
    bad = tmp_path / "bad.zip"
    _rewrite(
        path,
        bad,
        lambda n, d: (n, d.replace(b"1", b"2", 1) if n == "data/register.csv" else d),
    )
    problems = verify(bad)
    assert problems and all("data/register.csv" in p for p in problems)
    with pytest.raises(CommandError):
        call_command("dossier_verify", str(bad), stdout=io.StringIO(), stderr=io.StringIO())

    # A file removed, a file added, a manifest edited to match a changed file: all caught.
    gone = tmp_path / "gone.zip"
    _rewrite(path, gone, lambda n, d: None if n == "data/themes.json" else (n, d))
    assert any("data/themes.json" in p and "missing" in p for p in verify(gone))
    extra = tmp_path / "extra.zip"
    _rewrite(path, extra, lambda n, d: (n, d))
    with zipfile.ZipFile(extra, "a") as z:
        z.writestr("data/extra.txt", b"x")
    assert any("data/extra.txt" in p for p in verify(extra))
    assert verify(tmp_path / "nothing.zip")  # not a file at all


def _streams(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated (the XMP metadata is one of them)."""
    out = [pdf]
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            pass
    return b"".join(out)


def test_documents_are_pdf_a(world, tmp_path):
    path = tmp_path / "d.zip"
    dossier_write(world.consultation, path)
    with zipfile.ZipFile(path) as z:
        pdfs = [n for n in z.namelist() if n.endswith(".pdf")]
        assert pdfs
        for name in pdfs:
            data = z.read(name)
            assert data.startswith(b"%PDF")
            plain = _streams(data)
            assert b"pdfaid:part" in plain and b"OutputIntent" in plain, name  # PDF/A metadata


def test_no_contact_data_receipt_or_staff_name_anywhere(world, tmp_path):
    c = world.consultation
    manifest = dossier_manifest(c)
    secrets = list(CONTACTS) + [world.editor.username]
    for s in c.submissions.all():
        secrets += [s.receipt, s.formatted_receipt]
    assert len(manifest.entries) > 8
    for entry in manifest.entries:
        if entry.path.endswith(".pdf"):
            text = entry.text
            assert text, entry.path  # every PDF's words are checked
        elif entry.path.endswith(".docx"):
            text = docx_text(entry.data)
        else:
            text = entry.data.decode("utf-8")
        for secret in secrets:
            assert secret not in text, (entry.path, secret)
            assert secret.encode() not in entry.data, (entry.path, secret)
    # The de-identified register holds every opinion (pseudonyms), never a receipt code.
    register = next(e for e in manifest.entries if e.path == "data/register.csv")
    assert register.data.decode("utf-8-sig").count("\n") >= c.submissions.count()


def test_hearing_record_is_in_without_registration_contacts(consultation_index, tmp_path):
    consultation = _hearing.consultation()
    editor = _hearing.editor_of(consultation)
    hearing, _t = _hearing.to_held(consultation, editor)
    manifest = dossier_manifest(consultation)
    hearing_json = next(e for e in manifest.entries if e.path == "data/hearing.json")
    data = json.loads(hearing_json.data)
    assert data["record"] and data["record"][0]["text"] == "补偿标准偏低。"
    assert {p["name"] for p in data["participants"]} == {p.name for p in hearing.participants.all()}
    assert any(p["confirmation"] != "confirmed" for p in data["participants"])  # the refusal
    pdf = next(e for e in manifest.entries if e.path == "documents/03-hearing.pdf")
    assert "当场拒绝签字" in pdf.text
    for entry in manifest.entries:
        blob = entry.text + (
            entry.data.decode("utf-8", "replace")
            if not entry.path.endswith(("pdf", "docx"))
            else ""
        )
        assert "13800138000" not in blob, entry.path
        for r in hearing.registrations.filter(selected=False):
            assert r.name not in blob, entry.path  # people not selected are not named


def test_task_screens_and_download(client, world, django_capture_on_commit_callbacks):
    c = world.consultation
    approver = UserFactory.with_role(Role.APPROVER, department=c.department)
    client.force_login(approver)
    assert client.get(reverse("feedback_dossier:page", args=[c.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("feedback_dossier:start", args=[c.pk]))
    job = StaffJob.objects.get(kind="dossier", consultation=c)
    assert response.status_code == 302
    assert job.status == StaffJob.Status.DONE  # the immediate task backend ran it
    progress = client.get(reverse("feedback_dossier:progress", args=[job.pk]))
    assert progress.status_code == 200 and "download" in progress.content.decode()
    download = client.get(reverse("feedback_dossier:download", args=[job.pk]))
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert MANIFEST in z.namelist()
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, consultation_id=c.pk).count() == 2

    # Another department's approver, and an analyst of the department, get nothing.
    for other in (
        UserFactory.with_role(Role.APPROVER),
        UserFactory.with_role(Role.ANALYST, department=c.department),
    ):
        client.force_login(other)
        assert client.get(reverse("feedback_dossier:download", args=[job.pk])).status_code in (
            302,
            403,
            404,
        )
        assert client.post(reverse("feedback_dossier:start", args=[c.pk])).status_code in (302, 403)
    assert StaffJob.objects.filter(kind="dossier").count() == 1


def test_export_command_writes_a_dossier_that_verifies(world, tmp_path):
    out = io.StringIO()
    call_command(
        "dossier_export", world.consultation.slug, "--output", str(tmp_path / "x.zip"), stdout=out
    )
    assert "manifest SHA-256" in out.getvalue()
    assert verify(tmp_path / "x.zip") == []
    with pytest.raises(CommandError):
        call_command("dossier_export", "no-such-slug", stdout=io.StringIO())


def test_choose_screen_lists_only_the_departments_consultations(client, world):
    c = world.consultation
    client.force_login(UserFactory.with_role(Role.APPROVER, department=c.department))
    html = client.get(reverse("feedback_dossier:choose")).content.decode()
    assert reverse("feedback_dossier:page", args=[c.pk]) in html
    client.force_login(UserFactory.with_role(Role.APPROVER))  # another department
    response = client.get(reverse("feedback_dossier:choose"))
    assert reverse("feedback_dossier:page", args=[c.pk]) not in response.content.decode()
    client.force_login(UserFactory.with_role(Role.ANALYST, department=c.department))
    assert client.get(reverse("feedback_dossier:choose")).status_code in (302, 403)


def test_the_dossier_task_run_twice_or_after_a_crash_leaves_one_file(
    client, world, django_capture_on_commit_callbacks, settings, tmp_path
):
    """A worker that died half way left a partial file; the task queued again writes one dossier
    and removes the leftover; run once more after it finished, it writes nothing."""
    from feedback.dossier.tasks import run_dossier

    settings.EXPORT_DIR = str(tmp_path)
    c = world.consultation
    job = StaffJob.objects.create(
        kind="dossier",
        consultation=c,
        requested_by=UserFactory.with_role(Role.APPROVER, department=c.department),
    )
    leftover = tmp_path / f"job-{job.pk}-deadbeef.zip.part"
    leftover.write_bytes(b"half a zip")
    run_dossier.call(job.pk)
    job.refresh_from_db()
    assert job.status == StaffJob.Status.DONE
    files_after_first = sorted(p.name for p in tmp_path.iterdir())
    assert len(files_after_first) == 1 and not leftover.exists()
    assert verify(Path(job.result_file)) == []
    run_dossier.call(job.pk)
    assert sorted(p.name for p in tmp_path.iterdir()) == files_after_first
