"""Writes the labelled campaign evaluation set feedback/analysis/eval/campaigns_zh.jsonl.

    .venv/bin/python -m bench.campaign_evalset          # rewrites the file (deterministic)

Why: the grouping's precision and recall must be measured on Chinese consultation text with the
cases that break naive matching (issue 14): short form letters copied with other punctuation,
spacing, emoji, one word changed or written in Traditional characters; long letters with edits;
near-miss texts that must stay apart (a stance word flipped, a negation added, a number changed);
and independent opinions. Every record is written here from word lists and templates with a
fixed seed, so the file is reproducible and reviewable; the file itself is committed and is what
the test (feedback/tests/test_campaign_evaluation.py) and the benchmark (bench/campaign_eval.py)
read.

Record fields: ``id`` (1..n, arrival order), ``consultation`` (plant, road or school: grouping is
per consultation), ``text``, ``campaign`` (label, or null for an independent opinion), ``kind``
(what the record tests), and ``limit`` (set on the few records that show a known limit of the
method; they are scored separately and not part of the ≥ 0.95 figures).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import opencc

from bench.textgen import DECISIONS, organic_opinion

OUT = (
    Path(__file__).resolve().parent.parent / "feedback" / "analysis" / "eval" / "campaigns_zh.jsonl"
)
SEED = 14
_S2T = opencc.OpenCC("s2t")

EMOJI = ("😡", "🙏", "👍", "😭😭", "❗", "🙏🙏🙏", "💢")
ZERO_WIDTH = ("\u200b", "\u200d", "\ufeff")


def traditional(text: str) -> str:
    return _S2T.convert(text)


def surface(rng: random.Random, text: str) -> str:
    """The same words written differently: punctuation, spacing, emoji, width, Traditional."""
    for _ in range(rng.randint(1, 3)):
        how = rng.choice(("punct", "bang", "space", "emoji", "trad", "width", "zw", "repeat"))
        if how == "punct":
            text = text.replace("，", rng.choice((",", " ", "、", "。"))).replace(
                "！", rng.choice(("!", "。", "", "！！"))
            )
        elif how == "bang":
            text = text.rstrip("！!。") + rng.choice(("!!", "！", "!!!!", "！！！", "～～", "?!"))
        elif how == "space":
            cut = rng.randrange(1, len(text))
            text = text[:cut] + rng.choice((" ", "\u3000", "  ")) + text[cut:]
        elif how == "emoji":
            text = text + rng.choice(EMOJI)
        elif how == "trad":
            text = traditional(text)
        elif how == "width":
            text = text.replace("，", ",").replace("！", "!").replace("？", "?")
        elif how == "zw":
            cut = rng.randrange(1, len(text))
            text = text[:cut] + rng.choice(ZERO_WIDTH) + text[cut:]
        else:  # a character typed several times
            i = rng.randrange(len(text))
            text = text[:i] + text[i] * rng.randint(2, 4) + text[i + 1 :]
    return text


def short_campaign(rng, label, consultation, base, words, n, kind="short"):
    """``n`` copies of a short text: the text itself, surface variants, one-word variants."""
    out = []
    for i in range(n):
        text = base
        if i >= 2 and rng.random() < 0.45 and words:
            old, new = rng.choice(words)
            text = text.replace(old, new, 1)
        if i >= 1:
            text = surface(rng, text)
        out.append((consultation, text, label, kind))
    return out


def long_campaign(rng, label, consultation, letter, swaps, extra, n, kind="long"):
    """``n`` copies of a form letter: verbatim, punctuation, a name swapped, a sentence added or
    dropped, a few characters changed, some in Traditional characters."""
    out = []
    for i in range(n):
        text = letter
        edits = 0 if i < 3 else rng.randint(1, 3)
        for _ in range(edits):
            how = rng.choice(("swap", "append", "drop", "chars", "punct", "trad"))
            if how == "swap" and swaps:
                old, new = rng.choice(swaps)
                text = text.replace(old, new)
            elif how == "append":
                text += rng.choice(extra)
            elif how == "drop":
                sentences = [s + "。" for s in text.split("。") if s]
                if len(sentences) >= 4:
                    del sentences[rng.randrange(1, len(sentences))]
                    text = "".join(sentences)
            elif how == "chars":
                chars = list(text)
                for _ in range(rng.randint(1, 3)):
                    chars[rng.randrange(len(chars))] = rng.choice("我们大家都很非常确实这个")
                text = "".join(chars)
            elif how == "punct":
                text = surface(rng, text)
            else:
                text = traditional(text)
        out.append((consultation, text, label, kind))
    return out


PLANT_LETTER = (
    "尊敬的领导：我们是北山村和石桥村的村民。垃圾焚烧发电厂选址距离村庄不到八百米，"
    "村里有两所小学和一个养老院，焚烧产生的二噁英和飞灰会长期威胁老人和孩子的健康。"
    "项目的环境影响评价没有到村里征求意见，程序不合法。我们坚决反对在北山村建设焚烧厂，"
    "要求重新论证选址，把比选方案和环评报告全文向社会公开。在问题解决之前，请暂停一切前期施工。"
    "此致敬礼！北山村全体村民"
)
ROAD_LETTER = (
    "致解放路拓宽工程指挥部：我们是锦绣花园小区的业主，小区三栋楼紧挨解放路，距离路边只有十五米。"
    "拓宽成双向八车道以后，大货车昼夜通行，噪声和尾气会直接进入卧室。我们要求在小区一侧加装全封闭隔音屏，"
    "夜间十点以后禁止施工，施工期间每天洒水降尘。同时建议在小区门口增设人行天桥，保证老人孩子过马路安全。"
    "请在方案中明确答复。锦绣花园全体业主"
)
SCHOOL_LETTER = (
    "教育局领导：我们是河口村小学的家长。河口村到松林镇中心小学有十二公里山路，雨季经常塌方，"
    "一二年级的孩子每天来回要两个多小时。学校合并以后，孩子要么住校，要么家长天天接送，很多家庭做不到。"
    "我们不反对改善办学条件，但希望保留河口村小学的低年级教学点，由中心小学派老师轮流授课，"
    "并且在合并方案里写清楚校车线路、发车时间和安全责任。恳请慎重决策。河口村小学全体家长"
)
MEDIUM_ROAD = "强烈要求解放路拓宽工程在锦绣花园一侧加装隔音屏，夜间禁止施工，还我们安静的休息环境"

PLANT_EXTRA = (
    "我家就在村口，孩子今年刚上一年级。",
    "希望领导到村里来听听大家的声音。",
    "二噁英的监测数据也要每天公开。",
)
ROAD_EXTRA = ("我父亲有心脏病，晚上一吵就睡不着。", "希望尽快召开听证会。", "请公开噪声预测报告。")
SCHOOL_EXTRA = (
    "我家孩子才七岁，天不亮就要出门。",
    "山路没有路灯，冬天放学天都黑了。",
    "请教育局到村里开一次家长会。",
)

SHORT_INDEPENDENT = {
    "plant": (
        "焚烧厂建成后会不会影响地下水？",
        "什么时候召开听证会？",
        "补偿标准太低了",
        "希望公开环评报告全文",
        "垃圾运输车走哪条路？",
        "建议先把垃圾分类做好",
        "飞灰最后运到哪里处理？",
        "我们村的地价会不会下跌",
        "项目方有没有同类电厂的运行经验？",
        "能不能组织村民去参观已建成的焚烧厂",
        "排放标准是国标还是欧盟标准？",
        "征求意见时间太短了，老人都不知道",
    ),
    "road": (
        "公交站会不会迁走？",
        "施工要多长时间？",
        "建议保留路边的老樟树",
        "解放路的停车位还有吗？",
        "拓宽后限速多少？",
        "沿街商铺的补偿怎么算",
        "希望夜间不要施工",
        "非机动车道太窄了，电动车不安全",
        "能不能先修地下管网再拓宽",
        "人行道别再缩窄了",
    ),
    "school": (
        "中心小学的食堂够不够用？",
        "住校生晚上有老师管吗？",
        "校车费用谁来出",
        "合并以后原来的校舍做什么用？",
        "老师会不会跟着调过去",
        "希望保留一年级和二年级",
        "河口村的孩子上学路太危险",
        "家长能不能参加校车路线的讨论",
        "中心小学的班额已经五十多人了",
        "支持合并，中心小学教学质量好",
    ),
}


def build(seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    rows: list[tuple] = []
    # -- plant (垃圾焚烧发电厂) -----------------------------------------------------------------
    oppose = "坚决反对在北山村建垃圾焚烧厂！"
    rows += short_campaign(
        rng,
        "plant_short_oppose",
        "plant",
        oppose,
        [
            ("坚决", "强烈"),
            ("建垃圾焚烧厂", "建焚烧厂"),
            ("在北山村", "在我们北山村"),
            ("建", "建设"),
        ],
        16,
    )
    # Near miss: the same sentence with the stance word flipped is a campaign of its own.
    rows += short_campaign(
        rng,
        "plant_short_support",
        "plant",
        "坚决支持在北山村建垃圾焚烧厂！",
        [("坚决", "大力"), ("建", "建设")],
        9,
        kind="near-miss short (stance flipped)",
    )
    rows += [
        ("plant", "不反对在北山村建垃圾焚烧厂", None, "near-miss short (negation)"),
        ("plant", "坚决反对在北山村建垃圾焚烧厂是不对的", None, "near-miss short (negation)"),
        ("plant", "在北山村建垃圾焚烧厂，我没意见", None, "near-miss short (negation)"),
        ("plant", "坚决反对在北山村建第2座垃圾焚烧厂", None, "near-miss short (number)"),
    ]
    rows += long_campaign(
        rng,
        "plant_long_letter",
        "plant",
        PLANT_LETTER,
        [("北山村和石桥村", "北山村"), ("八百米", "一公里"), ("养老院", "卫生院")],
        PLANT_EXTRA,
        30,
    )
    # Near miss: an opinion quoting the letter's demand inside a different text.
    rows.append(
        (
            "plant",
            "群里转发的联名信说焚烧厂离村庄不到八百米，我去量过，其实有一点五公里。我支持建设，"
            "但是希望把环评报告全文向社会公开，运输车辆不要走村里的小路，飞灰要送到有资质的单位处置。",
            None,
            "near-miss long (quotes the letter)",
        )
    )
    # -- road (解放路拓宽) ------------------------------------------------------------------------
    rows += short_campaign(
        rng,
        "road_short_noise",
        "road",
        "解放路拓宽必须加装隔音屏！！",
        [("必须", "一定要"), ("解放路拓宽", "解放路拓宽工程"), ("加装", "安装")],
        13,
    )
    rows += [
        ("road", "解放路拓宽不必加装隔音屏", None, "near-miss short (negation)"),
        ("road", "解放路拓宽必须加装2米高的隔音屏", None, "near-miss short (number)"),
    ]
    medium = []
    for i in range(12):  # around the boundary between the short and the long method
        text = MEDIUM_ROAD
        if i >= 2:
            how = rng.choice(("append", "surface", "word", "append"))
            if how == "append":
                text += "。" + rng.choice(ROAD_EXTRA)
            elif how == "surface":
                text = surface(rng, text)
            else:
                text = text.replace("强烈要求", rng.choice(("坚决要求", "恳请")))
        medium.append(("road", text, "road_medium_noise", "medium (both methods)"))
    rows += medium
    rows += long_campaign(
        rng,
        "road_long_letter",
        "road",
        ROAD_LETTER,
        [("锦绣花园", "阳光花园"), ("十五米", "二十米"), ("人行天桥", "红绿灯")],
        ROAD_EXTRA,
        20,
    )
    # -- school (河口村小学并入中心小学) ----------------------------------------------------------
    rows += short_campaign(
        rng,
        "school_short_oppose",
        "school",
        "反对撤并河口村小学，孩子上学太远了！",
        [("孩子上学", "娃上学"), ("太远了", "实在太远"), ("反对", "坚决反对")],
        14,
    )
    rows += [
        ("school", "同意撤并河口村小学，孩子上学远一点没关系", None, "near-miss short (stance)"),
        ("school", "支持撤并河口村小学，孩子上学太远了可以住校", None, "near-miss short (stance)"),
    ]
    rows += short_campaign(
        rng,
        "school_bus_30",
        "school",
        "校车单程不能超过30分钟！",
        [("不能", "不可以"), ("校车", "校车每趟")],
        8,
        kind="short with a number",
    )
    rows += [
        ("school", "校车单程不能超过60分钟！", None, "near-miss short (number)"),
        ("school", "校车单程不能超过45分钟", None, "near-miss short (number)"),
        ("school", "校车单程不能超过30公里！", None, "near-miss short (unit)"),
    ]
    rows += long_campaign(
        rng,
        "school_long_letter",
        "school",
        SCHOOL_LETTER,
        [
            ("十二公里", "十几公里"),
            ("两个多小时", "三个小时"),
            ("河口村小学全体家长", "河口村家长代表"),
        ],
        SCHOOL_EXTRA,
        20,
    )
    # -- independent opinions ---------------------------------------------------------------------
    for consultation, texts in SHORT_INDEPENDENT.items():
        for text in texts:
            rows.append(
                (consultation, rng.choice((text, traditional(text))), None, "independent short")
            )
    seen = {r[1] for r in rows}
    for consultation in ("plant", "road", "school"):
        n = 0
        while n < 45:
            text = organic_opinion(rng, DECISIONS[consultation])
            if text in seen:
                continue
            if rng.random() < 0.15:
                text = traditional(text)
            seen.add(text)
            rows.append((consultation, text, None, "independent"))
            n += 1
    # -- known limits (scored apart): a place swapped in a short text, a slogan quoted in a
    # sentence that turns it around. Both are grouped with the campaign (docs/methodology.md).
    rows += [
        ("plant", "坚决反对在石桥村建垃圾焚烧厂！", None, "limit (place swapped)"),
        ("road", "人民路拓宽必须加装隔音屏！！", None, "limit (place swapped)"),
        ("school", "反对撤并石桥村小学，孩子上学太远了！", None, "limit (place swapped)"),
        ("plant", "坚决反对在北山村建垃圾焚烧厂的人太自私", None, "limit (slogan quoted)"),
    ]
    order = list(range(len(rows)))
    rng.shuffle(order)  # arrival order: campaigns interleaved with everything else
    out = []
    for i, k in enumerate(order, 1):
        consultation, text, label, kind = rows[k]
        record = {
            "id": i,
            "consultation": consultation,
            "text": text,
            "campaign": label,
            "kind": kind,
        }
        if kind.startswith("limit"):
            record["limit"] = True
        out.append(record)
    return out


def main() -> None:
    records = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    labels = {r["campaign"] for r in records} - {None}
    print(f"{len(records)} opinions, {len(labels)} campaigns → {OUT}")


if __name__ == "__main__":
    main()
