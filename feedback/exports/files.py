"""Export files and the task that writes one for a ``StaffJob``."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from feedback.exports.rows import (
    PROGRESS_EVERY,
    aggregate_header,
    csv_stream,
    iter_aggregate_rows,
    iter_register_rows,
    register_header,
)
from feedback.exports.xlsx import write_xlsx

# --------------------------------------------------------------------------- files and jobs

EXPORT_KIND = "export"
FORMATS = ("csv", "xlsx")
SCOPES = ("register", "aggregates")


def export_dir() -> Path:
    """Where finished export files wait for download: never under MEDIA_ROOT (not public)."""
    configured = getattr(settings, "TINGJIAN_EXPORT_DIR", None)
    path = Path(configured) if configured else Path(tempfile.gettempdir()) / "tingjian-exports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


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


@task()
def run_export(job_id: int) -> None:
    """Write the export a ``StaffJob`` asks for into the export folder, with progress."""
    from consultations.models import Consultation
    from feedback.models import StaffJob, Submission

    job = StaffJob.objects.get(pk=job_id)
    params = job.params
    consultation = Consultation.objects.get(pk=job.consultation_id)
    scope, fmt = params.get("scope", "register"), params.get("format", "xlsx")
    total = (
        Submission.objects.filter(consultation=consultation).count() if scope == "register" else 0
    )
    StaffJob.objects.filter(pk=job_id).update(status=StaffJob.Status.RUNNING, total=total, done=0)
    path = export_dir() / f"job-{job_id}-{secrets.token_hex(8)}.{fmt}"
    last = [0]

    def progress(done: int) -> None:
        if done - last[0] >= PROGRESS_EVERY or done == total:
            last[0] = done
            StaffJob.objects.filter(pk=job_id).update(done=done)

    try:
        with translation.override(params.get("language") or settings.LANGUAGE_CODE):
            write_export(
                consultation,
                scope,
                fmt,
                path,
                suppressed=bool(params.get("suppressed", True)),
                progress=progress,
            )
    except Exception as exc:  # recorded for the progress page, then re-raised for the worker
        path.unlink(missing_ok=True)
        StaffJob.objects.filter(pk=job_id).update(
            status=StaffJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    StaffJob.objects.filter(pk=job_id).update(
        status=StaffJob.Status.DONE,
        done=total,
        result_file=str(path),
        finished_at=timezone.now(),
    )
