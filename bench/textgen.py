"""Deterministic generator of realistic Chinese opinions, with seeded campaigns.

Why: campaign detection, search and export have to be measured on text that looks like what a
consultation really receives — mostly individual opinions of very different lengths, plus form
letters copied verbatim, "personalised" copies of them with small edits, and bursts of the same
text in a short time. The campaign label of each item is the ground truth for precision and recall.

Everything depends only on ``seed``: the same call gives the same items in every process.

    from bench.textgen import generate
    items = generate(1000, seed=7)          # list[GeneratedOpinion], ordered by timestamp
    items[0].id, items[0].text, items[0].timestamp, items[0].campaign
"""

# Size: the generator of realistic Chinese opinions: mostly word lists and templates, not logic.

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple


class GeneratedOpinion(NamedTuple):
    id: int
    text: str
    timestamp: datetime
    campaign: str | None  # ground truth: label of the seeded campaign, None for an individual


@dataclass(frozen=True)
class Decision:
    proj: tuple[str, ...]  # names of the project as residents write them
    place: tuple[str, ...]
    topics: dict[str, tuple[str, ...]]


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
COMM_A = "阳光 锦绣 翠湖 金桂 银杏 滨江 龙湾 紫荆 丽景 明珠 碧水 书香 和平 幸福 康乐 新城 东方 南湖 西苑 北辰 华府 春晓 御景 怡和 泰安 长青 桃源 清溪 凤凰 盛世".split()
COMM_B = "花园 小区 家园 苑 新村 雅居 公寓 华庭 名都 里".split()

DECISIONS = {
    "plant": Decision(
        proj=("垃圾焚烧发电厂", "焚烧厂", "垃圾发电项目", "生活垃圾焚烧项目", "垃圾焚烧发电项目"),
        place=("东郊", "北山村", "城南工业园", "河西片区", "青龙镇", "石桥村"),
        topics={
            "health": (
                "焚烧产生的二噁英对人体健康危害很大，家里老人小孩都担心",
                "我家孩子有哮喘，离{place}只有{dist}米，真的害怕空气变差",
                "希望公开环评报告中关于健康风险的全部数据",
                "建成后应当定期体检周边居民，费用由项目方承担",
            ),
            "odour": (
                "现在的垃圾中转站夏天就臭得开不了窗，再建{proj}只会更糟",
                "运输垃圾的车辆经过小区，渗滤液的气味怎么控制",
                "请说明臭气收集和处理的具体措施，以及监测点设在哪里",
                "同类项目在别的城市也有异味投诉，这里如何避免",
            ),
            "environment": (
                "垃圾填埋场已经快满了，焚烧发电比填埋更环保",
                "支持建设，但排放数据要实时公开，接受大家监督",
                "飞灰怎么处置？希望在方案里写清楚",
                "应当同步推进垃圾分类，从源头减少焚烧量",
            ),
        },
    ),
    "road": Decision(
        proj=("解放路拓宽工程", "人民大道改造项目", "道路拓宽工程", "滨河路拓宽方案"),
        place=("解放路", "人民大道", "滨河路", "建设街口", "火车站片区"),
        topics={
            "traffic": (
                "{place}早晚高峰堵得厉害，每天上班要多花[半个|一个]小时",
                "拓宽以后车速会变快，孩子过马路更危险，需要加红绿灯",
                "施工期间公交怎么绕行？请提前公布",
                "建议增加非机动车道，不要只考虑小汽车",
            ),
            "noise": (
                "道路离住宅楼太近，拓宽后噪声会更大，希望安装隔音屏",
                "夜间施工扰民，请限制施工时间",
                "货车晚上经过，震得窗户响，老人睡不好",
            ),
            "trees": (
                "路边的梧桐树种了{years}年，砍掉太可惜，能否移栽",
                "希望保留人行道宽度，不要为了车道挤占行人空间",
            ),
        },
    ),
    "school": Decision(
        proj=("第三小学并入实验小学的方案", "学校合并方案", "中小学布局调整方案", "两校合并计划"),
        place=("第三小学", "实验小学", "城东中学", "红旗小学"),
        topics={
            "education": (
                "合并后班额会不会超过[四|五]十人？老师顾得过来吗",
                "希望保留{place}原有的特色课程和老师",
                "合并可以集中资源，提高教学质量，我支持",
                "学区划分要公开透明，不能影响已经买房的家庭",
            ),
            "commute": (
                "孩子上学距离从{dist}米变成好几公里，接送很困难",
                "能否开通校车，解决低年级学生上下学问题",
                "学校门口本来就堵，合并后接送车辆更多",
            ),
        },
    ),
    "fee": Decision(
        proj=("停车收费标准调整", "生活垃圾处理费收费办法", "物业服务收费规定", "新的收费规定"),
        place=("老城区", "商业街", "医院周边", "各居民小区"),
        topics={
            "cost": (
                "收费一下涨了{n}倍，对退休老人负担太重",
                "希望对低保户和残疾人家庭给予减免",
                "收费标准应当和服务质量挂钩，不能只涨价不服务",
                "{place}的停车位本来就少，涨价也解决不了问题",
            ),
            "fairness": (
                "按户收费不合理，一个人住和五口之家交一样多",
                "收来的钱用在哪里要每年公开账目",
                "建议设置过渡期，给大家适应的时间",
            ),
        },
    ),
}

