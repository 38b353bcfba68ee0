"""Demo content for ``seed_demo`` and the benchmark: a fictional city, 示例市 (Shili City).

Plain data only, so the command stays short and the benchmark can reuse one consultation.
Every place, department and person is invented; the situations follow real cases in
rules-zh.md §7 (incinerator siting, land requisition, normative documents, draft rules).
Dates are relative to "now" (``opens_in_days``, ``period_days``), so the demo always shows
open, upcoming and closed consultations.
"""

from __future__ import annotations

from .documents_and_schools import PARKING_FEES, SCHOOL_MERGER
from .land_and_rules import GAS_SAFETY_RULES, LAND_COMPENSATION
from .organisation import DEPARTMENTS, DISTRICTS, USERS
from .waste_plant import WASTE_PLANT

DEMO_PASSWORD = "tingjian-demo"  # noqa: S105 - development demo only; seed_demo refuses in production

CONSULTATIONS = [WASTE_PLANT, LAND_COMPENSATION, PARKING_FEES, GAS_SAFETY_RULES, SCHOOL_MERGER]

# The benchmark serves the richest consultation: ten clauses, two alternatives, four questions.
BENCH_CONSULTATION = WASTE_PLANT

__all__ = [
    "BENCH_CONSULTATION",
    "CONSULTATIONS",
    "DEMO_PASSWORD",
    "DEPARTMENTS",
    "DISTRICTS",
    "USERS",
]
