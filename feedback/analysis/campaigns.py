"""Campaign detection: exact and near-duplicate opinions grouped, bursts flagged.

Why: mass and form-letter input must be reported honestly ("N opinions, M distinct texts, K
campaign groups", never silently dropped), so every opinion is assigned to a group and the
grouping must keep up with intake on one core. Nothing here decides anything about a person;
it only says which texts are (nearly) the same.

Method (issue 14; parameters chosen by measurement with bench/campaign_eval.py on the labelled
set feedback/analysis/eval/campaigns_zh.jsonl and bench/analysis.py; docs/methodology.md):

* Texts are compared in their *folded* form (:func:`fold_for_matching`: NFKC, Traditional →
  Simplified, case-folded, no punctuation, symbols, emoji, spaces, zero-width characters or
  combining marks, runs of a repeated character cut to one). Identical folded texts are one
  "distinct text" (the same ``key``) and are grouped at once; only distinct texts are compared.
* Folded texts shorter than ``min_chars`` (8) are only grouped when identical.
* **Short texts** (``min_chars`` ≤ length < ``short_chars``): the set of character *bigrams*,
  candidates from a datasketch ``MinHashLSH`` over bigrams (``short_bands``), verified by the
  exact Jaccard similarity of the two bigram sets ≥ ``short_threshold`` with at most
  ``short_differ`` bigrams that only one of them has (about one or two words), and only when the two
  texts have the same *guard* (:func:`stance_guard`: the same stance words (支持/反对…),
  negations (不/没…) and numbers), so "支持建设焚烧厂" and "反对建设焚烧厂" stay apart.
* **Long texts** (length ≥ ``short_chars``): character ``shingle``-grams sketched by a datasketch
  affine32 MinHash (computed with numpy in one step; identical to ``MinHash.update_batch`` with
  :func:`shingle_hashes` as the hash function) and indexed in a ``MinHashLSH``; candidates are
  verified by the estimated Jaccard similarity ≥ ``threshold``, about ≥ ``min_shared`` shared
  shingles (estimated from the Jaccard value and the sizes of both sets), and an overall
  stance that does not contradict (one text mainly for, the other mainly against).
* Texts within ``band_chars`` of the boundary are also looked up with the other method, so a
  short letter and its copy with one more sentence still meet.
* Matches are joined by union-find, so a chain of small edits stays one group. A distinct text
  whose best match is already ≥ ``absorb`` is not inserted in its index: it adds little recall
  and would only make the buckets of big personalised campaigns slow to query.

Group ids are the key of the earliest item of the group and stay stable when later items join;
when two groups merge, the later id is reported in :attr:`AddResult.merged`.
"""

# Size: the two matching methods (short and long texts), the stance guard and the pure,
# picklable index that the database grouping (feedback.campaigns) and the benchmarks share.

from __future__ import annotations

import hashlib
import pickle
import re
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
    min_chars: int = 8  # shorter folded texts are grouped only when identical
    min_shared: int = 30
    seed: int = 1
    # LSH bands × rows: 16×4 finds a pair at Jaccard 0.6 with p≈0.89 and at 0.7 with p≈0.99
    # (union-find over chains of edits does the rest) with 2/3 of the memory of datasketch's
    # own choice for 0.5 (25×5), which measured the same precision and recall.
    bands: tuple[int, int] | None = (16, 4)
    # Short texts: bigram sets, exact Jaccard ≥ short_threshold, same stance guard. 24×3 bands
    # (72 permutations) find a pair at Jaccard 0.5 with p≈0.96 and at 0.6 with p≈0.996, and
    # propose a pair at 0.2 with p≈0.18 only (each proposal costs one exact comparison).
    short_chars: int = 50
    band_chars: int = 16
    short_threshold: float = 0.5
    # … and differ by at most a word or two: ≤ 8 bigrams in one text and not the other (a word
    # of 2 characters changed in the middle of a text changes 3 bigrams on each side), or a
    # quarter of their bigrams for texts over 32 characters. Two independent short opinions
    # built from the same stock sentence ("征求意见的时间太短…") with their own opening and
    # closing words differ by more.
    short_differ: int = 8
    short_differ_share: float = 0.25
    short_bands: tuple[int, int] = (24, 3)


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


def text_key(folded: str) -> str:
    """The key of a folded text: texts with the same key are the same text (32 hex digits)."""
    return hashlib.blake2b(folded.encode(), digest_size=16).hexdigest()


# -- the stance guard -----------------------------------------------------------------------------