COMMON_TOPICS = {
    "compensation": (
        "补偿标准太低，按这个价格在附近根本买不到同样的房子",
        "希望明确补偿方案，不要等开工了才谈",
        "受影响的商户也应当得到合理补偿",
        "拆迁安置要就近，老人不愿意搬到太远的地方",
    ),
    "property": (
        "项目公布后{comm}的房价已经跌了，谁来承担损失",
        "我们当初买房时没人说过这里要建{proj}",
        "周边房子不好卖也不好租，希望政府考虑",
    ),
    "procedure": (
        "征求意见的时间太短，很多老人还不知道这件事",
        "公示材料太专业，看不懂，希望召开说明会",
        "建议在{comm}开一次听证会，听听大家的想法",
        "为什么选址论证的过程没有公开？请公布比选方案",
        "网上提意见不方便，社区能否设意见箱",
    ),
    "support": (
        "这个项目能带来就业，我支持",
        "从长远看对城市发展有好处，早建早受益",
        "总体赞成，但细节要做好，把群众的担心解决掉",
        "支持政府的决定，希望加快推进",
    ),
}

# Compositional sentences, so that two individuals rarely write the same thing: who is worried,
# about what, why, and what they ask for. "[a|b]" picks one alternative.
CONCERNS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "health": (
        ("空气质量", "二噁英排放", "呼吸道疾病", "健康风险", "癌症发病率", "孩子的身体"),
        (
            "离{place}只有{dist}米",
            "家里有{n}个老人",
            "孩子才{n}岁",
            "我本身有慢性病",
            "以前附近工厂就出过事",
            "听说别的地方出过问题",
        ),
        (
            "公开环评报告全文",
            "安装在线监测设备并实时公布",
            "请第三方做健康评估",
            "给周边居民免费体检",
            "把排放标准写进合同",
        ),
    ),
    "odour": (
        ("臭味", "异味", "渗滤液的气味", "垃圾车的味道", "夏天的气味"),
        (
            "现在的中转站就已经很臭",
            "每天有上百辆垃圾车经过",
            "我们[小区|楼]在下风向",
            "晚上开窗就能闻到",
        ),
        ("密闭运输", "改走外环路", "设置除臭设施", "公布臭气投诉电话"),
    ),
    "traffic": (
        ("交通拥堵", "上下班通勤", "过马路的安全", "停车难", "公交绕行"),
        ("每天要多花[二|三|四]十分钟", "路口没有红绿灯", "学校就在路边", "大货车太多"),
        ("增加红绿灯和斑马线", "错峰施工", "提前公布绕行方案", "修建过街天桥", "增加公交班次"),
    ),
    "noise": (
        ("噪声", "夜间施工", "货车震动", "施工扬尘"),
        ("[我|我们]家离路只有[二|三|五]十米", "老人睡眠不好", "孩子要备考", "晚上十点以后还在施工"),
        ("安装隔音屏", "限制施工时间", "给临街住户换隔音窗", "洒水降尘"),
    ),
    "education": (
        ("班额", "教学质量", "老师的安排", "学区划分", "孩子的适应"),
        ("现在一个班已经五十多人", "原来的老师很负责", "刚刚买了学区房", "孩子性格内向"),
        ("控制班额", "保留原来的老师", "公开学区划分办法", "给一个过渡期", "开通校车"),
    ),
    "cost": (
        ("收费标准", "涨价幅度", "负担", "减免政策"),
        ("退休金每月只有{n}千多", "家里有残疾人", "一下涨了{n}倍", "周边城市都没这么贵"),
        ("分档收费", "对低保户减免", "公开成本核算", "设置过渡期", "举行价格听证"),
    ),
    "compensation": (
        ("补偿标准", "安置方案", "商铺补偿", "搬迁时间"),
        ("这个价格买不到同样的房子", "老人不愿意搬远", "店铺是全家的生计", "至今没人来谈过"),
        ("按市场价补偿", "就近安置", "提前公布补偿方案", "一户一谈"),
    ),
    "procedure": (
        ("公示时间", "选址程序", "信息公开", "意见征集方式"),
        ("很多老人不会上网", "材料太专业看不懂", "没有开过说明会", "公示只贴在社区门口"),
        ("延长征求意见期", "召开听证会", "到{comm}开说明会", "公布比选方案", "设意见箱"),
    ),
}
WHO = ("我", "我们家", "家里老人", "我爱人", "邻居们", "我们楼的住户", "很多居民")
HOW = ("", "很", "非常", "特别", "确实", "最")
FEEL = ("担心", "关心", "在意", "害怕", "忧虑", "关注")
ASK = ("希望", "建议", "请", "恳请", "强烈要求", "能不能")
WHOM = ("", "政府", "有关部门", "项目方", "街道", "你们")
TOPIC_FOR = {
    "health": "health",
    "odour": "odour",
    "environment": "health",
    "traffic": "traffic",
    "noise": "noise",
    "trees": "noise",
    "education": "education",
    "commute": "traffic",
    "cost": "cost",
    "fairness": "cost",
    "compensation": "compensation",
    "property": "compensation",
    "procedure": "procedure",
    "support": "procedure",
}

