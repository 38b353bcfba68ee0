"""Campaign detection: pure functions, no database."""

import pickle
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from datasketch import MinHash

from bench.textgen import generate
from feedback.analysis.campaigns import (
    CampaignConfig,
    CampaignIndex,
    Variant,
    find_bursts,
    representative,
    shingle_hashes,
    stance_guard,
)
from feedback.analysis.evaluation import score_grouping
from feedback.analysis.text import fold_for_matching

LETTER = (
    "尊敬的领导：我们是阳光花园的全体业主，垃圾焚烧发电厂选址距离居民区太近，严重威胁周边三万居民的"
    "身体健康。该项目的环境影响评价未充分征求周边群众意见，程序存在明显瑕疵。我们要求重新论证选址，"
    "并将比选方案向社会公开。在问题解决之前，请暂停一切前期施工。此致敬礼！阳光花园业主"
)
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def build(texts, **config):
    return CampaignIndex.build(enumerate(texts, 1), CampaignConfig(**config))


def test_exact_duplicates_grouped_despite_punctuation_width_and_spacing():
    variants = [LETTER, LETTER.replace("，", ",").replace("。", "！"), " ".join(LETTER), LETTER]
    index = build([*variants, "我支持建设，希望早日开工，解决垃圾围城的问题。"])
    assert len({index.group_of(k) for k in (1, 2, 3, 4)}) == 1
    assert index.group_of(5) == 5
    assert index.summary() == {"opinions": 5, "distinct_texts": 2, "campaign_groups": 1}


@pytest.mark.parametrize(
    "edited",
    [
        LETTER.replace("严重", "非常", 1),  # two characters changed
        LETTER.replace("阳光花园", "锦绣家园"),  # community swapped
        LETTER + "补偿标准太低，按这个价格在附近根本买不到同样的房子。",  # sentence appended
        LETTER.replace("在问题解决之前，请暂停一切前期施工。", ""),  # sentence removed
    ],
)
def test_near_duplicates_grouped_with_the_letter(edited):
    index = build([LETTER, edited])
    assert index.group_of(2) == index.group_of(1) == 1


def test_unrelated_opinions_on_the_same_topic_not_grouped():
    index = build(
        [
            LETTER,
            "我家就在东郊，离焚烧厂只有八百米，孩子有哮喘，真的很担心二噁英排放，希望公开环评报告全文。",
            "垃圾填埋场已经快满了，焚烧发电比填埋更环保，我支持建设，但排放数据要实时公开。",
            "运输垃圾的车辆每天经过小区，渗滤液的气味怎么控制？请说明除臭措施和监测点位置。",
            "征求意见的时间太短，很多老人还不知道这件事，建议在社区开一次说明会，听听大家的想法。",
        ]
    )
    assert len(set(index.assignments().values())) == 5
    assert index.groups() == []


def test_short_opinions_sharing_one_stock_phrase_not_grouped():
    index = build(
        [
            "我支持。补偿标准太低，按这个价格在附近根本买不到同样的房子。",
            "坚决反对！补偿标准太低，按这个价格在附近根本买不到同样的房子。请给个答复。",
        ]
    )
    assert index.group_of(1) != index.group_of(2)


def test_incremental_add_gives_the_same_groups_as_a_full_build():
    items = [(o.id, o.text, o.timestamp) for o in generate(1500, seed=5)]
    full = CampaignIndex.build(items)
    incremental = CampaignIndex()
    for start in range(0, len(items), 170):
        incremental = CampaignIndex.loads(incremental.dumps())  # as a background task would
        incremental.add(items[start : start + 170])
    assert incremental.assignments() == full.assignments()
    assert incremental.summary() == full.summary()


def test_a_text_bridging_two_groups_merges_them_and_reports_the_merge():
    third = len(LETTER) // 3
    first, second = LETTER[: 2 * third] + "甲" * 10, "乙" * 10 + LETTER[third:]
    index = build([first, second])
    assert index.group_of(1) != index.group_of(2)
    result = index.add([(3, LETTER)])
    assert result.assigned == {3: 1}
    assert result.merged == {2: 1}
    assert index.group_of(2) == 1


def test_adding_the_same_key_twice_is_refused():
    index = build([LETTER])
    with pytest.raises(ValueError, match="already added"):
        index.add([(1, LETTER)])


def test_group_lists_count_variants_and_most_common_text_as_representative():
    edited = LETTER.replace("严重", "非常", 1)
    index = build([edited, LETTER, LETTER, LETTER + "谢谢！"])
    [group] = index.groups()
    assert (group.id, group.count, group.distinct) == (1, 4, 3)
    assert group.representative.text == LETTER
    assert group.representative.count == 2
    assert sorted(group.keys) == [1, 2, 3, 4]


def test_representative_is_the_medoid_by_length_when_no_text_repeats():
    variants = [Variant(1, "a" * 50, 1), Variant(2, "b" * 10, 1), Variant(3, "c" * 30, 1)]
    assert representative(variants).key == 3


