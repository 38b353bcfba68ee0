"""Personal data inside opinion text is removed before public display; ordinary numbers stay."""

from __future__ import annotations

import pytest
from django.utils import translation

from feedback.privacy.masking import (
    ACCOUNT,
    EMAIL,
    ID_NUMBER,
    NAME,
    PHONE,
    find_personal_data,
    fold,
    label,
    mask_text,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


PHONE_LABEL = "[phone number removed]"
EMAIL_LABEL = "[e-mail address removed]"
ID_LABEL = "[ID number removed]"
ACCOUNT_LABEL = "[account removed]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Mobiles, every usual way of writing them.
        ("我的手机13812345678，请回电", f"我的手机{PHONE_LABEL}，请回电"),
        ("手机 138 1234 5678 谢谢", f"手机 {PHONE_LABEL} 谢谢"),
        ("138-1234-5678", PHONE_LABEL),
        ("1381 234 5678", PHONE_LABEL),
        ("138.1234.5678", PHONE_LABEL),
        ("+86 138-1234-5678", PHONE_LABEL),
        ("+8613812345678", PHONE_LABEL),
        ("008613812345678", PHONE_LABEL),
        ("（+86）138 1234 5678", PHONE_LABEL),
        ("19912345678。", f"{PHONE_LABEL}。"),
        # Full-width digits, hyphens and spaces typed with a Chinese input method.
        ("电话：１３８１２３４５６７８。", f"电话：{PHONE_LABEL}。"),
        ("１３８－１２３４－５６７８", PHONE_LABEL),
        ("１３８\u3000１２３４\u3000５６７８", PHONE_LABEL),
        ("138—1234—5678", PHONE_LABEL),
        # Landlines with area codes and extensions.
        ("座机0571-8888 8888", f"座机{PHONE_LABEL}"),
        ("0571-88888888转123有人接", f"{PHONE_LABEL}有人接"),
        ("（0571）88888888", PHONE_LABEL),
        ("(010)6512-3456", PHONE_LABEL),
        ("０５７１－８８８８８８８８", PHONE_LABEL),
        ("010 65123456", PHONE_LABEL),
        # Local numbers without an area code, after a word that says it is a phone number.
        ("联系电话：8888 8888", f"联系电话：{PHONE_LABEL}"),
        ("我的电话是88888888，白天打", f"我的电话是{PHONE_LABEL}，白天打"),
        ("Phone: 6512 3456", f"Phone: {PHONE_LABEL}"),
        # Chinese numerals, as some residents write numbers to get past filters.
        ("一三八一二三四五六七八", PHONE_LABEL),
    ],
)
def test_phone_numbers_are_removed(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("邮箱 zhang.san@163.com。谢谢", f"邮箱 {EMAIL_LABEL}。谢谢"),
        ("发到li_si+gov@mail.example.org.cn即可", f"发到{EMAIL_LABEL}即可"),
        ("abc ＠ qq．com", EMAIL_LABEL),
        ("ｗａｎｇ＠ｑｑ．ｃｏｍ", EMAIL_LABEL),
        ("邮箱wang@qq。com", f"邮箱{EMAIL_LABEL}"),
        ("13812345678@163.com", EMAIL_LABEL),
    ],
)
def test_email_addresses_are_removed(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身份证110101199003071234", f"身份证{ID_LABEL}"),
        ("身份证号：11010119900307123X。", f"身份证号：{ID_LABEL}。"),
        ("11010119900307123x号", f"{ID_LABEL}号"),
        ("１１０１０１１９９００３０７１２３Ｘ", ID_LABEL),
        ("110101 1990 0307 1234", ID_LABEL),
        ("110101-19900307-1234", ID_LABEL),
        ("老身份证130503670401001", f"老身份证{ID_LABEL}"),
    ],
)
def test_id_card_numbers_are_removed(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("银行卡6222021234567890123", f"银行卡{ACCOUNT_LABEL}"),
        ("QQ：12345678", f"QQ：{ACCOUNT_LABEL}"),
        ("qq号 987654321", f"qq号 {ACCOUNT_LABEL}"),
        ("微信号：wxid_abc123", f"微信号：{ACCOUNT_LABEL}"),
        ("我的微信是 zhangsan88", f"我的微信是 {ACCOUNT_LABEL}"),
    ],
)
def test_accounts_are_removed(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024年征收，补偿标准每平方米30000元。",
        "合计1,380,000元，比2023年增加15%。",
        "补偿总额13800000000元",  # eleven digits starting 138, but an amount
        "建议修改第3.2.1条和第12条第3款。",
        "第18、19、20条都有问题",
        "2020 2021 2022 2023 2024",
        "1995-2000-2005年的规划",
        "2024-01-15至2024-02-28公示",
        "2024.05.12 14:30 开会",
        "邮编310000，门牌号128号",
        "请拨打12345热线或0571-12345",
        "热线 12345 很方便",
        "面积138123平方米，涉及1381户",
        "电话费300元太贵",
        "离厂区0.5公里，噪音65分贝",
        "浙政发〔2024〕12号文件",
        "@张三 你好",
    ],
)
def test_ordinary_numbers_and_text_survive(text):
    assert mask_text(text) == text
    assert find_personal_data(text) == []


def test_mixed_text_masks_each_item_and_keeps_the_rest():
    text = (
        "我反对选址，离我家只有800米。我叫张三，电话１３８ １２３４ ５６７８，"
        "邮箱zs@163.com，身份证11010119900307123X。希望2025年前给答复，补偿30000元不够。"
    )
    masked = mask_text(text)
    assert masked == (
        f"我反对选址，离我家只有800米。我叫[name removed]，电话{PHONE_LABEL}，"
        f"邮箱{EMAIL_LABEL}，身份证{ID_LABEL}。希望2025年前给答复，补偿30000元不够。"
    )
    kinds = [found.kind for found in find_personal_data(text)]
    assert kinds == [NAME, PHONE, EMAIL, ID_NUMBER]


def test_masking_is_idempotent_and_keeps_empty_text():
    text = "电话13812345678，QQ：12345678"
    once = mask_text(text)
    assert mask_text(once) == once
    assert mask_text("") == ""


def test_folding_is_nfkc_and_maps_positions_back():
    text = "ａ１３８　－＠（），。"
    folded, origin = fold(text)
    assert folded == "a138 -@(),。"  # NFKC: the full-width comma too; 。 has no ASCII twin
    assert origin is None  # one character for one
    folded, origin = fold("⑩号")
    assert folded == "10号" and origin == [0, 0, 1, 2]
    # What is shown keeps the Chinese punctuation as written.
    assert mask_text("电话：13812345678，谢谢。") == f"电话：{PHONE_LABEL}，谢谢。"


def test_labels_are_translated():
    with translation.override("zh-hans"):
        chinese = {kind: label(kind) for kind in (PHONE, EMAIL, ID_NUMBER, ACCOUNT)}
    # Whether or not the catalogue is compiled yet, a label never contains a digit.
    assert all(not any(ch.isdigit() for ch in text) for text in chinese.values())
    assert label(PHONE) == PHONE_LABEL
