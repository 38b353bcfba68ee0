# Size: mostly the labelled set's own phrase lists (themes, campaigns, off-topic texts); splitting them
# would scatter one data set over several files.
"""Writes the labelled theme evaluation set feedback/analysis/eval/themes_zh.jsonl.

    .venv/bin/python -m bench.suggest_evalset          # rewrites the file (deterministic)

Why: theme suggestions must say how good they are (issue 14, point 2), measured on Chinese
consultation text with what makes coding hard: opinions about two or three themes, opinions that
mention a theme's words in passing, off-topic opinions that fit no theme, campaign letters copied
with small edits (which must never sit on both sides of a held-out split), and opinions written in
Traditional characters. Every record is composed here from hand-written sentences (several
wordings per point, with place names, people and numbers varied) with a fixed seed, so the file is
reproducible and reviewable; the file is committed and is what the tests
(feedback/tests/test_suggest_*.py) and the benchmark (bench/suggest_eval.py) read.

Record fields: ``id`` (1..n, arrival order), ``consultation`` (plant or road; themes are per
consultation), ``text``, ``themes`` (list of theme keys, empty when no theme fits), ``campaign``
(label of the campaign letter it copies, or null), ``kind`` (independent, multi, off-topic,
campaign, traditional). The themes of each consultation, with their names and the analysts' seed
words, are in ``THEMES`` below and in the first lines of the file (records with ``"theme"``).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import opencc

OUT = Path(__file__).resolve().parent.parent / "feedback" / "analysis" / "eval" / "themes_zh.jsonl"
SEED = 2014
_S2T = opencc.OpenCC("s2t")

COMMS = (
    "北山村 石桥村 锦绣花园 龙湾华庭 翠湖苑 滨江新村 阳光小区 金桂家园 书香名都 南湖里 "
    "凤凰新村 清溪苑 幸福家园 和平里 东方华府"
).split()
WHO = ("我", "我家老人", "我爱人", "孩子", "邻居", "我们楼的住户", "村里的老人", "我父母")
NUMS = ("两", "三", "五", "八", "十几", "二十多", "三十")
TENS = ("二", "三", "四", "五", "六")
HUNDREDS = ("两", "三", "四", "五", "八")

# theme key -> (name, analysts' seed words, sentences). Several wordings per point; slots:
# {comm} a place, {who} a person, {n} a number word, {t} and {h} a digit before 十 and 百.
THEMES: dict[str, dict[str, tuple[str, str, list[str]]]] = {
    "plant": {
        "health": (
            "健康风险",
            "二噁英 致癌 健康 体检 呼吸道 癌症",
            [
                "焚烧会产生二噁英，这是致癌物，{who}身体本来就不好",
                "担心长期吸入废气会得呼吸道疾病，{who}已经有哮喘了",
                "二噁英会在人体里积累，对孕妇和小孩伤害最大",
                "请评估一下对周边居民健康的长期影响，不要等得了病再说",
                "听说别的地方焚烧厂附近癌症发病率高了，我们很害怕",
                "希望给周边{n}公里内的居民免费做定期体检，建立健康档案",
                "孩子每天在{comm}的小学上课，离厂区太近，家长都担心孩子的身体",
                "老人肺不好，一闻到烟就咳嗽，建厂以后怎么生活",
                "重金属和飞灰如果处理不好会污染地下水，喝了会生病",
                "健康是第一位的，再多钱也换不回身体",
                "能不能请医院的专家来讲一讲焚烧对人体有没有危害",
                "我们村已经有{n}个人查出肺部结节了，再建焚烧厂更不放心",
                "烟气里的有毒物质对婴幼儿发育有没有影响，请给个说法",
            ],
        ),
        "odour": (
            "异味和空气",
            "臭味 异味 气味 臭气 渗滤液 空气",
            [
                "垃圾运进来堆着发酵，夏天臭味肯定飘到{comm}",
                "现在的中转站已经很臭了，晚上都不敢开窗",
                "渗滤液的味道很难闻，风一吹整个村都是",
                "刮东南风的时候气味会直接吹到居民区",
                "希望垃圾仓做成全封闭负压，不要有异味散出来",
                "别的城市的焚烧厂周围一股酸臭味，我去看过",
                "空气质量会不会变差，本来这里空气挺好的",
                "晾在外面的衣服都会有一股怪味，这个怎么解决",
                "臭气扰民的问题一定要先解决再开工",
                "烟囱冒出来的白烟带着味道，闻着头晕",
                "{who}说一到傍晚就闻到一股烧塑料的味道",
                "能不能在厂界装除臭设备，保证闻不到气味",
            ],
        ),
        "siting": (
            "选址和距离",
            "选址 距离 防护距离 搬迁 换个地方 水源地",
            [
                "厂址离{comm}只有{h}百米，太近了，应该换个地方",
                "为什么选在人口这么密集的地方，山那边不是有空地吗",
                "选址离水源地太近，万一出事影响全城的饮用水",
                "卫生防护距离至少要三百米，现在的方案达不到",
                "建议把厂址往北移到没有住户的山沟里",
                "选址论证的时候有没有考虑{comm}这边新建的小区",
                "这里是上风向，选址不合理，对城区影响更大",
                "坚决反对在北山村建厂，请重新选址",
                "能不能公布当初比选的几个备选地址，为什么最后定在这里",
                "厂区旁边就是基本农田，选在这里不合适",
                "距离学校和养老院这么近，选址应该避开敏感点",
                "如果实在要建，就把防护距离内的住户整体搬迁",
            ],
        ),
        "compensation": (
            "补偿和房价",
            "补偿 房价 贬值 赔偿 拆迁 补贴",
            [
                "厂建好了我们的房子肯定贬值，谁来补这个损失",
                "{comm}的房价已经跌了，好多人卖房都卖不出去",
                "希望对周边居民按户发放环境补偿金",
                "搬迁的话补偿标准要按市场价，不能按十年前的价格",
                "农户的承包地被占了，补偿款太少，每亩才几万",
                "建议给周边村民每年发补贴，电费水费减免一些",
                "房子是我们一辈子的积蓄，贬值了让我们怎么办",
                "占地补偿要一次性给到位，不能拖欠",
                "希望设立生态补偿基金，专款用在周边村",
                "赔偿方案里没有提到果树和养殖场的损失",
                "我刚在{comm}贷款买了房，现在房价缩水了一半",
                "征地补偿的标准和依据请写清楚",
            ],
        ),
        "transparency": (
            "信息公开和程序",
            "公开 环评 听证会 公示 程序 征求意见",
            [
                "环评报告全文为什么不公开，只给一个简本",
                "希望召开听证会，让村民代表当面提问",
                "征求意见只有{n}天，时间太短了，很多老人根本不知道",
                "公示只贴在镇政府门口，应该到每个村去宣传",
                "决策程序要合法，先稳评再决定，不能先上车后补票",
                "请公开项目的投资方和运营公司的资质",
                "说明会只请了几个代表，普通居民没有机会说话",
                "网上的意见征集入口太难找了",
                "希望把我们提的意见和政府的答复都公布出来",
                "社会稳定风险评估的结论请向社会公开",
                "前期调研的问卷是怎么发的，我们{comm}没有一个人收到",
                "建议邀请第三方机构和居民代表一起参与论证",
            ],
        ),
        "traffic": (
            "运输车辆和道路",
            "垃圾车 运输 车辆 道路 路线 撒漏",
            [
                "每天几百辆垃圾车从{comm}门口过，路本来就窄",
                "运输车辆撒漏的污水洒了一路，很臭也很滑",
                "垃圾车晚上也跑，噪声吵得睡不着",
                "建议单独修一条运输专用道，不要穿过村子",
                "村口的路是孩子上学的必经之路，大车多了很危险",
                "运输路线请避开学校和集市",
                "重车把路都压坏了，谁来负责修",
                "垃圾车要密闭，车身要干净，不能边走边滴水",
                "早晚高峰的时候禁止垃圾车进城",
                "进厂道路只有一条，一堵车全镇都堵",
                "车辆进出要错开上下学时间",
            ],
        ),
        "monitoring": (
            "监管和排放监测",
            "监测 在线监测 排放 监管 超标 数据",
            [
                "排放数据要实时公开，在厂门口装电子屏",
                "请第三方监测机构定期检测二噁英排放浓度",
                "发现超标排放怎么处罚，要写进方案里",
                "建议让村民代表参加监督小组，可以随时进厂检查",
                "在线监测数据要和环保部门联网，不能造假",
                "以前有企业偷偷关掉净化设备，怎么防止这种事",
                "每个月把烟气、废水、飞灰的检测报告发到网上",
                "监管部门要经常来抽查，不能只看企业自己报的数据",
                "排放标准要按欧盟标准执行",
                "出了问题找谁投诉，要有个热线电话",
                "建议在{comm}附近设一个空气质量监测点",
            ],
        ),
        "economy": (
            "就业和村集体收益",
            "就业 岗位 招工 收益 分红 发展",
            [
                "希望招工的时候优先招本地村民",
                "厂里的保洁、保安岗位可以给我们村的人",
                "项目建成后每年能给村集体多少收益",
                "村民能不能参股分红，这样大家也愿意支持",
                "建议配套建设一些便民设施，比如卫生院、文化广场",
                "焚烧发电的收益要拿一部分出来支持周边村发展",
                "年轻人都出去打工了，有个厂在家门口上班也好",
                "对周边村的产业发展有什么扶持政策",
                "当地的农家乐和民宿生意会不会受影响",
                "能带动多少就业，请公布具体数字",
            ],
        ),
    },
    "road": {
        "noise": (
            "噪声和隔音",
            "噪声 隔音 隔音屏 吵 夜间施工 分贝",
            [
                "道路拓宽以后车流量大了，{comm}临街的住户会很吵",
                "强烈要求在小区一侧加装隔音屏",
                "夜间禁止施工，{who}晚上要休息",
                "请公开噪声预测报告，现在已经有{t}十分贝了",
                "临街的窗户要免费换成隔音窗",
                "大货车的喇叭声和刹车声太吵了",
                "希望铺低噪声沥青路面",
                "施工的打桩声从早响到晚，受不了",
                "建议限制重型车辆夜间通行，减少噪声",
                "{who}有神经衰弱，一点声音就睡不着",
            ],
        ),
        "demolition": (
            "拆迁补偿安置",
            "拆迁 补偿 安置 征收 评估 过渡费",
            [
                "拆迁补偿标准太低了，这个价格买不到同样的房子",
                "希望就近安置，不要把我们迁到郊区",
                "评估公司是谁定的，我们要求自己选评估机构",
                "过渡期的租房补贴每月才{h}百元，不够",
                "我家门面房被征收，营业损失怎么算",
                "安置房什么时候能交房，要写进合同",
                "房屋征收要按市场价补偿",
                "征收范围划得不合理，{comm}一半拆一半不拆",
                "老人不愿意搬到高层，安置房能不能有低楼层",
                "违章建筑和自建房的补偿怎么认定",
            ],
        ),
        "construction": (
            "施工期出行",
            "施工 封路 绕行 公交 出行 工期",
            [
                "施工期间封路，{who}上班要绕很远",
                "公交站临时迁走了，老人出门很不方便",
                "请公布工期，不要拖几年",
                "施工期间要留出行人通道",
                "分段施工，不要一次把整条路都挖开",
                "小区出入口被围挡挡住了，车开不出去",
                "建议施工期间增加临时公交线路",
                "下雨天施工路段全是泥，走路都困难",
                "封路要提前公告，设置绕行指示牌",
                "救护车和消防车怎么进小区，请考虑应急通道",
            ],
        ),
        "trees": (
            "绿化和古树",
            "树 绿化 古树 梧桐 砍树 行道树",
            [
                "路两边的梧桐树有{t}十年了，不能砍",
                "古树要原地保护，道路设计可以绕一下",
                "拓宽以后绿化带没有了，夏天会很晒",
                "建议移栽而不是砍掉行道树",
                "请公布要砍多少棵树，移到哪里去",
                "绿化率不能降低，可以做立体绿化",
                "那几棵老樟树是我们{comm}的记忆",
                "路中间的绿化隔离带不要取消",
            ],
        ),
        "safety": (
            "行人和非机动车安全",
            "非机动车道 人行道 安全 过街 红绿灯 学生",
            [
                "拓宽后要保留非机动车道，电动车没地方走",
                "学校门口要设人行天桥或者红绿灯",
                "路变宽了车速变快，老人过马路很危险",
                "人行道被压缩了，推婴儿车都过不去",
                "建议增设行人过街信号灯和安全岛",
                "非机动车道要用隔离栏和机动车分开",
                "{comm}路口经常出事故，这次要一起改",
                "学生放学时段要有交警值守",
            ],
        ),
        "shops": (
            "沿街商户经营",
            "商户 门面 生意 停业 营业 经营",
            [
                "沿街的小店施工期间没法做生意，有没有补助",
                "我在这条路上开了{n}年的店，封路以后一个客人都没有",
                "门面被围挡挡住了，顾客找不到",
                "建议施工期间减免商户的租金和税费",
                "拓宽后不能停车，商户的生意会受影响",
                "希望给沿街商户留出装卸货的地方",
                "商户停业的损失能不能按营业额补偿",
            ],
        ),
    },
}

OPENERS = (
    "",
    "",
    "",
    "我是{comm}的居民。",
    "看了公示的方案，说几点意见。",
    "我家住在{comm}，",
    "对这个方案，我有几个想法：",
    "各位领导好，",
    "作为附近的住户，",
    "原则上支持，但是",
    "我反对这个方案。",
    "我在{comm}住了{t}十年了，",
)
FILLERS = (
    "",
    "",
    "",
    "这个事关系到每家每户。",
    "大家都很关心这件事。",
    "我们不是不讲道理，只是想把事情办好。",
    "请认真考虑老百姓的意见。",
    "我身边的人都是这个看法。",
)
CLOSERS = (
    "",
    "",
    "",
    "谢谢！",
    "请认真考虑。",
    "希望能得到答复。",
    "以上意见，望采纳。",
    "辛苦了。",
)
OFF_TOPIC = (
    "小区的广场舞太吵了，能不能管一管",
    "物业费太贵了，服务又差",
    "我家楼上漏水，找了物业好几次都没人管",
    "已阅",
    "无意见",
    "同意",
    "请问社保卡在哪里补办",
    "快递柜放在地下室，取件太不方便了",
    "楼道里的自行车乱停乱放",
    "希望多开几个社区食堂，老人吃饭不方便",
    "网站打不开，手机上填写很麻烦",
    "我要举报隔壁饭店油烟扰民",
    "菜市场的摊位费又涨了",
    "支持政府的工作",
    "小孩上学的校车什么时候开通",
    "医院挂号太难了，希望增加专家号",
    "路灯坏了好几天了没人修",
    "希望开通到高铁站的公交",
    "1111",
    "测试一下",
    "狗狗在小区里随地大小便，请加强管理",
    "老旧小区什么时候加装电梯",
)

# Campaign letters: base text, themes, how many copies, consultation.
CAMPAIGNS = (
    (
        "plant_letter",
        "plant",
        "尊敬的领导：我们是北山村和石桥村的村民。村里有两所小学和一个养老院，焚烧产生的二噁英"
        "会长期威胁老人和孩子的健康。厂址离村子不到五百米，严重违反防护距离的要求。我们强烈要求"
        "重新选址，把厂建到远离居民区的地方。此致敬礼！",
        ["health", "siting"],
        18,
    ),
    ("plant_short", "plant", "坚决反对在北山村建焚烧厂，请重新选址！", ["siting"], 14),
    (
        "plant_open",
        "plant",
        "我们要求公开环评报告全文，召开听证会，让每一户村民都有机会发表意见，程序不公开我们不认可。",
        ["transparency"],
        10,
    ),
    (
        "road_letter",
        "road",
        "我们是锦绣花园的业主。解放路拓宽后离我们的卧室窗户只有十几米，车流噪声会严重影响休息，"
        "强烈要求加装隔音屏，并保留路边的梧桐树，不要砍树。请相关部门认真考虑。",
        ["noise", "trees"],
        16,
    ),
)
PUNCT_SWAP = {"，": ",", "。": "！", "！": "!!", "：": ":"}


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        comm=rng.choice(COMMS),
        who=rng.choice(WHO),
        n=rng.choice(NUMS),
        t=rng.choice(TENS),
        h=rng.choice(HUNDREDS),
    )


def _end(sentence: str) -> str:
    return sentence if sentence[-1] in "。！？!?，" else sentence + "。"


def _variant(rng: random.Random, text: str, i: int) -> str:
    """A copy of a campaign letter as people send it: the same, other punctuation, a name or a
    greeting added, a word dropped, in Traditional characters."""
    kind = i % 5
    if kind == 0:
        return text
    if kind == 1:
        return "".join(PUNCT_SWAP.get(ch, ch) if rng.random() < 0.6 else ch for ch in text)
    if kind == 2:
        return text + rng.choice(("石桥村村民", "联名人：王女士等", "北山村一村民", "业主", ""))
    if kind == 3:
        return text.replace("强烈", "").replace("严重", "").replace("坚决", "")
    return _S2T.convert(text)


def independent(rng: random.Random, themes: dict, keys: list[str]) -> str:
    parts = [_fill(rng, rng.choice(OPENERS))]
    for key in keys:
        sentences = rng.sample(themes[key][2], rng.choice((1, 1, 2, 2, 3)))
        parts.extend(_end(_fill(rng, s)) for s in sentences)
        if rng.random() < 0.3:
            parts.append(rng.choice(FILLERS))
    parts.append(rng.choice(CLOSERS))
    return "".join(parts)


def build() -> list[dict]:
    rng = random.Random(SEED)
    plan: list[dict] = []
    sizes = {"plant": 175, "road": 95}
    for consultation, n in sizes.items():
        themes = THEMES[consultation]
        keys = sorted(themes)
        for i in range(n):
            r = rng.random()
            if i % 11 == 5:
                text = rng.choice(OFF_TOPIC)
                if rng.random() < 0.5:
                    text = _fill(rng, rng.choice(OPENERS)) + text
                plan.append(
                    {"consultation": consultation, "text": text, "themes": [], "kind": "off-topic"}
                )
                continue
            count = 1 if r < 0.62 else 2 if r < 0.92 else 3
            chosen = sorted(rng.sample(keys, count))
            text = independent(rng, themes, chosen)
            kind = "independent" if count == 1 else "multi"
            if rng.random() < 0.12:
                text, kind = _S2T.convert(text), "traditional"
            plan.append(
                {"consultation": consultation, "text": text, "themes": chosen, "kind": kind}
            )
    for label, consultation, base, themes, copies in CAMPAIGNS:
        for i in range(copies):
            plan.append(
                {
                    "consultation": consultation,
                    "text": _variant(rng, base, i),
                    "themes": sorted(themes),
                    "campaign": label,
                    "kind": "campaign",
                }
            )
    rng.shuffle(plan)
    records = []
    for i, record in enumerate(plan, start=1):
        records.append(
            {
                "id": i,
                "consultation": record["consultation"],
                "text": record["text"],
                "themes": record["themes"],
                "campaign": record.get("campaign"),
                "kind": record["kind"],
            }
        )
    return records


def synthetic(n: int, seed: int = 1, consultation: str = "plant") -> list[dict]:
    """``n`` more opinions composed like the set (for timing; not part of the labelled file)."""
    rng = random.Random(seed)
    themes = THEMES[consultation]
    keys = sorted(themes)
    out = []
    for i in range(n):
        if i % 11 == 5:
            out.append({"text": rng.choice(OFF_TOPIC), "themes": []})
            continue
        chosen = sorted(rng.sample(keys, rng.choice((1, 1, 1, 2, 2, 3))))
        out.append({"text": independent(rng, themes, chosen), "themes": chosen})
    return out


def main() -> None:
    header = [
        {"theme": key, "consultation": c, "name": name, "seeds": seeds.split()}
        for c, themes in THEMES.items()
        for key, (name, seeds, _sentences) in themes.items()
    ]
    records = build()
    with OUT.open("w", encoding="utf-8") as out:
        for line in header + records:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} opinions and {len(header)} themes to {OUT}")


if __name__ == "__main__":
    main()
