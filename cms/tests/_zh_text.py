"""Helpers of the zh-hans walk of the staff screens (issue 15): the UI text a staff member sees
or hears on a page (visible text nodes, button values, placeholders, titles, aria-labels, the
sidebar's menu labels), and the Latin-script words in it that are not names."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

# Elements whose text is not shown (scripts, styles, templates for JavaScript) — except the
# JSON props of Wagtail's sidebar, read separately for their labels.
_SKIP = {"script", "style", "template", "noscript", "code", "pre", "textarea", "datalist"}
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
_ATTRS = ("placeholder", "title", "aria-label", "alt", "aria-description")
_SIDEBAR_KEYS = {"label", "help_text", "title"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.skip_depth = 0
        self.texts: list[tuple[str, str]] = []  # (where, text)
        self._json = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/json":
            self._json = []
        for name in _ATTRS:
            if attrs.get(name):
                self.texts.append((f"{tag}[{name}]", attrs[name]))
        if (
            tag == "input"
            and attrs.get("type") in ("submit", "button", "reset")
            and attrs.get("value")
        ):
            self.texts.append(("input[value]", attrs["value"]))
        if tag in _VOID:
            return
        # A guide's own text (cms/staff_help) is a document, not the UI.
        skipping = tag in _SKIP or "data-tj-document" in attrs
        self.stack.append((tag, skipping))
        if skipping:
            self.skip_depth += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack and self.stack[-1][0] == tag:
            _tag, skipping = self.stack.pop()
            if skipping:
                self.skip_depth -= 1

    def handle_endtag(self, tag):
        if tag in _VOID or tag not in (t for t, _s in self.stack):
            return
        while self.stack:
            top, skipping = self.stack.pop()
            if skipping:
                self.skip_depth -= 1
            if top == "script" and self._json is not None:
                self._read_json("".join(self._json))
                self._json = None
            if top == tag:
                break

    def handle_data(self, data):
        if self._json is not None:
            self._json.append(data)
            return
        if self.skip_depth == 0 and data.strip():
            where = self.stack[-1][0] if self.stack else ""
            self.texts.append((where, data.strip()))

    def _read_json(self, raw: str):
        try:
            value = json.loads(raw)
        except ValueError:
            return

        def walk(node):
            if isinstance(node, dict):
                for key, item in node.items():
                    if key in _SIDEBAR_KEYS and isinstance(item, str):
                        self.texts.append((f"json[{key}]", item))
                    else:
                        walk(item)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(value)


def ui_texts(html: str) -> list[tuple[str, str]]:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser.texts


_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
# Names and abbreviations that stay in Latin script in Chinese text.
ALLOWED_WORDS = {
    "tingjian", "pdf", "csv", "xlsx", "xls", "docx", "totp", "url", "urls", "api", "id", "ids",
    "ip", "otp", "sms", "wagtail", "email", "e-mail", "http", "https", "www", "html", "svg", "utf",
    "json", "qr", "ok", "js", "cac", "gb", "mb", "kb", "iso", "pinyin", "okabe", "ito", "ai",
    "asia", "shanghai", "utc", "root", "english", "zip", "sha", "word", "avif", "gif", "jpg", "jpeg", "png", "webp", "txt", "md", "adr",
    "tsv",  # a file format Wagtail's redirect import reads ("支持的格式：CSV, XLSX, TSV")
}  # fmt: skip


# Whole texts that are data though they look like words: the audit viewer's entry details (the
# machine keys of an audit entry, e.g. "screen: audit"), Wagtail's root page, named "Root"; a
# page model's identifier (app_label.model, e.g. "cms.homepage") under its name in Wagtail's
# page types report.
DATA_TEXTS = re.compile(r"^(?:(screen|scope|format): [a-z_]+|[a-z_]+\.[a-z_]+)$")


def latin_words(text: str, allowed: set[str]) -> list[str]:
    """Latin-script words of ``text`` that are neither allowed names nor data (``allowed`` holds
    lower-cased words of the data on the page: titles, user names, file names)."""
    if DATA_TEXTS.match(text):
        return []
    # Examples in quotation marks (a slug, an import line) and slugs are data, not UI words.
    text = re.sub(r"“[^”]*”|\b[a-z0-9]+(?:-[a-z0-9]+)+\b", " ", text)
    # Addresses, e-mail addresses, file names and paths are data, not UI words.
    text = re.sub(
        r"\S+@\S+|\b\w+://\S+|/\S*|\S+\.(?:pdf|docx?|xlsx?|csv|txt|png|jpe?g)\b", " ", text
    )
    # A word in Wagtail's 'quotes' keeps the closing quote in _WORD: compare it without.
    words = (w.rstrip("'’") for w in _WORD.findall(text))
    return [w for w in words if w and w.lower() not in ALLOWED_WORDS and w.lower() not in allowed]
