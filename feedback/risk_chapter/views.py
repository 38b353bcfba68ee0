"""The chapter's screen in the admin and its two files (PDF, DOCX). Each file written is an
``AuditAction.EXPORT`` entry of the audit trail."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from consultations.models import Consultation
from feedback.audit.trail import record
from feedback.models import AuditAction
from feedback.risk.permissions import can_assess
from feedback.risk_chapter.chapter import build_chapter
from feedback.risk_chapter.document import to_docx, to_pdf
from feedback.risk_chapter.permissions import can_get_chapter

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _consultation(request, consultation_id: int) -> Consultation:
    consultation = get_object_or_404(
        Consultation.objects.published().select_related("department"), pk=consultation_id
    )
    if not can_get_chapter(request.user, consultation):
        raise PermissionDenied
    return consultation


def chapter_choose(request: HttpRequest) -> HttpResponse:
    if not can_assess(request.user):
        raise PermissionDenied
    rows = list(
        Consultation.objects.published().select_related("department").order_by("-opens_at")[:300]
    )
    return TemplateResponse(request, "feedback/risk_chapter/admin/choose.html", {"rows": rows})


def chapter_page(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    return TemplateResponse(
        request,
        "feedback/risk_chapter/admin/chapter.html",
        {"consultation": consultation, "document": build_chapter(consultation)},
    )


def chapter_file(request: HttpRequest, consultation_id: int, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404
    consultation = _consultation(request, consultation_id)
    document = build_chapter(consultation)
    data = to_pdf(document) if fmt == "pdf" else to_docx(document)
    with transaction.atomic():
        record(
            request.user,
            AuditAction.EXPORT,
            consultation=consultation,
            detail={"scope": "risk_chapter", "format": fmt, "suppressed": True},
        )
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    name = f"{consultation.slug}-risk-chapter.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
