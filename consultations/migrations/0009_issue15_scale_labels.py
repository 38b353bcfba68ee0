# Issue 15: scale questions say what 1 and 5 mean (session 10; 0006 was applied empty before).
#
# Scale questions get fields of their own for what 1 and 5 mean. Until now the words came from
# two lines of ``options`` or from "（1＝…，5＝…）" at the end of the question's text
# (Question.scale_ends, which still reads them when the fields are empty). The
# data step copies those words into the new fields, in the rows and in the consultations'
# saved revisions (the editor opens the latest revision; without them an open consultation,
# whose questions are frozen, would be refused as changed). Backwards: nothing to undo, the
# old sources are left as they were.
import re

from django.db import migrations, models

# A copy of consultations.models.content.SCALE_ENDS as it was when this migration was written.
SCALE_ENDS = re.compile(
    r"[（(]\s*1\s*[=＝:：]\s*(?P<low>[^，,;；）)]+?)\s*[，,;；]\s*"
    r"5\s*[=＝:：]\s*(?P<high>[^）)]+?)\s*[）)]"
)
LABELS = ("scale_low_label", "scale_high_label", "scale_low_label_en", "scale_high_label_en")


def _lines(text) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _from_text(text):
    found = SCALE_ENDS.search(text or "")
    return (found["low"].strip(), found["high"].strip()) if found else None


def old_labels(question: dict) -> dict[str, str]:
    """The words the forms showed for 1 and 5, read as they read them; {} when none.

    ``question``: the values of one scale question (a row or a revision's serialised copy).
    The English pair only with a Chinese one (the admin refuses English words alone).
    """
    zh_lines, en_lines = _lines(question.get("options")), _lines(question.get("options_en"))
    zh = tuple(zh_lines) if len(zh_lines) == 2 else _from_text(question.get("text"))
    if zh is None:
        return {}
    both = len(zh_lines) == 2 and len(en_lines) == 2
    en = tuple(en_lines) if both else _from_text(question.get("text_en"))
    labels = {"scale_low_label": zh[0][:100], "scale_high_label": zh[1][:100]}
    if en is not None:
        labels.update(scale_low_label_en=en[0][:100], scale_high_label_en=en[1][:100])
    return labels


def _needs_labels(question: dict) -> bool:
    return question.get("type") == "scale" and not any(question.get(n) for n in LABELS)


def fill_scale_labels(apps, schema_editor):
    Question = apps.get_model("consultations", "Question")
    fields = ("type", "text", "text_en", "options", "options_en", *LABELS)
    for row in Question.objects.filter(type="scale").values("pk", *fields):
        if _needs_labels(row) and (labels := old_labels(row)):
            Question.objects.filter(pk=row["pk"]).update(**labels)

    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")
    content_type = ContentType.objects.filter(
        app_label="consultations", model="consultation"
    ).first()
    if content_type is None:
        return
    for revision in Revision.objects.filter(content_type=content_type).iterator():
        content = revision.content
        changed = False
        for question in content.get("questions") or []:
            if isinstance(question, dict) and _needs_labels(question):
                if labels := old_labels(question):
                    question.update(labels)
                    changed = True
        if changed:
            Revision.objects.filter(pk=revision.pk).update(content=content)


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0008_issue16_follow_up"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="scale_high_label",
            field=models.CharField(
                blank=True,
                help_text=(
                    "Scale questions only: the words for the highest answer, for example 非常充分."
                ),
                max_length=100,
                verbose_name="what 5 means",
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="scale_high_label_en",
            field=models.CharField(
                blank=True,
                help_text="The same words in English, for the English pages.",
                max_length=100,
                verbose_name="what 5 means (English)",
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="scale_low_label",
            field=models.CharField(
                blank=True,
                help_text=(
                    "Scale questions only: the words for the lowest answer, for example 很不充分. "
                    "Give the words for both ends, or for neither."
                ),
                max_length=100,
                verbose_name="what 1 means",
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="scale_low_label_en",
            field=models.CharField(
                blank=True,
                help_text="The same words in English, for the English pages.",
                max_length=100,
                verbose_name="what 1 means (English)",
            ),
        ),
        migrations.RunPython(fill_scale_labels, migrations.RunPython.noop),
    ]
