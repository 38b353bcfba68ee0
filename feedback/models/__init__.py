"""Opinion register models, split by subject; import from here.

Identity (``Contact``) is kept in its own module and table, apart from the opinions.
"""

from .audit import AuditAction, AuditEntry, StaffJob
from .campaigns import CampaignGroup, CampaignMember, CampaignScanState, TextSignature
from .choices import AffectedStatus, Channel, Preference, Stance, SubmissionStatus
from .coding import Coding, Concern, Suggestion, Theme
from .contact import Contact, ContactAccessLog
from .response import ConsultationResponse, Disposition, Notification, ThemeResponse
from .review import DisplayMode, ModerationDecision, ModerationState, PublicDisplay
from .risk import ConcernMeasure, RiskAssessment, RiskLevel
from .submission import AlternativePreference, ClauseComment, QuestionAnswer, Submission

__all__ = [
    "AffectedStatus",
    "AlternativePreference",
    "AuditAction",
    "AuditEntry",
    "CampaignGroup",
    "CampaignMember",
    "CampaignScanState",
    "Channel",
    "ClauseComment",
    "Coding",
    "Concern",
    "ConcernMeasure",
    "ConsultationResponse",
    "Contact",
    "ContactAccessLog",
    "DisplayMode",
    "Disposition",
    "ModerationDecision",
    "ModerationState",
    "Notification",
    "Preference",
    "PublicDisplay",
    "QuestionAnswer",
    "RiskAssessment",
    "RiskLevel",
    "StaffJob",
    "Stance",
    "Submission",
    "SubmissionStatus",
    "Suggestion",
    "TextSignature",
    "Theme",
    "ThemeResponse",
]
