"""Write a consultation's dossier (决策档案) as a ZIP with its manifest (docs/dossier.md).

    manage.py dossier_export <consultation-slug> [--output FILE.zip]

Without ``--output`` the file goes to EXPORT_DIR as ``<slug>-dossier-<date>.zip``. The audit
trail records the export (actor: none, via: command). Prints the path and the manifest's SHA-256.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from feedback.audit.trail import record
from feedback.dossier.manifest import MANIFEST
from feedback.dossier.tasks import dossier_write
from feedback.exports.files import export_dir
from feedback.models import AuditAction


class Command(BaseCommand):
    help = "Write a consultation's dossier (ZIP with a SHA-256 manifest)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the consultation's slug")
        parser.add_argument("--output", help="where to write the ZIP (default: EXPORT_DIR)")

    def handle(self, *args, slug, output=None, **options):
        from consultations.models import Consultation

        consultation = Consultation.objects.filter(slug=slug).first()
        if consultation is None:
            raise CommandError(f"No consultation with the slug {slug!r}.")
        now = timezone.now()
        if output:
            path = Path(output)
        else:
            stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
            path = export_dir() / f"{consultation.slug}-dossier-{stamp}.zip"
        manifest = dossier_write(consultation, path, now=now)
        with transaction.atomic():
            record(
                None,
                AuditAction.EXPORT,
                consultation=consultation,
                detail={"scope": "dossier", "format": "zip", "via": "command"},
            )
        import zipfile

        with zipfile.ZipFile(path) as z:
            digest = hashlib.sha256(z.read(MANIFEST)).hexdigest()
        self.stdout.write(f"{path}\n{len(manifest['files'])} files; manifest SHA-256 {digest}")
