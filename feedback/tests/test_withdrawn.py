"""Issue 12, point 10: withdrawn means withdrawn.

A resident withdraws an opinion; then an analyst opens everything staff have (the coding screen
and its direct URL, the search, the campaign screens, the register export, the suggestions) and
the public opens the opinions page: none shows a word of it, and the totals keep it only as
"withdrawn". Each check is first made before the withdrawal, where it must find the text, so
that a check that could never fail is not mistaken for a kept promise. The last test withdraws
an opinion while a re-analysis of the campaigns is running.
"""

# Size: one adversary story told through every screen (coding, search, campaigns, export, public
# page, suggestions) shares the fixtures; the concurrency test needs them too.

from __future__ import annotations

import csv
import io
import threading
import time
import uuid
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import connection

from consultations.models import Question
from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.analysis.aggregates import register_totals
from feedback.campaigns import grouping
from feedback.campaigns.grouping import group_new_opinions_now, regroup
from feedback.campaigns.selectors import counted_groups
from feedback.campaigns.tasks import opinions_arrived_now
from feedback.coding import selectors as coding_selectors
from feedback.coding import services as coding
from feedback.coding import suggest
from feedback.exports.rows import pseudonym, register_header
from feedback.intake.services import Answer, OpinionData, submission_create, submission_withdraw
from feedback.models import (
    CampaignGroup,
    CampaignMember,
    CampaignScanState,
    Coding,
    DisplayMode,
    ModerationState,
    StaffJob,
    Submission,
    Suggestion,
    TextSignature,
)
from feedback.privacy.pseudonyms import pseudonym_code
from feedback.review import moderation
from feedback.search.index import index_submissions
from feedback.search.query import SearchFilters, search
from feedback.tests._receipt import LOOKUP, open_receipt

# A campaign letter, sent twice as it is; the resident who withdraws sent a near copy of it with
# words of their own (the markers below, which nothing else contains).
LETTER = (
    "我们坚决反对在松林镇建设生活垃圾焚烧发电厂，选址距离居民区不足一公里，"
    "二噁英排放将严重威胁周边三万居民和两所小学师生的身体健康，请重新论证选址。"
)
OWN_WORDS = "紫藤萝花架"
CLAUSE_WORDS = "青石板小巷"
ANSWER_WORDS = "白玉兰树荫"
WITHDRAWN_TEXT = LETTER.replace("请重新论证选址", f"{OWN_WORDS}旁边不能建厂，请重新论证选址")
MARKERS = (OWN_WORDS, CLAUSE_WORDS, ANSWER_WORDS)
OTHER = (
    "建议在施工期间加强渣土车管理，夜间十点以后禁止施工，并在主干道两侧增设隔音屏，"
    "减少对沿线学校和医院的噪声影响。"
)


def opine(consultation, comment: str, **data) -> Submission:
    submission, created = submission_create(
        consultation=consultation, data=OpinionData(comment=comment, **data), token=uuid.uuid4()
    )
    assert created
    return submission


def resident_withdraws(client, submission: Submission) -> None:
    """The resident's own way: type the receipt code, then withdraw (no code in any URL)."""
    assert open_receipt(client, submission.formatted_receipt).status_code == 303
    response = client.post(f"{LOOKUP}withdraw/")
    assert response.status_code == 303 and response["Location"] == f"{LOOKUP}?withdrawn=1"
    submission.refresh_from_db()
    assert submission.withdrawn


def shows_any_marker(text: str) -> list[str]:
    return [marker for marker in MARKERS if marker in text]


@dataclass
class Register:
    consultation: object
    gone: Submission  # the opinion its author withdraws
    copies: list[Submission]
    other: Submission
    analyst: object
    theme: object


