"""The dossier's manifest (``manifest.json`` in the ZIP) and its verification.

The manifest lists every other file of the ZIP with its size, SHA-256, media type and title,
and the consultation's metadata (the elements that make an electronic record "要素合规",
档案法 Art. 37). ``verify`` recomputes every checksum: a changed, missing or added file, or a
manifest that is not ours, is a problem. The manifest itself is not signed; whoever keeps the
dossier keeps its SHA-256 with the archive record (docs/dossier.md).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = "tingjian-dossier"
VERSION = 1
MANIFEST = "manifest.json"


@dataclass
class Entry:
    path: str
    data: bytes
    media_type: str
    title: str
    text: str = ""  # the words of a generated document (not written; for checks and tests)


@dataclass
class Manifest:
    metadata: dict
    entries: list[Entry] = field(default_factory=list)

    def add(
        self, path: str, data: bytes | str, media_type: str, title: str, text: str = ""
    ) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8")
        if any(e.path == path for e in self.entries) or path == MANIFEST:
            raise ValueError(f"duplicate path {path}")
        self.entries.append(Entry(path, data, media_type, str(title), text))

    def add_json(self, path: str, value, title: str) -> None:
        text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)
        self.add(path, text + "\n", "application/json", title)

    def as_dict(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            **self.metadata,
            "files": [
                {
                    "path": e.path,
                    "bytes": len(e.data),
                    "sha256": hashlib.sha256(e.data).hexdigest(),
                    "media_type": e.media_type,
                    "title": e.title,
                }
                for e in self.entries
            ],
        }

    def write_zip(self, path: Path) -> dict:
        manifest = self.as_dict()
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
            for e in self.entries:
                z.writestr(e.path, e.data)
        return manifest


def verify(path: Path) -> list[str]:
    """Problems of the dossier at ``path`` against its manifest (empty: it verifies)."""
    problems: list[str] = []
    try:
        z = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"not a readable ZIP file: {exc}"]
    with z:
        names = [i.filename for i in z.infolist() if not i.is_dir()]
        if len(names) != len(set(names)):
            problems.append("the ZIP holds two files with the same name")
        if MANIFEST not in names:
            return [*problems, f"{MANIFEST} is missing"]
        try:
            manifest = json.loads(z.read(MANIFEST).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return [*problems, f"{MANIFEST} is not valid JSON: {exc}"]
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            problems.append(f"{MANIFEST} is not a {FORMAT} manifest, version {VERSION}")
        listed = {}
        for item in manifest.get("files") or []:
            listed[item.get("path")] = item
        for name in sorted(set(names) - set(listed) - {MANIFEST}):
            problems.append(f"{name}: in the ZIP but not in the manifest")
        for name, item in sorted(listed.items(), key=lambda kv: str(kv[0])):
            if name not in names:
                problems.append(f"{name}: in the manifest but missing from the ZIP")
                continue
            data = z.read(name)
            if len(data) != item.get("bytes"):
                problems.append(
                    f"{name}: size {len(data)} bytes, manifest says {item.get('bytes')}"
                )
            if hashlib.sha256(data).hexdigest() != item.get("sha256"):
                problems.append(f"{name}: SHA-256 does not match the manifest")
    return problems
