# Issue 13 (two people for consequential actions): the official response is submitted by one
# person and approved (which publishes it) by another; the assessor's level counts once a second
# person confirms it, and every recorded level is kept in RiskAssessmentChange. The new
# AuditAction values are in 0015's AlterField of AuditEntry.action (choices live only in
# Django's state). Written by hand; see docs/adr/0011-two-person-actions.md.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

LEVELS = [("high", "high risk"), ("medium", "medium risk"), ("low", "low risk")]


def mark_published_responses(apps, schema_editor):
    """Responses published before this migration were published by one person; they stay
    published (status 'published'), with an empty ``submitted_by``."""
    response = apps.get_model("feedback", "ConsultationResponse")
    response.objects.filter(published_at__isnull=False).update(status="published")


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0013_network_privacy"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="consultationresponse",
            name="status",
            field=models.CharField(
                choices=[
                    ("submitted", "submitted, waiting for approval"),
                    ("returned", "sent back for changes"),
                    ("published", "approved and published"),
                ],
                default="submitted",
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="consultationresponse",
            name="submitted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="submitted by",
            ),
        ),
        migrations.AddField(
            model_name="consultationresponse",
            name="submitted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="submitted at"),
        ),
        migrations.AddField(
            model_name="consultationresponse",
            name="fingerprint",
            field=models.CharField(
                blank=True, max_length=64, verbose_name="fingerprint of what was submitted"
            ),
        ),
        migrations.AddField(
            model_name="consultationresponse",
            name="returned_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="sent back by",
            ),
        ),
        migrations.AddField(
            model_name="consultationresponse",
            name="returned_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sent back at"),
        ),
        migrations.AddField(
            model_name="consultationresponse",
            name="return_comment",
            field=models.TextField(blank=True, verbose_name="comment when sent back"),
        ),
        migrations.RunPython(mark_published_responses, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="consultationresponse",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "published"), _negated=True),
                    models.Q(
                        ("published_at__isnull", False),
                        ("published_by__isnull", False),
                        models.Q(("published_by", models.F("submitted_by")), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="response_published_by_a_second_person",
            ),
        ),
        migrations.AddConstraint(
            model_name="consultationresponse",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status", "published"), ("published_at__isnull", True), _connector="OR"
                ),
                name="response_published_only_when_approved",
            ),
        ),
        migrations.AddField(
            model_name="riskassessment",
            name="confirmed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="confirmed by",
            ),
        ),
        migrations.AddField(
            model_name="riskassessment",
            name="confirmed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="confirmed at"),
        ),
        migrations.CreateModel(
            name="RiskAssessmentChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "level",
                    models.CharField(
                        blank=True, choices=LEVELS, max_length=10, verbose_name="level"
                    ),
                ),
                (
                    "previous_level",
                    models.CharField(
                        blank=True, choices=LEVELS, max_length=10, verbose_name="level before"
                    ),
                ),
                ("reasons", models.TextField(blank=True, verbose_name="reasons for the level")),
                ("reasons_en", models.TextField(blank=True, verbose_name="reasons (English)")),
                ("disclose", models.BooleanField(default=False, verbose_name="disclose in public")),
                (
                    "measures",
                    models.JSONField(
                        blank=True, default=list, verbose_name="concerns and measures"
                    ),
                ),
                ("recorded_at", models.DateTimeField(verbose_name="recorded at")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "waiting for confirmation"),
                            ("confirmed", "confirmed"),
                            ("returned", "sent back"),
                            ("superseded", "replaced by a later record before confirmation"),
                        ],
                        default="pending",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                ("decision_comment", models.TextField(blank=True, verbose_name="comment")),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="changes",
                        to="feedback.riskassessment",
                        verbose_name="assessment",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "risk assessment change",
                "verbose_name_plural": "risk assessment history",
                "ordering": ["-recorded_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "pending")),
                        fields=("assessment",),
                        name="risk_change_one_pending",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status__in", ["confirmed", "returned"]), _negated=True),
                            models.Q(
                                ("decided_at__isnull", False),
                                ("decided_by__isnull", False),
                                models.Q(("decided_by", models.F("recorded_by")), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="risk_change_decided_by_a_second_person",
                    ),
                ],
            },
        ),
    ]
