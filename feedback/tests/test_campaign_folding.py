"""fold_for_matching removes exactly the characters that are not letters or digits."""

from __future__ import annotations

import unicodedata

from feedback.analysis.text import fold_for_matching


def test_every_code_point_is_kept_or_removed_by_its_category():
    """Below U+20000 a character is kept iff its category is L* or N* (so "_" and punctuation,
    symbols, marks and spaces go); from U+20000 on every character is kept."""
    wrong = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        if unicodedata.normalize("NFKC", ch).casefold() != ch:
            continue  # its folded form is checked as a character of its own
        kept = fold_for_matching(ch) == ch
        expected = cp >= 0x20000 or unicodedata.category(ch)[0] in "LN"
        if kept != expected:
            wrong.append(hex(cp))
    assert wrong == []


def test_folding_examples():
    assert fold_for_matching("补偿标准，太低！！") == "补偿标准太低"
    assert fold_for_matching("ＡＢＣ_１２３ abc") == "abc123abc"
    assert fold_for_matching("𠀀𠀁") == "𠀀𠀁"  # CJK extension B, kept
    assert fold_for_matching("") == fold_for_matching(None) == ""
