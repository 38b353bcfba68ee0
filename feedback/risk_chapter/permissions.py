"""Who gets the 稳评 chapter: the risk permissions (``feedback.risk.permissions``): the risk
assessors and site administrators, and the approvers of the consultation's own department."""

from __future__ import annotations

from feedback.risk.permissions import can_see_risk_history


def can_get_chapter(user, consultation) -> bool:
    return can_see_risk_history(user, consultation)
