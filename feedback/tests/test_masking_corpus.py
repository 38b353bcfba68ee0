"""The masking test corpus (issue 12 §9): personal details written the ways residents write
them, and ordinary text that must survive. Written by hand; every value is invented.

Each ``Variant`` has the text, the kinds masking must find, and *secrets*: strings that must
not be readable in the masked text, compared after ``canonical`` (NFKC, lower case, Chinese
numerals as digits, only letters, digits and Chinese characters kept), so a secret is caught
however it is spaced or written.

Choices for what stays (``NEGATIVES``): dates and years in any numerals, amounts, percentages,
clause and document numbers, postcodes, hotlines (12345, 400 numbers), standards (GB 18485),
a road and house number alone (a site the opinion is about: 焚烧厂建在幸福路12号旁边), a building
alone (5号楼), a building and unit without a flat (5号楼2单元), a village group without a house
number, and names that are not next to an address (张局长).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from feedback.privacy.masking import ACCOUNT, ADDRESS, EMAIL, ID_NUMBER, NAME, PHONE, PLATE


@dataclass(frozen=True)
class Variant:
    text: str
    kinds: tuple[str, ...]
    secrets: tuple[str, ...]


def v(text: str, kinds, *secrets: str) -> Variant:
    return Variant(text, tuple([kinds] if isinstance(kinds, str) else kinds), secrets)


_CN = str.maketrans(
    "零〇○一壹幺二贰貳三叁參四肆五伍六陆陸七柒八捌九玖", "0001112223334455666778899"
)


def canonical(text: str) -> str:
    """What a reader could recognise, whatever the spacing and the way digits are written."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_CN)
    return "".join(ch for ch in folded if ch.isalnum())


PHONES = [
    v("我的手机13812345678，请回电", PHONE, "13812345678", "12345678"),
    v("手机 139 2345 6789 谢谢", PHONE, "13923456789", "23456789"),
    v("打我电话137-3456-7890", PHONE, "13734567890"),
    v("+86 136 4567 8901，晚上打", PHONE, "13645678901"),
    v("联系：+86-15956789012", PHONE, "15956789012"),
    v("008618867890123", PHONE, "18867890123"),
    v("（+86）177 7890 1234", PHONE, "17778901234"),
    v("电话：１５８１２３４８７６５。", PHONE, "15812348765"),
    v("１５１－２２３３－４４５５", PHONE, "15122334455"),
    v("１８６\u3000１１２２\u3000３３４４", PHONE, "18611223344"),
    v("手机一三八零零一一二二三三，随时打", PHONE, "13800112233"),
    v("电话：幺三九 幺二三四 五六七八", PHONE, "13912345678"),
    v("壹叁陆贰贰叁叁肆肆伍伍", PHONE, "13622334455"),
    v("号码是1五0一2三4五6七9", PHONE, "15012345679"),
    v("1 8 9 1 2 3 4 0 0 0 0 找我", PHONE, "18912340000"),
    v("手机135\u200b2468\u200b1357", PHONE, "13524681357"),
    v("①③①⑨⑧⑦⑥⑤④③②", PHONE, "13198765432"),
    v("手机1331 234 5566", PHONE, "13312345566"),
    v("座机0571-8765 4321", PHONE, "05718765", "87654321"),
    v("（010）6512 3456 转 123", PHONE, "65123456"),
    v("０７５５－８３２１６５４３", PHONE, "83216543"),
    v("家里电话 021-5555-1234", PHONE, "55551234"),
    v("联系电话：8877 6655", PHONE, "88776655"),
    v("〇五七一 八六六六 五五五五", PHONE, "86665555"),
]

EMAILS = [
    v("邮箱 zhang.san@163.com。", EMAIL, "zhangsan"),
    v("ｗａｎｇｗｕ＠ｑｑ．ｃｏｍ", EMAIL, "wangwu"),
    v("abcde ＠ qq．com", EMAIL, "abcde"),
    v("xiaoming.li at 163 dot com", EMAIL, "xiaomingli"),
    v("zhaoliu (at) gmail (dot) com", EMAIL, "zhaoliu"),
    v("lisi2024[at]qq[dot]com", EMAIL, "lisi2024"),
    v("wangfang#163.com", EMAIL, "wangfang"),
    v("chenjing艾特qq点com", EMAIL, "chenjing"),
    v("邮箱：sunqiqi@qq，常用", EMAIL, "sunqiqi"),
    v("发到li_si+gov@mail.example.org.cn即可", EMAIL, "lisigov"),
    v("zhoubo﹫126.com", EMAIL, "zhoubo"),
    v("MAZHIYUAN AT SINA DOT CN", EMAIL, "mazhiyuan"),
]

