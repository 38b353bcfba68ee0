"""Campaign grouping (R61) as an incremental background task, and the full re-analysis.

Why: identical and near-identical opinions must be grouped while intake goes on, so that every
report can say "N opinions, M distinct texts, K campaign groups" honestly. Grouping never
deletes or discounts an opinion: it only records which opinions share (nearly) the same text.

How (one consultation at a time, serialised by a row lock on its ``CampaignScanState``):

* A post_save receiver on ``Submission`` enqueues one :func:`opinions_arrived` task per
  consultation per transaction with ``transaction.on_commit`` (registered from
  ``FeedbackConfig.ready``); it runs the grouping, then the search indexing
  (:func:`feedback.search.index_new_opinions_now`), each even if the other fails.
  ``group_new_opinions`` and ``feedback.search.index_new_opinions`` stay as tasks for rows
  queued under those names before. An edit that changes an opinion's text deletes its stale
  signature (and its membership of a *suggested* group) inside the edit's transaction.
* The task takes the consultation's opinions that have no ``TextSignature`` yet, in id order,
  above ``CampaignScanState.last_submission_id`` (the watermark below which every opinion has a
  signature; it only passes opinions older than ``_WATERMARK_LAG`` so that an insert committed
  late is never skipped), in batches.
* Same ``text_hash`` as an earlier opinion → joins that opinion's group, or forms a new
  ``kind=exact`` group with it. Otherwise the text is folded and MinHash-sketched exactly as
  :class:`feedback.analysis.campaigns.CampaignIndex` does, the sketch is stored in
  ``TextSignature`` and looked up in an LSH index of the consultation's stored sketches;
  verified matches (estimated Jaccard ≥ threshold and ≈ ≥ ``min_shared`` common shingles) join
  the best match's group (or form a ``kind=near`` group with it); other matches that are in no
  group join too, and two *suggested* groups that a new text links are merged (union-find).
* The LSH index is rebuilt from stored signatures, not from texts, and kept per worker process
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

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.db.models.functions import Least
from django.db.models.signals import post_save
from django.utils import timezone
from django_tasks import task

from feedback.analysis.text import fold_for_matching
from feedback.models import (
    CampaignGroup,
    CampaignMember,
    CampaignScanState,
    ClauseComment,
    QuestionAnswer,
    Submission,
    TextSignature,
)

if TYPE_CHECKING:
    import numpy as np

    from feedback.analysis.campaigns import CampaignConfig, CampaignIndex

log = logging.getLogger(__name__)

BATCH_SIZE = 2000
REGROUP_BATCH_SIZE = 5000  # regroup refreshes the groups once at the end, not per batch
_WATERMARK_LAG = timedelta(minutes=5)
_CACHE_CONSULTATIONS = 4  # LSH indexes kept per worker process (least recently used dropped)


# numpy and datasketch (which imports scipy: ≈2.5 s and tens of MB) are imported on first use,
# not by every web process that imports this module for its post_save receiver.


@functools.cache
def config() -> CampaignConfig:
    from feedback.analysis.campaigns import CampaignConfig

    return CampaignConfig()


@functools.cache
def _sketcher() -> CampaignIndex:
    """Only its MinHash permutations are used."""
    from feedback.analysis.campaigns import CampaignIndex

    return CampaignIndex(config())


def burst_size() -> int:
    return int(getattr(settings, "CAMPAIGN_BURST_SIZE", 10))


def burst_window() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "CAMPAIGN_BURST_MINUTES", 60)))


def _ids(ids) -> RawSQL:
    """``IN (SELECT unnest(%s::bigint[]))``: one array parameter instead of hundreds of
    placeholders, which psycopg's client-side binding splits slowly."""
    return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])


# -- the opinion's text ---------------------------------------------------------------------------


