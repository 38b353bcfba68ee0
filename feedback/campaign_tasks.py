"""Campaign grouping (R61) as an incremental background task, and the full re-analysis.

Why: identical and near-identical opinions must be grouped while intake goes on, so that every
report can say "N opinions, M distinct texts, K campaign groups" honestly. Grouping never
deletes or discounts an opinion: it only records which opinions share (nearly) the same text.

How (one consultation at a time, serialised by a row lock on its ``CampaignScanState``):

* A post_save receiver on ``Submission`` enqueues :func:`group_new_opinions` and
  :func:`feedback.search.index_new_opinions` with ``transaction.on_commit`` (registered from
  ``FeedbackConfig.ready``). An edit that changes an opinion's text deletes its stale
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
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from datasketch import LeanMinHash, MinHashLSH
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Min
from django.db.models.expressions import RawSQL
from django.db.models.functions import Least
from django.db.models.signals import post_save
from django.utils import timezone
from django_tasks import task

from feedback.analysis.campaigns import CampaignConfig, CampaignIndex, find_bursts, shingle_hashes
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

log = logging.getLogger(__name__)

CONFIG = CampaignConfig()
BATCH_SIZE = 2000
_WATERMARK_LAG = timedelta(minutes=5)
_CACHE_CONSULTATIONS = 4  # LSH indexes kept per worker process (least recently used dropped)


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
    """The LSH of one consultation's indexed signatures (``TextSignature.indexed``)."""

    def __init__(self, config: CampaignConfig) -> None:
        self.config = config
        self.lsh = MinHashLSH(
            threshold=config.threshold, num_perm=config.num_perm, params=config.bands
        )
        self.sketches = np.empty((1024, config.num_perm), dtype=np.uint32)
        self.sizes = np.empty(1024, dtype=np.int32)
        self.subs: list[int] = []
        self.count = 0  # stored signatures this cache reflects
        self.max_id = 0
        self.generation = -1

    def reset(self) -> None:
        self.__init__(self.config)

    def _grow(self, need: int) -> None:
        if need > len(self.sketches):
            cap = max(need, 2 * len(self.sketches))
            grown = np.empty((cap, self.config.num_perm), dtype=np.uint32)
            grown[: len(self.subs)] = self.sketches[: len(self.subs)]
            self.sketches = grown
            self.sizes = np.resize(self.sizes, cap)

    def insert(self, sub_id: int, sig: np.ndarray, size: int, session=None) -> None:
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
        if generation != self.generation:
            self.reset()
            self.generation = generation
        rows = list(
            TextSignature.objects.filter(
                submission__consultation_id=consultation_id, indexed=True, pk__gt=self.max_id
            )
            .order_by("pk")
            .values_list("pk", "submission_id", "minhash", "token_count")
        )
        if not rows:
            return
        with self.lsh.insertion_session() as session:
            for _pk, sub_id, blob, size in rows:
                self.insert(sub_id, np.frombuffer(bytes(blob), dtype=np.uint32), size, session)
        self.count += len(rows)
        self.max_id = rows[-1][0]

    def query(self, sig: np.ndarray, size: int) -> list[tuple[int, float]]:
        """Verified matches: (submission id, estimated Jaccard), best first."""
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
_sketcher = CampaignIndex(CONFIG)  # only its MinHash permutations are used


def _cache_for(consultation_id: int) -> _LshCache:
    with _caches_lock:
        cache = _caches.pop(consultation_id, None) or _LshCache(CONFIG)
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


def group_new_opinions_now(consultation_id: int, *, batch_size: int = BATCH_SIZE) -> int:
    """Group every opinion of the consultation that has not been seen yet; returns how many."""
    total = 0
    while True:
        try:
            with transaction.atomic():
                state = _locked_state(consultation_id)
                done = _process_batch(state, batch_size)
        except Exception:
            forget_cache(consultation_id)  # the cache may hold sketches that were rolled back
            raise
        total += done
        if done < batch_size:
            return total


@task()
def group_new_opinions(consultation_id: int) -> int:
    return group_new_opinions_now(consultation_id)


