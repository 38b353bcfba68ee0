"""Issue 15: one colour meaning on every analysis chart (green is support, or an alternative
preferred; never "not acceptable"), cross-tabulations at full width, and an export page that
says "preparing" until the opinions are counted."""

from __future__ import annotations

import re

import pytest

from feedback.analysis import charts
from feedback.analysis.shapes import CrossRow, CrossTab
from feedback.exports import files
from feedback.models import StaffJob
from feedback.tests._analysis_data import build_register

pytestmark = pytest.mark.django_db

GREEN, VERMILLION = charts.STANCE_COLOURS["support"], charts.STANCE_COLOURS["oppose"]


def _fills(svg: str) -> dict[str, str]:
    """label → fill of each bar (the bars carry their label in a <title>)."""
    return {
        label.split(":")[0]: fill
        for fill, label in re.findall(r'fill="(#\w+)"><title>([^<]*)</title>', str(svg))
    }


def test_alternatives_chart_never_paints_not_acceptable_green():
    table = CrossTab(
        "alternatives",
        "方案",
        [("prefer", "首选"), ("acceptable", "可以接受"), ("not_acceptable", "不能接受")],
        [CrossRow("1", "方案甲", {"prefer": 5, "acceptable": 6, "not_acceptable": 7}, 18)],
        18,
    )
    fills = _fills(charts.stacked_bar_chart("方案", table))
    assert fills == {
        "首选": GREEN,
        "可以接受": charts.STANCE_COLOURS["conditional"],
        "不能接受": VERMILLION,
    }


def test_colours_without_a_meaning_are_never_the_stance_colours():
    assert not set(charts.SERIES_COLOURS) & set(charts.STANCE_COLOURS.values())
    table = CrossTab(
        "t", "t", [(f"k{n}", f"列{n}") for n in range(6)],
        [CrossRow("r", "行", {f"k{n}": 5 for n in range(6)}, 30)], 30,
    )  # fmt: skip
    assert not set(_fills(charts.stacked_bar_chart("t", table)).values()) & {GREEN, VERMILLION}


def test_the_stance_bars_take_the_stance_colours():
    svg = str(charts.bar_chart("态度", [("支持", 5), ("反对", 6)], keys=["support", "oppose"]))
    assert re.findall(r'<rect [^>]*fill="(#\w+)"', svg) == [GREEN, VERMILLION]


def test_the_dashboard_puts_cross_tabulations_at_full_width(client, open_consultation):
    register = build_register(open_consultation)
    client.force_login(register["analyst"])
    html = client.get(f"/admin/analysis/{open_consultation.pk}/").content.decode()
    stacked = re.findall(r'<div class="ta-pair ta-pair--stacked">', html)
    assert len(stacked) >= 3  # stance × affected, stance × theme, stance × affected × theme
    # Every crosstab table sits in its own full-width box, never beside a chart.
    for block in html.split('<div class="ta-pair">')[1:]:
        assert "<td></td>" not in block.split("</section>")[0].split("ta-pair--stacked")[0]


def _job(consultation, analyst, **extra):
    return StaffJob.objects.create(
        kind=files.EXPORT_KIND,
        consultation=consultation,
        requested_by=analyst,
        params={"scope": "aggregates", "format": "xlsx", "suppressed": False},
        **extra,
    )


def test_the_export_page_says_preparing_until_the_opinions_are_counted(client, open_consultation):
    register = build_register(open_consultation)
    analyst = register["analyst"]
    client.force_login(analyst)
    job = _job(open_consultation, analyst)
    page = client.get(f"/admin/analysis/export/{job.pk}/").content.decode()
    status = re.search(r'<p id="export-status"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert status == "正在准备导出……"
    assert "0 / 0" not in page and "已写入" not in page
    StaffJob.objects.filter(pk=job.pk).update(total=7, done=3)
    page = client.get(f"/admin/analysis/export/{job.pk}/").content.decode()
    assert "已写入 3 / 7 条意见" in page
    assert re.search(r'<progress max="7" value="3"', page)
