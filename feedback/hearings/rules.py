"""What the law asks of a hearing, with the source of each number (docs/hearings-guide.md).

- Notice: 规章制定程序条例 Art. 16 [V]: "起草单位应当在举行听证会的30日前公布听证会的时间、地点和内容"
  (government rules, 30 days). 重大行政决策程序暂行条例 Art. 16 [V] only says "提前公布"; for every other
  kind the portal asks 15 days (a design default within the 15–30 days of municipal practice,
  rules-zh.md §1.4 [S]). ``settings.HEARING_NOTICE_DAYS`` ({kind: days}) overrides per kind.
- Materials: 条例 Art. 16 [V]: "听证会材料应当于召开听证会7日前送达听证参加人" (7 days).
- Days are calendar days; the day of publication is not counted (民法典 Art. 201, by analogy).
- Majority count: 土地管理法 Art. 47 [V] (land requisition) and 国有土地上房屋征收与补偿条例
  Art. 11 [V] (old-town redevelopment): a hearing must be held when a majority consider the
  plan unlawful.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation

Kind = Consultation.Kind

NOTICE_DAYS = {Kind.DRAFT_RULES: 30}
DEFAULT_NOTICE_DAYS = 15
MATERIALS_DAYS = 7

NOTICE_SOURCES = {
    Kind.DRAFT_RULES: _("规章制定程序条例 Art. 16: the time, place and content 30 days ahead"),
}
DEFAULT_NOTICE_SOURCE = _(
    "重大行政决策程序暂行条例 Art. 16: published in advance (the portal asks 15 days, within "
    "local practice)"
)
MATERIALS_SOURCE = _("重大行政决策程序暂行条例 Art. 16: materials 7 days before the hearing")

MAJORITY_KINDS = {
    Kind.LAND_COMPENSATION: "land",
    Kind.HOUSING_EXPROPRIATION: "old_town",
}
MAJORITY_SOURCES = {
    "land": _("土地管理法 Art. 47"),
    "old_town": _("国有土地上房屋征收与补偿条例 Art. 11"),
}


def notice_days(kind: str) -> int:
    configured = getattr(settings, "HEARING_NOTICE_DAYS", None) or {}
    if kind in configured:
        return int(configured[kind])
    return NOTICE_DAYS.get(kind, DEFAULT_NOTICE_DAYS)


def notice_source(kind: str) -> str:
    return str(NOTICE_SOURCES.get(kind, DEFAULT_NOTICE_SOURCE))


def days_between(earlier: datetime, later: datetime) -> int:
    """Whole calendar days from ``earlier`` to ``later`` in local time (the first not counted)."""
    return (timezone.localdate(later) - timezone.localdate(earlier)).days