# Words that state a position, on folded (Simplified, punctuation-free) text. Longest first, so
# 不同意 is one "against" word and not 不 + 同意. Words in _NOT_NEGATION contain a negation
# character but negate nothing (非常 "very", 未来 "future", 不少 "many" …) and are skipped.
_AGAINST = (
    "不同意 不支持 不赞成 不赞同 不认可 不接受 不希望 不想要 不要 不准 不许 不能 不应 不该 "
    "不可以 不宜 反对 抵制 拒绝 禁止 停建 停止 叫停 取消 撤销 撤回 否决 抗议 缓建"
).split()
_FOR = "同意 支持 赞成 赞同 认可 拥护 欢迎 接受 点赞 尽快建".split()
_NOT_NEGATION = (
    "非常 无论 未来 不少 不过 不断 不仅 不管 不论 不但 不久 不错 不如 不得不 无数 不光 "
    "不只 莫非 并且"
).split()
_NEGATION = "不 没 无 未 非 别 勿 莫".split()
_STANCE_WORDS = re.compile(
    "|".join(
        f"(?P<{name}>{'|'.join(sorted(words, key=len, reverse=True))})"
        for name, words in (
            ("skip", _NOT_NEGATION),
            ("against", _AGAINST),
            ("for", _FOR),
            ("neg", _NEGATION),
        )
    )
)
_NUMBERS = re.compile(r"\d+\D?")  # a number and the character after it (its unit: 分钟, 公里, 万)


def stance_guard(folded: str) -> str:
    """What two texts must share to be grouped: ``"<overall><for><against><negation>:<numbers>"``.

    ``overall`` is ``+`` when the text has more "for" words than "against" words, ``-`` for the
    reverse, ``0`` otherwise; the three flags say whether the text has a "for" word, an
    "against" word, another negation; then the numbers it contains, each with the character
    after it (30分 and 30公 differ: minutes, kilometres). Short texts must have the
    same guard except ``overall``; long texts only must not be ``+`` against ``-``."""
    counts = {"for": 0, "against": 0, "neg": 0, "skip": 0}
    for match in _STANCE_WORDS.finditer(folded):
        counts[match.lastgroup] += 1
    diff = counts["for"] - counts["against"]
    overall = "+" if diff > 0 else "-" if diff < 0 else "0"
    flags = "".join("1" if counts[k] else "0" for k in ("for", "against", "neg"))
    return f"{overall}{flags}:{','.join(_NUMBERS.findall(folded))}"[:64]


def short_compatible(a: str, b: str) -> bool:
    return a[1:] == b[1:]


_OVERALL = {"+": 1, "0": 0, "-": -1}


@dataclass
class Features:
    """What matching needs of one distinct text (see :meth:`Matcher.features`)."""

    folded: str
    key: str
    guard: str
    bigrams: np.ndarray | None = None  # unique sorted bigram hashes (short texts and the band)
    sketch: np.ndarray | None = None  # MinHash of the shingles (long texts and the band)
    size: int = 0  # distinct shingles