def test_burst_flagged_when_enough_items_fall_inside_the_window():
    events = [("g", T0 + timedelta(minutes=2 * i)) for i in range(25)]  # 25 in 48 minutes
    events += [("slow", T0 + timedelta(hours=3 * i)) for i in range(25)]
    events += [("g", T0 + timedelta(days=2))]
    [burst] = find_bursts(events, min_count=20, window=timedelta(minutes=60))
    assert (burst.group, burst.count) == ("g", 25)
    assert (burst.start, burst.end) == (T0, T0 + timedelta(minutes=48))


def test_burst_not_flagged_below_the_threshold_count():
    events = [("g", T0 + timedelta(minutes=i)) for i in range(19)]
    assert find_bursts(events, min_count=20, window=timedelta(minutes=60)) == []


def test_index_flags_bursts_of_identical_texts():
    index = CampaignIndex()
    index.add((i, LETTER, T0 + timedelta(seconds=30 * i)) for i in range(30))
    index.add((100 + i, f"第{i}条意见：希望早日开工。" * 3, T0) for i in range(30))
    [burst] = index.bursts(min_count=20, window=timedelta(minutes=15))
    assert burst.group == 0
    assert burst.count == 30


def test_sketch_equals_datasketch_minhash_of_the_same_shingles():
    index = CampaignIndex()
    folded = fold_for_matching(LETTER)
    reference = MinHash(num_perm=128, seed=1, scheme="affine32", hashfunc=int)
    reference.update_batch(shingle_hashes(folded, 3).tolist())
    assert np.array_equal(index.sketch(folded), reference.hashvalues)


def test_index_survives_pickle_round_trip():
    index = build([LETTER, "我支持建设，希望早日开工，解决垃圾围城的问题。"])
    restored = pickle.loads(index.dumps())  # noqa: S301
    restored.add([(3, LETTER + "谢谢")])
    assert restored.group_of(3) == 1


def test_seeded_campaigns_found_with_precision_and_recall_of_at_least_095():
    items = generate(3000, seed=2026)
    index = CampaignIndex.build((o.id, o.text) for o in items)
    assignment = index.assignments()
    scores = score_grouping([o.campaign for o in items], [assignment[o.id] for o in items])
    assert scores.true_pairs > 1000
    assert scores.precision >= 0.95
    assert scores.recall >= 0.95
    assert scores.item_precision >= 0.95
    assert scores.item_recall >= 0.95


def test_pairwise_scores_count_false_merges_and_misses():
    truth = ["a", "a", "a", None, None]
    predicted = [1, 1, 2, 2, 3]  # one true pair found of three; one false pair
    scores = score_grouping(truth, predicted)
    assert (scores.true_pairs, scores.predicted_pairs) == (3, 2)
    assert scores.precision == pytest.approx(0.5)
    assert scores.recall == pytest.approx(1 / 3)
    assert scores.item_precision == pytest.approx(3 / 4)


def test_many_short_texts_before_a_long_one_do_not_break_the_index():
    index = CampaignIndex()
    index.add((i, f"同意{i}") for i in range(3000))
    index.add([(5000, LETTER), (5001, LETTER + "谢谢")])
    assert index.group_of(5001) == 5000
    assert index.group_of(7) == 7


# -- issue 14: short texts and the stance guard -----------------------------------------------


@pytest.mark.parametrize(
    "text,guard",
    [
        ("支持建设垃圾焚烧厂", "+100:"),
        ("反对建设垃圾焚烧厂", "-010:"),
        ("不同意建设垃圾焚烧厂", "-010:"),  # one "against" word, not 不 + 同意
        ("不反对建设", "-011:"),  # an "against" word and a negation
        ("非常担心未来的噪声", "0000:"),  # 非常 and 未来 negate nothing
        ("校车不能超过30分钟", "-010:30分"),
    ],
)
def test_stance_guard(text, guard):
    assert stance_guard(fold_for_matching(text)) == guard


def test_short_variants_group_and_a_flipped_stance_stays_apart():
    index = build(
        [
            "坚决反对在北山村建垃圾焚烧厂！",
            "堅決反對在北山村建垃圾焚燒廠!!",
            "强烈反对在北山村建垃圾焚烧厂",
            "坚决支持在北山村建垃圾焚烧厂！",
            "坚决支持在北山村建焚烧厂",
        ]
    )
    assert index.group_of(2) == index.group_of(3) == index.group_of(1) == 1
    assert index.group_of(5) == index.group_of(4) == 4


def test_a_short_text_and_its_copy_with_a_sentence_more_meet_across_the_boundary():
    short = "强烈要求解放路拓宽工程在锦绣花园一侧加装隔音屏，夜间禁止施工，还我们安静的休息环境"
    longer = short + "。我父亲有心脏病，晚上一吵就睡不着。"
    for texts in ([short, longer], [longer, short]):  # either may come first
        index = build(texts)
        assert index.group_of(2) == 1
