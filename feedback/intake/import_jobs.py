"""The task that checks and imports an uploaded file of paper forms (issue 13, point 7).

The web request stored the file in the private upload folder and created an ``ImportJob``;
this task, in the worker, reads the file row by row with bounded memory
(``import_table.iter_table``), reports progress, then imports the valid rows (``bulk_import``) and
records the others' row numbers and reasons for the upload's page; a file without a valid row
only records the report. The file is deleted once the job has its outcome.

Safe to run twice (a worker killed mid-job, a retry): a finished job is left alone, and the
job's outcome is written in the transaction that stores the rows, so a job is either not
done (and runs again from the file) or done with its rows stored once. Rows already stored
are never stored twice in any case (their tokens, ``bulk_import.row_token``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from consultations.models import Consultation
from feedback.intake.bulk_import import ImportReport, import_rows, upload_record, validate_file
from feedback.intake.import_table import ImportFileError
from feedback.intake.services import NotAcceptingOpinions
from feedback.intake.uploads import delete_stale_uploads
from feedback.models import ImportJob

logger = logging.getLogger(__name__)

MAX_ERRORS_KEPT = 1000  # row errors kept for the job's page (the count is always complete)


def job_result(report: ImportReport) -> dict:
    """What the job's page shows of a report: counts, row errors, the earlier uploads."""
    errors = [
        [row.number, column, message]
        for row in report.invalid_rows
        for column, message in row.errors
    ]
    return {
        "rows": len(report.rows),
        "valid": len(report.valid_rows),
        "new": len(report.new_rows),
        "already": len(report.already_imported_rows),
        "invalid": len(report.invalid_rows),
        "created": len(report.created_rows),
        "errors": errors[:MAX_ERRORS_KEPT],
        "errors_total": len(errors),
        "earlier": [entry.pk for entry in report.earlier],
    }


def _update(job: ImportJob, **fields) -> None:
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _finish(job: ImportJob, status: str, **fields) -> None:
    _update(job, status=status, finished_at=timezone.now(), **fields)


def _delete_file(job: ImportJob) -> None:
    if job.stored_path:
        Path(job.stored_path).unlink(missing_ok=True)
        _update(job, stored_path="")


def _run(job: ImportJob) -> None:
    path = Path(job.stored_path) if job.stored_path else None
    if path is None or not path.exists():
        raise ImportFileError("gone")
    consultation = job.consultation
    if consultation.stage != Consultation.Stage.CONSULTING:
        raise ImportFileError("answered")

    def progress(rows: int) -> None:
        _update(job, rows_done=rows)

    report = validate_file(
        consultation, f"upload.{job.file_format}", path, clerk=job.requested_by, progress=progress
    )
    counted = {"rows_total": len(report.rows), "rows_done": len(report.rows)}
    # The valid rows are imported and the others reported (issue 15: one upload is enough);
    # ``import_valid_rows`` of a job queued before that is ignored.
    if report.valid_rows:
        try:
            with transaction.atomic():
                import_rows(consultation=consultation, report=report, entered_by=job.requested_by)
                _finish(
                    job,
                    ImportJob.Status.DONE,
                    imported=True,
                    entry=report.entry,
                    result=job_result(report),
                    **counted,
                )
        except NotAcceptingOpinions as exc:
            raise ImportFileError("answered") from exc
        return
    with transaction.atomic():
        report.entry = upload_record(
            consultation=consultation, report=report, clerk=job.requested_by, imported=False
        )
        _finish(
            job,
            ImportJob.Status.DONE,
            imported=False,
            entry=report.entry,
            result=job_result(report),
            **counted,
        )


@task()
def import_file(job_id: int) -> None:
    """Check and import the file of ``ImportJob`` ``job_id``; see the module's docstring."""
    job = ImportJob.objects.select_related("consultation", "requested_by").filter(pk=job_id).first()
    if job is None or job.finished:
        return
    _update(job, status=ImportJob.Status.RUNNING, started_at=timezone.now())
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            _run(job)
    except ImportFileError as exc:
        _finish(job, ImportJob.Status.FAILED, error_code=exc.code, error_params=exc.params)
    except Exception:
        # Recorded for the clerk's page (nothing was imported: the rows and the outcome are
        # one transaction), then raised for the worker's log.
        logger.exception("Import job %s failed", job_id)
        _finish(job, ImportJob.Status.FAILED, error_code="crashed", error_params={})
        _delete_file(job)
        raise
    _delete_file(job)
    delete_stale_uploads()
