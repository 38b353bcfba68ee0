"""Clause-by-clause draft differences, character level for Chinese."""

import pytest

from consultations.diff import draft_version_diff, inline_diff
from consultations.models import Clause, DraftVersion
from consultations.tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db


def version(consultation, number, clauses):
    v = DraftVersion.objects.create(consultation=consultation, number=number)
    for n, (heading, text) in clauses.items():
        Clause.objects.create(version=v, number=n, heading=heading, text=text)
    return v


def test_clauses_are_matched_by_number_with_status():
    c = ConsultationFactory()
    old = version(
        c,
        1,
        {
            1: ("总则", "本办法适用于本市。"),
            2: ("", "垃圾焚烧发电厂选址。"),
            3: ("", "删除的条款。"),
        },
    )
    new = version(
        c,
        2,
        {
            1: ("总则", "本办法适用于本市。"),
            2: ("", "垃圾焚烧发电厂选址须公示。"),
            4: ("", "新增条款。"),
        },
    )
    diffs = draft_version_diff(old, new)
    assert [(d.number, d.status) for d in diffs] == [
        (1, "unchanged"),
        (2, "changed"),
        (3, "removed"),
        (4, "added"),
    ]
    assert diffs[1].segments == [
        ("equal", "垃圾焚烧发电厂选址"),
        ("insert", "须公示"),
        ("equal", "。"),
    ]
    assert diffs[2].segments == [("delete", "删除的条款。")] and diffs[2].new is None
    assert diffs[3].segments == [("insert", "新增条款。")] and diffs[3].old is None
    assert diffs[0].segments == [("equal", "本办法适用于本市。")]


def test_replacement_is_a_delete_then_an_insert_and_rebuilds_both_texts():
    old, new = "征收范围为甲村。", "征收范围为乙村和丙村。"
    segments = inline_diff(old, new)
    assert ("delete", "甲") in segments and ("insert", "乙村和丙") in segments
    assert "".join(t for op, t in segments if op != "insert") == old
    assert "".join(t for op, t in segments if op != "delete") == new


def test_heading_change_alone_marks_clause_changed():
    c = ConsultationFactory()
    old = version(c, 1, {1: ("第一条", "内容。")})
    new = version(c, 2, {1: ("第一条 目的", "内容。")})
    (d,) = draft_version_diff(old, new)
    assert d.status == "changed"
    assert d.heading_segments == [("equal", "第一条"), ("insert", " 目的")]
