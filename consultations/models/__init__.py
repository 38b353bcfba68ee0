"""Consultation domain models, split by subject; other apps import from here.

Modules that the models themselves import (rules, periods, permissions) import from the defining
submodule instead, so that this package never imports back into them.
"""

from .changelog import ChangeLogEntry, WithdrawalRequest
from .choices import Kind, StabilityStatus, Stage
from .consultation import Consultation, ConsultationQuerySet
from .content import (
    Alternative,
    Attachment,
    Clause,
    DraftClause,
    DraftVersion,
    Question,
)
from .decision import Decision, DecisionStep, Step, StepStatus
from .organisation import Department, District, HolidayOverride, StaffProfile
from .workflow import DepartmentApprovalTask

__all__ = [
    "Alternative",
    "Attachment",
    "ChangeLogEntry",
    "Clause",
    "Consultation",
    "ConsultationQuerySet",
    "Decision",
    "DecisionStep",
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
    "Step",
    "StepStatus",
    "WithdrawalRequest",
]
