"""The suppression release of the analysts' dashboard and its aggregate exports, as shown to
everyone but the owning department's analysts (see ``feedback.analysis.suppression``)."""

from __future__ import annotations

from feedback.analysis.clauses import add_clausemap
from feedback.analysis.shapes import TOTAL, add_crosstab, add_series
from feedback.analysis.suppression import Release

HEADLINE_TOTALS = ("received", "withdrawn", "active")


def suppress_dashboard(data: dict) -> dict:
    """``data`` (exact, from ``dashboard``) as shown outside the owning department's analysts.

    What a reader of the page or of its export knows, and so the release holds: received =
    active + withdrawn (headline, exact); opinions per channel add up to the active ones and
    withdrawals per channel to the withdrawn ones; stance and affected status each add up to the
    active opinions and are the column and row totals of stance × affected; each theme row of
    stance × theme is the sum of its rows in stance × affected status × theme (which lists only
    combinations with opinions) and is part of the coded opinions of each stance, which the
    theme rows cover (an opinion with several themes counts under each) and which with the rows
    "no theme" and "not coded yet" make up the stance; each theme × affected × stance cell is part
    of the stance × affected cell; each clause × stance count is part of the stance; the days add
    up to the active opinions; opinions in campaign groups are part of the received ones, and at
    least twice the number of groups (the number of groups is not a count of people: it is
    only hidden, "not shown", when it would give a small count away).
    """
    totals = data["totals"]
    release = Release()
    received, withdrawn, active = (("totals", key) for key in HEADLINE_TOTALS)
    for key in HEADLINE_TOTALS:
        release.add(("totals", key), totals[key], headline=True)
    release.equal(received, [active, withdrawn])
    in_groups, groups = ("totals", "in_campaign_groups"), ("totals", "campaign_groups")
    release.add(in_groups, totals["in_campaign_groups"])
    release.add(groups, totals["campaign_groups"], primary=False)  # groups, not people
    release.part_of(in_groups, received)
    release.part_of(groups, in_groups, times=2)  # two opinions or more per group

    apply: dict = {}
    apply["channel"] = add_series(release, data["channel"], active)
    apply["withdrawn"] = add_series(release, data["withdrawn"], withdrawn)
    apply["stance"] = add_series(release, data["stance"], active)
    apply["affected"] = add_series(release, data["affected"], active)
    apply["stance_affected"] = add_crosstab(
        release,
        data["stance_affected"],
        row_total=lambda a: ("affected", a),
        col_total=lambda s: ("stance", s),
        grand=active,
    )
    alternatives = data["alternatives"]
    apply["alternatives"] = add_crosstab(release, alternatives)
    for row in alternatives.rows:  # one preference per opinion and alternative
        release.part_of(("alternatives", row.key, TOTAL), active)

    by_theme = data["stance_theme"]
    apply["stance_theme"] = add_crosstab(release, by_theme)
    theme_rows = [row.key for row in by_theme.rows if row.key not in ("no_theme", "not_coded")]
    stance_keys = [key for key, _label in by_theme.columns]
    stance_exact = {item.key: item.count for item in data["stance"].items}
    rows_exact = {row.key: row.cells for row in by_theme.rows}
    for s in stance_keys:
        coded = ("coded", s)
        release.add(
            coded,
            stance_exact[s] - rows_exact["no_theme"][s] - rows_exact["not_coded"][s],
            published=False,
        )
        release.equal(
            ("stance", s),
            [coded, ("stance_theme", "no_theme", s), ("stance_theme", "not_coded", s)],
        )
        release.at_least(coded, [("stance_theme", t, s) for t in theme_rows])
        for t in theme_rows:
            release.part_of(("stance_theme", t, s), coded)

    three_way = data["stance_affected_theme"]
    apply["stance_affected_theme"] = add_crosstab(release, three_way, row_lower=1)
    for t in theme_rows:
        listed = [row.key for row in three_way.rows if row.key.split(":", 1)[0] == t]
        release.equal(
            ("stance_theme", t, TOTAL), [("stance_affected_theme", r, TOTAL) for r in listed]
        )
        for s in stance_keys:
            release.equal(("stance_theme", t, s), [("stance_affected_theme", r, s) for r in listed])
    for row in three_way.rows:
        affected = row.key.split(":", 1)[1]
        for s in stance_keys:
            release.part_of(("stance_affected_theme", row.key, s), ("stance_affected", affected, s))

    apply["clauses"] = add_clausemap(release, data["clauses"], stance_total=lambda s: ("stance", s))
    days = data["over_time"]
    apply["over_time"] = add_series(release, days, active)
    for item in days.items[:1] + days.items[-1:]:  # the first and the last day have opinions
        release.add(("over_time", item.key), item.count, lower=1)

    outcome = release.solve()
    shown = dict(data)
    for name, applier in apply.items():
        shown[name] = applier(outcome)
    shown["totals"] = {
        **{key: value for key, value in totals.items() if key not in ("by_channel", "by_stance")},
        **{key: outcome[("totals", key)] for key in HEADLINE_TOTALS},
        "in_campaign_groups": outcome[in_groups],
        "campaign_groups": outcome[groups],
    }
    shown["release"] = outcome
    return shown
