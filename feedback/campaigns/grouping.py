"""Campaign grouping (R61) as an incremental background task, and the full re-analysis.

Why: identical and near-identical opinions must be grouped while intake goes on, so that every
report can say "N opinions, M distinct texts, K campaign groups" honestly. Grouping never
deletes or discounts an opinion: it only records which opinions share (nearly) the same text.

How (one consultation at a time, serialised by a row lock on its ``CampaignScanState``):

* A post_save receiver on ``Submission`` enqueues one :func:`opinions_arrived` task per
  consultation per transaction with ``transaction.on_commit`` (registered from
  ``FeedbackConfig.ready``); it runs the grouping, then the search indexing
  (:func:`feedback.search.index.index_new_opinions_now`), each even if the other fails.
  ``group_new_opinions`` and ``feedback.search.index.index_new_opinions`` stay as tasks for rows
  queued under those names before. An edit that changes an opinion's text deletes its stale
  signature (and its membership of a *suggested* group) inside the edit's transaction.
* Withdrawn opinions are never signed or grouped (issue 12): the task skips them, and a
  withdrawal (:func:`opinion_ungroup`, called by the receiver in the withdrawal's transaction,
  under the scan-state lock so that it waits for a running batch) deletes the opinion's
  signature and its membership of any group, and has the members that leant on its sketch
  signed again.
* The task takes the consultation's opinions that have no ``TextSignature`` yet, in id order,
  above ``CampaignScanState.last_submission_id`` (the watermark below which every opinion has a
  signature; it only passes opinions older than ``_WATERMARK_LAG`` so that an insert committed
  late is never skipped), in batches.
* Same ``text_hash`` as an earlier opinion → joins that opinion's group, or forms a new
  ``kind=exact`` group with it. Otherwise the text is folded (NFKC, Traditional → Simplified,
  no punctuation, emoji, spaces or invisible characters, repeats cut: issue 14) and its key
  (``TextSignature.match_key``) looked up: the same key as an earlier opinion → grouped with it
  at once. Otherwise it is matched exactly as :class:`feedback.analysis.campaigns.CampaignIndex`
  does (one :class:`~feedback.analysis.campaigns.Matcher`): short texts by their character
  bigrams (stored in ``TextSignature.minhash`` with ``short=True``) and their stance guard
  (``guard``), long texts by their MinHash sketch; verified matches join the best match's group
  (or form a ``kind=near`` group with it); other matches that are in no group join too, and two
  *suggested* groups that a new text links are merged (union-find).
* The indexes are rebuilt from stored signatures, not from texts, and kept per worker process
  (:class:`_LshCache`): each run loads only the signatures written since (by this or another
  worker), and rebuilds when some were deleted (``CampaignScanState.generation`` changed).
  Measured (bench/campaigns.py): rebuilding from 15k stored signatures takes seconds, so
  rebuilding it in every run would cost more than the grouping itself.
* Groups a person confirmed or dismissed are never merged, split or emptied by the task. New
  opinions that match them are added as members; ``CampaignMember.added_at`` later than
  ``CampaignGroup.decided_at`` marks them as "new since the decision" on the analysts' screen.
* Bursts: a group is flagged when ≥ ``CAMPAIGN_BURST_SIZE`` (10) of its members arrived within
  ``CAMPAIGN_BURST_MINUTES`` (60); the largest such burst's first and last arrival are stored.
  :func:`refresh_groups` computes kind, representative and burst in the database, in one
  statement (the members of a big group never travel to Python); ``regroup`` refreshes each
  group once at the end instead of after every batch.
"""

# Size: the incremental grouping, the refresh, the re-analysis and a withdrawal share the scan-state
# lock and the batch steps; the design note above is its map.

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from feedback.analysis.opinion_texts import id_array, opinion_texts
from feedback.campaigns.lsh import cache_for, config, forget_cache
from feedback.models import (
    CampaignGroup,
    CampaignMember,
    CampaignScanState,
    Submission,
    TextSignature,
)

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


BATCH_SIZE = 2000
REGROUP_BATCH_SIZE = 5000  # regroup refreshes the groups once at the end, not per batch
_WATERMARK_LAG = timedelta(minutes=5)


def burst_size() -> int:
    return int(getattr(settings, "CAMPAIGN_BURST_SIZE", 10))


def burst_window() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "CAMPAIGN_BURST_MINUTES", 60)))


# -- the task -------------------------------------------------------------------------------------


@dataclass
class _Row:
    pk: int
    text_hash: str
    received_at: object
    matches: list[tuple[int, float]] = field(default_factory=list)  # (submission, similarity)
    exact: bool = False


