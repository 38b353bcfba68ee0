"""What goes into a consultation's dossier, file by file (``dossier_manifest``).

documents/ (PDF/A-3u, WeasyPrint): the consultation with its notices and every draft version with
its note and clauses; the published response; the hearing (notice, participants, record with
each confirmation or refusal, views and report); the decision chain (expert review, 稳评,
legality review, collective decision, publication) and the decision; the 稳评 chapter (also as
DOCX). data/: the same as JSON, and the de-identified register as CSV (``feedback.exports``: a
pseudonym per opinion, masked texts, no receipt codes, no contacts). attachments/: the documents
attached to the steps and the decision. audit/: the latest checkpoint of the audit chain.

Never read here: ``Contact``, ``HearingRegistration.contact_ref`` and registration statements
of people not selected, receipt codes, staff names (the change log's actor is left out).
"""

# Size: one short function per part of the dossier; kept together so that what is archived
# (and what is never read) can be checked in one place.

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation

from consultations.decisions import decision_chain
from consultations.models import Consultation, Decision
from feedback.audit.checkpoints import database_points
from feedback.dossier.manifest import Manifest
from feedback.exports.rows import csv_stream, iter_register_rows, register_header
from feedback.hearings.selectors import draw_record, hearing_of
from feedback.models import ConsultationResponse, ResponseStatus, Theme
from feedback.response.views import report_context
from feedback.risk_chapter.chapter import build_chapter
from feedback.risk_chapter.document import ARCHIVE_PDF, Document, to_docx, to_pdf

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV = "text/csv"


def _iso(value):
    return value.isoformat() if value else None


def _day(value) -> str:
    if not value:
        return "—"
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
        return f"{value:%Y-%m-%d %H:%M}"
    return f"{value:%Y-%m-%d}"


def _add_pdf(manifest: Manifest, path: str, doc: Document) -> None:
    manifest.add(path, to_pdf(doc, options=ARCHIVE_PDF), PDF, doc.title, text=doc.text())


def dossier_manifest(consultation: Consultation, *, now=None, progress=None) -> Manifest:
    """Every file of the dossier, in memory, with its metadata (see the module docstring)."""
    now = now or timezone.now()
    with translation.override("zh-hans"):
        c = Consultation.objects.select_related("department").get(pk=consultation.pk)
        manifest = Manifest(
            metadata={
                "generated_at": now.isoformat(),
                "generator": "Tingjian (听见) public consultation portal",
                "consultation": {
                    "id": c.pk,
                    "slug": c.slug,
                    "title": c.title,
                    "kind": c.kind,
                    "kind_label": str(c.get_kind_display()),
                    "department": c.department.name,
                    "opens_at": _iso(c.opens_at),
                    "closes_at": _iso(c.closes_at),
                    "decided_at": _iso(c.decided_at),
                },
                "privacy": "No contact data, receipt codes or staff names; the register is "
                "de-identified (pseudonyms, masked texts).",
            }
        )
        _consultation(manifest, c)
        _register(manifest, c, progress)
        _response(manifest, c)
        _hearing(manifest, c)
        _chain(manifest, c, now)
        chapter = build_chapter(c, now=now)
        _add_pdf(manifest, "documents/05-risk-chapter.pdf", chapter)
        manifest.add("documents/05-risk-chapter.docx", to_docx(chapter), DOCX, chapter.title)
        _checkpoint(manifest)
    return manifest


# --- drafts, notices ----------------------------------------------------------------------


def _consultation(manifest: Manifest, c: Consultation) -> None:
    notices = [
        {
            "date": _iso(e.created_at),
            "type": e.type,
            "type_label": str(e.get_type_display()),
            "summary": e.summary,
            "reason": e.reason,
        }
        for e in c.change_log.order_by("created_at", "pk")
    ]
    versions = []
    for v in c.draft_versions.order_by("number").prefetch_related("clauses"):
        versions.append(
            {
                "number": v.number,
                "created_at": _iso(v.created_at),
                "note": v.note,
                "note_en": v.note_en,
                "clauses": [
                    {"number": cl.number, "heading": cl.heading, "text": cl.text}
                    for cl in sorted(v.clauses.all(), key=lambda x: x.number)
                ],
            }
        )
    doc = Document(title=f"{c.title} · 征求意见稿、说明和公告", subtitle=c.department.name)
    doc.h("一、基本情况")
    doc.table(
        ["项目", "内容"],
        [
            ["事项类别", str(c.get_kind_display())],
            ["承办单位", c.department.name],
            ["征求意见期间", f"{_day(c.opens_at)} 至 {_day(c.closes_at)}"],
            ["影响区域", c.affected_area or "—"],
        ],
    )
    if c.plain_summary:
        doc.p(c.plain_summary)
    if c.explanatory_note:
        doc.h("起草说明", 3)
        doc.p(c.explanatory_note)
    doc.h("二、公告和变更记录")
    doc.table(
        ["日期", "类型", "内容", "理由"],
        [
            [_day(e.created_at), str(e.get_type_display()), e.summary, e.reason or ""]
            for e in c.change_log.order_by("created_at", "pk")
        ],
    )
    doc.h("三、征求意见稿各版本")
    for v in versions:
        doc.h(
            f"第{v['number']}版（{_day(c.draft_versions.get(number=v['number']).created_at)}）", 3
        )
        if v["note"]:
            doc.p(f"修改说明：{v['note']}")
        for cl in v["clauses"]:
            doc.p(f"第{cl['number']}条 {cl['heading']}\n{cl['text']}".strip())
    _add_pdf(manifest, "documents/01-consultation-and-drafts.pdf", doc)
    manifest.add_json("data/notices.json", notices, "公告和变更记录")
    manifest.add_json("data/drafts.json", versions, "征求意见稿各版本及修改说明")


