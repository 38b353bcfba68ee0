"""Opinion register models, split by subject; import from here.

Identity (``Contact``) is kept in its own module and table, apart from the opinions.

Imports nothing else of feedback; every other package may import it.
"""

from feedback.models.audit import AuditAction, AuditCheckpoint, AuditEntry, StaffJob
from feedback.models.campaigns import (
    CampaignGroup,
    CampaignMember,
    CampaignScanState,
    TextSignature,
)
from feedback.models.choices import (
    AffectedStatus,
    Channel,
    Phase,
    Preference,
    Stance,
    SubmissionStatus,
)
from feedback.models.coding import Coding, Concern, Suggestion, Theme
from feedback.models.contact import Contact, ContactAccessLog
from feedback.models.hearings import (
    Hearing,
    HearingCategory,
    HearingParticipant,
    HearingRecordItem,
    HearingRegistration,
    HearingView,
    MajorityCount,
    MajorityToken,
)
from feedback.models.privacy import (
    IdentityRequest,
    IdentityRequestStatus,
    LegalBasis,
    PrivacyRequest,
    PrivacyRequestChannel,
    PrivacyRequestKind,
    PrivacyRequestStatus,
)
from feedback.models.response import (
    ConsultationResponse,
    Disposition,
    Notification,
    ResponseStatus,
    ThemeResponse,
)
from feedback.models.review import DisplayMode, ModerationDecision, ModerationState, PublicDisplay
from feedback.models.risk import ConcernMeasure, RiskAssessment, RiskAssessmentChange, RiskLevel
from feedback.models.submission import (
    AlternativePreference,
    ClauseComment,
    QuestionAnswer,
    Submission,
)
from feedback.models.tasks import TaskWorker
from feedback.models.uploads import ImportJob

__all__ = [
    "AffectedStatus",
    "AlternativePreference",
    "AuditAction",
    "AuditCheckpoint",
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
    "Hearing",
    "HearingCategory",
    "HearingParticipant",
    "HearingRecordItem",
    "HearingRegistration",
    "HearingView",
    "MajorityCount",
    "MajorityToken",
    "Disposition",
    "IdentityRequest",
    "ImportJob",
    "IdentityRequestStatus",
    "LegalBasis",
    "ModerationDecision",
    "ModerationState",
    "Notification",
    "Phase",
    "Preference",
    "PrivacyRequest",
    "PrivacyRequestChannel",
    "PrivacyRequestKind",
    "PrivacyRequestStatus",
    "PublicDisplay",
    "QuestionAnswer",
    "RiskAssessment",
    "RiskAssessmentChange",
    "RiskLevel",
    "StaffJob",
    "Stance",
    "Submission",
    "SubmissionStatus",
    "Suggestion",
    "TaskWorker",
    "TextSignature",
    "Theme",
    "ResponseStatus",
    "ThemeResponse",
]
