# Issue 15/16: the decision record and the decision chain.

import consultations.i18n
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0006_issue15_editing"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="changelogentry",
            name="type",
            field=models.CharField(
                choices=[
                    ("published", "published"),
                    ("edited", "content changed"),
                    ("extended", "period extended"),
                    ("draft_version", "new draft version"),
                    ("stage", "stage changed"),
                    ("withdrawal_requested", "withdrawal requested"),
                    ("withdrawal_refused", "withdrawal refused"),
                    ("withdrawal_retracted", "withdrawal request withdrawn"),
                    ("unpublished", "withdrawn from publication"),
                    ("cancelled", "consultation cancelled"),
                    ("response_submitted", "response submitted for approval"),
                    ("response_returned", "response sent back"),
                    ("response_approved", "response approved"),
                    ("stability", "stability risk assessment disclosure"),
                    ("decision_step", "step towards the decision"),
                    ("decision", "decision recorded"),
                ],
                max_length=20,
                verbose_name="type",
            ),
        ),
        migrations.CreateModel(
            name="Decision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("decided_on", models.DateField(verbose_name="decision date")),
                ("body", models.CharField(max_length=200, verbose_name="deciding body")),
                (
                    "body_en",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="deciding body (English)"
                    ),
                ),
                (
                    "meeting",
                    models.CharField(
                        blank=True,
                        help_text="For example: the 12th executive meeting of the city government.",
                        max_length=200,
                        verbose_name="meeting",
                    ),
                ),
                (
                    "meeting_en",
                    models.CharField(blank=True, max_length=200, verbose_name="meeting (English)"),
                ),
                (
                    "summary",
                    models.TextField(
                        help_text="Shown on the public page: what was decided, and how public and expert opinions were adopted.",
                        verbose_name="the decision and how opinions were adopted",
                    ),
                ),
                ("summary_en", models.TextField(blank=True, verbose_name="summary (English)")),
                (
                    "recorded_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="recorded at"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "consultation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="decision",
                        to="consultations.consultation",
                        verbose_name="consultation",
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="wagtaildocs.document",
                        verbose_name="decision document",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "decision",
                "verbose_name_plural": "decisions",
            },
            bases=(consultations.i18n.BilingualMixin, models.Model),
        ),
        migrations.CreateModel(
            name="DecisionStep",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "step",
                    models.CharField(
                        choices=[
                            ("consultation", "public consultation"),
                            ("hearing", "hearing"),
                            ("expert_review", "expert review"),
                            ("stability", "social stability risk assessment"),
                            ("legality_review", "legality review"),
                            ("collective_decision", "collective decision"),
                            ("publication", "publication of the decision"),
                        ],
                        max_length=30,
                        verbose_name="step",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("not_started", "not yet done"),
                            ("in_progress", "in progress"),
                            ("done", "done"),
                            ("withheld", "done, not disclosed according to law"),
                            ("not_required", "not required"),
                        ],
                        default="not_started",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "required",
                    models.BooleanField(
                        default=False,
                        help_text="Set when the law makes this step mandatory here (a majority objection).",
                        verbose_name="mandatory for this consultation",
                    ),
                ),
                ("date", models.DateField(blank=True, null=True, verbose_name="date")),
                (
                    "summary",
                    models.TextField(
                        blank=True,
                        help_text="Shown on the public page. For expert review: the experts' opinions and how they were adopted; when not required: why.",
                        verbose_name="what was done and how opinions were adopted",
                    ),
                ),
                ("summary_en", models.TextField(blank=True, verbose_name="summary (English)")),
                (
                    "withheld_ground",
                    models.TextField(
                        blank=True,
                        help_text="Required when the step is not disclosed: cite the article of law.",
                        verbose_name="legal ground for not disclosing",
                    ),
                ),
                ("url", models.CharField(blank=True, max_length=500, verbose_name="public link")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "consultation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="decision_steps",
                        to="consultations.consultation",
                        verbose_name="consultation",
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="wagtaildocs.document",
                        verbose_name="document",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "decision step",
                "verbose_name_plural": "decision steps",
                "ordering": ["consultation", "step"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("consultation", "step"), name="decisionstep_one_per_step"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "withheld"), _negated=True),
                            models.Q(("withheld_ground", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="decisionstep_withheld_has_ground",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status__in", ["done", "withheld"]), _negated=True),
                            ("date__isnull", False),
                            _connector="OR",
                        ),
                        name="decisionstep_done_has_date",
                    ),
                ],
            },
            bases=(consultations.i18n.BilingualMixin, models.Model),
        ),
    ]