OPENERS = (
    "",
    "",
    "我是{comm}的居民，",
    "我在{comm}住了{years}年，",
    "作为一名退休教师，",
    "作为附近的个体户，",
    "我家就在{place}附近，",
    "看了公示的{proj}，",
    "关于{proj}，",
    "我想说几句，",
    "本人{surname}某，",
)
STANCES = {
    "oppose": (
        "我反对这个方案。",
        "坚决反对！",
        "我不同意。",
        "不赞成现在的选址。",
        "强烈反对{proj}。",
    ),
    "support": ("我支持。", "赞成这个方案。", "总体同意。", "举双手赞成。"),
    "conditional": ("原则上同意，但有几点意见。", "可以建，但要解决以下问题。", "有条件支持。"),
    "neutral": ("提几点建议。", "说一下我的看法。", "有几个问题想问。"),
}
CLOSERS = (
    "",
    "",
    "谢谢！",
    "希望认真考虑。",
    "请给个答复。",
    "盼回复。",
    "希望政府倾听民意。",
    "以上意见请采纳。",
)
LETTER_OPENERS = (
    "尊敬的领导：我们是{comm}的全体业主，",
    "致相关部门：我们{comm}居民联名反映，",
    "关于{proj}的联名意见：",
    "各位领导好，我们是{place}周边的居民，",
)
LETTER_OPPOSE = (
    "[该|这个|{proj}]选址距离居民区[过近|太近|只有几百米]，严重威胁周边{n}万居民的身体健康。",
    "该项目的环境影响评价未充分征求周边群众意见，程序存在明显瑕疵。",
    "我们要求重新论证选址，并将比选方案向社会公开。",
    "在问题解决之前，请暂停一切前期施工。",
    "我们注意到公示期只有短短几天，大多数居民根本来不及了解情况。",
    "项目一旦建成，将对{comm}的居住环境和房产价值造成不可逆转的影响。",
    "我们希望政府依法依规、公开透明地处理此事，保障群众的知情权和参与权。",
    "请组织专家和居民代表面对面座谈，听取我们的诉求。",
)
LETTER_SUPPORT = (
    "我们支持{proj}尽快落地，这是改善民生的好事。",
    "希望相关部门加大宣传，消除部分群众的误解，早日开工建设。",
    "项目建成后能解决{place}长期以来的老大难问题。",
    "我们相信政府会把好事办好，也愿意配合相关工作。",
    "请尽快公布时间表，让大家心里有底。",
    "建议同步做好配套设施，让周边居民真正受益。",
)
LETTER_SIGNOFF = ("此致敬礼！{comm}业主", "{comm}居民{surname}先生", "联名人：{surname}女士等", "")
PUNCT_SWAP = {"，": ",", "。": "！", "！": "。", "？": "?", "：": ":"}


