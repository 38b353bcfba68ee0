"""Campaign detection: exact and near-duplicate opinions grouped, bursts flagged.

Why: mass and form-letter input must be reported honestly ("N opinions, M distinct texts, K
campaign groups", never silently dropped), so every opinion is assigned to a group and the
grouping must keep up with intake on one core. Nothing here decides anything about a person;
it only says which texts are (nearly) the same.

Method (parameters chosen by measurement with bench/analysis.py; see README.md here):

* Texts are compared in their *folded* form (:func:`fold_for_matching`: NFKC, case-folded, no
  punctuation or spaces). Identical folded texts share one "distinct text"; only distinct texts
  are sketched, so verbatim copies cost one dictionary lookup.
* Each distinct text becomes a set of character ``shingle``-grams, sketched by a datasketch
  affine32 MinHash (computed with numpy in one step; identical to ``MinHash.update_batch`` with
  :func:`shingle_hashes` as the hash function) and indexed in a datasketch ``MinHashLSH``.
* LSH candidates are verified by the estimated Jaccard similarity ≥ ``threshold`` and joined by
  union-find, so a chain of small edits stays one group.
* A distinct text whose best match is already ≥ ``absorb`` is not inserted in the LSH: its bands
  are almost all those of its match, so it adds little recall and would only make the buckets
  of big personalised campaigns slow to query.
* Texts shorter than ``min_chars`` folded characters are only grouped when identical, and two
  texts are only joined when they share about ``min_shared`` shingles (estimated from the Jaccard
  value and the sizes of both sets): two short opinions sharing one stock phrase ("补偿标准太低")
  are not a campaign.

Group ids are the key of the earliest item of the group and stay stable when later items join;
when two groups merge, the later id is reported in :attr:`AddResult.merged`.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from feedback.analysis.text import fold_for_matching

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))


@dataclass(frozen=True)
class CampaignConfig:
    shingle: int = 3
    num_perm: int = 128
    threshold: float = 0.5
    absorb: float = 0.85
    min_chars: int = 12
    min_shared: int = 30
    seed: int = 1
    # LSH bands × rows: 16×4 finds a pair at Jaccard 0.6 with p≈0.89 and at 0.7 with p≈0.99
    # (union-find over chains of edits does the rest) with 2/3 of the memory of datasketch's
    # own choice for 0.5 (25×5), which measured the same precision and recall.
    bands: tuple[int, int] | None = (16, 4)


def shingle_hashes(folded: str, n: int) -> np.ndarray:
    """32-bit hashes of the character n-grams of ``folded`` (the whole text if shorter)."""
    codes = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < n:
        codes = np.concatenate([codes, np.zeros(n - len(codes), dtype=np.uint64)])
    width = len(codes) - n + 1
    h = np.zeros(width, dtype=np.uint64)
    for i in range(n):  # polynomial mix of the n code points, then a 64-bit avalanche
        h = (h ^ codes[i : i + width]) * _MIX[i % 3]
    h ^= h >> np.uint64(31)
    h *= _MIX[1]
    h ^= h >> np.uint64(29)
    return (h & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def distinct_count(hashes: np.ndarray) -> int:
    """``len(np.unique(hashes))``, five times faster on the short arrays of one opinion."""
    if len(hashes) < 2:
        return len(hashes)
    s = np.sort(hashes)
    return 1 + int(np.count_nonzero(s[1:] != s[:-1]))


@dataclass
class AddResult:
    assigned: dict[Hashable, Hashable]  # new item key → group id
    merged: dict[Hashable, Hashable]  # group id that disappeared → group id it joined


@dataclass
class Variant:
    key: Hashable  # key of the first item with this text
    text: str
    count: int


@dataclass
class Group:
    id: Hashable
    count: int  # opinions
    representative: Variant
    variants: list[Variant]  # distinct texts, most frequent first
    keys: list[Hashable] = field(repr=False)

    @property
    def distinct(self) -> int:
        return len(self.variants)


@dataclass
class Burst:
    group: Hashable
    start: datetime
    end: datetime
    count: int


class CampaignIndex:
    """Incremental, picklable grouping of opinions into exact/near-duplicate groups."""

    def __init__(self, config: CampaignConfig | None = None) -> None:
        self.config = cfg = config or CampaignConfig()
        perms = MinHash(num_perm=cfg.num_perm, seed=cfg.seed, scheme="affine32").permutations
        self._a, self._b = perms[0], perms[1]
        self.lsh = MinHashLSH(threshold=cfg.threshold, num_perm=cfg.num_perm, params=cfg.bands)
        self._digest_tid: dict[bytes, int] = {}
        self._sketches = np.empty((0, cfg.num_perm), dtype=np.uint32)
        self._sizes = np.empty(0, dtype=np.int32)  # distinct shingles per text
        self._in_lsh = np.zeros(0, dtype=bool)  # texts inserted in the LSH (not absorbed)
        self._parent: list[int] = []
        self._texts: list[str] = []
        self._text_keys: list[list[Hashable]] = []
        self._item_tid: dict[Hashable, int] = {}
        self._item_time: dict[Hashable, datetime] = {}
        self._known = 0  # texts that existed before the current add()

    # -- building -------------------------------------------------------------------------
    @classmethod
    def build(cls, items: Iterable, config: CampaignConfig | None = None) -> CampaignIndex:
        index = cls(config)
        index.add(items)
        return index

    def sketch(self, folded: str) -> np.ndarray:
        """MinHash values of a folded text (affine32 scheme of datasketch)."""
        return self._sketch(shingle_hashes(folded, self.config.shingle))

    def _sketch(self, hashes: np.ndarray) -> np.ndarray:
        hv = hashes.reshape(-1, 1)
        hv ^= hv >> np.uint32(16)  # MurmurHash3 fmix32, as datasketch pre-mixes its input
        hv *= np.uint32(0x85EBCA6B)
        hv ^= hv >> np.uint32(13)
        hv *= np.uint32(0xC2B2AE35)
        hv ^= hv >> np.uint32(16)
        return (hv * self._a + self._b).min(axis=0)

    def add(self, items: Iterable) -> AddResult:
        """Add ``(key, text)`` or ``(key, text, timestamp)`` items, in arrival order."""
        assigned: dict[Hashable, int] = {}
        roots_before: dict[int, int] = {}  # root, at the start, of each older text that matched
        self._known = len(self._parent)
        for item in items:
            key, text = item[0], item[1]
            if key in self._item_tid:
                raise ValueError(f"item {key!r} was already added")
            if len(item) > 2 and item[2] is not None:
                self._item_time[key] = item[2]
            folded = fold_for_matching(text)
            digest = hashlib.blake2b(folded.encode(), digest_size=16).digest()
            tid = self._digest_tid.get(digest)
            if tid is None:
                tid = self._new_text(digest, folded, text, roots_before)
            self._text_keys[tid].append(key)
            self._item_tid[key] = tid
            assigned[key] = tid
        merged = {}
        for old_root, before in roots_before.items():
            now = self._find(old_root)
            if now != before:
                merged[self._group_id(before)] = self._group_id(now)
        return AddResult({k: self._group_id(self._find(t)) for k, t in assigned.items()}, merged)

    def _new_text(self, digest: bytes, folded: str, text: str, roots_before: dict) -> int:
        cfg = self.config
        tid = len(self._parent)
        self._digest_tid[digest] = tid
        self._parent.append(tid)
        self._texts.append(text)
        self._text_keys.append([])
        if len(folded) < cfg.min_chars:
            return tid
        hashes = shingle_hashes(folded, cfg.shingle)
        sig = self._sketch(hashes)
        if tid >= len(self._sketches):
            capacity = max(1024, 2 * len(self._sketches), tid + 1)
            grown = np.empty((capacity, cfg.num_perm), dtype=np.uint32)
            grown[: len(self._sketches)] = self._sketches
            self._sketches = grown
            self._sizes = np.resize(self._sizes, capacity)
            self._in_lsh = np.concatenate(
                [self._in_lsh, np.zeros(capacity - len(self._in_lsh), dtype=bool)]
            )
        self._sketches[tid] = sig
        self._sizes[tid] = size = distinct_count(hashes)
        lean = LeanMinHash(seed=cfg.seed, hashvalues=sig, scheme="affine32")
        candidates = np.fromiter(self.lsh.query(lean), dtype=np.int64)
        best = 0.0
        if len(candidates):
            sims = (self._sketches[candidates] == sig).mean(axis=1)
            best = float(sims.max())
            shared = sims * (self._sizes[candidates] + size) / (1 + sims)
            for other in candidates[(sims >= cfg.threshold) & (shared >= cfg.min_shared)]:
                root = self._find(int(other))
                if other < self._known:
                    roots_before.setdefault(root, root)
                self._union(root, tid)
        if best < cfg.absorb:
            self.lsh.insert(tid, lean, check_duplication=False)
            self._in_lsh[tid] = True
        return tid

    # -- union-find over distinct texts; the smallest text id is the root -----------------------
    def _find(self, tid: int) -> int:
        parent = self._parent
        root = tid
        while parent[root] != root:
            root = parent[root]
        while parent[tid] != root:
            parent[tid], tid = root, parent[tid]
        return root

    def _union(self, a: int, b: int) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb))
            self._parent[hi] = lo

    def _group_id(self, root: int) -> Hashable:
        return self._text_keys[root][0] if self._text_keys[root] else root

    # -- reading ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._item_tid)

    @property
    def distinct_texts(self) -> int:
        return len(self._parent)

    def group_of(self, key: Hashable) -> Hashable:
        return self._group_id(self._find(self._item_tid[key]))

    def assignments(self) -> dict[Hashable, Hashable]:
        """Every item key → its group id (singletons are their own group)."""
        ids = [self._group_id(self._find(t)) for t in range(len(self._parent))]
        return {key: ids[tid] for key, tid in self._item_tid.items()}

    def groups(self, min_size: int = 2) -> list[Group]:
        """Groups of at least ``min_size`` opinions, largest first."""
        members: dict[int, list[int]] = defaultdict(list)
        for tid in range(len(self._parent)):
            members[self._find(tid)].append(tid)
        out = []
        for root, tids in members.items():
            count = sum(len(self._text_keys[t]) for t in tids)
            if count < min_size:
                continue
            variants = sorted(
                (
                    Variant(self._text_keys[t][0], self._texts[t], len(self._text_keys[t]))
                    for t in tids
                ),
                key=lambda v: -v.count,
            )
            keys = [k for t in tids for k in self._text_keys[t]]
            out.append(Group(self._group_id(root), count, representative(variants), variants, keys))
        out.sort(key=lambda g: (-g.count, str(g.id)))
        return out

    def summary(self) -> dict[str, int]:
        """The figures every report states: opinions, distinct texts, campaign groups."""
        return {
            "opinions": len(self),
            "distinct_texts": self.distinct_texts,
            "campaign_groups": len(self.groups(min_size=2)),
        }

    def bursts(
        self, *, min_count: int = 20, window: timedelta = timedelta(minutes=60)
    ) -> list[Burst]:
        """Bursts of each group (identical texts included) among items added with a timestamp."""
        assignment = self.assignments()
        events = [(assignment[k], t) for k, t in self._item_time.items()]
        return find_bursts(events, min_count=min_count, window=window)

    # -- persistence ------------------------------------------------------------------------
    def __getstate__(self) -> dict:
        # The LSH's dict of sets is slow to pickle and load; it is rebuilt from the sketches.
        state = self.__dict__.copy()
        del state["lsh"]
        n = len(self._parent)
        for name in ("_sketches", "_sizes", "_in_lsh"):
            state[name] = state[name][:n].copy()
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        cfg = self.config
        self.lsh = MinHashLSH(threshold=cfg.threshold, num_perm=cfg.num_perm, params=cfg.bands)
        with self.lsh.insertion_session() as session:
            for tid in np.flatnonzero(self._in_lsh).tolist():
                sig = LeanMinHash(seed=cfg.seed, hashvalues=self._sketches[tid], scheme="affine32")
                session.insert(tid, sig, check_duplication=False)

    def dumps(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(data: bytes) -> CampaignIndex:
        """Only for data this application wrote itself (pickle runs code from its input)."""
        return pickle.loads(data)  # noqa: S301


def representative(variants: list[Variant]) -> Variant:
    """The most common exact text if any text repeats, else the medoid by length."""
    top = max(variants, key=lambda v: v.count)
    if top.count > 1:
        return top
    by_length = sorted(variants, key=lambda v: (len(v.text), str(v.key)))
    return by_length[(len(by_length) - 1) // 2]


def find_bursts(
    events: Iterable[tuple[Hashable, datetime]],
    *,
    min_count: int = 20,
    window: timedelta = timedelta(minutes=60),
) -> list[Burst]:
    """Spans where a group has ≥ ``min_count`` items within ``window``; overlapping windows
    are merged into one burst. ``events`` are (group id, timestamp), in any order."""
    by_group: dict[Hashable, list[datetime]] = defaultdict(list)
    for group, ts in events:
        by_group[group].append(ts)
    bursts = []
    for group, times in by_group.items():
        if len(times) < min_count:
            continue
        times.sort()
        lo, current, first = 0, None, 0
        for hi, ts in enumerate(times):
            while ts - times[lo] > window:
                lo += 1
            if hi - lo + 1 < min_count:
                continue
            if current is not None and times[lo] <= current.end:
                current.end, current.count = ts, hi - first + 1
            else:
                first = lo
                current = Burst(group, times[lo], ts, hi - lo + 1)
                bursts.append(current)
    bursts.sort(key=lambda b: (b.start, str(b.group)))
    return bursts


def exact_groups(items: Iterable[tuple[Hashable, str]]) -> dict[str, list[Hashable]]:
    """Keys grouped by folded text (only texts that occur more than once)."""
    by_text: dict[str, list[Hashable]] = defaultdict(list)
    for key, text in items:
        by_text[fold_for_matching(text)].append(key)
    return {t: keys for t, keys in by_text.items() if len(keys) > 1}