def _process_batch(state: CampaignScanState, batch_size: int) -> int:
    cid = state.consultation_id
    rows = [
        _Row(pk, h, at)
        for pk, h, at in Submission.objects.filter(
            consultation_id=cid, pk__gt=state.last_submission_id, text_signature__isnull=True
        )
        .order_by("pk")
        .values_list("pk", "text_hash", "received_at")[:batch_size]
    ]
    if not rows:
        return 0
    cache = _cache_for(cid)
    cache.load(cid, state.generation)
    hashes = {r.text_hash for r in rows if r.text_hash}
    first_of = dict(
        Submission.objects.filter(
            consultation_id=cid, text_hash__in=RawSQL("SELECT unnest(%s::text[])", [list(hashes)])
        )
        .values("text_hash")
        .annotate(first=Min("pk"))
        .values_list("text_hash", "first")
    )
    need_text = [r.pk for r in rows if r.text_hash and first_of.get(r.text_hash) == r.pk]
    texts = opinion_texts(need_text) if need_text else {}

    # 1. Signatures and matches, in arrival order (the LSH grows as we go).
    signatures = []
    for r in rows:
        first = first_of.get(r.text_hash) if r.text_hash else None
        if first is None:
            signatures.append(TextSignature(submission_id=r.pk, minhash=b"", text_hash=""))
            continue
        if first != r.pk:
            r.exact, r.matches = True, [(first, 1.0)]
            signatures.append(TextSignature(submission_id=r.pk, minhash=b"", text_hash=r.text_hash))
            continue
        folded = fold_for_matching(texts.get(r.pk, ""))
        if len(folded) < CONFIG.min_chars:
            signatures.append(TextSignature(submission_id=r.pk, minhash=b"", text_hash=r.text_hash))
            continue
        hashes_ = shingle_hashes(folded, CONFIG.shingle)
        sig = _sketcher._sketch(hashes_)
        size = len(np.unique(hashes_))
        r.matches = cache.query(sig, size)
        indexed = not r.matches or r.matches[0][1] < CONFIG.absorb
        if indexed:
            cache.insert(r.pk, sig, size)
        signatures.append(
            TextSignature(
                submission_id=r.pk,
                minhash=sig.tobytes(),
                token_count=size,
                text_hash=r.text_hash,
                indexed=indexed,
            )
        )
    indexed_subs = _copy_signatures(signatures)
    cache.count += len(indexed_subs)
    if indexed_subs:
        top = (
            TextSignature.objects.filter(submission_id__in=indexed_subs)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        cache.max_id = max(cache.max_id, top)

    # 2. Memberships.
    _assign(cid, rows)

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


def _copy_signatures(signatures: list[TextSignature]) -> list[int]:
    """Write signatures with COPY (a bulk INSERT of 512-byte blobs costs more in binding than
    in the database); returns the submissions whose signature is indexed."""
    now = timezone.now()
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY feedback_textsignature "
            "(submission_id, minhash, token_count, text_hash, indexed, created_at) FROM STDIN"
        ) as copy:
            for sig in signatures:
                copy.write_row(
                    (
                        sig.submission_id,
                        sig.minhash,
                        sig.token_count,
                        sig.text_hash,
                        sig.indexed,
                        now,
                    )
                )
    return [sig.submission_id for sig in signatures if sig.indexed]


def _assign(cid: int, rows: list[_Row]) -> None:
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
    refresh_groups(touched)


def refresh_groups(group_ids) -> None:
    """Recompute kind, representative and burst of the given groups from their members."""
    group_ids = set(group_ids)
    if not group_ids:
        return
    stats: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for gid, h, n, first in (
        CampaignMember.objects.filter(group_id__in=group_ids)
        .values("group_id", "submission__text_hash")
        .annotate(n=Count("pk"), first=Min("submission_id"))
        .values_list("group_id", "submission__text_hash", "n", "first")
    ):
        stats[gid].append((n, -first, h))
    events = CampaignMember.objects.filter(group_id__in=group_ids).values_list(
        "group_id", "submission__received_at"
    )
    bursts: dict[int, object] = {}
    for b in find_bursts(events, min_count=burst_size(), window=burst_window()):
        if b.group not in bursts or b.count > bursts[b.group].count:
            bursts[b.group] = b
    groups = list(CampaignGroup.objects.filter(pk__in=group_ids))
    for g in groups:
        variants = stats.get(g.pk, [])
        if variants:
            n, neg_first, _h = max(variants)
            g.kind = CampaignGroup.Kind.EXACT if len(variants) == 1 else CampaignGroup.Kind.NEAR
            if n > 1 or g.representative_id is None:
                g.representative_id = -neg_first
        b = bursts.get(g.pk)
        g.is_burst = b is not None
        g.burst_started_at = b.start if b else None
        g.burst_ended_at = b.end if b else None
    CampaignGroup.objects.bulk_update(
        groups, ["kind", "representative", "is_burst", "burst_started_at", "burst_ended_at"]
    )
    CampaignGroup.objects.filter(pk__in=group_ids).update(updated_at=timezone.now())


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
    return group_new_opinions_now(cid)


@task()
def regroup_task(consultation_id: int) -> int:
    return regroup(consultation_id)


# -- the hook -------------------------------------------------------------------------------------

_pending = threading.local()


def _enqueue_after_commit(consultation_id: int) -> None:
    """One pair of tasks per consultation per transaction, however many opinions it wrote."""
    pending = getattr(_pending, "ids", None)
    if pending is None:
        pending = _pending.ids = set()
    if consultation_id in pending:
        return
    pending.add(consultation_id)

    def run() -> None:
        pending.discard(consultation_id)
        from feedback.search import index_new_opinions

        for t in (group_new_opinions, index_new_opinions):
            try:
                t.enqueue(consultation_id)
            except Exception:  # the opinion is stored; a later run or regroup catches up
                log.exception("could not enqueue %s for consultation %s", t.name, consultation_id)

    transaction.on_commit(run)


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