def _locked_state(consultation_id: int) -> CampaignScanState:
    CampaignScanState.objects.bulk_create(
        [CampaignScanState(consultation_id=consultation_id)], ignore_conflicts=True
    )
    return CampaignScanState.objects.select_for_update().get(consultation_id=consultation_id)


def group_new_opinions_now(
    consultation_id: int, *, batch_size: int = BATCH_SIZE, touched: set[int] | None = None
) -> int:
    """Group every opinion of the consultation that has not been seen yet; returns how many.

    With ``touched``, the groups each batch changed are added to it instead of being refreshed
    (:func:`refresh_groups`) after each batch: the caller refreshes them once at the end."""
    total = 0
    while True:
        try:
            with transaction.atomic():
                state = _locked_state(consultation_id)
                done = _process_batch(state, batch_size, touched)
        except Exception:
            forget_cache(consultation_id)  # the cache may hold sketches that were rolled back
            raise
        total += done
        if done < batch_size:
            return total


def _unsigned(cid: int, above: int, limit: int) -> list[_Row]:
    """The consultation's ``limit`` lowest-id opinions above ``above`` without a signature,
    withdrawn ones left out (they are never signed).

    Read in id order a chunk at a time, the signed ones dropped by a second query: the single
    anti-join query (``text_signature__isnull=True``) was planned as a hash join over every
    signature and every opinion above the watermark (≈0.3 s a batch at 100k opinions)."""
    rows: list[_Row] = []
    while len(rows) < limit:
        chunk = list(
            # Opinions during implementation (issue 16 point 5) are never grouped: campaign
            # figures belong to the consultation phase, frozen at the decision.
            Submission.objects.filter(
                consultation_id=cid, pk__gt=above, withdrawn=False, phase="consultation"
            )
            .order_by("pk")
            .values_list("pk", "text_hash", "received_at")[:limit]
        )
        if not chunk:
            break
        signed = set(
            TextSignature.objects.filter(
                submission_id__in=id_array(pk for pk, _h, _t in chunk)
            ).values_list("submission_id", flat=True)
        )
        rows.extend(_Row(pk, h, at) for pk, h, at in chunk if pk not in signed)
        if len(chunk) < limit:
            break
        above = chunk[-1][0]
    return rows[:limit]


def _process_batch(state: CampaignScanState, batch_size: int, touched_sink: set[int] | None) -> int:
    cfg = config()
    cid = state.consultation_id
    rows = _unsigned(cid, state.last_submission_id, batch_size)
    if not rows:
        return 0
    cache = cache_for(cid)
    cache.load(cid, state.generation)
    matcher = cache.matcher
    # The first opinion of each text: the lowest id among the signed opinions (the cache) and
    # this batch. Unsigned opinions outside the batch all have higher ids than the batch's (it
    # takes the lowest unsigned ones above the watermark, and none are below it).
    first_of: dict[str, int] = {}
    for r in rows:  # in id order
        if r.text_hash and r.text_hash not in first_of:
            known = cache.first_of.get(r.text_hash)
            first_of[r.text_hash] = r.pk if known is None or r.pk < known else known
    need_text = [r.pk for r in rows if r.text_hash and first_of.get(r.text_hash) == r.pk]
    texts = opinion_texts(need_text) if need_text else {}

    # 1. Signatures and matches, in arrival order (the indexes grow as we go). Rows of
    # (submission, minhash or bigrams, token count, text hash, indexed, key, short, guard).
    signatures: list[tuple] = []
    for r in rows:
        first = first_of.get(r.text_hash) if r.text_hash else None
        if first is None:
            signatures.append((r.pk, b"", 0, "", False, "", False, ""))
            continue
        if first != r.pk:  # the same text as an earlier opinion, to the character
            r.exact, r.matches = True, [(first, 1.0)]
            key = cache.key_of.get(r.text_hash, "")
            signatures.append((r.pk, b"", 0, r.text_hash, False, key, False, ""))
            continue
        f = matcher.features(texts.get(r.pk, ""))
        cache.key_of[r.text_hash] = f.key
        same = matcher.note_key(f.key, r.pk)
        if same != r.pk:  # the same text once normalised (punctuation, width, 繁/简, emoji…)
            r.exact, r.matches = True, [(same, 1.0)]
            signatures.append((r.pk, b"", 0, r.text_hash, False, f.key, False, f.guard))
            continue
        if len(f.folded) < cfg.min_chars:
            signatures.append((r.pk, b"", 0, r.text_hash, False, f.key, False, f.guard))
            continue
        r.matches, best = matcher.query(f)
        short = matcher.is_short(f)
        indexed = best < cfg.absorb
        if indexed:
            matcher.insert(r.pk, f)
            cache.count += 1
        blob, size = matcher.stored(f)
        signatures.append((r.pk, blob, size, r.text_hash, indexed, f.key, short, f.guard))
    # Every indexed signature of this consultation up to the last one written here is in the
    # cache (signatures are only written under the scan-state lock, so in id order).
    cache.max_id = max(cache.max_id, _copy_signatures(signatures))
    cache.note_firsts((h, first) for h, first in first_of.items())

    # 2. Memberships.
    _assign(cid, rows, touched_sink)

    # 3. Watermark: past the oldest rows only (a late commit of a lower id is never skipped).
    cutoff = timezone.now() - _WATERMARK_LAG
    mark = state.last_submission_id
    for r in rows:
        if r.received_at >= cutoff:
            break
        mark = r.pk
    if mark != state.last_submission_id:
        state.last_submission_id = mark
        state.save(update_fields=["last_submission_id", "updated_at"])
    return len(rows)


