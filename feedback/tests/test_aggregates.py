"""Aggregates equal hand-computed numbers; hidden opinions count, withdrawn ones are apart."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.analysis import aggregates
from feedback.analysis.suppression import PROTECTS
from feedback.tests._analysis_data import build_register, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(open_consultation):
    return build_register(open_consultation)


def counts(series):
    return {item.key: item.count for item in series.items}


def test_register_totals_reconcile(open_consultation, register):
    totals = aggregates.register_totals(open_consultation)
    assert totals["received"] == 7
    assert totals["withdrawn"] == 1
    assert totals["active"] == 6
    channels = {row["channel"]: row for row in totals["by_channel"]}
    assert channels["web"] == {
        "channel": "web",
        "label": channels["web"]["label"],
        "received": 5,
        "withdrawn": 1,
        "active": 4,
    }
    assert (channels["phone"]["received"], channels["letter"]["received"]) == (1, 1)
    assert channels["hotline_12345"]["received"] == 0  # every channel listed
    assert sum(row["received"] for row in totals["by_channel"]) == totals["received"]
    assert totals["by_stance"] == {
        "support": 1,
        "conditional": 1,
        "oppose": 2,  # the hidden opinion counts; the withdrawn one does not
        "unsure": 1,
        "": 1,
    }
    assert sum(totals["by_stance"].values()) == totals["active"]
    # Texts a, b, a, c among received opinions with text (the withdrawn "c" counts, like it
    # counts in "received": N opinions, M distinct texts, K campaign groups describe the same
    # opinions).
    assert totals["distinct_texts"] == 3
    assert totals["campaign_groups"] == 0
    assert aggregates.campaign_summary(totals) == {
        "opinions": 7,
        "distinct_texts": 3,
        "groups": 0,
    }


def test_totals_by_channel_stance_and_affected(open_consultation, register):
    assert counts(aggregates.by_channel(open_consultation))["web"] == 4
    assert counts(aggregates.withdrawn_by_channel(open_consultation))["web"] == 1
    stance = aggregates.by_stance(open_consultation)
    assert counts(stance)["oppose"] == 2 and stance.total == 6
    affected = counts(aggregates.by_affected(open_consultation))
    assert affected == {"live": 3, "work": 1, "own": 0, "other": 1, "": 1}


def test_hidden_opinions_are_counted(open_consultation, register):
    register["s"][2].moderation_state = "hidden"
    register["s"][2].save()
    assert counts(aggregates.by_stance(open_consultation))["oppose"] == 2
    theme = aggregates.stance_by_theme(open_consultation)
    row = next(r for r in theme.rows if r.label == "健康")
    assert row.cells["oppose"] == 2


def test_alternative_preferences(open_consultation, register):
    table = aggregates.alternative_preferences(open_consultation)
    rows = {row.label: row.cells for row in table.rows}
    assert rows["方案甲"] == {"prefer": 1, "acceptable": 0, "not_acceptable": 0}
    assert rows["方案乙"]["not_acceptable"] == 1


def test_stance_by_theme_counts_each_theme(open_consultation, register):
    table = aggregates.stance_by_theme(open_consultation)
    rows = {row.label: row for row in table.rows}
    assert rows["健康"].cells["oppose"] == 2 and rows["健康"].total == 2
    assert rows["选址"].cells == {
        "support": 1,
        "conditional": 0,
        "oppose": 1,
        "unsure": 0,
        "": 0,
    }
    # Opinion 1 has both themes: the theme rows add up to more than the coded opinions (3).
    assert rows["健康"].total + rows["选址"].total == 4
    assert "多个主题" in str(table.note)
    no_theme = next(r for r in table.rows if r.key == "no_theme")
    not_coded = next(r for r in table.rows if r.key == "not_coded")
    assert no_theme.cells["conditional"] == 1 and no_theme.total == 1
    assert not_coded.cells[""] == 1 and not_coded.cells["unsure"] == 1


def test_stance_by_affected_and_theme(open_consultation, register):
    table = aggregates.stance_by_affected(open_consultation)
    live = next(r for r in table.rows if r.key == "live")
    assert live.cells["oppose"] == 2 and live.cells["conditional"] == 1 and live.total == 3
    three_way = aggregates.stance_by_affected_theme(open_consultation)
    rows = {row.key: row for row in three_way.rows}
    health_live = rows[f"{register['health'].pk}:live"]
    assert health_live.cells["oppose"] == 2
    assert rows[f"{register['site'].pk}:work"].cells["support"] == 1
    assert len(rows) == 3  # only combinations that have opinions


def test_clause_heatmap(open_consultation, register):
    heat = aggregates.clause_heatmap(open_consultation)
    by_number = {c.number: c for c in heat.clauses}
    assert by_number[1].total == 2
    assert by_number[1].by_stance["oppose"] == 1 and by_number[1].by_stance["support"] == 1
    assert by_number[2].total == 1  # the withdrawn opinion's comment is not counted
    assert by_number[1].level > by_number[2].level > 0


def test_over_time_by_local_day(open_consultation, register):
    series = aggregates.over_time(open_consultation)
    # 20:00 UTC on 1 March is 2 March in Shanghai; the letter counts on its day received.
    assert counts(series) == {"2026-02-28": 1, "2026-03-01": 0, "2026-03-02": 5}


def test_top_keywords(open_consultation, register):
    series = aggregates.top_keywords(open_consultation)
    words = counts(series)
    assert words.get("第一条") == 2 or words.get("一条") == 2 or "健康" in words
    assert "撤回" not in words  # withdrawn opinions are left out
    assert all(w not in words for w in ("我们", "的"))


@pytest.fixture
def bigger(open_consultation):
    for channel, n in (("web", 7), ("phone", 5), ("letter", 3)):
        for _ in range(n):
            make_submission(open_consultation, channel=channel, stance="oppose")
    return open_consultation


def test_suppressed_breakdowns(bigger):
    exact = counts(aggregates.by_channel(bigger))
    assert (exact["web"], exact["phone"], exact["letter"]) == (7, 5, 3)
    shown = aggregates.by_channel(bigger, suppressed=True)
    cells = counts(shown)
    # 3 is hidden, and so is the next smallest (5), else 3 = 15 − 7 − 5; 5 is not "<5": it
    # is labelled as hidden to protect a small group.
    assert cells["letter"] is None and cells["phone"] is PROTECTS and cells["web"] == 7
    assert cells["email"] == 0  # zero stays zero
    assert shown.total == 15  # totals exact
    table = aggregates.stance_by_affected(bigger, suppressed=True)
    assert next(r for r in table.rows if r.key == "").cells["oppose"] == 15
    words = aggregates.top_keywords(bigger, suppressed=True)
    assert all(item.count >= 5 for item in words.items)


def test_suppressed_clause_heat_does_not_reveal_small_counts(open_consultation, register):
    heat = aggregates.clause_heatmap(open_consultation, suppressed=True)
    assert all(c.total is None or c.total == 0 for c in heat.clauses)
    # A hidden total gets the grey of hidden figures, not a colour step of the scale.
    assert {c.level for c in heat.clauses if c.total is None} == {-1}


def test_aggregates_are_database_queries_not_row_loops(open_consultation, register):
    for _ in range(40):
        make_submission(open_consultation, channel="web", stance="support")
    with CaptureQueriesContext(connection) as ctx:
        aggregates.dashboard(open_consultation, keywords=False)
    few = len(ctx.captured_queries)
    for _ in range(200):
        make_submission(open_consultation, channel="web", stance="support")
    with CaptureQueriesContext(connection) as ctx:
        aggregates.dashboard(open_consultation, keywords=False)
    assert len(ctx.captured_queries) == few < 30
    assert any("GROUP BY" in q["sql"] for q in ctx.captured_queries)


def test_suppressed_crosstab_never_shows_what_the_one_way_breakdown_hides(bigger):
    for _ in range(6):
        make_submission(bigger, channel="web", stance="support", affected_status="live")
    make_submission(bigger, channel="web", stance="oppose", affected_status="work")
    affected = counts(aggregates.by_affected(bigger, suppressed=True))
    table = aggregates.stance_by_affected(bigger, suppressed=True)
    for row in table.rows:
        assert row.total == affected[row.key]
        if row.total is None:
            assert all(v in (None, 0) for v in row.cells.values())
    work = next(r for r in table.rows if r.key == "work")
    assert work.total is None and work.cells["oppose"] is None
    assert table.total == 22  # the grand total stays exact
