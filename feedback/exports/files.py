"""Export files and the task that writes one for a ``StaffJob``.

Where: ``EXPORT_DIR`` (from the environment; production requires it), a private folder (mode
0700) that the web processes and the task workers of the machine share; by default
``var/exports/`` in the project. Nothing there is public: a file is downloaded only through
``feedback.exports.views.export_download``, by the official who asked for it.

For how long: ``EXPORT_RETENTION_HOURS`` (24). ``exports_cleanup`` deletes the files that are
older, queued with ``task_enqueue_once`` (at most one waiting run) for the moment the next file
expires, as the daily purge of contacts queues itself (feedback/privacy/tasks.py). A download
after that says the export expired.

Faults (issue 13): a folder that is missing, read-only or on a full disk marks the job failed
with a message the official can read (``FAILURES``), never "running" for ever; a job whose task
worker died ``TASK_MAX_ATTEMPTS`` times is marked failed too (``task_finished``, below). The task
is safe to run twice: a finished job is left alone, and a run interrupted by a killed worker
leaves only a ``.part`` file, which the next run of the job (or the cleanup) deletes. The file
appears under its final name only when complete (written as ``.part``, then renamed).
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task
from django_tasks.signals import task_finished

from feedback.exports.rows import (
    PROGRESS_EVERY,
    aggregate_header,
    csv_stream,
    iter_aggregate_rows,
    iter_register_rows,
    register_header,
)
from feedback.exports.xlsx import write_xlsx
from feedback.privacy.tasks import task_enqueue_once

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- files and jobs

EXPORT_KIND = "export"
FORMATS = ("csv", "xlsx")
SCOPES = ("register", "aggregates")


DEFAULT_RETENTION_HOURS = 24
FILE_PREFIX = "job-"  # the cleanup deletes nothing else, whatever the folder holds
PART = ".part"

# Why a job failed, for the official (the code is kept in ``job.params["failure"]``; the
# technical detail in ``job.error``, for the administrator).
FAILURES = {
    "folder_missing": gettext_lazy(
        "The export folder does not exist and could not be created. Please tell the site "
        "administrator (setting EXPORT_DIR)."
    ),
    "read_only": gettext_lazy(
        "The export folder cannot be written to. Please tell the site administrator "
        "(setting EXPORT_DIR)."
    ),
    "disk_full": gettext_lazy(
        "The disk of the export folder is full. Please tell the site administrator."
    ),
    "worker_lost": gettext_lazy(
        "The export was interrupted several times because the task worker stopped. Please try "
        "again later or tell the site administrator."
    ),
    "error": gettext_lazy("The export failed. Please try again or tell the site administrator."),
}


class ExportFolderError(OSError):
    """The export folder is missing (and cannot be made) or cannot be written to."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code


def retention() -> timedelta:
    return timedelta(
        hours=max(1, int(getattr(settings, "EXPORT_RETENTION_HOURS", DEFAULT_RETENTION_HOURS)))
    )


def export_dir_path() -> Path:
    configured = getattr(settings, "EXPORT_DIR", "")
    return Path(configured) if configured else Path(settings.BASE_DIR) / "var" / "exports"


def export_dir() -> Path:
    """The export folder, made (mode 0700) when missing; raises ``ExportFolderError`` when it
    cannot be made or written to. Never under MEDIA_ROOT (not public)."""
    path = export_dir_path()
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ExportFolderError(failure_code(exc, default="folder_missing"), str(exc)) from exc
    if not path.is_dir():
        raise ExportFolderError("folder_missing", f"{path} is not a folder")
    mode = path.stat()
    if mode.st_mode & 0o077 and mode.st_uid == os.geteuid():
        try:
            path.chmod(0o700)  # made by hand with the usual 0755: private again
        except OSError:
            pass  # then writing fails too, and says why
    return path


def failure_code(exc: BaseException, *, default: str = "error") -> str:
    """The ``FAILURES`` key for an exception raised while writing an export."""
    if isinstance(exc, ExportFolderError):
        return exc.code
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "disk_full"
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "read_only"
    if code in (errno.ENOENT, errno.ENOTDIR):
        return "folder_missing"
    return default


def failure_message(job) -> str:
    """What the progress page tells the official about a failed job."""
    return str(FAILURES.get((job.params or {}).get("failure", "error"), FAILURES["error"]))


