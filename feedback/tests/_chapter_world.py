"""Shared set-up of the 稳评 chapter and dossier tests: the response world, published."""

from __future__ import annotations

from feedback.models import Contact, Submission
from feedback.tests.response_fixtures import build_world, publish_response
from feedback.tests.test_response import answer_all

CONTACTS = ("resident1@example.org", "resident6@example.org", "13800138000")


def published_world():
    world = build_world()
    answer_all(world)
    publish_response(
        world,
        summary="感谢各位居民参与。根据意见，修改了第1条。",
        draft_from=world.v1,
        draft_to=world.v2,
    )
    return world


def record_level_strings(consultation) -> list[str]:
    """Every opinion text, receipt code and contact of the consultation's register."""
    found = list(CONTACTS)
    for s in Submission.objects.filter(consultation=consultation):
        found += [s.comment, s.receipt, s.formatted_receipt]
        found += [c.text for c in s.clause_comments.all()]
    assert Contact.objects.exists()
    return [x for x in found if x]
