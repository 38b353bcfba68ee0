"""Comparing two states of a consultation and wording the change for the public change log.

The change log is stored in both languages when it is written (``summary``/``summary_en``), so
the record does not depend on the translation catalogues of a later release.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone, translation

from consultations.models import Consultation
from consultations.periods import close_display_date, local_zone

# Bookkeeping that is not content: Wagtail state, timestamps and the change note itself.
NOT_CONTENT = frozenset(
    {
        "id",
        "latest_revision",
        "live",
        "has_unpublished_changes",
        "first_published_at",
        "last_published_at",
        "live_revision",
        "go_live_at",
        "expire_at",
        "expired",
        "locked",
        "locked_at",
        "locked_by",
        "change_note",
        "created_at",
        "updated_at",
    }
)
CHILD_LABELS = {
    "draft_clauses": ("草案条款", "draft clauses"),
    "alternatives": ("备选方案", "alternatives"),
    "questions": ("问题", "questions"),
    "attachments": ("附件", "attachments"),
    "districts": ("涉及区域", "affected districts"),
}
MONTHS = (
    "January February March April May June July August September October November December"
).split()


def _ordered(manager) -> list:
    items = list(manager.all())
    return sorted(items, key=lambda o: (o.sort_order is None, o.sort_order or 0))


def clause_rows(consultation: Consultation) -> list[tuple[str, str, str, str]]:
    """The draft clauses in order, as comparable tuples (saved or in-memory objects)."""
    return [
        (c.heading, c.heading_en, c.text, c.text_en) for c in _ordered(consultation.draft_clauses)
    ]


def question_rows(consultation: Consultation) -> list[tuple]:
    return [
        (
            q.type,
            q.text,
            q.text_en,
            q.help_text,
            q.help_text_en,
            q.options,
            q.options_en,
            q.required,
            q.scale_low_label,
            q.scale_low_label_en,
            q.scale_high_label,
            q.scale_high_label_en,
        )
        for q in _ordered(consultation.questions)
    ]


def _child_rows(consultation: Consultation, name: str) -> list[tuple]:
    if name == "draft_clauses":
        return clause_rows(consultation)
    if name == "questions":
        return question_rows(consultation)
    if name == "districts":
        return sorted((d.pk,) for d in consultation.districts.all())
    fields = [
        f.attname
        for f in getattr(consultation, name).model._meta.concrete_fields
        if f.name not in ("id", "consultation", "sort_order")
    ]
    return [tuple(getattr(o, f) for f in fields) for o in _ordered(getattr(consultation, name))]


def content_field_names() -> list[str]:
    return [f.name for f in Consultation._meta.concrete_fields if f.name not in NOT_CONTENT]


def changed_fields(old: Consultation, new: Consultation) -> list[str]:
    """Names of fields and child relations whose content differs between ``old`` and ``new``."""
    names = [
        f
        for f in content_field_names()
        if getattr(old, Consultation._meta.get_field(f).attname)
        != getattr(new, Consultation._meta.get_field(f).attname)
    ]
    names += [n for n in CHILD_LABELS if _child_rows(old, n) != _child_rows(new, n)]
    return names


def _label(name: str, language: str) -> str:
    if name in CHILD_LABELS:
        return CHILD_LABELS[name][0 if language == "zh" else 1]
    with translation.override("zh-hans" if language == "zh" else "en"):
        return str(Consultation._meta.get_field(name).verbose_name)


def changes_summary(names: list[str]) -> tuple[str, str]:
    """(Chinese, English) one-line summaries listing what changed."""
    zh = "修改了：" + "、".join(_label(n, "zh") for n in names) + "。"
    en = "Changed: " + ", ".join(_label(n, "en") for n in names) + "."
    return zh, en


def _date(day, language: str) -> str:
    if language == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_moment(moment: datetime | None, language: str) -> str:
    """A local date and time, e.g. 2025年9月1日 09:00 / 1 September 2025, 09:00."""
    if moment is None:
        return "-"
    local = timezone.localtime(moment, local_zone())
    sep = " " if language == "zh" else ", "
    return f"{_date(local.date(), language)}{sep}{local:%H:%M}"


def format_close(closes_at: datetime | None, language: str) -> str:
    """A close, written as 24:00 of its last day when it falls at midnight."""
    if closes_at is None:
        return "-"
    local = timezone.localtime(closes_at, local_zone())
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        day = _date(close_display_date(closes_at), language)
        return f"{day}24时" if language == "zh" else f"24:00 on {day}"
    return format_moment(closes_at, language)
