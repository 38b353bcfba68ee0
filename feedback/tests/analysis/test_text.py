"""Normalisation and jieba segmentation for search."""

from bench.textgen import generate
from feedback.analysis.text import (
    fold_for_matching,
    normalize_text,
    segment_for_search,
    segment_query,
)


def test_segment_for_search_emits_two_character_words_inside_long_words():
    tokens = segment_for_search("垃圾焚烧发电厂").split()
    assert {"焚烧", "垃圾", "发电"} <= set(tokens)


def test_segment_for_search_drops_punctuation_and_folds_width_and_case():
    assert segment_for_search("反对！ＡＢＣ，建设。") == "反对 abc 建设"


def test_segment_query_ands_the_pieces_a_document_always_contains():
    assert segment_query("垃圾焚烧") == "'垃圾' & '焚烧'"
    document = set(segment_for_search("我们反对在东郊建设垃圾焚烧发电厂").split())
    query = {t.strip("'") for t in segment_query("焚烧发电厂").split(" & ")}
    assert query <= document


def test_segment_query_is_empty_for_punctuation_and_cannot_inject_operators():
    assert segment_query("  ，。！") == ""
    assert segment_query("焚烧' | !'x") == "'焚烧' & 'x'"


def test_normalize_keeps_wording_and_folds_width_and_spacing():
    assert normalize_text("  我　反对\n\n ＡＢＣ１２３ ") == "我 反对 ABC123"


def test_fold_for_matching_ignores_punctuation_case_and_spaces():
    assert (
        fold_for_matching("坚决 反对，ABC！") == fold_for_matching("坚决反对。abc") == "坚决反对abc"
    )


def test_generator_is_deterministic_and_labels_campaigns():
    first, second = generate(400, seed=9), generate(400, seed=9)
    assert first == second
    assert [o.id for o in first] == list(range(1, 401))
    assert all(20 <= len(o.text) <= 420 for o in first)
    assert any(o.campaign for o in first) and any(o.campaign is None for o in first)
    assert generate(400, seed=10) != first