def _copy_signatures(signatures: list[tuple]) -> int:
    """Write signatures with COPY (a bulk INSERT of 512-byte blobs costs more in binding than
    in the database); returns the id of the last one written."""
    now = timezone.now()
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY feedback_textsignature (submission_id, minhash, token_count, text_hash, "
            "indexed, match_key, short, guard, created_at) FROM STDIN"
        ) as copy:
            for row in signatures:
                copy.write_row((*row, now))
        cursor.execute("SELECT currval(pg_get_serial_sequence('feedback_textsignature', 'id'))")
        return cursor.fetchone()[0]


def _assign(cid: int, rows: list[_Row], touched_sink: set[int] | None = None) -> None:
    involved = {r.pk for r in rows} | {t for r in rows for t, _s in r.matches}
    group_of = dict(
        CampaignMember.objects.filter(submission_id__in=id_array(involved)).values_list(
            "submission_id", "group_id"
        )
    )
    status = dict(
        CampaignGroup.objects.filter(pk__in=set(group_of.values())).values_list("pk", "status")
    )
    suggested = CampaignGroup.Status.SUGGESTED
    new_members: dict[int, tuple[int, float]] = {}  # submission → (group, similarity)
    touched: set[int] = set()

    def join(sub: int, gid: int, sim: float) -> None:
        group_of[sub] = gid
        new_members[sub] = (gid, sim)
        touched.add(gid)

    new_groups: dict[int, CampaignGroup] = {}  # placeholder id (negative) → unsaved group

    for r in rows:
        if not r.matches or r.pk in group_of:
            continue  # no match, or an edited opinion kept in a decided group
        best, sim = r.matches[0]
        gid = group_of.get(best)
        if gid is None:
            gid = -1 - len(new_groups)
            new_groups[gid] = CampaignGroup(
                consultation_id=cid,
                kind=CampaignGroup.Kind.EXACT if r.exact else CampaignGroup.Kind.NEAR,
                representative_id=best,
            )
            status[gid] = suggested
            join(best, gid, 1.0)
        join(r.pk, gid, sim)
        for other, other_sim in r.matches[1:]:
            ogid = group_of.get(other)
            if ogid is None:
                join(other, gid, other_sim)
            elif ogid != gid and status[ogid] == suggested and status[gid] == suggested:
                # Keep a stored group over a new one, and the older of two stored ones.
                keep, gone = (
                    (max(gid, ogid), min(gid, ogid))
                    if min(gid, ogid) < 0
                    else (
                        min(gid, ogid),
                        max(gid, ogid),
                    )
                )
                if gone > 0:
                    CampaignMember.objects.filter(group_id=gone).update(group_id=keep)
                    CampaignGroup.objects.filter(pk=gone).delete()
                else:
                    new_groups.pop(gone)
                for sub, g in group_of.items():
                    if g == gone:
                        group_of[sub] = keep
                for sub, (g, s) in new_members.items():
                    if g == gone:
                        new_members[sub] = (keep, s)
                touched.discard(gone)
                status.pop(gone)
                touched.add(keep)
                gid = keep
    if new_groups:
        placeholders = list(new_groups)
        saved = CampaignGroup.objects.bulk_create([new_groups[p] for p in placeholders])
        real = {p: g.pk for p, g in zip(placeholders, saved, strict=True)}
        new_members = {sub: (real.get(g, g), s) for sub, (g, s) in new_members.items()}
        touched = {real.get(g, g) for g in touched}
    if new_members:
        now = timezone.now()
        with connection.cursor() as cursor:
            with cursor.copy(
                "COPY feedback_campaignmember (group_id, submission_id, similarity, added_at) "
                "FROM STDIN"
            ) as copy:
                for sub, (g, s) in new_members.items():
                    copy.write_row((g, sub, s, now))
    if touched_sink is None:
        refresh_groups(touched)
    else:
        touched_sink |= touched


