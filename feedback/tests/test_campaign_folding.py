"""fold_for_matching removes exactly the characters that are not letters or digits, converts
Traditional characters to Simplified and cuts runs of a repeated character (issue 14)."""

from __future__ import annotations

import unicodedata

from feedback.analysis.text import fold_for_matching, to_simplified


def test_every_code_point_is_kept_or_removed_by_its_category():
    """Below U+20000 a character is kept iff its category is L* or N* (so "_" and punctuation,
    symbols, emoji, marks, zero-width characters and spaces go); from U+20000 on every character
    is kept. A Traditional character is kept as its Simplified form."""
    wrong = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        if unicodedata.normalize("NFKC", ch).casefold() != ch:
            continue  # its folded form is checked as a character of its own
        simplified = to_simplified(ch)
        kept = fold_for_matching(ch) == simplified.casefold() != ""
        expected = cp >= 0x20000 or unicodedata.category(ch)[0] in "LN"
        if kept != expected:
            wrong.append(hex(cp))
    assert wrong == []


def test_folding_examples():
    assert fold_for_matching("补偿标准，太低！！") == "补偿标准太低"
    assert fold_for_matching("ＡＢＣ_１２３ abc") == "abc123abc"
    assert fold_for_matching("𠀀𠀁") == "𠀀𠀁"  # CJK extension B, kept
    assert fold_for_matching("") == fold_for_matching(None) == ""


def test_traditional_emoji_zero_width_marks_and_repeats_fold_to_one_text():
    simplified = "坚决反对在我们村建垃圾焚烧厂"
    for variant in (
        "堅決反對在我們村建垃圾焚燒廠！！",  # Traditional, full-width punctuation
        "坚决反对在我们村建垃圾焚烧厂!!!!😡😡",  # emoji and a run of "!"
        "坚决 反对\u3000在我们村\t建垃圾焚烧厂。",  # spaces of three kinds
        "坚\u200b决反\u200d对在我们村建垃圾焚烧厂\ufeff",  # zero-width characters
        "坚决反\u0301对在我们村建垃圾焚烧厂",  # a combining mark
        "坚决反对对对在我们村建垃圾焚烧厂",  # a run of one character
    ):
        assert fold_for_matching(variant) == simplified, variant


def test_digits_are_never_collapsed():
    assert fold_for_matching("补偿每亩100万元") == "补偿每亩100万元"
    assert fold_for_matching("补偿每亩10万元") != fold_for_matching("补偿每亩100万元")
