"""Issue 13, point 7: uploads are bounded, and every refusal says which limit and the file's
figure.

- a zip bomb XLSX (a few hundred kilobytes that unpack to 200 MB) is refused from its ZIP
  directory, before anything is unpacked: a subprocess measures the peak memory of the check
  (under 40 MB more than before it) and, as the control, of the way the old code read it
  (openpyxl, read-only), which needs far more;
- an upload larger than the limit is refused from its Content-Length before a byte is read
  (the test's request body cannot be read past its few real bytes: reading would fail);
- the same for every multipart request of the site (``UPLOAD_MAX_REQUEST_BYTES``);
- too many rows, a too wide row: refused with the figures;
- the file waits in the private upload folder (0700, file 0600), the worker's task parses
  it, and it is deleted afterwards.
"""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.intake import import_table
from feedback.intake.import_table import ImportFileError
from feedback.models import ImportJob, Submission

ROOT = Path(__file__).resolve().parents[2]
BOMB_BYTES = 200 * 1024 * 1024  # what the bomb unpacks to
MEMORY_BOUND_MB = 40


@pytest.fixture(autouse=True)
def _upload_dir(settings, tmp_path):
    settings.UPLOAD_DIR = str(tmp_path / "uploads")
    return Path(settings.UPLOAD_DIR)


@pytest.fixture
def clerk(client, open_consultation):
    user = UserFactory.with_role(Role.INTAKE_CLERK, open_consultation.department)
    client.force_login(user)
    return user


def _small_xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _bomb(path: Path, unpacked: int = BOMB_BYTES) -> Path:
    """A real workbook whose first sheet's one cell holds ``unpacked`` bytes of text."""
    template = zipfile.ZipFile(io.BytesIO(_small_xlsx([["comment"], ["x"]])))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in template.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                continue
            bomb.writestr(info, template.read(info.filename))
        with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
                b'<c r="A1" t="inlineStr"><is><t>'
            )
            chunk = b"A" * (1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                sheet.write(chunk)
            sheet.write(b"</t></is></c></row></sheetData></worksheet>")
    return path


MEASURE = textwrap.dedent(
    """
    import resource, sys
    import django
    from django.conf import settings
    settings.configure(USE_I18N=False)
    django.setup()
    from feedback.intake import import_table

    def peak_mb():
        # VmHWM: this program's own peak. ru_maxrss would carry the peak of the (large) test
        # process this one was forked from, across exec, and hide the growth.
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    path, how = sys.argv[1], sys.argv[2]
    if how == "old":  # what the import did before issue 13 (feedback/intake/import_table.py)
        from openpyxl import load_workbook
    before = peak_mb()
    outcome = "read"
    try:
        if how == "new":
            import_table.read_table("bomb.xlsx", path)
        else:
            workbook = load_workbook(path, read_only=True, data_only=True)
            rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    except import_table.ImportFileError as exc:
        outcome = exc.code
    print(outcome, round(peak_mb() - before, 1))
    """
)


def _measure(path: Path, how: str) -> tuple[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), how],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    outcome, grown = result.stdout.split()
    return outcome, float(grown)


def test_zip_bomb_is_refused_before_parsing_with_bounded_memory(tmp_path):
    bomb = _bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 1024 * 1024  # tiny on disk
    outcome, grown = _measure(bomb, "new")
    assert outcome in ("unpacked", "ratio")
    assert grown < MEMORY_BOUND_MB, f"the check grew the process by {grown} MB"
    # The control: read as the old code read it, the same file takes far more than the bound.
    old_outcome, old_grown = _measure(bomb, "old")
    assert old_outcome == "read" and old_grown > 4 * MEMORY_BOUND_MB, old_grown


def test_zip_bomb_refusal_names_the_limit_and_the_figure(tmp_path):
    with pytest.raises(ImportFileError) as refused:
        import_table.check_xlsx_archive(_bomb(tmp_path / "b.xlsx", unpacked=60 * 1024 * 1024))
    message = str(refused.value)
    assert refused.value.code == "unpacked"
    assert "60.0" in message and "50.0" in message  # its size and the limit, in MB


