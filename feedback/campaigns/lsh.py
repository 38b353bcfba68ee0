"""The per-process LSH index of a consultation's stored MinHash sketches (see
``feedback.campaigns.grouping`` for how it is used and why it is kept per process).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from feedback.models import (
    TextSignature,
)

if TYPE_CHECKING:
    import numpy as np

    from feedback.analysis.campaigns import CampaignConfig, CampaignIndex

log = logging.getLogger(__name__)


_CACHE_CONSULTATIONS = 4  # LSH indexes kept per worker process (least recently used dropped)


# numpy and datasketch (which imports scipy: ≈2.5 s and tens of MB) are imported on first use,
# not by every web process that imports this module for its post_save receiver.


@functools.cache
def config() -> CampaignConfig:
    from feedback.analysis.campaigns import CampaignConfig

    return CampaignConfig()


@functools.cache
def shared_sketcher() -> CampaignIndex:
    """Only its MinHash permutations are used."""
    from feedback.analysis.campaigns import CampaignIndex

    return CampaignIndex(config())


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


def cache_for(consultation_id: int) -> _LshCache:
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