def opinion_texts(submission_ids) -> dict[int, str]:
    """The full text of each opinion: comment, clause comments, free-text answers (the parts
    ``text_hash`` covers, in the same order), joined by newlines."""
    ids = list(submission_ids)
    parts: dict[int, list[str]] = {pk: [] for pk in ids}
    for pk, comment in Submission.objects.filter(pk__in=_ids(ids)).values_list("pk", "comment"):
        if comment:
            parts[pk].append(comment)
    for pk, text in (
        ClauseComment.objects.filter(submission_id__in=_ids(ids))
        .order_by("submission_id", "clause_id")
        .values_list("submission_id", "text")
    ):
        if text:
            parts[pk].append(text)
    for pk, text in (
        QuestionAnswer.objects.filter(submission_id__in=_ids(ids))
        .exclude(text="")
        .order_by("submission_id", "question_id")
        .values_list("submission_id", "text")
    ):
        parts[pk].append(text)
    return {pk: "\n".join(p) for pk, p in parts.items()}


# -- the per-process LSH index built from stored signatures --------------------------------------


class _LshCache:
    """The LSH of one consultation's indexed signatures (``TextSignature.indexed``), and the
    first (lowest) opinion id of each ``text_hash`` among its signatures."""

    def __init__(self, config: CampaignConfig) -> None:
        import numpy as np
        from datasketch import MinHashLSH

        self.config = config
        self.lsh = MinHashLSH(
            threshold=config.threshold, num_perm=config.num_perm, params=config.bands
        )
        self.sketches = np.empty((1024, config.num_perm), dtype=np.uint32)
        self.sizes = np.empty(1024, dtype=np.int32)
        self.subs: list[int] = []
        self.first_of: dict[str, int] = {}  # text_hash → lowest signed opinion id
        self.count = 0  # indexed stored signatures this cache reflects
        self.max_id = 0  # every signature up to this id is reflected
        self.generation = -1

    def reset(self) -> None:
        self.__init__(self.config)

    def _grow(self, need: int) -> None:
        import numpy as np

        if need > len(self.sketches):
            cap = max(need, 2 * len(self.sketches))
            grown = np.empty((cap, self.config.num_perm), dtype=np.uint32)
            grown[: len(self.subs)] = self.sketches[: len(self.subs)]
            self.sketches = grown
            self.sizes = np.resize(self.sizes, cap)

    def insert(self, sub_id: int, sig: np.ndarray, size: int, session=None) -> None:
        from datasketch import LeanMinHash

        tid = len(self.subs)
        self._grow(tid + 1)
        self.sketches[tid] = sig
        self.sizes[tid] = size
        self.subs.append(sub_id)
        lean = LeanMinHash(seed=self.config.seed, hashvalues=sig, scheme="affine32")
        (session or self.lsh).insert(tid, lean, check_duplication=False)

    def load(self, consultation_id: int, generation: int) -> None:
        """Bring the cache up to the stored signatures: load the ones written since (signatures
        of a consultation are only written under its scan-state lock, so in id order), or
        rebuild when some were deleted since (``CampaignScanState.generation`` changed)."""
        import numpy as np

        if generation != self.generation:
            self.reset()
            self.generation = generation
        since = TextSignature.objects.filter(
            submission__consultation_id=consultation_id, pk__gt=self.max_id
        )
        hashed = list(
            since.exclude(text_hash="")
            .order_by("pk")
            .values_list("pk", "submission_id", "text_hash")
        )
        self.note_firsts((h, sub_id) for _pk, sub_id, h in hashed)
        rows = list(
            since.filter(indexed=True)
            .order_by("pk")
            .values_list("pk", "submission_id", "minhash", "token_count")
        )
        if rows:
            with self.lsh.insertion_session() as session:
                for _pk, sub_id, blob, size in rows:
                    self.insert(sub_id, np.frombuffer(bytes(blob), dtype=np.uint32), size, session)
            self.count += len(rows)
        self.max_id = max([self.max_id] + [r[0] for r in rows[-1:] + hashed[-1:]])

    def note_firsts(self, pairs) -> None:
        """Record (text_hash, opinion id) pairs of signed opinions."""
        first_of = self.first_of
        for h, sub_id in pairs:
            known = first_of.get(h)
            if known is None or sub_id < known:
                first_of[h] = sub_id

    def query(self, sig: np.ndarray, size: int) -> list[tuple[int, float]]:
        """Verified matches: (submission id, estimated Jaccard), best first."""
        import numpy as np
        from datasketch import LeanMinHash

        cfg = self.config
        lean = LeanMinHash(seed=cfg.seed, hashvalues=sig, scheme="affine32")
        candidates = np.fromiter(self.lsh.query(lean), dtype=np.int64)
        if not len(candidates):
            return []
        sims = (self.sketches[candidates] == sig).mean(axis=1)
        shared = sims * (self.sizes[candidates] + size) / (1 + sims)
        keep = (sims >= cfg.threshold) & (shared >= cfg.min_shared)
        found = [
            (self.subs[int(t)], float(s)) for t, s in zip(candidates[keep], sims[keep], strict=True)
        ]
        found.sort(key=lambda m: (-m[1], m[0]))
        return found


