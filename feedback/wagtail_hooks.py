"""Wagtail admin hooks: each capability registers its staff screens' URLs and menu items in
its own ``hooks`` module; importing the modules here registers them."""

from feedback.after_decision import hooks as after_decision_hooks  # noqa: F401
from feedback.campaigns import hooks as campaigns_hooks  # noqa: F401
from feedback.coding import hooks as coding_hooks  # noqa: F401
from feedback.dashboard import hooks as dashboard_hooks  # noqa: F401
from feedback.dossier import hooks as dossier_hooks  # noqa: F401
from feedback.exports import hooks as exports_hooks  # noqa: F401
from feedback.hearings import hooks as hearings_hooks  # noqa: F401
from feedback.intake import hooks as intake_hooks  # noqa: F401
from feedback.privacy import hooks as privacy_hooks  # noqa: F401
from feedback.response import hooks as response_hooks  # noqa: F401
from feedback.review import hooks as review_hooks  # noqa: F401
from feedback.risk import hooks as risk_hooks  # noqa: F401
from feedback.risk_chapter import hooks as risk_chapter_hooks  # noqa: F401