def test_high_ratio_part_is_refused_even_under_the_total(tmp_path, monkeypatch):
    monkeypatch.setattr(import_table, "XLSX_MAX_UNCOMPRESSED", 10**10)
    with pytest.raises(ImportFileError) as refused:
        import_table.check_xlsx_archive(_bomb(tmp_path / "b.xlsx", unpacked=8 * 1024 * 1024))
    assert refused.value.code == "ratio"
    assert "xl/worksheets/sheet1.xml" in str(refused.value)


def test_a_row_with_too_many_cells_is_refused_before_openpyxl_builds_it(tmp_path):
    row = [f"v{n}" for n in range(import_table.MAX_COLUMNS + 50)]
    path = tmp_path / "wide.xlsx"
    path.write_bytes(_small_xlsx([["comment"], row]))
    with pytest.raises(ImportFileError) as refused:
        import_table.read_table("wide.xlsx", path)
    assert refused.value.code == "wide_row"


def _upload(client, consultation, content: bytes, name: str, **extra):
    return client.post(
        f"/admin/intake/{consultation.pk}/import/",
        {"file": SimpleUploadedFile(name, content), **extra},
        follow=True,
    )


@pytest.mark.django_db
def test_oversized_upload_is_refused_before_a_byte_is_read(client, clerk, open_consultation):
    declared = 40 * 1024 * 1024
    response = client.generic(
        "POST",
        f"/admin/intake/{open_consultation.pk}/import/",
        b"--x\r\n",  # the body really sent: reading the declared 40 MB would fail
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(declared),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "40.0" in html and "5.0" in html and "refused before it was read" in html
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_every_multipart_request_has_a_size_limit(client, settings):
    settings.UPLOAD_MAX_REQUEST_BYTES = 1024
    response = client.generic(
        "POST",
        "/preferences/",
        b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(2 * 1024 * 1024),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "What you sent is too large" in html and "2.0" in html


@pytest.mark.django_db
def test_too_many_rows_are_refused_with_the_figure(client, clerk, open_consultation):
    today = timezone.localdate().isoformat()
    lines = ["渠道,收到日期,总体态度"] + [f"来信,{today},反对"] * (import_table.MAX_ROWS + 1)
    response = _upload(client, open_consultation, "\n".join(lines).encode(), "many.csv")
    assert response.status_code == 400
    html = response.content.decode()
    assert "文件超过 5,000 行（读取在第 5,002 行停止）" in html
    assert Submission.objects.count() == 0
    job = ImportJob.objects.get()
    assert (job.status, job.error_code) == ("failed", "rows")


@pytest.mark.django_db
def test_the_file_waits_privately_for_the_worker_and_is_deleted(
    client, clerk, open_consultation, monkeypatch, _upload_dir
):
    from feedback.intake import import_jobs, offline_views

    queued = []
    monkeypatch.setattr(offline_views, "import_file", SimpleNamespace(enqueue=queued.append))
    today = timezone.localdate().isoformat()
    content = _small_xlsx([["渠道", "收到日期", "总体态度"], ["来信", today, "反对"]])
    response = _upload(client, open_consultation, content, "forms.xlsx")
    assert response.status_code == 200 and 'data-job-status="queued"' in response.content.decode()
    (job,) = ImportJob.objects.all()
    assert queued == [job.pk] and job.requested_by == clerk
    stored = Path(job.stored_path)
    assert stored.parent == _upload_dir
    assert stat.S_IMODE(_upload_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stored.read_bytes() == content

    import_jobs.import_file.call(job.pk)  # the worker
    job.refresh_from_db()
    assert (job.status, job.imported, job.rows_total) == ("done", True, 1)
    assert not stored.exists() and job.stored_path == ""
    assert Submission.objects.count() == 1
    page = client.get(f"/admin/intake/imports/{job.pk}/")
    assert page.status_code == 302 and page["Location"].endswith(f"/entries/{job.entry_id}/")
    import_jobs.import_file.call(job.pk)  # run twice: nothing more
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_another_clerk_cannot_see_the_job(client, clerk, open_consultation, monkeypatch):
    from feedback.intake import offline_views

    monkeypatch.setattr(offline_views, "import_file", SimpleNamespace(enqueue=lambda job_id: None))
    _upload(client, open_consultation, b"a,b\n1,2\n", "f.csv")
    job = ImportJob.objects.get()
    other = UserFactory.with_role(Role.INTAKE_CLERK, open_consultation.department)
    client.force_login(other)
    assert client.get(f"/admin/intake/imports/{job.pk}/").status_code == 404