# One statement: per group, its distinct texts (kind), the first opinion of its most common text
# (representative) and its largest burst. A burst is computed as find_bursts() does it, with
# window functions over the members in arrival order: the window ending at the hi-th arrival
# starts at the first arrival ≥ t_hi − window (``t_lo``; ``lo`` arrivals come before it),
# qualifies when it holds ≥ min_count arrivals, and joins the previous qualifying window's burst
# when it starts no later than that window's end. The burst's count is the arrivals from its
# first window's start to its last window's end; the largest wins, the earliest on a tie.
_REFRESH_SQL = """
WITH ev AS (
    SELECT m.group_id AS g, m.submission_id AS sid, s.received_at AS t, s.text_hash AS h
      FROM feedback_campaignmember m
      JOIN feedback_submission s ON s.id = m.submission_id
     WHERE m.group_id = ANY(%(ids)s::bigint[])
), variants AS (
    SELECT g, COUNT(*) AS n, MIN(sid) AS first FROM ev GROUP BY g, h
), texts AS (
    SELECT g, COUNT(*) AS distinct_texts, MAX(n) AS top_n,
           (ARRAY_AGG(first ORDER BY n DESC, first))[1] AS top_first
      FROM variants GROUP BY g
), windows AS (
    SELECT g, t,
           ROW_NUMBER() OVER (PARTITION BY g ORDER BY t) AS rn,
           COUNT(*) OVER (PARTITION BY g ORDER BY t
                          RANGE BETWEEN UNBOUNDED PRECEDING AND %(before)s::interval PRECEDING) AS lo,
           MIN(t) OVER (PARTITION BY g ORDER BY t
                        RANGE BETWEEN %(window)s::interval PRECEDING AND CURRENT ROW) AS t_lo
      FROM ev
), qualifying AS (
    SELECT g, t, rn, lo, t_lo, LAG(t) OVER (PARTITION BY g ORDER BY rn) AS prev_end
      FROM windows WHERE rn - lo >= %(min_count)s
), runs AS (
    SELECT g, t, rn, lo, t_lo,
           COUNT(*) FILTER (WHERE prev_end IS NULL OR t_lo > prev_end)
               OVER (PARTITION BY g ORDER BY rn) AS run
      FROM qualifying
), bursts AS (
    SELECT DISTINCT ON (g) g, MIN(t_lo) AS started, MAX(t) AS ended, MAX(rn) - MIN(lo) AS n
      FROM runs GROUP BY g, run ORDER BY g, n DESC, started
)
UPDATE feedback_campaigngroup AS cg
   SET kind = CASE WHEN texts.g IS NULL THEN cg.kind
                   WHEN texts.distinct_texts = 1 THEN %(exact)s ELSE %(near)s END,
       representative_id = CASE
           WHEN texts.g IS NOT NULL AND (texts.top_n > 1 OR cg.representative_id IS NULL)
           THEN texts.top_first ELSE cg.representative_id END,
       is_burst = bursts.g IS NOT NULL,
       burst_started_at = bursts.started,
       burst_ended_at = bursts.ended,
       updated_at = %(now)s
  FROM UNNEST(%(ids)s::bigint[]) AS sel(id)
  LEFT JOIN texts ON texts.g = sel.id
  LEFT JOIN bursts ON bursts.g = sel.id
 WHERE cg.id = sel.id
"""


def refresh_groups(group_ids) -> None:
    """Recompute kind, representative and burst of the given groups from their members (in
    the database, in one statement: a big group's members never travel to Python)."""
    group_ids = sorted(set(group_ids))
    if not group_ids:
        return
    window = burst_window()
    with connection.cursor() as cursor:
        cursor.execute(
            _REFRESH_SQL,
            {
                "ids": group_ids,
                "before": window + timedelta(microseconds=1),
                "window": window,
                "min_count": burst_size(),
                "exact": CampaignGroup.Kind.EXACT.value,
                "near": CampaignGroup.Kind.NEAR.value,
                "now": timezone.now(),
            },
        )


