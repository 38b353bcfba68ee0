"""Exports under faults (issue 13, point 5): a folder that is missing, read-only or on a full
disk fails the job with a message the official can read, never "running"; the files live in
the configured private folder and are deleted after EXPORT_RETENTION_HOURS, after which the
download says the export expired; the task is safe to run twice."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone, translation

from feedback.exports import files
from feedback.models import StaffJob
from feedback.tests._analysis_data import build_register

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def register(open_consultation):
    return build_register(open_consultation)


def new_job(consultation, analyst, fmt: str = "xlsx") -> StaffJob:
    return StaffJob.objects.create(
        kind=files.EXPORT_KIND,
        consultation=consultation,
        requested_by=analyst,
        params={"scope": "register", "format": fmt, "suppressed": False, "language": "en"},
    )


def run(job: StaffJob) -> StaffJob:
    files.run_export.enqueue(job.pk)  # the immediate backend of the tests: runs now
    job.refresh_from_db()
    return job


def progress_page(client, job) -> tuple[int, str]:
    response = client.get(f"/admin/analysis/export/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    return response.status_code, response.content.decode()


def job_files(folder: Path, job: StaffJob) -> list[str]:
    return sorted(p.name for p in folder.glob(f"job-{job.pk}-*"))


# --- the folder fails ---------------------------------------------------------------------------


def test_a_missing_folder_that_cannot_be_made_fails_the_job_with_a_message(
    client, open_consultation, register, settings, tmp_path
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.EXPORT_DIR = str(blocker / "exports")  # cannot be made: its parent is a file
    job = run(new_job(open_consultation, register["analyst"]))
    assert job.status == StaffJob.Status.FAILED
    assert job.params["failure"] == "folder_missing"
    assert job.error  # the detail, for the administrator
    client.force_login(register["analyst"])
    status, html = progress_page(client, job)
    assert status == 200
    assert "The export folder does not exist and could not be created" in html
    assert "opinions written" not in html  # not a progress bar: it is over
    response = client.get(f"/admin/analysis/export/{job.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    with translation.override("zh-hans"):
        chinese = str(files.FAILURES["folder_missing"])
    assert chinese in response.content.decode()
    assert "EXPORT_DIR" in chinese and not chinese.startswith("The export")  # translated


def _make_unwritable(folder: Path) -> str:
    """Read-only for this process: chmod for a normal user; root ignores modes, so the
    immutable attribute then (ext4, tmpfs refuses it)."""
    if os.geteuid() != 0:
        folder.chmod(0o500)
        return "chmod"
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: cannot make a folder read-only")
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"chattr +i refused here: {done.stderr.decode()[:100]}")
    return "chattr"


def _make_writable(folder: Path, how: str) -> None:
    if how == "chattr":
        subprocess.run(["chattr", "-i", str(folder)], check=False)
    else:
        folder.chmod(0o700)


def test_a_read_only_folder_fails_the_job_with_a_message(
    client, open_consultation, register, settings, tmp_path
):
    folder = tmp_path / "exports"
    folder.mkdir(mode=0o700)
    settings.EXPORT_DIR = str(folder)
    how = _make_unwritable(folder)
    try:
        job = run(new_job(open_consultation, register["analyst"]))
    finally:
        _make_writable(folder, how)
    assert job.status == StaffJob.Status.FAILED
    assert job.params["failure"] == "read_only"
    assert list(folder.iterdir()) == []
    client.force_login(register["analyst"])
    assert "The export folder cannot be written to" in progress_page(client, job)[1]


def test_a_full_disk_fails_the_job_and_leaves_no_partial_file(
    client, open_consultation, register, settings, tmp_path, monkeypatch
):
    folder = tmp_path / "exports"
    settings.EXPORT_DIR = str(folder)
    real_write = files.write_export

    def write_then_fill(consultation, scope, fmt, path, **kwargs):
        Path(path).write_bytes(b"PK\x03\x04 half a file")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "write_export", write_then_fill)
    job = run(new_job(open_consultation, register["analyst"]))
    assert job.status == StaffJob.Status.FAILED
    assert job.params["failure"] == "disk_full"
    assert list(folder.iterdir()) == []  # the half-written file is gone
    client.force_login(register["analyst"])
    assert "The disk of the export folder is full" in progress_page(client, job)[1]
    # The disk has room again: the same job, run again, succeeds.
    monkeypatch.setattr(files, "write_export", real_write)
    StaffJob.objects.filter(pk=job.pk).update(status=StaffJob.Status.QUEUED)
    job = run(job)
    assert job.status == StaffJob.Status.DONE
    assert len(job_files(folder, job)) == 1


def test_an_unexpected_error_fails_the_job_with_the_general_message(
    client, open_consultation, register, monkeypatch
):
    def broken(*args, **kwargs):
        raise ValueError("more rows than a worksheet can hold")

    monkeypatch.setattr(files, "write_export", broken)
    job = run(new_job(open_consultation, register["analyst"]))
    assert job.status == StaffJob.Status.FAILED
    assert job.params["failure"] == "error"
    client.force_login(register["analyst"])
    assert "The export failed. Please try again" in progress_page(client, job)[1]


# --- where the files are ------------------------------------------------------------------------


def test_the_default_folder_is_private_under_the_project(settings, tmp_path):
    settings.EXPORT_DIR = ""
    settings.BASE_DIR = tmp_path
    folder = files.export_dir()
    assert folder == tmp_path / "var" / "exports"
    assert folder.stat().st_mode & 0o777 == 0o700
    # Made by hand, readable by every local user: made private again.
    folder.chmod(0o755)
    assert files.export_dir().stat().st_mode & 0o777 == 0o700


def test_the_configured_folder_is_used_and_made_private(
    open_consultation, register, settings, tmp_path
):
    folder = tmp_path / "shared-by-web-and-worker"
    settings.EXPORT_DIR = str(folder)
    job = run(new_job(open_consultation, register["analyst"]))
    assert job.status == StaffJob.Status.DONE
    assert Path(job.result_file).parent == folder
    assert folder.stat().st_mode & 0o777 == 0o700
    assert not Path(job.result_file).name.endswith(files.PART)


def _production(**extra) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXPORT_", "DJANGO_SETT"))}
    env.update(
        DJANGO_SETTINGS_MODULE="cms.config.settings.production",
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        ALLOWED_HOSTS="example.org",
        CONTACT_ENCRYPTION_KEY="YmVuY2gtZXhwb3J0LW5vdC1hLXNlY3JldC0wMDAwMDA=",
        RATELIMIT_TRUSTED_PROXIES="0",
        **extra,
    )
    code = "import cms.config.settings.production as p; print('EXPORT_DIR=' + p.EXPORT_DIR)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_requires_the_export_folder(tmp_path):
    refused = _production()
    assert refused.returncode != 0
    assert "EXPORT_DIR" in refused.stderr
    # (Other settings may still refuse to start; none names EXPORT_DIR then.)
    started = _production(EXPORT_DIR=str(tmp_path))
    assert "EXPORT_DIR must" not in started.stderr


# --- deleted after 24 hours -----------------------------------------------------------------


def test_files_are_deleted_after_the_retention_and_the_download_says_it_expired(
    client, open_consultation, register, settings, tmp_path
):
    folder = tmp_path / "exports"
    settings.EXPORT_DIR = str(folder)
    settings.EXPORT_RETENTION_HOURS = 24
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        job = run(new_job(open_consultation, register["analyst"]))
    assert job.status == StaffJob.Status.DONE
    path = Path(job.result_file)
    # A half-written file of a killed run and a file that is not an export, both a day old.
    stray = folder / "job-999999-0000.xlsx.part"
    stray.write_bytes(b"half")
    foreign = folder / "notes.txt"
    foreign.write_text("not ours")
    old = (start - timedelta(hours=30)).timestamp()
    os.utime(stray, (old, old))
    os.utime(foreign, (old, old))
    client.force_login(register["analyst"])
    url = f"/admin/analysis/export/{job.pk}/download/"
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        assert files.exports_delete_expired() == 1  # only the stray part
        assert path.is_file() and not stray.exists() and foreign.exists()
        assert client.get(url).status_code == 200
        assert "The file is deleted at" in progress_page(client, job)[1]
    # 24 hours on, before any cleanup ran: already refused, and it says why.
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 410
        assert "This export has expired" in response.content.decode()
        assert files.exports_cleanup.call() == 1
        assert files.exports_cleanup.call() == 0  # twice: nothing more
    assert not path.exists() and foreign.exists()
    job.refresh_from_db()
    assert job.result_file == "" and job.params["expired"] is True
    status, html = progress_page(client, job)
    assert status == 200 and "This export has expired" in html and url not in html
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 410


@pytest.mark.django_db(transaction=True)
def test_each_export_queues_one_cleanup_for_when_its_file_expires(
    open_consultation, settings, tmp_path
):
    from django_tasks_db.models import DBTaskResult

    register = build_register(open_consultation)
    settings.EXPORT_DIR = str(tmp_path / "exports")
    with override_settings(TASKS=DATABASE_TASKS):
        first = new_job(open_consultation, register["analyst"])
        second = new_job(open_consultation, register["analyst"])
        files.run_export.call(first.pk)
        files.run_export.call(second.pk)
        files.run_export.call(second.pk)  # twice
        waiting = DBTaskResult.objects.filter(
            task_path="feedback.exports.files.exports_cleanup", status="READY"
        )
        assert waiting.count() == 1
        first.refresh_from_db()
        expected = first.finished_at + timedelta(hours=24)
        assert abs((waiting.get().run_after - expected).total_seconds()) < 1
        # The cleanup, run, queues the next one for the remaining files.
        with time_machine.travel(expected + timedelta(minutes=1), tick=False):
            DBTaskResult.objects.all().delete()
            assert files.exports_cleanup.call() == 2
            assert waiting.count() == 1
            assert waiting.get().run_after >= timezone.now() + timedelta(hours=23)


# --- safe to run twice --------------------------------------------------------------------------


def test_an_export_run_twice_writes_one_file(open_consultation, register, settings, tmp_path):
    folder = tmp_path / "exports"
    settings.EXPORT_DIR = str(folder)
    job = run(new_job(open_consultation, register["analyst"]))
    first = job.result_file
    files.run_export.call(job.pk)
    job.refresh_from_db()
    assert job.status == StaffJob.Status.DONE and job.result_file == first
    assert job_files(folder, job) == [Path(first).name]


def test_an_export_interrupted_then_run_again_leaves_one_complete_file(
    open_consultation, register, settings, tmp_path
):
    """A worker killed in the middle leaves a part file and the job running; the next run
    (after the lease) starts over and leaves one complete file."""
    from openpyxl import load_workbook

    folder = tmp_path / "exports"
    folder.mkdir(mode=0o700)
    settings.EXPORT_DIR = str(folder)
    job = new_job(open_consultation, register["analyst"])
    (folder / f"job-{job.pk}-deadbeefdeadbeef.xlsx.part").write_bytes(b"PK half")
    StaffJob.objects.filter(pk=job.pk).update(status=StaffJob.Status.RUNNING, done=3, total=7)
    job = run(job)
    assert job.status == StaffJob.Status.DONE and (job.done, job.total) == (7, 7)
    assert job_files(folder, job) == [Path(job.result_file).name]
    rows = list(load_workbook(job.result_file, read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == 8