@pytest.fixture
def register(open_consultation, index_page) -> Register:
    c = open_consultation
    clause = c.current_draft_version().clauses.order_by("number").first()
    question = c.questions.get(type=Question.Type.TEXT)
    gone = opine(
        c,
        WITHDRAWN_TEXT,
        stance="oppose",
        clause_comments={clause.pk: f"第一条应写明{CLAUSE_WORDS}的保护要求。"},
        answers={question.pk: Answer(text=f"希望保留{ANSWER_WORDS}。")},
    )
    copies = [opine(c, LETTER, stance="oppose") for _ in range(2)]
    other = opine(c, OTHER, stance="support")
    opinions_arrived_now(c.pk)  # what the task does after the commit: group, then index
    analyst = UserFactory.with_role(Role.ANALYST, c.department)
    theme = coding.theme_create(user=analyst, consultation=c, name="健康", concern="health")
    return Register(c, gone, copies, other, analyst, theme)


@pytest.fixture
def analyst_client(client, register):
    client.force_login(register.analyst)
    return client


def coding_screen(client, register) -> str:
    url = f"/admin/coding/{register.consultation.pk}/opinion/{register.gone.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def staff_search(client, register, **params) -> str:
    """The campaign screen below its search form (the form repeats the words searched for)."""
    response = client.get(f"/admin/campaigns/{register.consultation.pk}/", params)
    assert response.status_code == 200
    html = response.content.decode()
    return html.split('class="campaign-search"', 1)[1].split("</form>", 1)[1]


def gone_group(register) -> CampaignGroup:
    return CampaignGroup.objects.get(members__submission=register.copies[0])


def group_screen(client, register) -> str:
    c = register.consultation
    response = client.get(f"/admin/campaigns/{c.pk}/groups/{gone_group(register).pk}/")
    assert response.status_code == 200
    return response.content.decode()