_caches: OrderedDict[int, _LshCache] = OrderedDict()
_caches_lock = threading.Lock()


def _cache_for(consultation_id: int) -> _LshCache:
    with _caches_lock:
        cache = _caches.pop(consultation_id, None) or _LshCache(config())
        _caches[consultation_id] = cache
        while len(_caches) > _CACHE_CONSULTATIONS:
            _caches.popitem(last=False)
    return cache


def forget_cache(consultation_id: int | None = None) -> None:
    with _caches_lock:
        if consultation_id is None:
            _caches.clear()
        else:
            _caches.pop(consultation_id, None)


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


@task()
def group_new_opinions(consultation_id: int) -> int:
    """Kept for rows of this task name queued before :func:`opinions_arrived` replaced it."""
    return group_new_opinions_now(consultation_id)


def opinions_arrived_now(consultation_id: int) -> None:
    """Campaign grouping, then search indexing, of a consultation's new or edited opinions.
    Each runs even if the other failed (the failure is logged, then raised at the end so that
    the task is marked failed); a later run catches up on what a failed one left."""
    from feedback.search import index_new_opinions_now

    errors: list[Exception] = []
    for what, step in (
        ("campaign grouping", group_new_opinions_now),
        ("search indexing", index_new_opinions_now),
    ):
        try:
            step(consultation_id)
        except Exception as exc:
            log.exception("%s failed for consultation %s", what, consultation_id)
            errors.append(exc)
    if errors:
        raise errors[0]


@task()
def opinions_arrived(consultation_id: int) -> None:
    """The one task enqueued after a transaction that wrote opinions of a consultation."""
    opinions_arrived_now(consultation_id)


def _unsigned(cid: int, above: int, limit: int) -> list[_Row]:
    """The consultation's ``limit`` lowest-id opinions above ``above`` without a signature.

    Read in id order a chunk at a time, the signed ones dropped by a second query: the single
    anti-join query (``text_signature__isnull=True``) was planned as a hash join over every
    signature and every opinion above the watermark (≈0.3 s a batch at 100k opinions)."""
    rows: list[_Row] = []
    while len(rows) < limit:
        chunk = list(
            Submission.objects.filter(consultation_id=cid, pk__gt=above)
            .order_by("pk")
            .values_list("pk", "text_hash", "received_at")[:limit]
        )
        if not chunk:
            break
        signed = set(
            TextSignature.objects.filter(
                submission_id__in=_ids(pk for pk, _h, _t in chunk)
            ).values_list("submission_id", flat=True)
        )
        rows.extend(_Row(pk, h, at) for pk, h, at in chunk if pk not in signed)
        if len(chunk) < limit:
            break
        above = chunk[-1][0]
    return rows[:limit]