def _community(rng: random.Random) -> str:
    return rng.choice(COMM_A) + rng.choice(COMM_B)


def _alternatives(rng: random.Random, template: str) -> str:
    while "[" in template:
        head, rest = template.split("[", 1)
        choices, tail = rest.split("]", 1)
        template = head + rng.choice(choices.split("|")) + tail
    return template


def _fill(rng: random.Random, template: str, dec: Decision, comm: str | None = None) -> str:
    return _alternatives(rng, template).format(
        proj=rng.choice(dec.proj),
        place=rng.choice(dec.place),
        comm=comm or _community(rng),
        dist=rng.randrange(100, 3000, 50),
        years=rng.randint(2, 40),
        n=rng.randint(2, 9),
        surname=rng.choice(SURNAMES),
    )


def _end(sentence: str) -> str:
    """Close a sentence: question-like ones with a question mark, others with a full stop."""
    if sentence[-1:] in "。！？；":
        return sentence
    question = sentence.endswith(("吗", "哪里", "如何避免", "怎么控制"))
    return sentence + ("？" if question else "。")


def _composed(rng: random.Random, topic: str) -> str:
    nouns, reasons, actions = CONCERNS[TOPIC_FOR[topic]]
    worry = rng.choice(WHO) + rng.choice(HOW) + rng.choice(FEEL) + rng.choice(nouns)
    because = rng.choice(("，因为", "，", "，毕竟", "。")) + rng.choice(reasons)
    ask = rng.choice(ASK) + rng.choice(WHOM) + rng.choice(actions)
    return rng.choice(
        (worry + because + "，" + ask, worry + "，" + ask, ask + because, worry + because)
    )


def organic_opinion(rng: random.Random, dec: Decision) -> str:
    """One individual opinion: opener, stance, a few topical sentences, a closer; 20–400 chars."""
    target = min(400, max(20, int(rng.lognormvariate(4.3, 0.7))))
    stance = rng.choices(list(STANCES), weights=(5, 2, 2, 2))[0]
    topics = {**dec.topics, **COMMON_TOPICS}
    names = rng.sample(list(topics), k=min(len(topics), rng.randint(1, 4)))
    comm = _community(rng)
    parts = [
        _fill(rng, rng.choice(OPENERS), dec, comm) + _fill(rng, rng.choice(STANCES[stance]), dec)
    ]
    pool = [s for name in names for s in topics[name]]
    rng.shuffle(pool)
    for sentence in pool:
        if sum(map(len, parts)) >= target:
            break
        if rng.random() < 0.85:
            sentence = _composed(rng, rng.choice(names))
        parts.append(_end(_fill(rng, sentence, dec, comm)))
    parts.append(rng.choice(CLOSERS))
    text = "".join(parts)
    while len(text) < 20:
        text += _end(_fill(rng, rng.choice(rng.choice(list(topics.values()))), dec, comm))
    return text[:400]


