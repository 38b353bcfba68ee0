"""Incremental campaign grouping on the database (feedback.campaigns)."""

# Size: the grouping tests share the campaign fixtures and their expected groups.

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.roles import Role
from consultations.tests.factories import DepartmentFactory, UserFactory
from feedback.campaigns import grouping
from feedback.campaigns.grouping import group_new_opinions_now, regroup
from feedback.campaigns.selectors import campaign_summary
from feedback.intake.services import OpinionData, submission_create, submission_update
from feedback.models import (
    AuditAction,
    AuditEntry,
    CampaignGroup,
    CampaignMember,
    CampaignScanState,
    Submission,
    TextSignature,
)

pytestmark = pytest.mark.django_db

LETTER = (
    "我们坚决反对在松林镇建设生活垃圾焚烧发电厂，选址距离居民区不足一公里，"
    "二噁英排放将严重威胁周边三万居民和两所小学师生的身体健康，请重新论证选址。"
)
EDITED = LETTER.replace("三万居民", "四万多居民").replace("请重新论证选址", "恳请重新论证")
OTHER = (
    "建议在施工期间加强渣土车管理，夜间十点以后禁止施工，并在主干道两侧增设隔音屏，"
    "减少对沿线学校和医院的噪声影响。"
)
OTHER_EDIT = OTHER.replace("夜间十点以后", "晚上十点后").replace("医院", "卫生院")


def opine(consultation, comment: str, *, when=None, **data) -> Submission:
    submission, created = submission_create(
        consultation=consultation,
        data=OpinionData(comment=comment, **data),
        token=uuid.uuid4(),
        now=when or timezone.now(),
    )
    assert created
    return submission


def members(group: CampaignGroup) -> set[int]:
    return set(group.members.values_list("submission_id", flat=True))


def test_exact_and_near_duplicates_are_grouped_incrementally(open_consultation):
    c = open_consultation
    a = opine(c, LETTER)
    b = opine(c, LETTER)
    loner = opine(c, OTHER)
    assert group_new_opinions_now(c.pk) == 3
    exact = CampaignGroup.objects.get(consultation=c)
    assert exact.kind == CampaignGroup.Kind.EXACT
    assert members(exact) == {a.pk, b.pk}
    assert not CampaignMember.objects.filter(submission=loner).exists()
    assert TextSignature.objects.filter(submission__consultation=c).count() == 3

    # A second run sees only the new opinions; the edited copy joins the same group.
    d = opine(c, EDITED)
    assert group_new_opinions_now(c.pk) == 1
    exact.refresh_from_db()
    assert members(exact) == {a.pk, b.pk, d.pk}
    assert exact.kind == CampaignGroup.Kind.NEAR
    assert exact.representative_id == a.pk  # the text that repeats
    assert 0.5 <= CampaignMember.objects.get(submission=d).similarity < 1.0
    assert group_new_opinions_now(c.pk) == 0

    # An unrelated pair forms its own group; every opinion is still counted.
    e = opine(c, OTHER_EDIT)
    group_new_opinions_now(c.pk)
    other = CampaignGroup.objects.exclude(pk=exact.pk).get(consultation=c)
    assert members(other) == {loner.pk, e.pk}
    assert Submission.objects.filter(consultation=c).count() == 5


def test_very_short_texts_only_group_when_identical_once_normalised(open_consultation):
    """Issue 14: "同意" and "同意！" are one text once punctuation is removed (before, they
    differed in text_hash and stayed apart); "不同意" is another text."""
    c = open_consultation
    a = opine(c, "同意")
    b = opine(c, "同意！")
    no = opine(c, "不同意")
    group_new_opinions_now(c.pk)
    group = CampaignGroup.objects.get(consultation=c)
    assert members(group) == {a.pk, b.pk}
    d = opine(c, "同意")
    group_new_opinions_now(c.pk)
    assert members(CampaignGroup.objects.get(consultation=c)) == {a.pk, b.pk, d.pk}
    assert not CampaignMember.objects.filter(submission=no).exists()


def test_task_runs_after_commit_through_the_signal(
    open_consultation, django_capture_on_commit_callbacks
):
    c = open_consultation
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        a = opine(c, LETTER)
        b = opine(c, LETTER)
    assert len(callbacks) == 1  # one enqueue per consultation per transaction
    group = CampaignGroup.objects.get(consultation=c)
    assert members(group) == {a.pk, b.pk}
    state = CampaignScanState.objects.get(consultation=c)
    assert state.last_submission_id == 0  # fresh opinions stay above the watermark for a while
    a.refresh_from_db()
    assert a.search_vector  # the search task ran too


