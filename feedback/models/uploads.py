"""The import of a file of paper forms, parsed by the task worker (issue 13, point 7).

The web request only stores the uploaded file in the private upload folder (``UPLOAD_DIR``)
and creates this job; the worker checks and parses the file with bounded memory, imports the
valid rows (``feedback.intake.bulk_import``), records the result here and deletes the file.
The clerk who uploaded it follows the job on its page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    file_format = models.CharField(_("file format"), max_length=8)
    file_size = models.PositiveBigIntegerField(_("file size in bytes"), default=0)
    import_valid_rows = models.BooleanField(_("import the valid rows"), default=False)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # The uploaded file in UPLOAD_DIR while it waits or is parsed; emptied once it is deleted.
    stored_path = models.CharField(_("stored file"), max_length=500, blank=True)
    rows_total = models.PositiveIntegerField(_("rows read"), default=0)
    rows_done = models.PositiveIntegerField(_("rows checked"), default=0)
    imported = models.BooleanField(_("imported"), default=False)
    # Counts and the row errors (row, column, message) of the report.
    result = models.JSONField(_("result"), default=dict, blank=True)
    # Why the file was refused or the job failed, as a code and its figures, shown in the
    # reader's language (feedback.intake.import_table.ImportFileError).
    error_code = models.CharField(_("error code"), max_length=20, blank=True)
    error_params = models.JSONField(_("error figures"), default=dict, blank=True)
    entry = models.ForeignKey(
        "feedback.AuditEntry",
        verbose_name=_("upload record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        default_permissions = ()

    def __str__(self) -> str:
        return f"import {self.pk} {self.status} {self.rows_done}/{self.rows_total}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