def letter_template(rng: random.Random, dec: Decision) -> tuple[str, str]:
    """A form letter (80–400 chars) and the community it names, for swapping in variants."""
    comm = _community(rng)
    # A few stock phrases of petitions plus concerns composed for this letter: different
    # campaigns share phrases, as real ones do, but not whole letters.
    body = rng.sample(
        rng.choice((LETTER_OPPOSE, LETTER_OPPOSE, LETTER_SUPPORT)), k=rng.randint(1, 2)
    )
    topics = [*dec.topics, *COMMON_TOPICS]
    extra = [_end(_composed(rng, rng.choice(topics))) for _ in range(rng.randint(3, 5))]
    middle = [_fill(rng, s, dec, comm) for s in (*body, *extra)]
    rng.shuffle(middle)
    sentences = [_fill(rng, rng.choice(LETTER_OPENERS), dec, comm), *middle]
    sentences.append(_fill(rng, rng.choice(LETTER_SIGNOFF), dec, comm))
    return "".join(sentences)[:400], comm


def near_duplicate(rng: random.Random, text: str, comm: str, dec: Decision) -> str:
    """A personalised copy: 1–2 small edits as people really make them."""
    for _ in range(rng.randint(1, 2)):
        edit = rng.choice(("chars", "append", "drop", "punct", "swap"))
        if edit == "chars":
            chars = list(text)
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(len(chars))
                chars[i] = rng.choice("我们大家都很非常确实这个那里希望")
            text = "".join(chars)
        elif edit == "append":
            topic = rng.choice(list(COMMON_TOPICS.values()) + list(dec.topics.values()))
            text += _end(_fill(rng, rng.choice(topic), dec, comm))
        elif edit == "drop":
            sentences = [s + "。" for s in text.split("。") if s]
            if len(sentences) >= 4:
                del sentences[rng.randrange(1, len(sentences))]
                text = "".join(sentences)
        elif edit == "punct":
            text = "".join(PUNCT_SWAP.get(c, c) if rng.random() < 0.5 else c for c in text)
        else:
            text = text.replace(comm, _community(rng))
    return text[:420]


def _campaign_sizes(rng: random.Random, n: int, share: float) -> list[int]:
    """Heavy-tailed campaign sizes (a few big ones, many small ones) summing to about share·n."""
    budget, sizes = int(n * share), []
    while budget >= 3:
        size = min(budget, max(3, int(rng.paretovariate(1.2) * max(3, n // 400))))
        sizes.append(size)
        budget -= size
    return sizes


def iter_generate(
    n: int,
    *,
    seed: int = 0,
    campaign_share: float = 0.3,
    start: datetime | None = None,
    days: int = 30,
) -> Iterator[tuple[str, datetime, str | None]]:
    """(text, timestamp, campaign) in generation order; see :func:`generate`."""
    rng = random.Random(seed)
    start = start or datetime(2026, 3, 1, tzinfo=UTC)
    span = days * 86400
    decision = DECISIONS[rng.choice(list(DECISIONS))] if n < 50 else None
    sizes = _campaign_sizes(rng, n, campaign_share)
    seen: set[int] = set()
    for k, size in enumerate(sizes):
        dec = decision or DECISIONS[rng.choice(list(DECISIONS))]
        template, comm = letter_template(rng, dec)
        label = f"c{k:04d}"
        exact_share = rng.choice((0.0, 0.3, 0.6, 0.9))
        burst_at = rng.uniform(0, span - 7200)
        burst_share = rng.choice((0.0, 0.5, 0.9))
        for _ in range(size):
            text = (
                template if rng.random() < exact_share else near_duplicate(rng, template, comm, dec)
            )
            seen.add(hash(text))
            if rng.random() < burst_share:
                t = burst_at + rng.uniform(0, 3600)
            else:
                t = rng.uniform(0, span)
            yield text, start + timedelta(seconds=t), label
    for _ in range(n - sum(sizes)):
        dec = decision or DECISIONS[rng.choice(list(DECISIONS))]
        text = organic_opinion(rng, dec)
        while hash(text) in seen:  # individuals are distinct; identical texts are a campaign
            text = organic_opinion(rng, dec)
        seen.add(hash(text))
        yield text, start + timedelta(seconds=rng.uniform(0, span)), None


def generate(n: int, *, seed: int = 0, **kwargs) -> list[GeneratedOpinion]:
    """``n`` opinions ordered by arrival, ids 1..n; ``campaign`` is the ground-truth label."""
    rows = sorted(iter_generate(n, seed=seed, **kwargs), key=lambda r: r[1])
    return [GeneratedOpinion(i, text, ts, label) for i, (text, ts, label) in enumerate(rows, 1)]