def _process_batch(state: CampaignScanState, batch_size: int, touched_sink: set[int] | None) -> int:
    from feedback.analysis.campaigns import distinct_count, shingle_hashes

    cfg, sketcher = config(), _sketcher()
    cid = state.consultation_id
    rows = _unsigned(cid, state.last_submission_id, batch_size)
    if not rows:
        return 0
    cache = _cache_for(cid)
    cache.load(cid, state.generation)
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

    # 1. Signatures and matches, in arrival order (the LSH grows as we go).
    # Rows of (submission, minhash, token count, text hash, indexed) for COPY.
    signatures: list[tuple[int, bytes, int, str, bool]] = []
    for r in rows:
        first = first_of.get(r.text_hash) if r.text_hash else None
        if first is None:
            signatures.append((r.pk, b"", 0, "", False))
            continue
        if first != r.pk:
            r.exact, r.matches = True, [(first, 1.0)]
            signatures.append((r.pk, b"", 0, r.text_hash, False))
            continue
        folded = fold_for_matching(texts.get(r.pk, ""))
        if len(folded) < cfg.min_chars:
            signatures.append((r.pk, b"", 0, r.text_hash, False))
            continue
        hashes_ = shingle_hashes(folded, cfg.shingle)
        sig = sketcher._sketch(hashes_)
        size = distinct_count(hashes_)
        r.matches = cache.query(sig, size)
        indexed = not r.matches or r.matches[0][1] < cfg.absorb
        if indexed:
            cache.insert(r.pk, sig, size)
            cache.count += 1
        signatures.append((r.pk, sig.tobytes(), size, r.text_hash, indexed))
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


def _copy_signatures(signatures: list[tuple[int, bytes, int, str, bool]]) -> int:
    """Write signatures with COPY (a bulk INSERT of 512-byte blobs costs more in binding than
    in the database); returns the id of the last one written."""
    now = timezone.now()
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY feedback_textsignature "
            "(submission_id, minhash, token_count, text_hash, indexed, created_at) FROM STDIN"
        ) as copy:
            for row in signatures:
                copy.write_row((*row, now))
        cursor.execute("SELECT currval(pg_get_serial_sequence('feedback_textsignature', 'id'))")
        return cursor.fetchone()[0]


