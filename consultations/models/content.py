"""The parts of a consultation: the draft, alternatives, questions and attachments."""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.models import Orderable

from consultations.i18n import BilingualMixin


class DraftClause(BilingualMixin, Orderable):
    """The editable working copy of one clause; frozen into a DraftVersion on opening."""

    consultation = ParentalKey(
        "consultations.Consultation", on_delete=models.CASCADE, related_name="draft_clauses"
    )
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    heading_en = models.CharField(_("heading (English)"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    text_en = models.TextField(_("text (English)"), blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")

    def __str__(self) -> str:
        return self.heading or self.text[:40]


class DraftVersion(BilingualMixin, models.Model):
    """One published version of the draft text. A new version is new rows, never an edit."""

    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.PROTECT, related_name="draft_versions"
    )
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    note = models.TextField(_("what changed"), blank=True)
    note_en = models.TextField(_("what changed (English)"), blank=True)

    class Meta:
        ordering = ["consultation", "number"]
        verbose_name = _("draft version")
        verbose_name_plural = _("draft versions")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "number"], name="draftversion_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="draftversion_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation} v{self.number}"


class Clause(BilingualMixin, models.Model):
    """A numbered clause of a frozen draft version; ``number`` gives the stable anchor."""

    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="clauses")
    number = models.PositiveIntegerField(_("number"))
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    heading_en = models.CharField(_("heading (English)"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    text_en = models.TextField(_("text (English)"), blank=True)

    class Meta:
        ordering = ["version", "number"]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="clause_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.heading or self.text[:40]}"

    @property
    def anchor(self) -> str:
        return f"clause-{self.number}"


class Alternative(BilingualMixin, Orderable):
    consultation = ParentalKey(
        "consultations.Consultation", on_delete=models.CASCADE, related_name="alternatives"
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary = models.TextField(_("summary"))
    summary_en = models.TextField(_("summary (English)"), blank=True)
    advantages = models.TextField(_("advantages"), blank=True)
    advantages_en = models.TextField(_("advantages (English)"), blank=True)
    disadvantages = models.TextField(_("disadvantages"), blank=True)
    disadvantages_en = models.TextField(_("disadvantages (English)"), blank=True)
    cost = models.CharField(_("estimated cost"), max_length=200, blank=True)
    cost_en = models.CharField(_("estimated cost (English)"), max_length=200, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("alternative")
        verbose_name_plural = _("alternatives")

    def __str__(self) -> str:
        return self.title


# "（1＝很不充分，5＝非常充分）" / "(1 = not at all, 5 = fully)" in a question's text: how the
# words for 1 and 5 were given before the question had fields for them.
SCALE_ENDS = re.compile(
    r"[（(]\s*1\s*[=＝:：]\s*(?P<low>[^，,;；）)]+?)\s*[，,;；]\s*"
    r"5\s*[=＝:：]\s*(?P<high>[^）)]+?)\s*[）)]"
)


class Question(BilingualMixin, Orderable):
    """A questionnaire question. The overall stance is built into the opinion form, not a row."""

    class Type(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        SCALE = "scale", _("scale 1–5")
        TEXT = "text", _("short text")

    consultation = ParentalKey(
        "consultations.Consultation", on_delete=models.CASCADE, related_name="questions"
    )
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    text = models.CharField(_("question"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500, blank=True)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    help_text_en = models.CharField(_("help text (English)"), max_length=500, blank=True)
    options = models.TextField(_("options, one per line"), blank=True)
    options_en = models.TextField(_("options in English, one per line"), blank=True)
    required = models.BooleanField(_("required"), default=False)
    # What 1 and 5 mean on a scale question (issue 15), shown beside 1 and 5 on every form.
    scale_low_label = models.CharField(
        _("what 1 means"),
        max_length=100,
        blank=True,
        help_text=_(
            "Scale questions only: the words for the lowest answer, for example 很不充分. "
            "Give the words for both ends, or for neither."
        ),
    )
    scale_low_label_en = models.CharField(
        _("what 1 means (English)"),
        max_length=100,
        blank=True,
        help_text=_("The same words in English, for the English pages."),
    )
    scale_high_label = models.CharField(
        _("what 5 means"),
        max_length=100,
        blank=True,
        help_text=_(
            "Scale questions only: the words for the highest answer, for example 非常充分."
        ),
    )
    scale_high_label_en = models.CharField(
        _("what 5 means (English)"),
        max_length=100,
        blank=True,
        help_text=_("The same words in English, for the English pages."),
    )

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text

    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]

    def localized_options(self) -> list[tuple[int, str]]:
        """(index, label) pairs; answers store the index so both languages count together."""
        from consultations.i18n import wants_english

        zh = self.option_list()
        en = [line.strip() for line in self.options_en.splitlines() if line.strip()]
        labels = en if wants_english() and len(en) == len(zh) else zh
        return list(enumerate(labels, start=1))

    def scale_ends(self) -> tuple[str, str] | None:
        """What 1 and 5 mean on this scale question, in the page's language, or None.

        The question's fields come first (``_en`` on English pages). Rows written before those
        fields existed (issue 15) are read as the forms read them then; the migration
        consultations/0006 copied them over, this stays for safety: two lines in ``options``
        (``options_en``) are the low and the high end, otherwise "(1 = …, 5 = …)" in the text.
        An English page without English words falls back to the Chinese ones.
        """
        from consultations.i18n import wants_english

        if wants_english():
            found = self.scale_label_pair("_en") or self._old_scale_ends(english=True)
            if found:
                return found
        return self.scale_label_pair() or self._old_scale_ends(english=False)

    def scale_ends_text(self) -> str:
        """ "(1 = 很不充分, 5 = 非常充分)" in the page's language, or "" without words: what a
        bare "4 / 5" on a receipt, an import template or the outage page means."""
        from django.utils.translation import gettext

        ends = self.scale_ends()
        if not ends:
            return ""
        return gettext("(1 = %(low)s, 5 = %(high)s)") % {"low": ends[0], "high": ends[1]}

    def scale_label_pair(self, suffix: str = "") -> tuple[str, str] | None:
        """The question's own words for 1 and 5 (``suffix="_en"``: the English ones), or None
        unless both are given."""
        low = (getattr(self, f"scale_low_label{suffix}") or "").strip()
        high = (getattr(self, f"scale_high_label{suffix}") or "").strip()
        return (low, high) if low and high else None

    def _old_scale_ends(self, *, english: bool) -> tuple[str, str] | None:
        zh = self.option_list()
        if english:
            lines = [line.strip() for line in self.options_en.splitlines() if line.strip()]
        else:
            lines = zh
        if len(lines) == 2 and len(zh) == 2:
            return lines[0], lines[1]
        found = SCALE_ENDS.search((self.text_en if english else self.text) or "")
        return (found["low"], found["high"]) if found else None

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, object] = {}
        if self.type in (self.Type.SINGLE, self.Type.MULTIPLE) and len(self.option_list()) < 2:
            errors["options"] = _("A choice question needs at least two options.")
        en = [line for line in self.options_en.splitlines() if line.strip()]
        if en and len(en) != len(self.option_list()):
            errors["options_en"] = _(
                "Give one English option for each Chinese option, in the same order."
            )
        errors.update(self._scale_label_errors())
        if errors:
            raise ValidationError(errors)

    def _scale_label_errors(self) -> dict[str, object]:
        """One end of the scale without the other would show words on 1 and nothing on 5."""
        names = ("scale_low_label", "scale_high_label", "scale_low_label_en", "scale_high_label_en")
        given = {name: bool((getattr(self, name) or "").strip()) for name in names}
        if not any(given.values()):
            return {}
        if self.type != self.Type.SCALE:
            return {
                "scale_low_label": _(
                    "Only a 1–5 scale question has words for its two ends. Clear them, or "
                    "choose the type “scale 1–5”."
                )
            }
        both = _("Give the words for both ends of the scale (1 and 5), or for neither.")
        for suffix in ("", "_en"):
            low, high = given[f"scale_low_label{suffix}"], given[f"scale_high_label{suffix}"]
            if low != high:
                return {f"scale_{'high' if low else 'low'}_label{suffix}": both}
        if not given["scale_low_label"]:
            return {
                "scale_low_label": _(
                    "Give the Chinese words for the two ends first; the English ones translate "
                    "them."
                )
            }
        return {}


class Attachment(BilingualMixin, Orderable):
    class Type(models.TextChoices):
        DRAFT = "draft", _("full draft")
        EXPLANATION = "explanation", _("explanatory note")
        ANALYSIS = "analysis", _("supporting analysis")
        EIA = "eia", _("environmental impact report")
        NOTICE = "notice", _("printable notice")
        OTHER = "other", _("other")

    consultation = ParentalKey(
        "consultations.Consultation", on_delete=models.CASCADE, related_name="attachments"
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.OTHER)

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title