# -- a withdrawn opinion leaves grouping ----------------------------------------------------------


def opinion_ungroup(consultation_id: int, submission_id: int) -> None:
    """Take a withdrawn opinion out of campaign grouping; run in the withdrawal's transaction.

    Under the consultation's scan-state lock, so a grouping batch (or a re-analysis batch) that
    already read the opinion finishes first and its signature and membership are then removed
    here; later batches read it as withdrawn and skip it. The membership goes from any group: a
    *suggested* group left with one opinion is no group and is dissolved; a group a person
    confirmed or dismissed keeps its decision and its other members (its representative is
    chosen again). Members that leant on the opinion's sketch (exact copies of its text, texts
    absorbed by it: their signatures are not in the LSH index) are signed again, so that new
    opinions still find their text. The generation is bumped: every worker's LSH index is rebuilt
    without the opinion."""
    state = _locked_state(consultation_id)
    own = TextSignature.objects.filter(submission_id=submission_id).first()
    membership = (
        CampaignMember.objects.filter(submission_id=submission_id).select_related("group").first()
    )
    resign: set[int] = set()
    if own is not None and own.indexed:
        leaning = TextSignature.objects.filter(
            submission__consultation_id=consultation_id, indexed=False
        ).exclude(submission_id=submission_id)
        if membership is not None:
            resign |= set(
                leaning.filter(
                    submission__campaign_membership__group_id=membership.group_id
                ).values_list("submission_id", flat=True)
            )
        if own.text_hash:  # through the opinions' (consultation, text_hash) index
            resign |= set(
                leaning.filter(submission__text_hash=own.text_hash).values_list(
                    "submission_id", flat=True
                )
            )
        if own.match_key:  # copies once normalised (through textsig_match_key_idx)
            resign |= set(
                leaning.filter(match_key=own.match_key).values_list("submission_id", flat=True)
            )
    if membership is not None:
        group = membership.group
        membership.delete()
        rest = CampaignMember.objects.filter(group=group)
        if group.status == CampaignGroup.Status.SUGGESTED and rest.count() < 2:
            resign |= set(rest.values_list("submission_id", flat=True))
            rest.delete()
            group.delete()
        else:
            if group.representative_id == submission_id:
                CampaignGroup.objects.filter(pk=group.pk).update(representative=None)
            refresh_groups({group.pk})
    if own is None and not resign:
        return
    TextSignature.objects.filter(submission_id__in=[submission_id, *resign]).delete()
    state.generation += 1
    if resign:
        state.last_submission_id = min(state.last_submission_id, min(resign) - 1)
    state.save(update_fields=["last_submission_id", "generation", "updated_at"])


def _withdrawn_members_remove(cid: int) -> set[int]:
    """Remove withdrawn opinions from the consultation's groups; returns the groups changed (to
    be refreshed). Their representative is chosen again if it was withdrawn."""
    members = CampaignMember.objects.filter(group__consultation_id=cid, submission__withdrawn=True)
    groups = set(members.values_list("group_id", flat=True))
    if groups:
        members.delete()
        CampaignGroup.objects.filter(pk__in=groups, representative__withdrawn=True).update(
            representative=None
        )
    return groups


# -- full re-analysis -----------------------------------------------------------------------------


def regroup(consultation) -> int:
    """Re-analyse a consultation from scratch: suggested groups and every signature are dropped
    and rebuilt; groups a person confirmed or dismissed keep their members (their opinions get
    new signatures, so new opinions can still join them). Returns the opinions processed."""
    cid = getattr(consultation, "pk", consultation)
    touched: set[int] = set()
    with transaction.atomic():
        state = _locked_state(cid)
        suggested = CampaignGroup.objects.filter(
            consultation_id=cid, status=CampaignGroup.Status.SUGGESTED
        )
        CampaignMember.objects.filter(group__in=suggested).delete()
        suggested.delete()
        # Withdrawn opinions leave the decided groups too (kept there before issue 12).
        touched |= _withdrawn_members_remove(cid)
        TextSignature.objects.filter(submission__consultation_id=cid).delete()
        state.last_submission_id = 0
        state.generation += 1
        state.save(update_fields=["last_submission_id", "generation", "updated_at"])
    forget_cache(cid)
    try:
        return group_new_opinions_now(cid, batch_size=REGROUP_BATCH_SIZE, touched=touched)
    finally:  # also after a failed batch: the committed ones are refreshed
        try:
            with transaction.atomic():
                _locked_state(cid)
                refresh_groups(touched)
        except Exception:
            log.exception("could not refresh the groups of consultation %s", cid)