def _register(manifest: Manifest, c: Consultation, progress) -> None:
    data = b"".join(csv_stream(register_header(), iter_register_rows(c, progress=progress)))
    manifest.add("data/register.csv", data, CSV, "意见登记簿（去标识化）")


# --- themes, dispositions, response ------------------------------------------------------


def _published_response(c):
    return ConsultationResponse.objects.filter(
        consultation=c, status=ResponseStatus.PUBLISHED, published_at__isnull=False
    ).first()


def _response(manifest: Manifest, c: Consultation) -> None:
    themes = []
    for t in (
        Theme.objects.filter(consultation=c)
        .select_related("response")
        .prefetch_related("response__changed_clauses")
        .order_by("sort_order", "pk")
    ):
        answer = getattr(t, "response", None)  # None: no disposition (yet)
        themes.append(
            {
                "theme": t.name,
                "description": t.description,
                "concern": t.concern,
                "disposition": answer.disposition if answer else None,
                "disposition_label": str(answer.get_disposition_display()) if answer else None,
                "reason": answer.reason if answer else None,
                "changed_clauses": sorted(x.number for x in answer.changed_clauses.all())
                if answer
                else [],
            }
        )
    manifest.add_json("data/themes.json", themes, "主题及处理情况")
    response = _published_response(c)
    if response is None:
        return
    from weasyprint import CSS, HTML  # the published document, laid out for the archive

    html = render_to_string("feedback/response/print.html", report_context(c, response))
    css = finders.find("feedback/response-print.css")
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(filename=css)] if css else [], **ARCHIVE_PDF)
    manifest.add("documents/02-response.pdf", pdf, PDF, "意见采纳情况说明", text=html)
    manifest.add_json(
        "data/response.json",
        {
            "published_at": _iso(response.published_at),
            "summary": response.summary,
            "counts": response.counts,
        },
        "意见采纳情况说明（数据）",
    )


# --- hearing -----------------------------------------------------------------------------


def _hearing(manifest: Manifest, c: Consultation) -> None:
    hearing = hearing_of(c)
    if hearing is None or not hearing.notice_published_at:
        return
    participants = list(hearing.participants.select_related("category"))
    items = list(hearing.record_items.select_related("speaker"))
    views = list(hearing.views.all())
    data = {
        "starts_at": _iso(hearing.starts_at),
        "place": hearing.place,
        "explanation": hearing.explanation,
        "selection_method": hearing.selection_method,
        "notice_published_at": _iso(hearing.notice_published_at),
        "notice_days": hearing.notice_days,
        "registration_closes_at": _iso(hearing.registration_closes_at),
        "list_frozen_at": _iso(hearing.list_frozen_at),
        "drawn_at": _iso(hearing.drawn_at),
        "participants_published_at": _iso(hearing.participants_published_at),
        "materials_sent_on": _iso(hearing.materials_sent_on),
        "held_at": _iso(hearing.held_at),
        "report_published_at": _iso(hearing.report_published_at),
        "report": hearing.report,
        "draw": draw_record(hearing),  # numbers and categories only, never names or contacts
        "participants": [
            {
                "name": p.name,  # published before the hearing by law (条例 Art. 16)
                "category": p.category.name,
                "confirmation": p.confirmation,
                "confirmation_label": str(p.get_confirmation_display()),
                "note": p.confirmation_note,
                "confirmed_at": _iso(p.confirmed_at),
            }
            for p in participants
        ],
        "record": [
            {
                "position": i.position,
                "kind": i.kind,
                "speaker": i.speaker.name if i.speaker else i.speaker_label,
                "stance": i.stance,
                "text": i.text,
            }
            for i in items
        ],
        "views": [{"view": v.summary, "adopted": v.adopted, "reason": v.reason} for v in views],
    }
    manifest.add_json("data/hearing.json", data, "听证会记录和报告（数据）")
    doc = Document(title=f"{c.title} · 听证会记录和听证报告", subtitle=c.department.name)
    doc.h("一、听证公告")
    doc.table(
        ["项目", "内容"],
        [
            ["公告发布", _day(hearing.notice_published_at)],
            ["听证时间", _day(hearing.starts_at)],
            ["听证地点", hearing.place],
            ["报名截止", _day(hearing.registration_closes_at)],
            ["抽签", _day(hearing.drawn_at)],
            ["参加人名单公布", _day(hearing.participants_published_at)],
            ["材料送达", _day(hearing.materials_sent_on)],
        ],
    )
    doc.p(f"遴选办法：{hearing.selection_method}")
    doc.h("二、听证参加人及对记录的确认")
    doc.table(
        ["姓名", "类别", "确认情况", "说明"],
        [
            [p.name, p.category.name, str(p.get_confirmation_display()), p.confirmation_note]
            for p in participants
        ],
    )
    doc.h("三、听证记录")
    doc.table(
        ["序号", "环节", "发言人", "内容"],
        [
            [
                str(i.position),
                str(i.get_kind_display()),
                (i.speaker.name if i.speaker else i.speaker_label) or "—",
                i.text,
            ]
            for i in items
        ],
    )
    doc.h("四、听证意见的采纳情况")
    doc.table(
        ["听证意见", "是否采纳", "理由"],
        [[v.summary, "采纳" if v.adopted else "未采纳", v.reason] for v in views],
    )
    if hearing.report:
        doc.h("五、听证报告")
        doc.p(hearing.report)
    _add_pdf(manifest, "documents/03-hearing.pdf", doc)