# Three texts sharing a long middle: T1 and T2 each match T3 (Jaccard ≈ 0.6) but not each other
# (≈ 0.35), so T3 links the group of T1 with the group of T2.
P1 = "关于生活垃圾焚烧发电厂选址及建设方案，本人提出如下几点意见和建议。"
X1 = "我是松林镇东村的村民，家就在规划厂址的下风向，对此事十分担忧和关注。"
P3 = "希望有关部门认真听取群众意见，尽快公开环评报告全文并召开听证会。"
X3 = "如果一定要建，请给周边村民合理补偿，并每年公布排放监测数据接受监督。"
T1, T2, T3 = X1 + LETTER + P3, P1 + LETTER + X3, P1 + LETTER + P3


def test_suggested_groups_linked_by_a_new_text_are_merged(open_consultation):
    c = open_consultation
    a, b = opine(c, T1), opine(c, T1)
    x, y = opine(c, T2), opine(c, T2)
    group_new_opinions_now(c.pk)
    assert CampaignGroup.objects.filter(consultation=c).count() == 2
    bridge = opine(c, T3)
    group_new_opinions_now(c.pk)
    group = CampaignGroup.objects.get(consultation=c)
    assert members(group) == {a.pk, b.pk, x.pk, y.pk, bridge.pk}
    assert group.kind == CampaignGroup.Kind.NEAR


def test_decided_groups_get_new_members_but_are_not_merged(open_consultation):
    c = open_consultation
    a, b = opine(c, T1), opine(c, T1)
    x, y = opine(c, T2), opine(c, T2)
    group_new_opinions_now(c.pk)
    g1 = CampaignGroup.objects.get(members__submission=a)
    g2 = CampaignGroup.objects.get(members__submission=x)
    decided_at = timezone.now() - timedelta(seconds=1)
    CampaignGroup.objects.filter(pk=g1.pk).update(
        status=CampaignGroup.Status.CONFIRMED, decided_at=decided_at
    )
    CampaignGroup.objects.filter(pk=g2.pk).update(
        status=CampaignGroup.Status.DISMISSED, decided_at=decided_at
    )
    bridge = opine(c, T3)
    late = opine(c, T1)
    group_new_opinions_now(c.pk)
    g1.refresh_from_db()
    g2.refresh_from_db()
    assert (g1.status, g2.status) == ("confirmed", "dismissed")
    assert members(g1) | members(g2) == {a.pk, b.pk, x.pk, y.pk, bridge.pk, late.pk}
    assert {a.pk, b.pk, late.pk} <= members(g1)
    assert {x.pk, y.pk} <= members(g2)
    assert members(g1).isdisjoint(members(g2))  # never merged
    assert CampaignMember.objects.get(submission=late).added_at > g1.decided_at


def test_burst_is_flagged_with_start_and_end(open_consultation, settings):
    settings.CAMPAIGN_BURST_SIZE = 5
    settings.CAMPAIGN_BURST_MINUTES = 30
    c = open_consultation
    t0 = timezone.now() - timedelta(hours=10)
    slow = [opine(c, LETTER, when=t0 + timedelta(hours=2 * i)) for i in range(3)]
    group_new_opinions_now(c.pk)
    group = CampaignGroup.objects.get(consultation=c)
    assert not group.is_burst
    t1 = t0 + timedelta(hours=7)
    fast = [opine(c, LETTER, when=t1 + timedelta(minutes=5 * i)) for i in range(5)]
    group_new_opinions_now(c.pk)
    group.refresh_from_db()
    assert members(group) == {s.pk for s in slow + fast}
    assert group.is_burst
    assert group.burst_started_at == fast[0].received_at
    assert group.burst_ended_at == fast[-1].received_at
    # The watermark passed the old opinions only.
    state = CampaignScanState.objects.get(consultation=c)
    assert state.last_submission_id == fast[-1].pk


def test_edit_regroups_the_opinion(open_consultation):
    c = open_consultation
    a, b = opine(c, LETTER), opine(c, LETTER)
    x = opine(c, OTHER)
    group_new_opinions_now(c.pk)
    submission_update(submission=b, data=OpinionData(comment=OTHER_EDIT))
    assert not TextSignature.objects.filter(submission=b).exists()
    assert not CampaignMember.objects.filter(submission=b).exists()
    group_new_opinions_now(c.pk)
    assert CampaignGroup.objects.get(members__submission=b) == CampaignGroup.objects.get(
        members__submission=x
    )
    # The group of two that b left is no group any more; a is still counted, ungrouped.
    assert not CampaignMember.objects.filter(submission=a).exists()
    assert Submission.objects.filter(pk=a.pk).exists()


