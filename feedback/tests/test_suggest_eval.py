"""Theme suggestions measured on the repository's labelled set (issue 14, point 2):
feedback/analysis/eval/themes_zh.jsonl, written by bench/suggest_evalset.py.

The promises: after 50 coded opinions, micro-F1 on individual opinions ≥ 0.7; the held-out
figures the coding screen shows are the ones measured here, and they predict the real quality of
the suggestions; near-identical copies never sit on both sides of the held-out split (copies
cannot make a theme look good); a theme is suggested only when its held-out precision reaches
0.8; opinions that fit no theme get no suggestion."""

from __future__ import annotations

import hashlib
import random
import re
import uuid
from collections import Counter

import numpy as np
import pytest
from sklearn.metrics import precision_recall_fscore_support

from consultations.roles import Role
from consultations.tests.factories import UserFactory, published_consultation
from feedback.analysis import themes as tm
from feedback.analysis.evaluation import load_theme_set, pooled_f1, theme_run
from feedback.coding import services, suggest
from feedback.models import Submission, Suggestion
from feedback.models.receipts import new_receipt

THEMES, OPINIONS = load_theme_set()


@pytest.fixture(scope="module")
def runs_at_50():
    return {c: theme_run(THEMES, OPINIONS, c, 50) for c in ("plant", "road")}


def test_the_set_has_what_coding_finds_hard():
    assert len(OPINIONS) >= 300
    assert len(THEMES) >= 8 and {t["consultation"] for t in THEMES} == {"plant", "road"}
    kinds = Counter(o["kind"] for o in OPINIONS)
    assert kinds["off-topic"] >= 20 and kinds["traditional"] >= 20 and kinds["multi"] >= 50
    campaigns = Counter(o["campaign"] for o in OPINIONS if o["campaign"])
    assert len(campaigns) >= 4 and min(campaigns.values()) >= 10
    assert all(not o["themes"] for o in OPINIONS if o["kind"] == "off-topic")


def test_micro_f1_after_50_coded_reaches_0_7(runs_at_50):
    pooled = pooled_f1(list(runs_at_50.values()))
    assert pooled["f1"] >= 0.7, pooled
    assert pooled["precision"] >= 0.85  # what it suggests is mostly right
    for run in runs_at_50.values():
        assert run.real["f1"] >= 0.7, (run.consultation, run.real)


def test_opinions_that_fit_no_theme_get_no_suggestion(runs_at_50):
    for run in runs_at_50.values():
        assert run.real["no_theme"] >= 5
        assert run.real["no_theme_left_alone"] >= 0.9 * run.real["no_theme"]


def test_a_theme_is_suggested_only_with_enough_held_out_precision(runs_at_50):
    for run in runs_at_50.values():
        for row, real in zip(run.estimate["per_theme"], run.real["per_theme"], strict=True):
            if row["status"] == "ok":
                assert row["precision"] >= 0.8 and row["support"] >= 5
            else:
                assert real["suggested"] == 0, row  # never suggested
    # with 50 coded, the plant's rarer themes are not suggested yet
    statuses = Counter(r["status"] for r in runs_at_50["plant"].estimate["per_theme"])
    assert statuses["ok"] >= 5 and statuses["ok"] < 8


def test_held_out_figures_predict_the_real_ones(runs_at_50):
    for run in runs_at_50.values():
        est, real = run.estimate, run.real
        assert abs(est["f1"] - real["f1"]) <= 0.05, (est["f1"], real["f1"])
        assert abs(est["precision"] - real["precision"]) <= 0.1
        assert abs(est["recall"] - real["recall"]) <= 0.1


def test_campaign_copies_are_one_group_and_never_split():
    for consultation in ("plant", "road"):
        rows = [o for o in OPINIONS if o["consultation"] == consultation]
        groups = tm.near_duplicate_groups([o["text"] for o in rows])
        by_campaign: dict[str, set[int]] = {}
        for o, g in zip(rows, groups, strict=True):
            if o["campaign"]:
                by_campaign.setdefault(o["campaign"], set()).add(g)
        # every copy (other punctuation, a name added, words dropped, Traditional) in one group
        assert all(len(gs) == 1 for gs in by_campaign.values()), by_campaign
        campaign_groups = {g for gs in by_campaign.values() for g in gs}
        strays = [
            o["id"]
            for o, g in zip(rows, groups, strict=True)
            if g in campaign_groups and not o["campaign"]
        ]
        assert strays == []


def test_copies_cannot_make_a_theme_look_good():
    """The adversary: a theme whose only evidence is one letter copied 20 times. A split that
    put copies on both sides would find every copy from its twin and claim precision and recall
    1.0; split by group, the model never saw the letter when it meets a copy, so the theme does
    not reach the gate and is not suggested."""
    rng = random.Random(5)
    letter = "我们坚决要求把北山村的防护林保留下来，这片林子是祖辈种下的，砍了就没有了。"
    texts, labels = [], []
    for i in range(20):
        texts.append(letter if i % 2 else letter.replace("，", ",") + "村民" + str(i))
        labels.append([True, False])
    other = [t for t in THEMES if t["consultation"] == "road"][:1]
    base = [o for o in OPINIONS if other[0]["theme"] in o["themes"]][:20]
    filler = [o for o in OPINIONS if o["consultation"] == "road" and not o["themes"]][:10]
    for o in base:
        texts.append(o["text"])
        labels.append([False, True])
    for o in filler:
        texts.append(o["text"])
        labels.append([False, False])
    order = list(range(len(texts)))
    rng.shuffle(order)
    texts = [texts[i] for i in order]
    y = np.array([labels[i] for i in order], dtype=bool)
    docs = [tm.prepare(t) for t in texts]
    config = tm.ThemeConfig()
    seeds = [[], []]
    groups = tm.near_duplicate_groups(texts)
    grouped = tm.assess(docs, y, groups, seeds, ["forest", "x"], config)
    leaky = tm.assess(docs, y, list(range(len(texts))), seeds, ["forest", "x"], config)
    assert leaky.evaluation["per_theme"][0]["recall"] == 1.0  # what a naive split claims
    assert grouped.evaluation["per_theme"][0]["recall"] in (0.0, None)
    assert not grouped.enabled[0]
    assert len({g for g, row in zip(groups, y, strict=True) if row[0]}) == 1  # one letter


