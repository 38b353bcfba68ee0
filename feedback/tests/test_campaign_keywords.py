"""Issue 14, point 6: the keyword list counts each campaign group once and leaves out filler
words (feedback/analysis/stopwords_zh.txt)."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone, translation

from feedback.analysis.keywords import STOPWORDS_FILE, stopwords, top_keywords
from feedback.campaigns.grouping import group_new_opinions_now
from feedback.intake.services import OpinionData, submission_create
from feedback.models import CampaignGroup

pytestmark = pytest.mark.django_db

LETTER = (
    "我们坚决反对在北山村建设垃圾焚烧发电厂，选址距离村庄不到八百米，二噁英和飞灰会威胁"
    "老人孩子的健康，十年以后谁来负责？要求重新论证选址，公开环评报告全文。"
)
OWN = (
    "解放路噪声太大，晚上睡不着，希望加装隔音屏。",
    "噪声监测点应该设在小区门口，数据每天公开。",
    "施工噪声不太好控制，夜间十点以后必须停工。",
)


def opine(consultation, text):
    submission, _ = submission_create(
        consultation=consultation,
        data=OpinionData(comment=text),
        token=uuid.uuid4(),
        now=timezone.now(),
    )
    return submission


def words(series) -> dict[str, int]:
    return {item.key: item.count for item in series.items}


@pytest.fixture
def letters(open_consultation):
    for i in range(12):  # a form letter, some copies edited
        opine(open_consultation, LETTER if i % 3 else LETTER.replace("八百米", "一公里"))
    for text in OWN:
        opine(open_consultation, text)
    group_new_opinions_now(open_consultation.pk)
    return open_consultation


def test_a_campaign_counts_once_in_the_keyword_list(letters):
    group = CampaignGroup.objects.get(consultation=letters)
    assert group.members.count() == 12
    counts = words(top_keywords(letters, n=200))
    # Words only the letter uses count once, not twelve times; the independent opinions'
    # common word now leads.
    assert counts["二噁英"] == 1, counts
    assert counts["选址"] == 1
    assert counts["噪声"] == 3
    assert max(counts.values()) == 3
    with translation.override("en"):
        assert "11 copies in campaign groups not counted" in top_keywords(letters).note


def test_a_dismissed_group_counts_each_opinion(letters):
    CampaignGroup.objects.filter(consultation=letters).update(status=CampaignGroup.Status.DISMISSED)
    assert words(top_keywords(letters, n=200))["二噁英"] == 12


def test_filler_words_are_left_out(letters):
    counts = words(top_keywords(letters, n=200))
    # 坚决, 十年 and 不太 led the analysts' list in issue 14; 我们, 希望, 必须, 应该 are filler too.
    for filler in ("坚决", "十年", "不太", "我们", "希望", "必须", "应该", "以后", "要求"):
        assert filler not in counts, filler
    assert "隔音屏" in counts  # topic words stay


def test_the_stop_word_list_is_a_documented_file_in_the_repository():
    text = STOPWORDS_FILE.read_text(encoding="utf-8")
    assert text.startswith("# Stop words")
    assert "Source:" in text
    listed = stopwords()
    assert {"坚决", "不太", "的", "我们"} <= listed
    assert not {"焚烧", "补偿", "噪声", "校车", "方案", "项目"} & listed  # topic words never