def test_regroup_keeps_decisions_and_rebuilds_suggestions(open_consultation):
    c = open_consultation
    a, b = opine(c, LETTER), opine(c, LETTER)
    x, y = opine(c, OTHER), opine(c, OTHER_EDIT)
    group_new_opinions_now(c.pk)
    confirmed = CampaignGroup.objects.get(members__submission=a)
    confirmed.status = CampaignGroup.Status.CONFIRMED
    confirmed.decided_at = timezone.now()
    confirmed.save()
    suggested_pk = CampaignGroup.objects.get(members__submission=x).pk
    grouping.forget_cache()
    assert regroup(c) == 4
    assert CampaignGroup.objects.filter(pk=confirmed.pk, status="confirmed").exists()
    assert members(CampaignGroup.objects.get(pk=confirmed.pk)) == {a.pk, b.pk}
    rebuilt = CampaignGroup.objects.get(members__submission=x)
    assert rebuilt.pk != suggested_pk
    assert members(rebuilt) == {x.pk, y.pk}
    # New opinions still find the confirmed group after the cache was dropped.
    grouping.forget_cache()
    z = opine(c, EDITED)
    group_new_opinions_now(c.pk)
    assert z.pk in members(CampaignGroup.objects.get(pk=confirmed.pk))


def test_campaign_summary_counts(open_consultation):
    c = open_consultation
    for _ in range(3):
        opine(c, LETTER)
    opine(c, EDITED)
    opine(c, OTHER)
    opine(c, OTHER)
    opine(c, "我支持这个方案，希望早日建成投入使用。")
    opine(c, "", stance="support")
    group_new_opinions_now(c.pk)
    summary = campaign_summary(c)
    assert summary.opinions == 8
    # distinct texts: LETTER, EDITED, OTHER, the supporter's text (the empty one is not a text)
    assert summary.distinct_texts == 4
    assert summary.groups == 2
    CampaignGroup.objects.filter(members__submission__comment=OTHER).update(
        status=CampaignGroup.Status.DISMISSED
    )
    assert campaign_summary(c).groups == 1


# -- the analysts' screen ---------------------------------------------------------------------------

ROLE_MATRIX = [
    # (role, same department, may see)
    (Role.ANALYST, True, True),
    (Role.SITE_ADMIN, False, True),
    (Role.ANALYST, False, False),
    (Role.EDITOR, True, False),
    (Role.APPROVER, True, False),
    (Role.INTAKE_CLERK, True, False),
    (Role.PRIVACY_OFFICER, False, False),
    (Role.ASSESSOR, False, False),
]


@pytest.fixture
def grouped(open_consultation):
    c = open_consultation
    subs = [opine(c, LETTER) for _ in range(3)] + [opine(c, EDITED), opine(c, EDITED)]
    subs += [opine(c, OTHER)]
    group_new_opinions_now(c.pk)
    return c, CampaignGroup.objects.get(consultation=c), subs


def staff(role, consultation, same_department):
    department = consultation.department if same_department else DepartmentFactory()
    return UserFactory.with_role(role, department)


@pytest.mark.parametrize(("role", "same", "allowed"), ROLE_MATRIX)
def test_role_matrix(client, grouped, role, same, allowed):
    c, group, _subs = grouped
    client.force_login(staff(role, c, same))
    urls = [
        f"/admin/campaigns/{c.pk}/",
        f"/admin/campaigns/{c.pk}/groups/{group.pk}/",
        f"/admin/campaigns/{c.pk}/?q=焚烧",
    ]
    for url in urls:
        response = client.get(url)
        if allowed:
            assert response.status_code == 200, url
        else:  # Wagtail turns PermissionDenied into a redirect to the dashboard
            assert (response.status_code, response["Location"]) == (302, "/admin/"), url
    response = client.post(
        f"/admin/campaigns/{c.pk}/groups/{group.pk}/action/", {"action": "confirm"}
    )
    group.refresh_from_db()
    if allowed:
        assert response["Location"] == f"/admin/campaigns/{c.pk}/groups/{group.pk}/"
        assert group.status == CampaignGroup.Status.CONFIRMED
        assert AuditEntry.objects.get().action == AuditAction.CAMPAIGN
    else:
        assert response["Location"] == "/admin/"
        assert group.status == CampaignGroup.Status.SUGGESTED
        assert not AuditEntry.objects.exists()


