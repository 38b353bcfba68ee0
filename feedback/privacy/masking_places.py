"""Exact addresses and the names next to them, for ``feedback.privacy.masking``.

An address is found at three levels of exactness; only what points at one household is removed:

- **dwelling**: down to a flat, a room or a village house: ``3栋502``, ``5号楼2单元301室``,
  ``幸福路12号3栋502``, ``12-3-502`` after an estate's name, ``502室``, ``河口村3组15号``.
  Always removed (its number part; the road or estate name stays) and flagged.
- **street**: a house number right after a road, village or estate name: ``幸福路12号``.
  A factory, a school or a shop has one too, and opinions about a site need it, so it stays
  unless a person's name is next to it.
- **building**: ``5号楼``, ``3栋`` alone. Stays unless a person's name is next to it.

A *name next to an address* is a Chinese name (a common surname then one or two characters, or
a surname and 先生, 女士, 阿姨…) right before the address with a joining word (``张伟住在…``,
``张伟，家住…``) or right after it (``…502的张伟``, ``…502室业主李秀英``). Then both the name and
the address's number part are removed, whatever the level. A name after 姓名, 联系人, 户主 or
我叫 is removed wherever it is. Names elsewhere (officials, 张局长 in a complaint) stay.
"""

from __future__ import annotations

import re

DWELLING, STREET, BUILDING = "dwelling", "street", "building"

_CN_NUM = "零〇一二三四五六七八九十百两"
_N = rf"(?:[0-9]{{1,5}}|[{_CN_NUM}]{{1,5}})"
_BLD = rf"(?:{_N}|[A-Za-z])(?:号楼|栋|幢|座)"
_FLOOR = rf"(?:{_N}(?:楼|层)[-]?)?"
_ROOM = (
    rf"(?:(?:[0-9]{{3,4}}|[零〇一二三四五六七八九]{{3,4}})(?![0-9])(?:室|户|号房|房|号)?"
    rf"|{_N}(?:室|户|号房))"
)
_DWELL = (
    rf"(?:{_BLD}[-]?(?:{_N}单元[-]?)?{_FLOOR}{_ROOM}"
    rf"|{_N}单元[-]?{_FLOOR}{_ROOM}"
    r"|(?<![0-9])[0-9]{3,4}(?:室|号房))"
)
# The last character of a road, lane, village, estate or building name.
_PLACE_END = "路街道巷弄同里村区园苑庭府湾城场厦馆庄屯寨坊院居"
_DASHED = r"[0-9]{1,3}-(?:[0-9]{1,2}-)?[0-9]{3,4}(?![0-9])"

_START = rf"(?=[0-9A-Za-z{_CN_NUM}])"  # lets the engine skip other positions fast
_STREET = re.compile(
    rf"{_START}(?<=[{_PLACE_END}]){_N}号(?:院)?(?P<dwell>[-]?(?:{_DWELL}|{_DASHED}))?(?![0-9])"
)
_VILLAGE = re.compile(rf"{_START}{_N}(?:组|队){_N}号(?![0-9])")
_PLACE_DASHED = re.compile(
    rf"(?=[0-9])(?<=[{_PLACE_END}])[0-9]{{1,3}}-[0-9]{{1,2}}-[0-9]{{3,4}}(?![0-9])"
)
_DWELLING = re.compile(_START + _DWELL)
_BUILDING = re.compile(rf"{_START}{_BLD}(?![0-9])")

# --------------------------------------------------------------------------- names

_COMPOUND = "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|夏侯|令狐|端木|西门|南宫"
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关"
    "兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻"
    "祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿"
    "桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_HONORIFIC = "先生|女士|小姐|阿姨|大爷|大妈|大叔|大婶|大姐|大哥|奶奶|爷爷|老师|师傅|老板|某某|某"
# Characters that end a name rather than continue it (function words, verbs of speech, address
# words). A real given name with one of them is cut short; the rest of the name is still removed.
_STOPS = "的住在是了和与及等说也都对向被把让给我你他她们这那地址号路街巷村栋楼室组区反认觉表希要提不很想还就"
_GIVEN = rf"(?:(?![{_STOPS}])[\u4e00-\u9fff])"
NAME = rf"(?:{_COMPOUND}|[{_SURNAMES}])(?:{_HONORIFIC}|{_GIVEN}{{1,2}})"

