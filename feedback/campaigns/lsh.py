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
    from feedback.analysis.campaigns import CampaignConfig

log = logging.getLogger(__name__)


_CACHE_CONSULTATIONS = 4  # LSH indexes kept per worker process (least recently used dropped)


# numpy and datasketch (which imports scipy: ≈2.5 s and tens of MB) are imported on first use,
# not by every web process that imports this module for its post_save receiver.


@functools.cache
def config() -> CampaignConfig:
    from feedback.analysis.campaigns import CampaignConfig

    return CampaignConfig()


# -- the per-process index built from stored signatures ------------------------------------------


class _LshCache:
    """The matcher (:class:`feedback.analysis.campaigns.Matcher`: short- and long-text LSH) of
    one consultation's indexed signatures (``TextSignature.indexed``), the first (lowest) opinion
    id of each ``text_hash`` and of each normalised-text key among its signatures, and the key
    of each ``text_hash``."""

    def __init__(self, config: CampaignConfig) -> None:
        from feedback.analysis.campaigns import Matcher

        self.config = config
        self.matcher = Matcher(config)
        self.first_of: dict[str, int] = {}  # text_hash → lowest signed opinion id
        self.key_of: dict[str, str] = {}  # text_hash → normalised-text key
        self.count = 0  # indexed stored signatures this cache reflects
        self.max_id = 0  # every signature up to this id is reflected
        self.generation = -1

    def reset(self) -> None:
        self.__init__(self.config)

    def load(self, consultation_id: int, generation: int) -> None:
        """Bring the cache up to the stored signatures: load the ones written since (signatures
        of a consultation are only written under its scan-state lock, so in id order), or
        rebuild when some were deleted since (``CampaignScanState.generation`` changed)."""
        if generation != self.generation:
            self.reset()
            self.generation = generation
        since = TextSignature.objects.filter(
            submission__consultation_id=consultation_id, pk__gt=self.max_id
        )
        keyed = list(
            since.exclude(text_hash="", match_key="")
            .order_by("pk")
            .values_list("pk", "submission_id", "text_hash", "match_key")
        )
        self.note_firsts((h, sub_id) for _pk, sub_id, h, _k in keyed if h)
        self.note_keys((h, k, sub_id) for _pk, sub_id, h, k in keyed if k)
        rows = list(
            since.filter(indexed=True)
            .order_by("pk")
            .values_list("pk", "submission_id", "minhash", "token_count", "short", "guard")
        )
        matcher = self.matcher
        if rows:
            with (
                matcher.lsh.insertion_session() as session,
                matcher.short_lsh.insertion_session() as short_session,
            ):
                for _pk, sub_id, blob, size, short, guard in rows:
                    matcher.insert_stored(
                        sub_id, bytes(blob), size, short, guard, (session, short_session)
                    )
            self.count += len(rows)
        self.max_id = max([self.max_id] + [r[0] for r in rows[-1:] + keyed[-1:]])

    def note_firsts(self, pairs) -> None:
        """Record (text_hash, opinion id) pairs of signed opinions."""
        first_of = self.first_of
        for h, sub_id in pairs:
            known = first_of.get(h)
            if known is None or sub_id < known:
                first_of[h] = sub_id

    def note_keys(self, triples) -> None:
        """Record (text_hash, normalised-text key, opinion id) of signed opinions."""
        first_of, key_of = self.matcher.first_of, self.key_of
        for h, key, sub_id in triples:
            if h:
                key_of.setdefault(h, key)
            known = first_of.get(key)
            if known is None or sub_id < known:
                first_of[key] = sub_id


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
