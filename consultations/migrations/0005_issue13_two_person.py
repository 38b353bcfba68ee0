# Issue 13 (two people for consequential actions): withdrawal requests and the change-log types
# of the two-person actions. Written by hand (see docs/adr/0011-two-person-actions.md).
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import consultations.i18n


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0004_issue13_private_documents"),
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
                ],
                max_length=20,
                verbose_name="type",
            ),
        ),
        migrations.CreateModel(
            name="WithdrawalRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("unpublish", "withdraw from publication"),
                            ("cancel", "cancel the consultation"),
                        ],
                        max_length=12,
                        verbose_name="action",
                    ),
                ),
                ("reason", models.TextField(verbose_name="reason")),
                ("reason_en", models.TextField(blank=True, verbose_name="reason (English)")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "waiting for a second person"),
                            ("confirmed", "confirmed"),
                            ("refused", "refused"),
                            ("retracted", "withdrawn by the requester"),
                        ],
                        default="pending",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                (
                    "requested_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="requested at"),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                (
                    "decision_comment",
                    models.TextField(blank=True, verbose_name="reason for the decision"),
                ),
                (
                    "consultation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="withdrawal_requests",
                        to="consultations.consultation",
                        verbose_name="consultation",
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
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requested by",
                    ),
                ),
            ],
            options={
                "verbose_name": "withdrawal request",
                "verbose_name_plural": "withdrawal requests",
                "ordering": ["-requested_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "pending")),
                        fields=("consultation",),
                        name="withdrawal_one_pending_per_consultation",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["pending", "retracted"]),
                            models.Q(("decided_by", models.F("requested_by")), _negated=True),
                            _connector="OR",
                        ),
                        name="withdrawal_decided_by_another_person",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status", "pending"),
                            models.Q(("decided_at__isnull", False), ("decided_by__isnull", False)),
                            _connector="OR",
                        ),
                        name="withdrawal_decision_has_time",
                    ),
                ],
            },
            bases=(consultations.i18n.BilingualMixin, models.Model),
        ),
    ]