def register_export(client, register) -> tuple[str, dict[str, list[str]]]:
    response = client.get(f"/admin/analysis/{register.consultation.pk}/export/register.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == register_header()
    return text, {row[0]: row for row in rows[1:]}


# --- before: every check finds the text (so each can fail) ---------------------------------------


def test_before_the_withdrawal_every_staff_screen_has_the_text(analyst_client, register):
    assert shows_any_marker(coding_screen(analyst_client, register)) == list(MARKERS)
    assert OWN_WORDS in staff_search(analyst_client, register, q=OWN_WORDS)
    assert OWN_WORDS in group_screen(analyst_client, register)
    text, rows = register_export(analyst_client, register)
    assert shows_any_marker(text) == list(MARKERS)
    assert register.gone in coding_selectors.uncoded_submissions(register.consultation)
    assert search(register.consultation, OWN_WORDS).get() == register.gone
    assert TextSignature.objects.filter(submission=register.gone).exists()
    assert CampaignMember.objects.filter(submission=register.gone).exists()


# --- after: the analyst -----------------------------------------------------------------------


def test_the_coding_screen_never_shows_a_withdrawn_opinion(client, analyst_client, register):
    c, gone = register.consultation, register.gone
    coding.code(register.analyst, gone, register.theme)  # coded before its author withdrew it
    resident_withdraws(client, gone)
    client.force_login(register.analyst)

    # A direct URL: the number and "withdrawn", nothing of what it said, nor its stance.
    html = coding_screen(client, register)
    assert shows_any_marker(html) == []
    assert "data-tj-withdrawn" in html and ("withdrawn" in html or "撤回" in html)
    assert "反对" not in html and "Oppose" not in html
    assert 'name="theme"' not in html.split("data-tj-withdrawn", 1)[1].split("</article>")[0]

    # Not in the queue, any filter, the progress or the theme counts.
    for f in ("uncoded", "all", "suggested", "no_theme"):
        assert gone not in coding_selectors.queue(c, f)
    assert gone not in coding_selectors.queue(c, "theme", register.theme.pk)
    progress = coding_selectors.coding_progress(c)
    assert (progress["total"], progress["withdrawn"]) == (3, 1)
    assert coding_selectors.themes_with_counts(c).get().opinions == 0
    start = client.get(f"/admin/coding/{c.pk}/?f=all")
    assert start.status_code == 302 and f"/opinion/{gone.pk}/" not in start["Location"]

    # Coding it is refused and changes nothing; the coding made before is kept, not counted.
    url = f"/admin/coding/{c.pk}/opinion/{gone.pk}/"
    client.post(f"{url}code/", {"theme": register.theme.pk, "op": "remove"})
    client.post(f"{url}no-theme/", {"op": "mark", "reason": "无关"})
    gone.refresh_from_db()
    assert Coding.objects.filter(submission=gone).count() == 1 and gone.no_theme_reason == ""
    for action in (
        lambda: coding.code(register.analyst, gone, register.theme),
        lambda: coding.uncode(register.analyst, gone, register.theme),
        lambda: coding.mark_no_theme(register.analyst, gone, "无关"),
    ):
        with pytest.raises(coding.CodingError):
            action()


def test_search_never_finds_a_withdrawn_opinion(client, analyst_client, register):
    resident_withdraws(client, register.gone)
    client.force_login(register.analyst)
    html = staff_search(client, register, q=OWN_WORDS)
    assert shows_any_marker(html) == []
    html = staff_search(client, register, stance="oppose")  # filters only, no words
    assert shows_any_marker(html) == [] and pseudonym_code(register.gone.pk) not in html
    c = register.consultation
    for query in (OWN_WORDS, CLAUSE_WORDS, ANSWER_WORDS, "焚烧"):
        assert register.gone not in search(c, query)
    assert register.gone not in search(c, "", SearchFilters(stance="oppose"))
    register.gone.refresh_from_db()
    assert register.gone.search_vector is None


def test_campaign_screens_lose_the_text_and_the_totals_keep_it_as_withdrawn(
    client, analyst_client, register
):
    c = register.consultation
    before = register_totals(c)
    resident_withdraws(client, register.gone)
    client.force_login(register.analyst)
    html = group_screen(client, register)
    assert shows_any_marker(html) == [] and pseudonym_code(register.gone.pk) not in html
    assert shows_any_marker(staff_search(client, register)) == []
    assert not TextSignature.objects.filter(submission=register.gone).exists()
    assert not CampaignMember.objects.filter(submission=register.gone).exists()
    group = gone_group(register)
    assert set(group.members.values_list("submission_id", flat=True)) == {
        s.pk for s in register.copies
    }
    assert group.representative_id != register.gone.pk
    after = register_totals(c)
    assert (after["received"], after["withdrawn"], after["active"]) == (
        before["received"],
        before["withdrawn"] + 1,
        before["active"] - 1,
    )
    assert after["campaign_groups"] == 1 and after["in_campaign_groups"] == 2
    # Grouping goes on without it: it is not signed again, and a new near copy of the letter
    # still finds the campaign (the copies that leant on its sketch were signed again).
    late = opine(c, LETTER.replace("三万居民", "四万多居民"), stance="oppose")
    opinions_arrived_now(c.pk)
    assert not TextSignature.objects.filter(submission=register.gone).exists()
    assert CampaignMember.objects.get(submission=late).group == group
    assert TextSignature.objects.filter(submission__in=register.copies, indexed=True).exists()


def test_the_register_export_keeps_only_a_withdrawn_row(client, analyst_client, register):
    resident_withdraws(client, register.gone)
    client.force_login(register.analyst)
    text, rows = register_export(client, register)
    assert shows_any_marker(text) == []
    assert len(rows) == 4  # every opinion received has its row
    row = rows[pseudonym(register.gone.pk)]
    header = register_header()
    kept = {header[i]: row[i] for i in range(len(header)) if row[i]}
    assert set(kept) == {header[0], header[1], header[2], header[3], header[13]}
    assert row[13] in ("yes", "是") and row[2] and row[3]
    copy = rows[pseudonym(register.copies[0].pk)]
    assert copy[8] and copy[4] and copy[12]  # the others keep their cells


def test_the_public_page_drops_a_withdrawn_opinion(client, register):
    c = register.consultation
    admin = UserFactory.with_role(Role.SITE_ADMIN, None)
    moderation.display_settings_update(admin, c, True, DisplayMode.PRE)
    editor = UserFactory.with_role(Role.EDITOR, c.department)
    shown = opine(c, f"公开展示的意见：{OWN_WORDS}不可移走。", quote_consent=True)
    moderation.moderate(editor, shown, ModerationState.SHOWN, "无违法内容")
    url = f"/consultations/{c.slug}/opinions/"
    assert OWN_WORDS in client.get(url).content.decode()
    resident_withdraws(client, shown)
    html = client.get(url).content.decode()
    assert OWN_WORDS not in html and pseudonym_code(shown.pk) not in html
    assert shown not in moderation.public_opinions(c).queryset
    assert register_totals(c)["withdrawn"] == 1


# --- groups a person decided on ------------------------------------------------------------------


def test_a_withdrawal_leaves_every_group_and_decided_groups_keep_their_decision(
    open_consultation,
):
    c = open_consultation

    def group_of(status, n):
        subs = [opine(c, f"{LETTER}{n}") for _ in range(n)]
        group = CampaignGroup.objects.create(consultation=c, status=status, representative=subs[0])
        CampaignMember.objects.bulk_create(CampaignMember(group=group, submission=s) for s in subs)
        return group, subs

    suggested, (s1, s2) = group_of(CampaignGroup.Status.SUGGESTED, 2)
    confirmed, (c1, c2, c3) = group_of(CampaignGroup.Status.CONFIRMED, 3)
    dismissed, (d1, d2) = group_of(CampaignGroup.Status.DISMISSED, 2)
    assert set(counted_groups(c)) == {suggested, confirmed}
    for submission in (s1, c1, d1):
        submission_withdraw(submission=submission)
    # A suggested group of one is no group: dissolved.
    assert not CampaignGroup.objects.filter(pk=suggested.pk).exists()
    assert not CampaignMember.objects.filter(submission__in=[s1, s2]).exists()
    # A person's decision is kept with the other members; a new representative is chosen.
    confirmed.refresh_from_db()
    assert confirmed.status == CampaignGroup.Status.CONFIRMED
    assert set(confirmed.members.values_list("submission_id", flat=True)) == {c2.pk, c3.pk}
    assert confirmed.representative_id in (c2.pk, c3.pk)
    dismissed.refresh_from_db()
    assert dismissed.status == CampaignGroup.Status.DISMISSED
    assert set(dismissed.members.values_list("submission_id", flat=True)) == {d2.pk}
    assert set(counted_groups(c)) == {confirmed}
    # Applying a theme to the group does not reach the withdrawn member.
    analyst = UserFactory.with_role(Role.ANALYST, c.department)
    theme = coding.theme_create(user=analyst, consultation=c, name="选址")
    assert coding.code_group(analyst, confirmed, theme) == 2
    assert not Coding.objects.filter(submission=c1).exists()


def test_regroup_takes_withdrawn_opinions_out_of_decided_groups_kept_from_before(
    open_consultation,
):
    """Opinions withdrawn before this rule kept their memberships; a re-analysis removes them."""
    c = open_consultation
    subs = [opine(c, LETTER) for _ in range(3)]
    group_new_opinions_now(c.pk)
    group = CampaignGroup.objects.get(consultation=c)
    CampaignGroup.objects.filter(pk=group.pk).update(
        status=CampaignGroup.Status.CONFIRMED, representative=subs[0]
    )
    # The old way: the row is marked, nothing else is touched (no receiver runs).
    Submission.objects.filter(pk=subs[0].pk).update(
        withdrawn=True, withdrawn_at=subs[0].received_at
    )
    assert CampaignMember.objects.filter(submission=subs[0]).exists()
    regroup(c.pk)
    group.refresh_from_db()
    assert set(group.members.values_list("submission_id", flat=True)) == {subs[1].pk, subs[2].pk}
    assert group.representative_id in (subs[1].pk, subs[2].pk)
    assert not TextSignature.objects.filter(submission=subs[0]).exists()


# --- search indexing ------------------------------------------------------------------------------


def test_search_reindex_skips_withdrawn_opinions_and_clears_old_vectors(register):
    c, gone = register.consultation, register.gone
    assert Submission.objects.get(pk=gone.pk).search_vector is not None
    # Withdrawn the old way (before this rule), vector left behind.
    Submission.objects.filter(pk=gone.pk).update(withdrawn=True, withdrawn_at=gone.received_at)
    assert register.gone not in search(c, OWN_WORDS)  # the query leaves it out regardless
    out = io.StringIO()
    call_command("search_reindex", stdout=out)
    assert "cleared the search vectors of 1 withdrawn opinions" in out.getvalue()
    assert Submission.objects.get(pk=gone.pk).search_vector is None
    call_command("search_reindex", "--all", stdout=io.StringIO())
    assert Submission.objects.get(pk=gone.pk).search_vector is None
    assert Submission.objects.get(pk=register.other.pk).search_vector is not None
    # An indexing task that read the ids before the withdrawal writes no vector for it.
    assert index_submissions([gone.pk, register.other.pk]) == 1
    assert Submission.objects.get(pk=gone.pk).search_vector is None


# --- machine suggestions --------------------------------------------------------------------------


@pytest.fixture
def coded_register(open_consultation):
    from feedback.tests.test_suggestions import THEME_NAMES, labelled_opinions, store

    c = open_consultation
    analyst = UserFactory.with_role(Role.ANALYST, c.department)
    themes = {
        topic: coding.theme_create(user=analyst, consultation=c, name=name)
        for topic, name in THEME_NAMES.items()
    }
    data = labelled_opinions(120)
    subs = store(c, [text for text, _ in data])
    for sub, (_, labels) in zip(subs[:80], data[:80], strict=True):
        for topic in sorted(labels):
            coding.code(analyst, sub, themes[topic])
    return c, analyst, subs


def test_suggestions_are_never_trained_on_or_made_for_withdrawn_opinions(coded_register):
    c, analyst, subs = coded_register
    job = suggest.start_suggestions(analyst, c)
    job.refresh_from_db()
    first = job.params["result"]
    assert first["classifier"] == "ready" and first["coded"] == 80
    made_for = set(Suggestion.objects.filter(submission__isnull=False).values_list("submission_id"))
    gone = [subs[0], subs[1], *[s for s in subs[80:] if (s.pk,) in made_for][:3]]
    candidate = Suggestion.objects.filter(kind=Suggestion.Kind.CANDIDATE_THEME).first()
    assert candidate is not None and candidate.example_ids
    gone.append(Submission.objects.get(pk=candidate.example_ids[0]))
    for submission in gone:
        submission_withdraw(submission=submission)
    gone_ids = {s.pk for s in gone}
    # The withdrawal dropped what awaited a decision about them.
    assert not Suggestion.objects.filter(submission_id__in=gone_ids).exists()
    assert not Suggestion.objects.filter(pk=candidate.pk).exists()
    job = suggest.start_suggestions(analyst, c)
    job.refresh_from_db()
    result = job.params["result"]
    coded_gone = len([s for s in gone if s in subs[:80]])
    assert result["coded"] == 80 - coded_gone  # their coding trains nothing
    assert result["opinions_with_text"] == 120 - len(gone)
    assert not Suggestion.objects.filter(submission_id__in=gone_ids).exists()
    for candidate in Suggestion.objects.filter(kind=Suggestion.Kind.CANDIDATE_THEME):
        assert not gone_ids & set(candidate.example_ids)
    assert set(suggest.opinion_texts(c)) == {s.pk for s in subs} - gone_ids
    assert set(suggest.training_labels(c)) == {s.pk for s in subs[:80]} - gone_ids


def test_a_suggestion_run_during_a_withdrawal_starts_again(coded_register, monkeypatch):
    c, analyst, subs = coded_register
    victim = subs[100]
    real, calls = suggest.cluster_candidates, []

    def withdrawing_meanwhile(tokens):
        calls.append(victim.pk in tokens)
        if len(calls) == 1:  # the author withdraws while the first attempt computes
            submission_withdraw(submission=victim)
        return real(tokens)

    monkeypatch.setattr(suggest, "cluster_candidates", withdrawing_meanwhile)
    job = suggest.start_suggestions(analyst, c)
    job.refresh_from_db()
    assert job.status == StaffJob.Status.DONE, job.error
    assert calls == [True, False]  # the second attempt no longer saw it
    assert job.params["result"]["opinions_with_text"] == 119
    assert not Suggestion.objects.filter(submission=victim).exists()
    for candidate in Suggestion.objects.filter(kind=Suggestion.Kind.CANDIDATE_THEME):
        assert victim.pk not in candidate.example_ids


def test_a_pending_suggestion_for_a_withdrawn_opinion_cannot_be_accepted(register):
    c, gone = register.consultation, register.gone
    # Made by a run that finished as the author withdrew (the window nothing can close).
    submission_withdraw(submission=gone)
    stray = Suggestion.objects.create(
        consultation=c, kind=Suggestion.Kind.OPINION_THEME, submission=gone, theme=register.theme
    )
    assert not coding_selectors.pending_opinion_suggestions(gone).exists()
    assert coding_selectors.themes_with_counts(c).get().pending == 0
    with pytest.raises(coding.CodingError):
        coding.suggestion_accept(register.analyst, stray)
    assert not Coding.objects.filter(submission=gone).exists()


# --- a withdrawal while a re-analysis runs ------------------------------------------------------


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_during_a_running_regroup_is_not_signed_again(monkeypatch):
    """The re-analysis has read the opinion and is about to sign it when its author withdraws
    it. The withdrawal waits for that batch, then removes what it wrote; the batches after it
    skip the opinion. (Without the wait, the batch would sign and group it after the withdrawal
    had cleaned up.)"""
    from datetime import timedelta

    from django.utils import timezone

    from consultations.tests.factories import published_consultation

    now = timezone.now()
    c = published_consultation(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30))
    gone = opine(c, WITHDRAWN_TEXT)
    copies = [opine(c, LETTER) for _ in range(2)]
    assert TextSignature.objects.filter(submission=gone).exists()  # the task ran on commit

    in_batch, go_on = threading.Event(), threading.Event()
    real_copy = grouping._copy_signatures

    def pausing_copy(signatures):
        if threading.current_thread().name == "regroup" and not in_batch.is_set():
            assert gone.pk in [row[0] for row in signatures]
            in_batch.set()
            assert go_on.wait(30)
        return real_copy(signatures)

    monkeypatch.setattr(grouping, "_copy_signatures", pausing_copy)
    errors: list[BaseException] = []

    def in_thread(target):
        def run():
            try:
                target()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        return run

    regrouping = threading.Thread(target=in_thread(lambda: regroup(c.pk)), name="regroup")
    regrouping.start()
    assert in_batch.wait(30)
    withdrawing = threading.Thread(target=in_thread(lambda: submission_withdraw(submission=gone)))
    withdrawing.start()
    # Let the batch go on once the withdrawal has either finished or is waiting for it.
    deadline = time.monotonic() + 20
    while withdrawing.is_alive() and not _waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    go_on.set()
    regrouping.join(60)
    withdrawing.join(60)
    assert not errors, errors

    gone.refresh_from_db()
    assert gone.withdrawn and gone.search_vector is None
    assert not TextSignature.objects.filter(submission=gone).exists()
    assert not CampaignMember.objects.filter(submission=gone).exists()
    group = CampaignGroup.objects.get(consultation=c)
    assert set(group.members.values_list("submission_id", flat=True)) == {s.pk for s in copies}
    # Later runs skip it for good.
    state = CampaignScanState.objects.get(consultation=c)
    CampaignScanState.objects.filter(pk=state.pk).update(last_submission_id=0)
    group_new_opinions_now(c.pk)
    regroup(c.pk)
    assert not TextSignature.objects.filter(submission=gone).exists()
    assert not CampaignMember.objects.filter(submission=gone).exists()
