"""The guides officials read, rendered from docs/*.md for the admin's help menu.

Only the files listed in ``GUIDES`` are served (a slug from the URL never becomes a path).
Markdown is rendered by markdown-it-py in CommonMark mode with raw HTML off: HTML written in
a guide is shown as text, and links with unsafe schemes (``javascript:`` …) are not made.
Links between guides point at their help pages; links to other repository files become text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt

DOCS = Path(settings.BASE_DIR) / "docs"


@dataclass(frozen=True)
class Guide:
    slug: str
    filename: str
    title: object  # lazy translation
    summary: object


GUIDES = (
    Guide(
        "officials",
        "officials-guide.md",
        _("Officials' guide"),
        _("Preparing, approving and publishing a consultation; the home page; the rules."),
    ),
    Guide(
        "moderation",
        "moderation-guide.md",
        _("Moderation guide"),
        _("Showing opinions in public, hiding them, and why."),
    ),
    Guide(
        "intake",
        "intake-guide.md",
        _("Intake clerks' guide"),
        _("Entering and importing opinions received offline."),
    ),
    Guide(
        "analysts",
        "analysts-guide.md",
        _("Analysts' guide"),
        _("Coding opinions into themes, campaigns, the analysis and exports."),
    ),
    Guide(
        "response",
        "response-guide.md",
        _("Response guide"),
        _("Answering every theme and publishing the response."),
    ),
    Guide(
        "assessor",
        "assessor-guide.md",
        _("Assessors' guide"),
        _("The evidence for the social stability risk assessment."),
    ),
    Guide(
        "privacy",
        "privacy-officers-guide.md",
        _("Privacy officers' guide"),
        _("Personal information, identity look-ups and the audit trail."),
    ),
    Guide(
        "accounts",
        "staff-accounts.md",
        _("Staff accounts"),
        _("Signing in, the second factor, lockouts."),
    ),
    Guide(
        "methodology",
        "methodology.md",
        _("How opinions are counted"),
        _("How the portal counts and analyses opinions."),
    ),
)
BY_SLUG = {g.slug: g for g in GUIDES}
BY_FILE = {g.filename: g for g in GUIDES}


def heading_id(text: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def _link(href: str) -> str | None:
    """A guide's link made into a help-page link; None for a repository file that is not served."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I) or href.startswith("#"):
        return href
    path, _sep, fragment = href.partition("#")
    name = path.rsplit("/", 1)[-1]
    guide = BY_FILE.get(name)
    if guide is None:
        return None
    url = reverse("tingjian_help:guide", args=[guide.slug])
    return f"{url}#{fragment}" if fragment else url


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")

    def heading(_renderer, tokens, idx, options, env):
        # One level down: the admin header is the page's h1.
        inline = tokens[idx + 1]
        tokens[idx].attrSet("id", heading_id(inline.content))
        tokens[idx].tag = f"h{min(6, int(tokens[idx].tag[1]) + 1)}"
        return md.renderer.renderToken(tokens, idx, options, env)

    def heading_close(_renderer, tokens, idx, options, env):
        tokens[idx].tag = f"h{min(6, int(tokens[idx].tag[1]) + 1)}"
        return md.renderer.renderToken(tokens, idx, options, env)

    def link_open(_renderer, tokens, idx, options, env):
        token = tokens[idx]
        target = _link(token.attrGet("href") or "")
        if target is None:
            token.attrs.pop("href", None)
            token.tag = "span"
            env.setdefault("spans", []).append(idx)
        else:
            token.attrSet("href", target)
            if target.startswith(("http://", "https://")):
                token.attrSet("rel", "noreferrer")
        return md.renderer.renderToken(tokens, idx, options, env)

    def link_close(_renderer, tokens, idx, options, env):
        # The matching opening tag was turned into a span when its link was not served.
        depth = 0
        for j in range(idx - 1, -1, -1):
            if tokens[j].type == "link_close":
                depth += 1
            elif tokens[j].type == "link_open":
                if depth == 0:
                    tokens[idx].tag = tokens[j].tag
                    break
                depth -= 1
        return md.renderer.renderToken(tokens, idx, options, env)

    def image(_renderer, tokens, idx, options, env):
        # No images from guides in the admin: their alt text stands in.
        return md.renderer.renderInlineAsText(tokens[idx].children or [], options, env)

    md.add_render_rule("heading_open", heading)
    md.add_render_rule("heading_close", heading_close)
    md.add_render_rule("link_open", link_open)
    md.add_render_rule("link_close", link_close)
    md.add_render_rule("image", image)
    return md


@lru_cache(maxsize=64)
def _render(filename: str, mtime: float, table_label: str) -> str:
    text = (DOCS / filename).read_text(encoding="utf-8")
    html = _parser().render(text)
    # Tables scroll in their own box rather than widening the page; the box takes the keyboard
    # focus so that it can be scrolled without a mouse.
    box = f'<div class="tj-guide-table" tabindex="0" role="region" aria-label="{escape(table_label)}">'
    return html.replace("<table>", f'{box}<table class="listing">').replace(
        "</table>", "</table></div>"
    )


def render(guide: Guide) -> SafeString:
    path = DOCS / guide.filename
    html = _render(guide.filename, path.stat().st_mtime, gettext("Table"))
    return mark_safe(html)  # noqa: S308 - raw HTML is off in the parser; the label is escaped


def first_heading(guide: Guide) -> str:
    for line in (DOCS / guide.filename).read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return str(guide.title)
