"""The coding screen around suggestions (issue 14, point 2; issue 15): the opinion's place in the
list is right or not shown, "no theme fits" takes one click, and theme discovery counts a
campaign once."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from consultations.roles import Role
from consultations.tests.factories import UserFactory, published_consultation
from feedback.analysis.evaluation import load_theme_set
from feedback.campaigns.grouping import group_new_opinions_now
from feedback.coding import selectors, services, suggest
from feedback.models import CampaignMember, Submission, Suggestion
from feedback.models.receipts import new_receipt

pytestmark = pytest.mark.django_db


def store(consultation, texts):
    return Submission.objects.bulk_create(
        [
            Submission(
                consultation=consultation,
                comment=text,
                receipt=new_receipt(),
                idempotency_token=uuid.uuid4(),
                text_hash=hashlib.sha256(text.encode()).hexdigest(),
            )
            for text in texts
        ]
    )


@pytest.fixture
def consultation():
    return published_consultation()


@pytest.fixture
def analyst(consultation):
    return UserFactory.with_role(Role.ANALYST, consultation.department)


def test_position_in_the_list_is_right_or_not_shown(client, consultation, analyst):
    theme = services.theme_create(user=analyst, consultation=consultation, name="补偿")
    subs = store(consultation, [f"第{i}条意见：补偿标准太低了，希望提高" for i in range(5)])
    client.force_login(analyst)
    base = f"/admin/coding/{consultation.pk}"
    for i, sub in enumerate(subs, start=1):
        page = client.get(
            f"{base}/opinion/{sub.pk}/?f=all", HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
        assert f"{i} of 5 in this list" in page
    # coded from the "left to do" list, the opinion leaves it: no "0 of …", but where it stands
    client.post(
        f"{base}/opinion/{subs[0].pk}/code/", {"theme": theme.pk, "f": "uncoded", "op": "add"}
    )
    page = client.get(f"{base}/opinion/{subs[0].pk}/?f=uncoded", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.context["position"] == 0
    assert " of 4 in this list" not in html and "No longer in this list (4 opinions in it)" in html
    page = client.get(f"{base}/opinion/{subs[2].pk}/?f=uncoded", HTTP_ACCEPT_LANGUAGE="en")
    assert "2 of 4 in this list" in page.content.decode()
    zh = client.get(f"{base}/opinion/{subs[0].pk}/?f=uncoded").content.decode()
    assert "第 0 条" not in zh and "已不在本列表中（本列表共 4 条）" in zh


def test_no_theme_fits_takes_one_click(client, consultation, analyst):
    services.theme_create(user=analyst, consultation=consultation, name="补偿")
    first, second = store(consultation, ["小区的广场舞太吵了", "物业费太贵了"])
    client.force_login(analyst)
    base = f"/admin/coding/{consultation.pk}"
    html = client.get(
        f"{base}/opinion/{first.pk}/?f=uncoded", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    form = html[: html.index("data-tj-no-theme-fits")]
    form = form[form.rindex("<form") :]
    assert 'name="reason" value="No theme of the frame fits"' in form
    response = client.post(
        f"{base}/opinion/{first.pk}/no-theme/",
        {"f": "uncoded", "op": "mark", "reason": "No theme of the frame fits"},
    )
    assert response.status_code == 302 and f"/{second.pk}/" in response["Location"]
    first.refresh_from_db()
    assert first.no_theme_reason == "No theme of the frame fits" and first.no_theme_by == analyst
    assert selectors.coding_progress(consultation)["no_theme"] == 1


def test_no_theme_opinions_teach_the_model_what_fits_nothing(consultation, analyst):
    sub = store(consultation, ["测试一下"])[0]
    services.mark_no_theme(analyst, sub, "无关")
    assert suggest.training_labels(consultation) == {sub.pk: set()}


def test_theme_discovery_takes_one_opinion_per_campaign(consultation, analyst):
    _themes, opinions = load_theme_set()
    independent = [
        o["text"] for o in opinions if o["consultation"] == "plant" and not o["campaign"]
    ]
    letter = (
        "尊敬的领导：我们是北山村的村民，焚烧厂离村子太近，二噁英威胁老人和孩子的健康，"
        "强烈要求重新选址，把厂建到远离居民区的地方。"
    )
    copies = [
        letter.replace("，", ",") + f"村民{i}号" if i % 2 else letter + "！" * i for i in range(40)
    ]
    subs = store(consultation, independent[:80] + copies)
    group_new_opinions_now(consultation.pk)
    copy_ids = {s.pk for s in subs[80:]}
    grouped = set(
        CampaignMember.objects.filter(submission_id__in=copy_ids).values_list("group_id", flat=True)
    )
    assert len(grouped) == 1  # the campaign matcher put the 40 copies in one group
    texts = suggest.opinion_texts(consultation)
    kept = suggest.cluster_representatives(consultation, texts)
    assert len(set(kept) & copy_ids) == 1
    job = suggest.start_suggestions(analyst, consultation)
    job.refresh_from_db()
    assert job.status == "done", job.error
    candidates = list(selectors.candidate_themes(consultation))
    assert candidates
    assert sum(c.size for c in candidates) <= len(kept)
    examples = {pk for c in candidates for pk in c.example_ids}
    assert len(examples & copy_ids) <= 1
    # without grouping in the register, copies identical after folding still count once
    assert suggest.one_per_group([1, 2, 3], {1: "反对！！", 2: "反對!", 3: "支持"}, {}) == [1, 3]
    assert suggest.one_per_group([1, 2, 3], {1: "a", 2: "b", 3: "c"}, {2: 9, 3: 9}) == [1, 2]
    assert not Suggestion.objects.filter(kind="opinion_theme").exists()
