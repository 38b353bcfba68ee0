"""What happens on the demo consultations after they are published, in the order it happens.

Each step is a module of this package with ``seed(users)``; ``seed_demo`` runs them once the
consultations exist, each in its own transaction.
"""

from __future__ import annotations

from importlib import import_module

from django.db import transaction

STEPS = ("opinions", "hearings", "responses", "decisions", "after_decision")


def seed_all(users: dict) -> None:
    for step in STEPS:
        module = import_module(f"cms.demo_content.{step}")
        with transaction.atomic():
            module.seed(users)