def test_anonymous_is_sent_to_login(client, grouped):
    c, group, _subs = grouped
    response = client.get(f"/admin/campaigns/{c.pk}/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_list_and_group_pages_show_counts_variants_and_no_receipts(client, grouped):
    c, group, subs = grouped
    client.force_login(staff(Role.ANALYST, c, True))
    html = client.get(f"/admin/campaigns/{c.pk}/").content.decode()
    assert "6 opinions, 3 distinct texts, 1 campaign group" in html or (
        "6 条意见，3 种不同文本，1 个相同/相似意见组" in html
    )
    page = client.get(f"/admin/campaigns/{c.pk}/groups/{group.pk}/").content.decode()
    assert LETTER in page and "三万居民" in page and "四万多居民" in page
    for s in subs:
        assert s.receipt not in page and s.formatted_receipt not in page
    search_page = client.get(f"/admin/campaigns/{c.pk}/", {"q": "焚烧"}).content.decode()
    for s in subs:
        assert s.formatted_receipt not in search_page


def test_dismiss_and_split_write_audit_entries(client, grouped):
    c, group, subs = grouped
    user = staff(Role.ANALYST, c, True)
    client.force_login(user)
    url = f"/admin/campaigns/{c.pk}/groups/{group.pk}/action/"
    edited_hash = Submission.objects.get(pk=subs[3].pk).text_hash
    response = client.post(url, {"action": "split", "variant": edited_hash})
    assert response.status_code == 302
    new = CampaignGroup.objects.get(split_from=group)
    assert members(new) == {subs[3].pk, subs[4].pk}
    group.refresh_from_db()
    assert members(group) == {s.pk for s in subs[:3]}
    assert group.kind == new.kind == CampaignGroup.Kind.EXACT
    assert new.status == CampaignGroup.Status.CONFIRMED and new.decided_by == user
    entry = AuditEntry.objects.get()
    assert entry.action == AuditAction.CAMPAIGN and entry.detail["action"] == "split"
    assert entry.actor_id == user.pk

    # Moving everything is refused (that is no split).
    all_ids = [str(s.pk) for s in subs[:3]]
    client.post(url, {"action": "split", "member": all_ids})
    assert members(group) == {s.pk for s in subs[:3]}

    client.post(url, {"action": "dismiss"})
    group.refresh_from_db()
    assert group.status == CampaignGroup.Status.DISMISSED
    assert AuditEntry.objects.count() == 2
    # The dismissed group is no longer counted; its opinions still are.
    summary = campaign_summary(c)
    assert (summary.opinions, summary.groups) == (6, 1)
    # A new copy still joins the dismissed group, shown as new since the decision.
    late = opine(c, LETTER)
    group_new_opinions_now(c.pk)
    assert late.pk in members(group)
    listing = client.get(f"/admin/campaigns/{c.pk}/").content.decode()
    assert "决定后新增 1 条" in listing


def test_regroup_button_records_and_runs(client, grouped, django_capture_on_commit_callbacks):
    c, group, subs = grouped
    client.force_login(staff(Role.SITE_ADMIN, c, False))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/campaigns/{c.pk}/regroup/")
    assert response.status_code == 302
    assert AuditEntry.objects.get().detail == {"action": "regroup"}
    rebuilt = CampaignGroup.objects.get(consultation=c)
    assert rebuilt.pk != group.pk and members(rebuilt) == {s.pk for s in subs[:5]}


def test_search_box_shows_pseudonymised_results(client, grouped):
    from feedback.privacy.pseudonyms import pseudonym_code
    from feedback.search.index import index_new_opinions_now

    c, _group, subs = grouped
    index_new_opinions_now(c.pk)
    client.force_login(staff(Role.ANALYST, c, True))
    plain = client.get(f"/admin/campaigns/{c.pk}/").content.decode()
    assert "opinions found" not in plain and "找到" not in plain
    html = client.get(f"/admin/campaigns/{c.pk}/", {"q": "焚烧"}).content.decode()
    assert "5 opinions found" in html or "找到 5 条意见" in html
    assert pseudonym_code(subs[0].pk) in html
    assert pseudonym_code(subs[5].pk) not in html  # the unrelated opinion does not match
    html = client.get(f"/admin/campaigns/{c.pk}/", {"q": "", "stance": "oppose"}).content.decode()
    assert "0 opinions found" in html or "找到 0 条意见" in html


def test_search_count_is_capped(client, grouped, monkeypatch):
    from feedback.search import query as search_query
    from feedback.search.index import index_new_opinions_now

    c, _group, _subs = grouped
    index_new_opinions_now(c.pk)
    monkeypatch.setattr(search_query, "COUNT_LIMIT", 2)
    client.force_login(staff(Role.ANALYST, c, True))
    html = client.get(f"/admin/campaigns/{c.pk}/", {"q": "焚烧"}).content.decode()
    assert "more than 2 opinions found" in html or "找到超过 2 条意见" in html


def test_campaign_sentence_pluralises_each_count():
    from django.utils import translation

    from feedback.templatetags.feedback_tags import campaign_sentence

    one = {"opinions": 1, "distinct_texts": 1, "groups": 1}
    many = {"opinions": 6, "distinct_texts": 3, "groups": 2}
    with translation.override("en"):
        assert campaign_sentence(one) == "1 opinion, 1 distinct text, 1 campaign group"
        assert campaign_sentence(many) == "6 opinions, 3 distinct texts, 2 campaign groups"
    with translation.override("zh-hans"):
        assert campaign_sentence(many) == "6 条意见，3 种不同文本，2 个相同/相似意见组"
