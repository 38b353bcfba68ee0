"""Consultation domain models, split by subject; import from here."""

from .changelog import ChangeLogEntry
from .consultation import Consultation, ConsultationQuerySet, Kind, StabilityStatus, Stage
from .content import (
    Alternative,
    Attachment,
    Clause,
    DraftClause,
    DraftVersion,
    Question,
)
from .organisation import Department, District, HolidayOverride, StaffProfile
from .workflow import DepartmentApprovalTask

__all__ = [
    "Alternative",
    "Attachment",
    "ChangeLogEntry",
    "Clause",
    "Consultation",
    "ConsultationQuerySet",
    "Department",
    "DepartmentApprovalTask",
    "District",
    "DraftClause",
    "DraftVersion",
    "HolidayOverride",
    "Kind",
    "Question",
    "StabilityStatus",
    "Stage",
    "StaffProfile",
]
