"""How good and how fast theme suggestions are, on the repository's labelled theme set.

    flock /tmp/bench.lock make bench-suggest_eval
    .venv/bin/python -m bench.suggest_eval --coded 30 50 90

Reads feedback/analysis/eval/themes_zh.jsonl (written by bench/suggest_evalset.py: two
consultations, 14 themes, opinions about one to three themes, off-topic opinions, campaign letters
copied with small edits, Traditional characters). For each consultation it codes the first N
opinions in arrival order with their labels (as an analyst would), then prints:

* the held-out figures the coding screen shows (``feedback.analysis.themes.assess``: every coded
  opinion suggested for by a model that saw neither it nor any copy of it), per theme with the
  number of coded opinions behind them and whether the theme is suggested;
* the real precision, recall and F1 of the suggestions made for the opinions not coded, against
  their labels, on individual opinions and with each campaign counted once;
* the micro-F1 over both consultations (the goal of issue 14: ≥ 0.7 after 50 coded).

Then the time to train (with the held-out measure) and suggest for 500 and 5,000 opinions, one
fifth of them coded. No database: the same functions the coding screen's run calls
(``feedback.coding.suggest.classify``) on texts read from the register.
"""

from __future__ import annotations

import argparse
import os
import time


def _fmt(x) -> str:
    return "   –" if x is None else f"{x:.2f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coded", type=int, nargs="+", default=[30, 50, 90])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.config.settings.test")
    import django

    django.setup()
    from feedback.analysis import themes as tm
    from feedback.analysis.evaluation import load_theme_set, pooled_f1, theme_run
    from feedback.coding.suggest import theme_config

    config = theme_config()
    themes, opinions = load_theme_set()
    names = {(t["consultation"], t["theme"]): t["name"] for t in themes}
    print(
        f"labelled set: {len(opinions)} opinions, {len(themes)} themes, "
        f"{sum(1 for o in opinions if not o['themes'])} with no theme, "
        f"{sum(1 for o in opinions if o['campaign'])} campaign copies; "
        f"min precision {config.min_precision}"
    )
    for coded in args.coded:
        runs = [theme_run(themes, opinions, c, coded, config) for c in ("plant", "road")]
        print(f"\n== after {coded} coded opinions per consultation")
        for run in runs:
            e, r, d = run.estimate, run.real, run.real_distinct
            on = sum(1 for row in e["per_theme"] if row["status"] == "ok")
            print(
                f"{run.consultation:<6} screen P {_fmt(e['precision'])} R {_fmt(e['recall'])} "
                f"F1 {_fmt(e['f1'])} | real P {_fmt(r['precision'])} R {_fmt(r['recall'])} "
                f"F1 {_fmt(r['f1'])} on {r['opinions']} opinions | campaigns once F1 "
                f"{_fmt(d['f1'])} | themes suggested {on}/{len(e['per_theme'])} | "
                f"no-theme left alone {r['no_theme_left_alone']}/{r['no_theme']}"
            )
            if coded == 50:
                for row in e["per_theme"]:
                    real = next(x for x in r["per_theme"] if x["theme"] == row["theme"])
                    print(
                        f"    {names[(run.consultation, row['theme'])]:<10} "
                        f"{row['status']:<13} held-out P {_fmt(row['precision'])} "
                        f"R {_fmt(row['recall'])} (coded with it {row['support']:>3}, "
                        f"suggested {row['suggested']:>3}, threshold {row['threshold']:.1f}) "
                        f"| real P {_fmt(real['precision'])} R {_fmt(real['recall'])}"
                    )
        pooled = pooled_f1(runs)
        print(
            f"both   micro P {pooled['precision']:.3f} R {pooled['recall']:.3f} "
            f"F1 {pooled['f1']:.3f} on {pooled['opinions']} opinions not coded"
        )

    from bench.suggest_evalset import THEMES, synthetic

    frame = THEMES["plant"]
    keys = sorted(frame)
    seeds = [tm.seed_words(frame[k][0], frame[k][1]) for k in keys]
    print("\n== time (one process; includes jieba for every opinion)")
    for n in args.sizes:
        rows = synthetic(n, seed=n)
        coded = max(50, n // 5)
        t0 = time.perf_counter()
        docs = [tm.prepare(r["text"]) for r in rows]
        t1 = time.perf_counter()
        import numpy as np

        y = np.array([[k in r["themes"] for k in keys] for r in rows[:coded]], dtype=bool)
        groups = tm.near_duplicate_groups([r["text"] for r in rows[:coded]])
        assessment = tm.assess(docs[:coded], y, groups, seeds, keys, config)
        t2 = time.perf_counter()
        model = tm.ThemeModel(config, seeds).fit(docs[:coded], y)
        chosen = tm.decide(
            model.proba(docs[coded:]), config, assessment.enabled, assessment.thresholds
        )
        t3 = time.perf_counter()
        print(
            f"{n:>6} opinions, {coded} coded: words {t1 - t0:.2f} s, held-out measure "
            f"{t2 - t1:.2f} s, train + suggest {t3 - t2:.2f} s, total {t3 - t0:.2f} s "
            f"({int(chosen.sum())} suggestions)"
        )


if __name__ == "__main__":
    main()
