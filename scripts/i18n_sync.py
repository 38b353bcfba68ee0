"""Refresh the zh-hans and en catalogues and compile them.

1. `makemessages` for zh_Hans and en (needs GNU gettext, installed by scripts/system-deps.sh);
2. fills zh_Hans msgstr from locale/pending/*.json where still empty, and en msgstr = msgid;
3. lists msgids still untranslated and writes the .mo files with polib (no msgfmt needed).

Run: .venv/bin/python scripts/i18n_sync.py [--no-extract]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "locale"
IGNORE = [".venv", "node_modules", "static_collected", "media", "bench", ".pgdata", "test-results"]


def extract() -> None:
    cmd = [
        sys.executable,
        "manage.py",
        "makemessages",
        "-l",
        "zh_Hans",
        "-l",
        "en",
        "--no-obsolete",
    ]
    for pattern in IGNORE:
        cmd += ["--ignore", pattern]
    # manage.py has no default settings module (docs/management-commands.md).
    settings = os.environ.get("DJANGO_SETTINGS_MODULE") or "cms.config.settings.dev"
    subprocess.run(
        cmd, cwd=ROOT, check=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": settings}
    )


def pending() -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((LOCALE / "pending").glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def fill(po_path: Path, translate) -> list[str]:
    po = polib.pofile(str(po_path), wrapwidth=0)
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
            entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
        if entry.msgid_plural:
            if not all(entry.msgstr_plural.values()):
                one = translate(entry.msgid)
                other = translate(entry.msgid_plural)
                if one and other:
                    entry.msgstr_plural = {
                        k: (one if k == 0 else other) for k in entry.msgstr_plural
                    }
                else:
                    missing.append(entry.msgid)
        elif not entry.msgstr:
            value = translate(entry.msgid)
            if value:
                entry.msgstr = value
            else:
                missing.append(entry.msgid)
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save(str(po_path))
    po.save_as_mofile(str(po_path.with_suffix(".mo")))
    return missing


def main() -> int:
    if "--no-extract" not in sys.argv:
        extract()
    table = pending()
    missing = fill(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po", table.get)
    fill(LOCALE / "en" / "LC_MESSAGES" / "django.po", lambda msgid: msgid)
    if missing:
        print(f"{len(missing)} msgids without a Chinese translation:")
        for msgid in missing:
            print("  ", json.dumps(msgid, ensure_ascii=False))
        return 1
    print("catalogues complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
