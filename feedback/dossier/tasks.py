"""The dossier task: writes the ZIP of a ``StaffJob`` (kind ``dossier``) into ``EXPORT_DIR``,
like the exports (``feedback.exports.files``): the same private folder, file names and
retention (``exports_cleanup`` deletes every ``job-*`` file older than
``EXPORT_RETENTION_HOURS``), written as ``.part`` and renamed when complete, failures recorded
for the progress page. Also ``dossier_write``, for ``manage.py dossier_export``.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django_tasks import task

from feedback.dossier.build import dossier_manifest
from feedback.exports import files

log = logging.getLogger(__name__)

DOSSIER_KIND = "dossier"


def dossier_write(consultation, path: Path, *, now=None, progress=None) -> dict:
    """Write the dossier ZIP to ``path`` (through ``path.part``); returns the manifest."""
    part = path.with_name(path.name + files.PART)
    try:
        manifest = dossier_manifest(consultation, now=now, progress=progress).write_zip(part)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return manifest


def _failed(job_id: int, code: str, detail: str) -> None:
    from feedback.models import StaffJob

    job = StaffJob.objects.filter(pk=job_id).first()
    if job is None or job.status in (StaffJob.Status.DONE, StaffJob.Status.FAILED):
        return
    job.params = {**(job.params or {}), "failure": code}
    job.status, job.error, job.finished_at = StaffJob.Status.FAILED, detail[:2000], timezone.now()
    job.save(update_fields=["params", "status", "error", "finished_at"])


@task()
def run_dossier(job_id: int) -> None:
    from consultations.models import Consultation
    from feedback.models import StaffJob

    job = StaffJob.objects.filter(pk=job_id, kind=DOSSIER_KIND).first()
    if job is None or job.consultation_id is None or job.status == StaffJob.Status.DONE:
        return
    consultation = Consultation.objects.get(pk=job.consultation_id)
    StaffJob.objects.filter(pk=job_id).update(status=StaffJob.Status.RUNNING, error="")
    try:
        folder = files.export_dir()
        for leftover in folder.glob(f"{files.FILE_PREFIX}{job_id}-*"):
            leftover.unlink(missing_ok=True)
        final = folder / f"{files.FILE_PREFIX}{job_id}-{secrets.token_hex(8)}.zip"
        manifest = dossier_write(consultation, final)
    except (OperationalError, InterfaceError):
        raise  # the worker queues the task again once the database is back
    except Exception as exc:
        code = files.failure_code(exc)
        log.warning("dossier job %s failed (%s): %s", job_id, code, exc)
        _failed(job_id, code, f"{type(exc).__name__}: {exc}")
        raise
    finished = timezone.now()
    StaffJob.objects.filter(pk=job_id).update(
        status=StaffJob.Status.DONE,
        done=len(manifest["files"]),
        total=len(manifest["files"]),
        result_file=str(final),
        finished_at=finished,
    )
    files.cleanup_schedule(run_after=finished + files.retention())
