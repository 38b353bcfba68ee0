"""Markers for the per-request parts of a page rendered once, split out and filled in later."""

import re

# Private-use characters: never produced by escaping, so they survive rendering intact.
SLOTS = {
    "title": "\ue000title\ue001",
    "main": "\ue000main\ue001",
    "csrf": "\ue000csrf\ue001",
    "path": "\ue000path\ue001",
    "token": "\ue000token\ue001",
}
SLOT_NAMES = {marker: name for name, marker in SLOTS.items()}
SLOT_RE = re.compile("(" + "|".join(map(re.escape, SLOTS.values())) + ")")


class PathOnly:
    """Stands in for the request in the shell: the forms' ``next`` field is a slot."""

    def get_full_path(self) -> str:
        return SLOTS["path"]
