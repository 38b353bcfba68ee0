"""The participant draw: reproducible by anyone from the published list and seed (R28).

The algorithm, exactly as the public page and ``manage.py hearing_verify_draw`` state it:

1. When registration has closed, the list of registrations is frozen: one line
   ``<registration number>,<category code>`` per registration, sorted by number, joined with
   ``\\n`` (no line at the end), encoded in UTF-8. Its SHA-256 (``list_digest``) is published.
2. A seed of 32 random bytes is made, written as 64 lower-case hex characters. The SHA-256 of
   those 64 characters (ASCII) is published (``seed_hash``) before the draw; the seed after it.
3. For every registration: ``rank = HMAC-SHA256(key = the seed's 64 characters as ASCII,
   message = the registration number as ASCII)``, as lower-case hex.
4. Within each category, registrations are ordered by rank (then by number, which never
   matters in practice), and the first ``seats`` of them are selected. A category with no more
   registrations than seats has all of them selected.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

ALGORITHM = "hmac-sha256-rank-within-category/v1"


def new_seed() -> str:
    return secrets.token_hex(32)


def seed_hash(seed: str) -> str:
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def list_text(entries: Iterable[tuple[str, str]]) -> str:
    """The canonical text of the frozen list: ``number,category`` lines sorted by number."""
    return "\n".join(f"{number},{category}" for number, category in sorted(entries))


def list_digest(entries: Iterable[tuple[str, str]]) -> str:
    return hashlib.sha256(list_text(entries).encode("utf-8")).hexdigest()


def rank(seed: str, number: str) -> str:
    return hmac.new(seed.encode("ascii"), number.encode("ascii"), hashlib.sha256).hexdigest()


def draw(
    seed: str, entries: Iterable[tuple[str, str]], seats: dict[str, int]
) -> dict[str, list[str]]:
    """The selected registration numbers per category code, in rank order."""
    by_category: dict[str, list[str]] = {code: [] for code in seats}
    for number, category in entries:
        by_category.setdefault(category, []).append(number)
    return {
        code: sorted(numbers, key=lambda n: (rank(seed, n), n))[: seats.get(code, 0)]
        for code, numbers in by_category.items()
    }


def verify(published: dict) -> list[str]:
    """Problems found re-running the draw from a published record (the JSON of the public
    page); an empty list when the seed, the list and the selection all agree."""
    problems = []
    entries = [(r["number"], r["category"]) for r in published.get("registrations", [])]
    seed = published.get("seed") or ""
    if not seed:
        return ["The seed has not been published yet: the draw has not been made."]
    if seed_hash(seed) != published.get("seed_hash"):
        problems.append("The seed does not match the hash published before the draw.")
    if list_digest(entries) != published.get("list_digest"):
        problems.append("The list of registrations does not match its published SHA-256.")
    expected = draw(seed, entries, {k: int(v) for k, v in published.get("seats", {}).items()})
    selected = {k: list(v) for k, v in published.get("selected", {}).items()}
    for code in sorted(set(expected) | set(selected)):
        if sorted(expected.get(code, [])) != sorted(selected.get(code, [])):
            problems.append(
                f"Category {code}: re-running the draw selects {sorted(expected.get(code, []))}, "
                f"the published result is {sorted(selected.get(code, []))}."
            )
    return problems
