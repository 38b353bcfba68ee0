"""Issue 14, point 1: short form letters are grouped (normalised first, then compared by the
short-text method), near misses that flip the meaning stay apart — through the database
grouping, as the background task runs it."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from feedback.campaigns.grouping import group_new_opinions_now, regroup
from feedback.intake.services import OpinionData, submission_create, submission_withdraw
from feedback.models import CampaignGroup, CampaignMember, TextSignature

pytestmark = pytest.mark.django_db


def opine(consultation, text):
    submission, created = submission_create(
        consultation=consultation,
        data=OpinionData(comment=text),
        token=uuid.uuid4(),
        now=timezone.now(),
    )
    assert created
    return submission


def group_of(submission):
    member = CampaignMember.objects.filter(submission=submission).first()
    return member.group_id if member else None


SLOGAN = "坚决反对在北山村建垃圾焚烧厂！"
VARIANTS = (
    "坚决反对在北山村建垃圾焚烧厂!!",  # "!!" against "！"
    "堅決反對在北山村建垃圾焚燒廠！",  # Traditional
    "坚决反对 在北山村 建垃圾焚烧厂😡😡",  # spaces, emoji
    "坚决\u200b反对在北山村建垃圾焚烧厂！！！！",  # zero-width space, a run of "！"
    "强烈反对在北山村建垃圾焚烧厂！",  # one word changed
    "坚决反对在北山村建焚烧厂",  # one word left out
    "坚决反对在我们北山村建设垃圾焚烧厂",  # two words added
)


def test_a_short_campaign_with_punctuation_spacing_emoji_traditional_and_word_variants(
    open_consultation,
):
    c = open_consultation
    first = opine(c, SLOGAN)
    copies = [opine(c, text) for text in VARIANTS]
    group_new_opinions_now(c.pk)
    group = group_of(first)
    assert group is not None
    assert [group_of(s) for s in copies] == [group] * len(copies)
    # The same once normalised: joined at once as an exact copy, without being compared.
    keys = dict(TextSignature.objects.values_list("submission_id", "match_key"))
    assert keys[first.pk] == keys[copies[0].pk] == keys[copies[1].pk] == keys[copies[3].pk]


def test_one_at_a_time_as_opinions_arrive(open_consultation):
    c = open_consultation
    subs = []
    for text in (SLOGAN, *VARIANTS):
        subs.append(opine(c, text))
        group_new_opinions_now(c.pk)
    assert len({group_of(s) for s in subs}) == 1
    assert CampaignGroup.objects.filter(consultation=c).count() == 1


@pytest.mark.parametrize(
    "one,other",
    [
        ("支持建设垃圾焚烧厂", "反对建设垃圾焚烧厂"),  # the stance word flipped
        ("坚决支持在北山村建垃圾焚烧厂！", SLOGAN),
        ("同意河口村小学撤并", "不同意河口村小学撤并"),
        ("解放路拓宽要加装隔音屏", "解放路拓宽不必加装隔音屏"),  # a negation added
        ("校车单程不能超过30分钟", "校车单程不能超过60分钟"),  # a number changed
        ("校车单程不能超过30分钟", "校车单程不能超过30公里"),  # a unit changed
        (
            "我是阳光花园的居民，可以建，但要解决以下问题。",
            "我家就在实验小学附近，可以建，但要解决以下问题。",
        ),
    ],
)
def test_near_misses_stay_apart(open_consultation, one, other):
    c = open_consultation
    a, b = opine(c, one), opine(c, other)
    group_new_opinions_now(c.pk)
    assert group_of(a) is None and group_of(b) is None
    regroup(c)
    assert group_of(a) is None and group_of(b) is None


def test_texts_under_eight_characters_group_only_when_identical(open_consultation):
    c = open_consultation
    a, b, d = opine(c, "坚决反对焚烧厂"), opine(c, "坚决反对焚烧场"), opine(c, "堅決反對焚燒廠！")
    group_new_opinions_now(c.pk)
    assert group_of(b) is None
    assert group_of(a) == group_of(d) is not None


def test_withdrawing_the_first_copy_keeps_the_others_findable(open_consultation):
    """The first opinion of a normalised text holds its key; when it is withdrawn, the copies
    that leant on it are signed again, and a later copy still joins them."""
    c = open_consultation
    first = opine(c, "同意建设垃圾焚烧发电厂！")
    second = opine(c, "同意建设垃圾焚烧发电厂!!")  # another text_hash, the same key
    third = opine(c, "同意建設垃圾焚燒發電廠")
    group_new_opinions_now(c.pk)
    assert group_of(first) == group_of(second) == group_of(third) is not None
    submission_withdraw(submission=first)
    assert group_of(first) is None
    group_new_opinions_now(c.pk)
    later = opine(c, "同意建设垃圾焚烧发电厂。")
    group_new_opinions_now(c.pk)
    assert group_of(later) == group_of(second) == group_of(third) is not None


def test_a_worker_that_loads_the_stored_signatures_matches_like_the_one_that_wrote_them(
    open_consultation,
):
    """The short-text index is rebuilt from TextSignature rows (bigrams and guard) in another
    worker process: emulated by forgetting this process's cache."""
    from feedback.campaigns.lsh import forget_cache

    c = open_consultation
    a = opine(c, SLOGAN)
    flipped = opine(c, "坚决支持在北山村建垃圾焚烧厂！")
    group_new_opinions_now(c.pk)
    forget_cache()
    b = opine(c, "强烈反对在北山村建垃圾焚烧厂")
    group_new_opinions_now(c.pk)
    assert group_of(a) == group_of(b) is not None
    assert group_of(flipped) is None
    assert TextSignature.objects.get(submission=a).short
