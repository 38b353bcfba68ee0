"""Opinion register models, split by subject; import from here.

Identity (``Contact``) is kept in its own module and table, apart from the opinions.
"""

from .choices import AffectedStatus, Channel, Preference, Stance, SubmissionStatus
from .contact import Contact, ContactAccessLog
from .submission import AlternativePreference, ClauseComment, QuestionAnswer, Submission

__all__ = [
    "AffectedStatus",
    "AlternativePreference",
    "Channel",
    "ClauseComment",
    "Contact",
    "ContactAccessLog",
    "Preference",
    "QuestionAnswer",
    "Stance",
    "Submission",
    "SubmissionStatus",
]