# Words that start with a surname character but are not names, as they follow 的 or precede 住.
_NOT_NAMES = set(
    "高层 高楼 高度 方向 方面 方便 方案 周边 周围 周末 马路 马上 林地 黄色 白天 常年 常住 江边 "
    "于是 任何 路口 路面 路灯 文件 石头 金额 安全 安置 安静 温度 关于 关系 时间 时候 原来 成本 "
    "全部 全家 全体 车位 车辆 车库 房子 房屋 房间 单元 明天 明年 党员 管道 管理 应该 费用 商铺 "
    "景观 师生 宫殿 华侨 宁静 沙子 边上 程序 程度 毛病 向着 包括 曲线 申请 连续 简单 尤其 古树 "
    "严重 武装 齐全 康复 施工 牛奶 余下 杜绝 叶子 苏醒 项目 卫生 卫星 米饭 米的 司机 朱红 钱款 "
    "钟点 陆续 龙头 游客 游玩 解决 解释 雷声 郎中 池塘 麻烦 查看 迟到 孙子 孙女 孔洞 易燃 乔木 "
    "庄稼 章程 岳父 岳母 季节 盛大 谷物 华人 宗教 柏油 桂花 苗木 邢台 黎明 贺喜 顾客 欧洲 凌晨 "
    "童年 宋体 冷却 冷气 席位 仲裁 巩固 傅里 付款 付费 喻为 蒙受 甘心 包装 江水 水位".split()
)
_JOIN = r"(?:[ ,，、:：;；]|家住|住在|居住在|现住|住址|地址|家在|位于|的家|的|住|在|家|是)"
_BEFORE = re.compile(rf"(?s:.*)(?P<name>{NAME}){_JOIN}+[^\s,，。;；!！?？、:：]{{0,12}}$")
_AFTER = re.compile(
    r"^(?:室|户|号|房)?[ ,，、]*(?:的|住户|业主|户主|居民|村民|租户|住着|是)?[ ,，、:：]*"
    rf"(?P<name>{NAME})"
)
LABELLED_NAME = re.compile(
    rf"(?:姓名|名字|联系人|户主|我叫|本人姓名)[ ]?(?:是|为|叫|:)?[ ]?(?P<name>{NAME})"
)
_BEFORE_WINDOW = 24
_AFTER_WINDOW = 10


def _is_name(text: str) -> bool:
    return text not in _NOT_NAMES and text[:2] not in _NOT_NAMES


def _name_near(folded: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of a name right before ``start`` or right after ``end``, if there is one."""
    low = max(0, start - _BEFORE_WINDOW)
    match = _BEFORE.match(folded, low, start)
    if match and _is_name(match.group("name")):
        return match.span("name")
    match = _AFTER.match(folded[end : end + _AFTER_WINDOW])
    if match and _is_name(match.group("name")):
        s, e = match.span("name")
        return end + s, end + e
    return None


def find_places(folded: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of names and exact addresses in ``folded``; kind is ``"name"`` or
    ``"address"``. Spans never overlap one another."""
    spans: list[tuple[int, int, str]] = []

    def free(start: int, end: int) -> bool:
        return not any(start < e and s < end for s, e, _k in spans)

    candidates: list[tuple[int, int, str]] = []
    for pattern, level in (
        (_STREET, STREET),
        (_VILLAGE, DWELLING),
        (_PLACE_DASHED, DWELLING),
        (_DWELLING, DWELLING),
        (_BUILDING, BUILDING),
    ):
        for match in pattern.finditer(folded):
            if level == STREET and match.group("dwell"):
                candidates.append((*match.span(), DWELLING))
            else:
                candidates.append((*match.span(), level))
    candidates.sort(key=lambda c: (c[0], -c[1]))
    for start, end, level in candidates:
        if not free(start, end):
            continue
        name = _name_near(folded, start, end)
        if name and free(*name):
            spans.append((*name, "name"))
        if name or level == DWELLING:
            spans.append((start, end, "address"))
    for match in LABELLED_NAME.finditer(folded):
        if _is_name(match.group("name")) and free(*match.span("name")):
            spans.append((*match.span("name"), "name"))
    return spans