def _assign(cid: int, rows: list[_Row], touched_sink: set[int] | None = None) -> None:
    involved = {r.pk for r in rows} | {t for r in rows for t, _s in r.matches}
    group_of = dict(
        CampaignMember.objects.filter(submission_id__in=_ids(involved)).values_list(
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


# -- full re-analysis -----------------------------------------------------------------------------


def regroup(consultation) -> int:
    """Re-analyse a consultation from scratch: suggested groups and every signature are dropped
    and rebuilt; groups a person confirmed or dismissed keep their members (their opinions get
    new signatures, so new opinions can still join them). Returns the opinions processed."""
    cid = getattr(consultation, "pk", consultation)
    with transaction.atomic():
        state = _locked_state(cid)
        suggested = CampaignGroup.objects.filter(
            consultation_id=cid, status=CampaignGroup.Status.SUGGESTED
        )
        CampaignMember.objects.filter(group__in=suggested).delete()
        suggested.delete()
        TextSignature.objects.filter(submission__consultation_id=cid).delete()
        state.last_submission_id = 0
        state.generation += 1
        state.save(update_fields=["last_submission_id", "generation", "updated_at"])
    forget_cache(cid)
    touched: set[int] = set()
    try:
        return group_new_opinions_now(cid, batch_size=REGROUP_BATCH_SIZE, touched=touched)
    finally:  # also after a failed batch: the committed ones are refreshed
        try:
            with transaction.atomic():
                _locked_state(cid)
                refresh_groups(touched)
        except Exception:
            log.exception("could not refresh the groups of consultation %s", cid)


@task()
def regroup_task(consultation_id: int) -> int:
    return regroup(consultation_id)


# -- the hook -------------------------------------------------------------------------------------


def _enqueue_after_commit(consultation_id: int) -> None:
    """One task per consultation per transaction, however many opinions it wrote (one INSERT
    into the task queue on every opinion POST).

    "Already queued in this transaction" is read off the transaction's own list of on-commit
    callbacks, which Django empties on commit and on rollback (also of a savepoint), so a
    rolled-back transaction leaves nothing behind that would stop later opinions' tasks.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block and _covered_until.get(consultation_id, 0.0) > (
        time.monotonic()
    ):
        return  # committed already (autocommit), and a queued task will read it
    if connection.in_atomic_block:
        for _savepoints, callback, _robust in connection.run_on_commit:
            if getattr(callback, "opinions_of", None) == consultation_id and not callback.ran:
                return

    def run() -> None:
        run.ran = True  # (tests that run callbacks without a commit keep them in the list)
        try:
            _enqueue_without_waiting(consultation_id)
        except Exception:  # the opinion is stored; a later run or regroup catches up
            log.exception("could not enqueue opinions_arrived for consultation %s", consultation_id)

    run.opinions_of, run.ran = consultation_id, False
    transaction.on_commit(run)


# A queued ``opinions_arrived`` task may not be claimed before TASK_DELAY has passed; until
# TASK_COVERS seconds after queueing it, this process counts on it to also read the opinions
# it stores meanwhile (the difference allows for clocks of web and worker machines that
# disagree by up to a second). Per process: a web process queues at most one task per
# consultation per TASK_COVERS seconds, without a query to find out whether one waits.
TASK_DELAY = timedelta(seconds=2)
TASK_COVERS = 1.0
_covered_until: dict[int, float] = {}  # consultation id -> time.monotonic() deadline


def forget_queued_tasks() -> None:
    """Forget the tasks this process queued (tests; a new process starts with none)."""
    _covered_until.clear()


def _enqueue_without_waiting(consultation_id: int) -> None:
    """Queue the task unless one this process queued will start late enough to read these
    opinions too; queue it in a transaction whose commit does not wait for the disk
    (docs/adr/0007-opinion-post-path.md).

    Runs after the opinions' commit. The task is queued to run after TASK_DELAY: a worker
    cannot claim it before then (``run_after``), so it starts after every opinion this process
    commits within the next TASK_COVERS seconds and reads them all (it processes every opinion
    after the last one it processed). No query per opinion, and under load one task handles a
    batch instead of one task per opinion. The opinions are durable before this; a task lost
    in a crash at this instant is caught up by the next opinion's task, a regroup or
    ``search_reindex``.
    """
    from django_tasks_db.backend import DatabaseBackend

    backend = opinions_arrived.get_backend()
    if not isinstance(backend, DatabaseBackend):
        opinions_arrived.enqueue(consultation_id)
        return
    started = time.monotonic()
    if _covered_until.get(consultation_id, 0.0) > started:
        return
    connection = transaction.get_connection()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        opinions_arrived.using(run_after=timezone.now() + TASK_DELAY).enqueue(consultation_id)
    _covered_until[consultation_id] = started + TASK_COVERS


def submission_saved(sender, instance: Submission, created: bool, raw=False, **kwargs) -> None:
    if raw:
        return
    if not created:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not {"comment", "text_hash"} & set(update_fields):
            return
        stale = TextSignature.objects.filter(submission_id=instance.pk).exclude(
            text_hash=instance.text_hash
        )
        if not stale.exists():
            return
        stale.delete()
        membership = CampaignMember.objects.filter(
            submission_id=instance.pk, group__status=CampaignGroup.Status.SUGGESTED
        ).first()
        if membership is not None:
            membership.delete()
            _drop_or_refresh(membership.group_id, instance.pk)
        Submission.objects.filter(pk=instance.pk).update(search_vector=None)
        CampaignScanState.objects.filter(consultation_id=instance.consultation_id).update(
            generation=F("generation") + 1,
            last_submission_id=Least("last_submission_id", instance.pk - 1),
        )
    _enqueue_after_commit(instance.consultation_id)


def _drop_or_refresh(group_id: int, left: int) -> None:
    """After an opinion left a suggested group: a group of one is no group; otherwise it may
    need a new representative."""
    if CampaignMember.objects.filter(group_id=group_id).count() < 2:
        CampaignMember.objects.filter(group_id=group_id).delete()
        CampaignGroup.objects.filter(pk=group_id).delete()
        return
    CampaignGroup.objects.filter(pk=group_id, representative_id=left).update(representative=None)
    refresh_groups({group_id})


def connect_signals() -> None:
    post_save.connect(submission_saved, sender=Submission, dispatch_uid="campaign_submission_saved")