# --- decision chain, decision, attachments ------------------------------------------------


def _document_file(manifest: Manifest, document, seen: dict) -> str | None:
    """Put a Wagtail document into attachments/ (once); returns its path or None."""
    if document is None:
        return None
    if document.pk in seen:
        return seen[document.pk]
    try:
        with document.file.open("rb") as f:
            data = f.read()
    except (OSError, ValueError):
        seen[document.pk] = None
        return None
    name = PurePosixPath(document.file.name).name
    path = f"attachments/{document.pk}-{hashlib.sha256(name.encode()).hexdigest()[:8]}-{name}"
    manifest.add(path, data, "application/octet-stream", document.title)
    seen[document.pk] = path
    return path


def _chain(manifest: Manifest, c: Consultation, now) -> None:
    seen: dict = {}
    steps = []
    for s in decision_chain(c, now=now):
        steps.append(
            {
                "step": s.step,
                "label": str(s.label),
                "need": s.need,
                "status": s.status,
                "status_label": str(s.status_label),
                "date": _iso(s.date),
                "summary": s.summary,
                "withheld_ground": s.withheld_ground,
                "url": s.url,
                "document": _document_file(manifest, s.document, seen),
                "source": str(s.source),
            }
        )
    decision = Decision.objects.filter(consultation=c).select_related("document").first()
    decision_data = None
    if decision is not None:
        decision_data = {
            "decided_on": _iso(decision.decided_on),
            "body": decision.body,
            "meeting": decision.meeting,
            "summary": decision.summary,
            "document": _document_file(manifest, decision.document, seen),
            "recorded_at": _iso(decision.recorded_at),
        }
    for a in c.attachments.select_related("document").all():
        _document_file(manifest, a.document, seen)
    manifest.add_json(
        "data/decision.json", {"chain": steps, "decision": decision_data}, "决策过程和决定（数据）"
    )
    doc = Document(title=f"{c.title} · 决策过程记录", subtitle=c.department.name)
    doc.h("一、决策程序")
    doc.table(
        ["程序", "状态", "日期", "情况", "依法不予公开的理由"],
        [
            [
                x["label"],
                x["status_label"],
                x["date"] or "—",
                x["summary"] or "—",
                x["withheld_ground"] or "",
            ]
            for x in steps
        ],
    )
    doc.p(
        "专家论证意见及其采纳情况、社会稳定风险评估结论、合法性审查情况见上表相应程序的记载及附件。"
    )
    doc.h("二、决定")
    if decision_data:
        doc.table(
            ["项目", "内容"],
            [
                ["决定日期", decision_data["decided_on"]],
                ["决定机关", decision.body],
                ["会议", decision.meeting or "—"],
            ],
        )
        doc.p(decision.summary)
    else:
        doc.p("尚未作出决定。")
    _add_pdf(manifest, "documents/04-decision.pdf", doc)


def _checkpoint(manifest: Manifest) -> None:
    points = database_points()
    latest = points[-1].public() if points else None
    manifest.add_json(
        "audit/checkpoint.json",
        {
            "latest_checkpoint": latest,
            "note": "The audit chain's latest daily checkpoint when the dossier was made; "
            "compare it with the published list at /audit/checkpoints/.",
        },
        "审计链检查点",
    )
