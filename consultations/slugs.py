"""Readable ASCII slugs from Chinese titles: 示例市停车收费规定 → ``shili-shi-tingche-shoufei-guiding``.

The title is cut into words (jieba), each word written in toneless pinyin (pypinyin) and the
words joined by hyphens, so the address reads like the title. Latin letters and digits stay;
everything else is dropped. The slug is cut at a word boundary to ``MAX_LENGTH`` and made unique
with ``-2``, ``-3`` … When nothing readable is left (a title of symbols only) it falls back to
``consultation-<date>``.
"""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.text import slugify

MAX_LENGTH = 60
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _words(title: str) -> list[str]:
    import logging

    import jieba
    from pypinyin import Style, lazy_pinyin

    jieba.setLogLevel(logging.WARNING)
    words = []
    for token in jieba.lcut(title or ""):
        text = "".join(lazy_pinyin(token, style=Style.NORMAL, errors="default"))
        text = _NOT_SLUG.sub("-", slugify(text).lower()).strip("-")
        if text:
            words.append(text)
    return words


def pinyin_slug(title: str, *, max_length: int = MAX_LENGTH) -> str:
    """The readable slug of ``title`` (not yet checked for uniqueness); may be empty."""
    slug = ""
    for word in "-".join(_words(title)).split("-"):
        if not word:
            continue
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or slugify(title or "")[:max_length].strip("-")


def unique_slug(title: str, *, exclude_pk=None, max_length: int = MAX_LENGTH) -> str:
    """A slug for ``title`` that no other consultation uses."""
    from consultations.models import Consultation

    base = pinyin_slug(title, max_length=max_length - 4) or (
        f"consultation-{timezone.localdate():%Y%m%d}"
    )
    taken = Consultation.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    used = set(taken.values_list("slug", flat=True))
    if base not in used:
        return base
    number = 2
    while f"{base}-{number}" in used:
        number += 1
    return f"{base}-{number}"