# --- the coding screen shows the measured figure ----------------------------------------------


def _fmt(x: float) -> str:
    return f"{x:.2f}"


@pytest.mark.django_db
def test_screen_shows_the_figures_measured_on_the_set(client, runs_at_50):
    """The plant consultation of the set through the register: the first 50 opinions coded by an
    analyst (opinions that fit nothing marked "no theme"), suggestions computed by the run the
    screen starts. The screen shows exactly the held-out figures measured here without the
    database, and the suggestions stored for the other opinions score, against the labels
    (counted here with scikit-learn), what the pure run scores."""
    consultation = published_consultation()
    analyst = UserFactory.with_role(Role.ANALYST, consultation.department)
    frame = [t for t in THEMES if t["consultation"] == "plant"]
    theme_of = {
        t["theme"]: services.theme_create(
            user=analyst,
            consultation=consultation,
            name=t["name"],
            description=" ".join(t["seeds"]),
        )
        for t in frame
    }
    rows = [o for o in OPINIONS if o["consultation"] == "plant"]
    subs = Submission.objects.bulk_create(
        [
            Submission(
                consultation=consultation,
                comment=o["text"],
                receipt=new_receipt(),
                idempotency_token=uuid.uuid4(),
                text_hash=hashlib.sha256(o["text"].encode()).hexdigest(),
            )
            for o in rows
        ]
    )
    for sub, o in zip(subs[:50], rows[:50], strict=True):
        if not o["themes"]:
            services.mark_no_theme(analyst, sub, "无关")
        for key in o["themes"]:
            services.code(analyst, sub, theme_of[key])

    client.force_login(analyst)
    base = f"/admin/coding/{consultation.pk}"
    assert client.post(f"{base}/suggestions/generate/").status_code == 302
    html = client.get(f"{base}/themes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    section = html[html.index("data-tj-evaluation") :]
    expected = runs_at_50["plant"].estimate
    micro = section[section.index("data-tj-micro") :].split("</tr>")[0]
    cells = re.findall(r"<td>([^<]*)</td>", micro)
    assert cells[:4] == [
        f"F1 {_fmt(expected['f1'])}",
        _fmt(expected["precision"]),
        _fmt(expected["recall"]),
        "50",
    ]
    for key, row in zip([t["theme"] for t in frame], expected["per_theme"], strict=True):
        theme = theme_of[key]
        line = section[section.index(f'data-tj-theme="{theme.pk}"') :].split("</tr>")[0]
        cells = re.findall(r"<td>([^<]*)</td>", line)
        shown = "yes" if row["status"] == "ok" else "not enough coded examples yet"
        assert cells == [
            shown,
            _fmt(row["precision"]) if row["precision"] is not None else "–",
            _fmt(row["recall"]) if row["recall"] is not None else "–",
            str(row["support"]),
            str(row["suggested"]),
        ], theme.name

    # the suggestions as stored, scored against the labels by scikit-learn
    keys = [t["theme"] for t in frame]
    column = {theme_of[k].pk: j for j, k in enumerate(keys)}
    rest = subs[50:]
    chosen = np.zeros((len(rest), len(keys)), dtype=bool)
    index = {s.pk: i for i, s in enumerate(rest)}
    stored = Suggestion.objects.filter(
        consultation=consultation, kind=Suggestion.Kind.OPINION_THEME
    ).values_list("submission_id", "theme_id")
    for sub_id, theme_id in stored:
        chosen[index[sub_id], column[theme_id]] = True
    truth = np.array([[k in o["themes"] for k in keys] for o in rows[50:]], dtype=bool)
    p, r, f1, _ = precision_recall_fscore_support(truth, chosen, average="micro", zero_division=0)
    real = runs_at_50["plant"].real
    assert (round(p, 4), round(r, 4), round(f1, 4)) == (
        real["precision"],
        real["recall"],
        real["f1"],
    )
    assert f1 >= 0.7
    assert abs(f1 - expected["f1"]) <= 0.05  # what the screen said is what the analyst gets
    # themes not suggested yet are named on the screen as waiting for examples
    waiting = [theme_of[k].name for k, row in zip(keys, expected["per_theme"], strict=True)]
    waiting = [
        n for n, row in zip(waiting, expected["per_theme"], strict=True) if row["status"] != "ok"
    ]
    first = client.get(f"{base}/?f=uncoded", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    page = first.content.decode()
    assert "Not suggested yet (not enough coded examples yet):" in page
    assert all(name in page for name in waiting)
    assert suggest.screen_evaluation(consultation)["f1"] == expected["f1"]
    # an opinion that fits no theme: no suggestion, and the screen says so
    off = next(
        s
        for s, o in zip(rest, rows[50:], strict=True)
        if o["kind"] == "off-topic" and not chosen[index[s.pk]].any()
    )
    page = client.get(f"{base}/opinion/{off.pk}/?f=uncoded", HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["suggestions"] == []
    assert "No theme suggested: no theme that may be suggested fits" in page.content.decode()