def _fmix_affine(hashes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """MinHash values of the (32-bit) ``hashes``, the affine32 scheme of datasketch."""
    hv = hashes.reshape(-1, 1).copy()
    hv ^= hv >> np.uint32(16)  # MurmurHash3 fmix32, as datasketch pre-mixes its input
    hv *= np.uint32(0x85EBCA6B)
    hv ^= hv >> np.uint32(13)
    hv *= np.uint32(0xC2B2AE35)
    hv ^= hv >> np.uint32(16)
    return (hv * a + b).min(axis=0)


class Matcher:
    """The two indexes (short and long texts) and the key of every distinct text seen.

    Items are identified by ``ident`` (a text number in :class:`CampaignIndex`, an opinion id in
    the database grouping). Not thread-safe; picklable (the LSH tables are rebuilt on load)."""

    def __init__(self, config: CampaignConfig) -> None:
        self.config = cfg = config
        perms = MinHash(num_perm=cfg.num_perm, seed=cfg.seed, scheme="affine32").permutations
        self._a, self._b = perms[0], perms[1]
        short_perm = cfg.short_bands[0] * cfg.short_bands[1]
        perms = MinHash(num_perm=short_perm, seed=cfg.seed + 1, scheme="affine32").permutations
        self._sa, self._sb = perms[0], perms[1]
        self.first_of: dict[str, Hashable] = {}  # text key → first ident with that text
        # Long texts: sketches, distinct shingle counts, overall stance.
        self._long_ids: list[Hashable] = []
        self._long_sk = np.empty((0, cfg.num_perm), dtype=np.uint32)
        self._long_sizes = np.empty(0, dtype=np.int32)
        self._long_overall = np.empty(0, dtype=np.int8)
        # Short texts: bigram sets and guards.
        self._short_ids: list[Hashable] = []
        self._short_sets: list[np.ndarray] = []
        self._short_guards: list[str] = []
        self._new_lsh()

    def _new_lsh(self) -> None:
        cfg = self.config
        self.lsh = MinHashLSH(threshold=cfg.threshold, num_perm=cfg.num_perm, params=cfg.bands)
        n = cfg.short_bands[0] * cfg.short_bands[1]
        self.short_lsh = MinHashLSH(num_perm=n, params=cfg.short_bands)

    def __len__(self) -> int:
        return len(self._long_ids) + len(self._short_ids)

    # -- features ---------------------------------------------------------------------------
    def features(self, text: str | None = None, *, folded: str | None = None) -> Features:
        cfg = self.config
        if folded is None:
            folded = fold_for_matching(text or "")
        f = Features(folded, text_key(folded), stance_guard(folded))
        n = len(folded)
        if n < cfg.min_chars:
            return f
        if n < cfg.short_chars + cfg.band_chars:
            f.bigrams = np.unique(shingle_hashes(folded, 2))
        if n >= cfg.short_chars - cfg.band_chars:
            hashes = shingle_hashes(folded, cfg.shingle)
            f.sketch = self.sketch_hashes(hashes)
            f.size = distinct_count(hashes)
        return f

    def sketch_hashes(self, hashes: np.ndarray) -> np.ndarray:
        return _fmix_affine(hashes, self._a, self._b)

    def short_sketch(self, bigrams: np.ndarray) -> np.ndarray:
        return _fmix_affine(bigrams, self._sa, self._sb)

    def is_short(self, f: Features) -> bool:
        return len(f.folded) < self.config.short_chars

    # -- matching ---------------------------------------------------------------------------
    def query(self, f: Features) -> tuple[list[tuple[Hashable, float]], float]:
        """Verified matches (ident, similarity), best first, and the best similarity found in
        the index the text itself belongs to (for the ``absorb`` rule)."""
        found: dict[Hashable, float] = {}
        own_best = 0.0
        if f.bigrams is not None and self._short_ids:
            for ident, sim in self._query_short(f):
                found[ident] = max(sim, found.get(ident, 0.0))
                if self.is_short(f):
                    own_best = max(own_best, sim)
        if f.sketch is not None and self._long_ids:
            for ident, sim in self._query_long(f):
                found[ident] = max(sim, found.get(ident, 0.0))
                if not self.is_short(f):
                    own_best = max(own_best, sim)
        out = sorted(found.items(), key=lambda m: (-m[1], str(m[0])))
        return out, own_best

    def _query_short(self, f: Features) -> list[tuple[Hashable, float]]:
        cfg = self.config
        lean = LeanMinHash(
            seed=cfg.seed + 1, hashvalues=self.short_sketch(f.bigrams), scheme="affine32"
        )
        out = []
        mine = f.bigrams
        for t in self.short_lsh.query(lean):
            if not short_compatible(f.guard, self._short_guards[t]):
                continue
            other = self._short_sets[t]
            common = len(np.intersect1d(mine, other, assume_unique=True))
            union = len(mine) + len(other) - common
            differ = union - common
            sim = common / union
            if sim >= cfg.short_threshold and differ <= max(
                cfg.short_differ, cfg.short_differ_share * (len(mine) + len(other)) / 2
            ):
                out.append((self._short_ids[t], sim))
        return out

    def _query_long(self, f: Features) -> list[tuple[Hashable, float]]:
        cfg = self.config
        lean = LeanMinHash(seed=cfg.seed, hashvalues=f.sketch, scheme="affine32")
        candidates = np.fromiter(self.lsh.query(lean), dtype=np.int64)
        if not len(candidates):
            return []
        sims = (self._long_sk[candidates] == f.sketch).mean(axis=1)
        shared = sims * (self._long_sizes[candidates] + f.size) / (1 + sims)
        overall = _OVERALL[f.guard[0]]
        keep = (sims >= cfg.threshold) & (shared >= cfg.min_shared)
        if overall:
            keep &= self._long_overall[candidates] != -overall
        return [
            (self._long_ids[int(t)], float(s))
            for t, s in zip(candidates[keep], sims[keep], strict=True)
        ]

    # -- inserting ----------------------------------------------------------------------------
    def note_key(self, key: str, ident: Hashable) -> Hashable:
        """Record that ``ident`` has the text ``key``; returns the first ident with it."""
        return self.first_of.setdefault(key, ident)

    def insert(self, ident: Hashable, f: Features) -> bool:
        """Put the text in its index; False for a text too short to compare. A short text near
        the boundary also goes in the long-text index, so that a longer copy (a sentence more)
        finds it by the long-text rule whichever of the two comes first."""
        if len(f.folded) < self.config.min_chars:
            return False
        if self.is_short(f):
            self.insert_short(ident, f.bigrams, f.guard)
        if f.sketch is not None:
            self.insert_long(ident, f.sketch, f.size, f.guard)
        return True

    def stored(self, f: Features) -> tuple[bytes, int]:
        """What ``TextSignature`` keeps of a compared text: (``minhash``, ``token_count``). Long
        text: the sketch and its distinct shingle count. Short text: its bigram hashes and their
        count, then (near the boundary) the sketch and the shingle count."""
        if not self.is_short(f):
            return f.sketch.tobytes(), f.size
        blob = f.bigrams.tobytes()
        if f.sketch is not None:
            blob += f.sketch.tobytes() + np.array([f.size], dtype=np.uint32).tobytes()
        return blob, len(f.bigrams)

    def insert_stored(
        self, ident, blob: bytes, count: int, short: bool, guard: str, sessions=(None, None)
    ) -> None:
        """Insert a text from what :meth:`stored` gave; ``sessions``: insertion sessions of the
        long and the short LSH."""
        values = np.frombuffer(blob, dtype=np.uint32)
        if not short:
            self.insert_long(ident, values, count, guard, sessions[0])
            return
        self.insert_short(ident, values[:count], guard, sessions[1])
        if len(values) > count:
            self.insert_long(ident, values[count:-1], int(values[-1]), guard, sessions[0])

    def insert_short(self, ident, bigrams: np.ndarray, guard: str, session=None) -> None:
        t = len(self._short_ids)
        self._short_ids.append(ident)
        self._short_sets.append(bigrams)
        self._short_guards.append(guard)
        lean = LeanMinHash(
            seed=self.config.seed + 1, hashvalues=self.short_sketch(bigrams), scheme="affine32"
        )
        (session or self.short_lsh).insert(t, lean, check_duplication=False)

    def insert_long(self, ident, sketch: np.ndarray, size: int, guard: str, session=None) -> None:
        t = len(self._long_ids)
        if t >= len(self._long_sk):
            capacity = max(1024, 2 * len(self._long_sk))
            grown = np.empty((capacity, self.config.num_perm), dtype=np.uint32)
            grown[:t] = self._long_sk[:t]
            self._long_sk = grown
            self._long_sizes = np.resize(self._long_sizes, capacity)
            self._long_overall = np.resize(self._long_overall, capacity)
        self._long_ids.append(ident)
        self._long_sk[t] = sketch
        self._long_sizes[t] = size
        self._long_overall[t] = _OVERALL[guard[0]] if guard else 0
        lean = LeanMinHash(seed=self.config.seed, hashvalues=sketch, scheme="affine32")
        (session or self.lsh).insert(t, lean, check_duplication=False)

    # -- persistence ----------------------------------------------------------------------------
    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        del state["lsh"], state["short_lsh"]
        n = len(self._long_ids)
        for name in ("_long_sk", "_long_sizes", "_long_overall"):
            state[name] = state[name][:n].copy()
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._new_lsh()
        cfg = self.config
        with self.lsh.insertion_session() as session:
            for t in range(len(self._long_ids)):
                sig = LeanMinHash(seed=cfg.seed, hashvalues=self._long_sk[t], scheme="affine32")
                session.insert(t, sig, check_duplication=False)
        with self.short_lsh.insertion_session() as session:
            for t, bigrams in enumerate(self._short_sets):
                sig = LeanMinHash(
                    seed=cfg.seed + 1, hashvalues=self.short_sketch(bigrams), scheme="affine32"
                )
                session.insert(t, sig, check_duplication=False)


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
        self.config = config or CampaignConfig()
        self.matcher = Matcher(self.config)
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

    @property
    def lsh(self) -> MinHashLSH:
        return self.matcher.lsh

    def sketch(self, folded: str) -> np.ndarray:
        """MinHash values of a folded text (affine32 scheme of datasketch)."""
        return self.matcher.sketch_hashes(shingle_hashes(folded, self.config.shingle))

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
            tid = self.matcher.first_of.get(text_key(folded))
            if tid is None:
                tid = self._new_text(folded, text, roots_before)
            self._text_keys[tid].append(key)
            self._item_tid[key] = tid
            assigned[key] = tid
        merged = {}
        for old_root, before in roots_before.items():
            now = self._find(old_root)
            if now != before:
                merged[self._group_id(before)] = self._group_id(now)
        return AddResult({k: self._group_id(self._find(t)) for k, t in assigned.items()}, merged)

    def _new_text(self, folded: str, text: str, roots_before: dict) -> int:
        matcher = self.matcher
        tid = len(self._parent)
        self._parent.append(tid)
        self._texts.append(text)
        self._text_keys.append([])
        f = matcher.features(folded=folded)
        matcher.note_key(f.key, tid)
        if len(folded) < self.config.min_chars:
            return tid
        matches, best = matcher.query(f)
        for other, _sim in matches:
            root = self._find(other)
            if other < self._known:
                roots_before.setdefault(root, root)
            self._union(root, tid)
        if best < self.config.absorb:
            matcher.insert(tid, f)
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