ACCOUNTS = [
    v("微信号xiling_zhang88", ACCOUNT, "xilingzhang88"),
    v("微信：wxid_abc123", ACCOUNT, "wxidabc123"),
    v("加我微信 liuyang1990", ACCOUNT, "liuyang1990"),
    v("VX：Lisi_2024", ACCOUNT, "lisi2024"),
    v("vx huanglei77", ACCOUNT, "huanglei77"),
    v("威信wangwu666", ACCOUNT, "wangwu666"),
    v("wx:zhaoliu_01", ACCOUNT, "zhaoliu01"),
    v("V信 sunqi_8888", ACCOUNT, "sunqi8888"),
    v("薇信号是 zhou_ba99", ACCOUNT, "zhouba99"),
    v("WeChat ID: Wu_Jiu_123", ACCOUNT, "wujiu123"),
    v("ｗｘ：ｚｈｅｎｇ１２３４", ACCOUNT, "zheng1234"),
    v("QQ：23456789", ACCOUNT, "23456789"),
    v("qq号 987654321", ACCOUNT, "987654321"),
    v("扣扣 1357924680", ACCOUNT, "1357924680"),
    v("QQ邮箱 7654321", ACCOUNT, "7654321"),
    v("ＱＱ１１２２３３４４５", ACCOUNT, "112233445"),
    v("QQ 八七六五四三二一", ACCOUNT, "87654321"),
    v("银行卡6222021234567890123", ACCOUNT, "6222021234567890123"),
]

IDS = [
    v("身份证110101199003071234", ID_NUMBER, "110101199003071234", "19900307"),
    v("身份证号：11010519851201002X。", ID_NUMBER, "11010519851201002x", "19851201"),
    v("３３０１０６１９７２０５０５１２３Ｘ", ID_NUMBER, "33010619720505123x", "19720505"),
    v("440304 1968 1111 2222", ID_NUMBER, "440304196811112222", "19681111"),
    v("320102-19950615-001x", ID_NUMBER, "3201021995061500", "19950615"),
    v("老身份证130503670401001", ID_NUMBER, "130503670401001"),
]

PLATES = [
    v("车牌粤B12345的车天天堵门", PLATE, "粤b12345"),
    v("京A·D12345", PLATE, "京ad12345"),
    v("浙A 1234学", PLATE, "浙a1234学"),
    v("沪AD54321停在消防通道", PLATE, "沪ad54321"),
    v("苏E·67890", PLATE, "苏e67890"),
    v("粤ｂ２４６８０", PLATE, "粤b24680"),
]

PLACES = [
    v("住在幸福路12号3栋502的张伟", (NAME, ADDRESS), "张伟", "12号3栋502"),
    v("刘德明住在建设路88号，经常被噪音吵醒", (NAME, ADDRESS), "刘德明", "建设路88"),
    v("业主李秀英，住址：幸福小区5号楼2单元301室", (NAME, ADDRESS), "李秀英", "5号楼2单元301"),
    v("河口村3组15号的王大爷", (NAME, ADDRESS), "王大爷", "3组15号"),
    v("我家住松林镇东风路8号2-301，户主陈建国", (NAME, ADDRESS), "陈建国", "8号2301"),
    v("王秀兰，家住和平小区12-3-502", (NAME, ADDRESS), "王秀兰", "123502"),
    v("我们小区3栋602室漏水很久了", ADDRESS, "3栋602"),
    v("7号楼的赵先生说电梯坏了", (NAME, ADDRESS), "赵先生"),
    v("姓名：孙晓燕", NAME, "孙晓燕"),
    v("联系人：郑女士", NAME, "郑女士"),
    v("我叫何志强，反对这个方案", NAME, "何志强"),
    v("住在人民路三十五号的欧阳娜娜", (NAME, ADDRESS), "欧阳娜娜", "三十五号"),
    v("光明村二组十六号", ADDRESS, "二组十六号"),
    v("家住阳光花园9幢1单元1101，孩子上学太远", ADDRESS, "9幢1单元1101"),
]

POSITIVES: list[Variant] = PHONES + EMAILS + ACCOUNTS + IDS + PLATES + PLACES

NEGATIVES: list[str] = [
    "2027年1月12日召开听证会",
    "二〇二七年一月十二日前答复",
    "补偿标准每平方米30000元",
    "合计1,380,000元，比2023年增加15%",
    "补偿总额13800000000元",
    "建议修改第3.2.1条和第12条第3款",
    "第18、19、20条都有问题",
    "2020 2021 2022 2023 2024 连续五年",
    "2024-01-15至2024-02-28公示",
    "2024.05.12 14:30 开会",
    "邮编310000，门牌号128号",
    "请拨打12345热线",
    "面积138123平方米，涉及1381户",
    "增长12.5%，噪音达到65分贝",
    "浙政发〔2024〕12号文件",
    "5号楼的电梯坏了",
    "5号楼2单元的住户都反对",
    "焚烧厂建在幸福路12号旁边",
    "3栋楼房都在下风向",
    "地铁3号线要延长",
    "GB 18485-2014标准",
    "PM2.5浓度75微克",
    "张局长说会处理",
    "我是本村村民",
    "高度120米，投资3.5亿元",
    "客服热线400-800-1234",
    "一些居民、一个小区、一家人，一起反对",
    "10:30-12:00开放",
    "共有1200户居民",
    "张家村3组的村民",
    "502路公交车要改线",
    "会议在3楼会议室",
    "第一二三四五条",
    "A座和B座之间",
    "1998年至2008年间",
    "每户补偿12万元，共386户",
]