def export_expires_at(job) -> datetime | None:
    return job.finished_at + retention() if job.finished_at else None


def export_expired(job, now: datetime | None = None) -> bool:
    """A finished export whose file was deleted, or is due to be (``EXPORT_RETENTION_HOURS``)."""
    if job.status != job.Status.DONE:
        return False
    expires = export_expires_at(job)
    if not job.result_file or (job.params or {}).get("expired"):
        return True
    return expires is not None and expires <= (now or timezone.now())


def finished_file(job) -> Path | None:
    """The file of a finished job, inside EXPORT_DIR; None once it expired or is gone (the
    download then answers 410 with the way back). Raises Http404 for a job not finished or a
    file outside EXPORT_DIR."""
    from django.http import Http404

    if job.status != job.Status.DONE:
        raise Http404
    path = Path(job.result_file) if job.result_file else None
    if export_expired(job) or path is None or not path.is_file():
        return None
    if path.parent.resolve() != export_dir_path().resolve():
        raise Http404
    return path


def _leftovers(folder: Path, job_id: int) -> list[Path]:
    return list(folder.glob(f"{FILE_PREFIX}{job_id}-*"))


def export_filename(consultation, scope: str, fmt: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{consultation.slug}-{scope}-{stamp}.{fmt}"


def write_export(
    consultation, scope: str, fmt: str, path: Path, *, suppressed: bool, progress=None
):
    """Write one export file; returns the number of data rows."""
    if scope == "register":
        header, rows = register_header(), iter_register_rows(consultation, progress=progress)
        title = _("Register")
    else:
        from feedback.analysis.aggregates import dashboard

        data = dashboard(consultation, suppressed=suppressed)
        header, rows = aggregate_header(), iter_aggregate_rows(data)
        title = _("Aggregates")
    if fmt == "xlsx":
        return write_xlsx(path, [(str(title), header, rows)])
    counted = _Counted(rows)
    with open(path, "wb") as out:
        for chunk in csv_stream(header, counted):
            out.write(chunk)
    return counted.n


class _Counted:
    def __init__(self, rows):
        self.rows, self.n = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.n += 1
            yield row


def _job_update(job_id: int, **fields) -> None:
    from feedback.models import StaffJob

    StaffJob.objects.filter(pk=job_id).update(**fields)


def _job_failed(job_id: int, code: str, detail: str) -> None:
    """Mark the job failed with ``code`` (unless it finished meanwhile)."""
    from feedback.models import StaffJob

    job = StaffJob.objects.filter(pk=job_id).first()
    if job is None or job.status in (StaffJob.Status.DONE, StaffJob.Status.FAILED):
        return
    job.params = {**(job.params or {}), "failure": code}
    job.status, job.error, job.finished_at = StaffJob.Status.FAILED, detail[:2000], timezone.now()
    job.save(update_fields=["params", "status", "error", "finished_at"])


@task()
def run_export(job_id: int) -> None:
    """Write the export a ``StaffJob`` asks for into the export folder, with progress. Safe to
    run twice (see the module docstring)."""
    from consultations.models import Consultation
    from feedback.models import StaffJob, Submission

    job = StaffJob.objects.filter(pk=job_id, kind=EXPORT_KIND).first()
    if job is None or job.consultation_id is None:
        return  # deleted meanwhile: nothing to write
    if job.status == StaffJob.Status.DONE:
        return  # a second run of a finished export writes no second file
    params = job.params
    consultation = Consultation.objects.get(pk=job.consultation_id)
    scope, fmt = params.get("scope", "register"), params.get("format", "xlsx")
    total = (
        Submission.objects.filter(consultation=consultation).count() if scope == "register" else 0
    )
    _job_update(job_id, status=StaffJob.Status.RUNNING, total=total, done=0, error="")
    last = [0]

    def progress(done: int) -> None:
        if done - last[0] >= PROGRESS_EVERY or done == total:
            last[0] = done
            StaffJob.objects.filter(pk=job_id).update(done=done)

    part = None
    try:
        folder = export_dir()
        for leftover in _leftovers(folder, job_id):  # of a run that was interrupted
            leftover.unlink(missing_ok=True)
        final = folder / f"{FILE_PREFIX}{job_id}-{secrets.token_hex(8)}.{fmt}"
        part = final.with_name(final.name + PART)
        with translation.override(params.get("language") or settings.LANGUAGE_CODE):
            write_export(
                consultation,
                scope,
                fmt,
                part,
                suppressed=bool(params.get("suppressed", True)),
                progress=progress,
            )
        os.replace(part, final)
    except (OperationalError, InterfaceError):
        # The database is gone: the worker queues the task again once it is back.
        if part is not None:
            part.unlink(missing_ok=True)
        raise
    except Exception as exc:  # recorded for the progress page, then re-raised for the worker
        if part is not None:
            try:
                part.unlink(missing_ok=True)
            except OSError:
                pass
        code = failure_code(exc)
        log.warning("export job %s failed (%s): %s", job_id, code, exc)
        _job_failed(job_id, code, f"{type(exc).__name__}: {exc}")
        raise
    finished = timezone.now()
    StaffJob.objects.filter(pk=job_id).update(
        status=StaffJob.Status.DONE, done=total, result_file=str(final), finished_at=finished
    )
    cleanup_schedule(run_after=finished + retention())


# --------------------------------------------------------------------------- cleanup


def exports_delete_expired(now: datetime | None = None) -> int:
    """Delete the export files older than ``EXPORT_RETENTION_HOURS`` (the jobs' files, and
    files left by interrupted runs or deleted jobs); returns how many were deleted."""
    from feedback.models import StaffJob

    now = now or timezone.now()
    cutoff = now - retention()
    deleted = 0
    folder = export_dir_path()
    expired = StaffJob.objects.filter(
        kind=EXPORT_KIND, status=StaffJob.Status.DONE, finished_at__lte=cutoff
    ).exclude(result_file="")
    for job in expired:
        path = Path(job.result_file)
        if path.parent.resolve() == folder.resolve() and path.name.startswith(FILE_PREFIX):
            try:
                path.unlink()
                deleted += 1
            except FileNotFoundError:
                pass
        job.params = {**(job.params or {}), "expired": True}
        job.result_file = ""
        job.save(update_fields=["params", "result_file"])
    if folder.is_dir():
        for path in folder.glob(f"{FILE_PREFIX}*"):
            try:
                if path.is_file() and path.stat().st_mtime <= cutoff.timestamp():
                    path.unlink()
                    deleted += 1
            except FileNotFoundError:
                pass
    return deleted


def cleanup_schedule(*, run_after: datetime | None = None) -> bool:
    """Make sure a cleanup is queued for when the next export file expires (at the latest
    ``EXPORT_RETENTION_HOURS`` from now); returns whether the queue changed."""
    from feedback.models import StaffJob

    now = timezone.now()
    if run_after is None:
        oldest = (
            StaffJob.objects.filter(kind=EXPORT_KIND, status=StaffJob.Status.DONE)
            .exclude(result_file="")
            .order_by("finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        run_after = oldest + retention() if oldest else now + retention()
    run_after = max(run_after, now + timedelta(minutes=1))
    return task_enqueue_once(exports_cleanup, run_after=run_after)


@task()
def exports_cleanup() -> int:
    """Delete the expired export files, then queue the next cleanup (also after an error)."""
    try:
        return exports_delete_expired()
    finally:
        cleanup_schedule()


def _export_task_finished(sender, task_result, **kwargs) -> None:
    """A failed export task whose job still says queued or running (its worker was lost
    ``TASK_MAX_ATTEMPTS`` times, or it failed before it could record why): the job fails."""
    if task_result.task.module_path != f"{__name__}.run_export":
        return
    if task_result.status != "FAILED" or not task_result.args:
        return
    error = task_result.errors[-1] if task_result.errors else None
    path = error.exception_class_path if error else ""
    code = "worker_lost" if path.endswith(".WorkerLost") else "error"
    job_id = task_result.args[0]
    _job_failed(job_id, code, path or "failed")
    folder = export_dir_path()
    if folder.is_dir():
        for leftover in _leftovers(folder, job_id):
            if leftover.name.endswith(PART):
                leftover.unlink(missing_ok=True)


task_finished.connect(_export_task_finished, dispatch_uid="feedback_export_task_finished")