# --------------------------------------------------------------------------- the tests

import random  # noqa: E402

import pytest  # noqa: E402
from django.utils import translation  # noqa: E402

from feedback.privacy import masking, masking_patterns  # noqa: E402
from feedback.privacy.masking import (  # noqa: E402
    KINDS,
    find_personal_data,
    label,
    mask_text,
    may_contain_personal_data,
    personal_data_kinds,
)


def test_the_corpus_has_sixty_variants_of_every_kind_and_no_secret_among_the_negatives():
    assert len(POSITIVES) >= 60
    assert {kind for variant in POSITIVES for kind in variant.kinds} == set(KINDS)
    negatives = canonical(" ".join(NEGATIVES))
    for variant in POSITIVES:
        assert variant.secrets, variant.text
        for secret in variant.secrets:
            assert canonical(secret) in canonical(variant.text), (variant.text, secret)
            assert canonical(secret) not in negatives, secret


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("variant", POSITIVES, ids=lambda variant: variant.text)
def test_every_variant_is_masked_and_its_secrets_are_gone(variant, language):
    with translation.override(language):
        masked = mask_text(variant.text)
    for secret in variant.secrets:
        assert canonical(secret) not in canonical(masked), (variant.text, masked)
    assert sorted(personal_data_kinds(variant.text)) == sorted(variant.kinds), masked
    assert may_contain_personal_data(variant.text)


@pytest.mark.parametrize("text", NEGATIVES)
def test_ordinary_text_survives(text):
    assert mask_text(text) == text
    assert find_personal_data(text) == []


@pytest.mark.parametrize("variant", POSITIVES, ids=lambda variant: variant.text)
def test_masking_is_idempotent_and_deterministic(variant):
    with translation.override("zh-hans"):
        once = mask_text(variant.text)
        assert mask_text(variant.text) == once
        assert mask_text(once) == once


def test_everything_else_is_kept_as_written_even_when_folding_changes_the_length():
    # ⑩ folds to two characters and ㈠ to three: positions still map back to the original.
    text = "⑩号意见㈠：电话１３８１２３４５６７８，ｗｘ：abc_def1。谢谢！"
    with translation.override("en"):
        masked = mask_text(text)
    assert masked == ("⑩号意见㈠：电话[phone number removed]，ｗｘ：[account removed]。谢谢！")


def test_labels_of_every_kind_are_translated_and_contain_no_digit():
    for language in ("zh-hans", "en"):
        with translation.override(language):
            labels = [label(kind) for kind in KINDS]
        assert len(set(labels)) == len(KINDS)
        assert not any(ch.isdigit() for text in labels for ch in text)
        assert not any(find_personal_data(text) for text in labels)


def test_the_look_alike_characters_are_all_known():
    """Every character of Unicode that folds to a Latin letter, a digit, @ or # is in the
    quick pre-check's set (the module scans only the blocks that hold them)."""
    import unicodedata

    found = set()
    for code in range(0x80, 0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        folded = unicodedata.normalize("NFKC", chr(code))
        if any(c.isascii() and (c.isalnum() or c in "@#") for c in folded):
            found.add(chr(code))
    assert found <= masking_patterns.TRIGGER_CHARS


def test_the_quick_checks_never_skip_what_the_full_matching_finds():
    """An outsider who knows the quick checks: random mixtures of corpus pieces, look-alike
    characters and noise. Whatever every pattern finds when run without any gate, the
    pre-check lets through and the gated matching finds too."""
    rng = random.Random(12)
    pieces = [variant.text for variant in POSITIVES] + NEGATIVES
    alphabet = "0123456789一二三四五六七八九〇幺号栋室单元组-.@# 　，。：（）ａｔ①⑩"
    tried = 0
    for _ in range(3000):
        parts = []
        for _ in range(rng.randint(1, 3)):
            piece = rng.choice(pieces)
            cut = rng.randint(0, len(piece))
            parts.append(piece[:cut] if rng.random() < 0.5 else piece[cut:])
            parts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))))
        text = "".join(parts)
        folded, _origin = masking.fold(text)
        everything = masking._find_folded(folded, gated=False)
        if everything:
            tried += 1
            assert may_contain_personal_data(text), text
            assert sorted(masking._find_folded(folded)) == sorted(everything), text
    assert tried > 500


def test_chinese_numerals_with_wide_separators_are_found():
    with translation.override("en"):
        assert mask_text("一三八 - 一二三四 - 五六七八") == "[phone number removed]"
