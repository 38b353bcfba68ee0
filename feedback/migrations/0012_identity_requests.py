"""Identity look-ups (two people, shown once), the register of residents' privacy requests,
and the audit actions of both (issue 12, point 6)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("feedback", "0011_intake_audit")]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("moderate", "moderated an opinion"),
                    ("display", "changed public display"),
                    ("code", "coded an opinion"),
                    ("no_theme", "marked an opinion as having no theme"),
                    ("theme", "changed the coding frame"),
                    ("suggestion", "accepted or rejected a suggestion"),
                    ("campaign", "decided on a campaign group"),
                    ("disposition", "set a disposition"),
                    ("publish", "published"),
                    ("export", "exported data"),
                    ("contact_read", "read a contact"),
                    ("contact_purge", "purged contacts"),
                    ("risk", "recorded the risk assessment"),
                    ("intake", "entered an offline opinion"),
                    ("intake_import", "imported offline opinions"),
                    ("intake_receipts", "showed or closed intake receipt codes"),
                    ("identity_request", "asked for an identity look-up"),
                    ("identity_approve", "approved an identity look-up"),
                    ("identity_refuse", "refused an identity look-up"),
                    ("identity_reveal", "was shown a contact after approval"),
                    ("identity_expire", "an identity look-up expired"),
                    ("identity_cancel", "withdrew an identity look-up"),
                    ("privacy_request", "recorded a resident's privacy request"),
                    ("audit_view", "viewed the audit trail or access log"),
                ],
                max_length=20,
                verbose_name="action",
            ),
        ),
        migrations.CreateModel(
            name="IdentityRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="requested at"),
                ),
                (
                    "legal_basis",
                    models.CharField(
                        choices=[
                            (
                                "legal_duty",
                                "a statutory duty or obligation of the authority (PIPL Art. 13(1)(3))",
                            ),
                            (
                                "authority_demand",
                                "a written demand under law from a public security organ, procuratorate, court or supervisory commission",
                            ),
                            (
                                "emergency",
                                "an emergency: protecting someone's life, health or property (PIPL Art. 13(1)(4))",
                            ),
                            (
                                "subject_request",
                                "the resident's own request to access, copy, correct or delete their details (PIPL Arts. 44 to 47)",
                            ),
                        ],
                        max_length=20,
                        verbose_name="legal basis",
                    ),
                ),
                (
                    "legal_reference",
                    models.CharField(
                        help_text="The law and article relied on, and the number of the written demand or file, for example 《刑事诉讼法》第五十四条, 调取证据通知书 X公(刑)调证字〔2026〕12号.",
                        max_length=300,
                        verbose_name="law, article and document",
                    ),
                ),
                (
                    "reason",
                    models.TextField(
                        help_text="Why this opinion's contact is needed. Do not write any contact details here.",
                        max_length=2000,
                        verbose_name="reason",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "awaiting a second person"),
                            ("approved", "approved, not yet shown"),
                            ("refused", "refused"),
                            ("revealed", "shown once"),
                            ("expired", "expired"),
                            ("cancelled", "withdrawn by the requester"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                (
                    "decision_note",
                    models.CharField(blank=True, max_length=500, verbose_name="decision note"),
                ),
                (
                    "reveal_expires_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="can be shown until"),
                ),
                (
                    "revealed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="shown at"),
                ),
                (
                    "closed_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="expired or withdrawn at"
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
                (
                    "submission",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="feedback.submission",
                        verbose_name="opinion",
                    ),
                ),
            ],
            options={
                "verbose_name": "identity look-up",
                "verbose_name_plural": "identity look-ups",
                "ordering": ["-created_at", "-pk"],
                "default_permissions": (),
                "indexes": [
                    models.Index(fields=["status", "created_at"], name="identityrequest_status_idx")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("decided_by", models.F("requested_by")), _negated=True),
                        name="identity_request_two_people",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("status__in", ["approved", "refused", "revealed"]), _negated=True
                            ),
                            models.Q(("decided_at__isnull", False), ("decided_by__isnull", False)),
                            _connector="OR",
                        ),
                        name="identity_request_decided",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status__in", ["approved", "revealed"]), _negated=True),
                            ("reveal_expires_at__isnull", False),
                            _connector="OR",
                        ),
                        name="identity_request_window",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("revealed_at__isnull", True),
                            models.Q(
                                ("revealed_at__lte", models.F("reveal_expires_at")),
                                ("status", "revealed"),
                            ),
                            _connector="OR",
                        ),
                        name="identity_request_shown_in_window",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("status__in", ["pending", "approved"])),
                        fields=("submission", "requested_by"),
                        name="identity_request_one_open",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="PrivacyRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("access", "access or copy (PIPL Art. 45)"),
                            ("correction", "correction or completion (PIPL Art. 46)"),
                            ("deletion", "deletion (PIPL Art. 47)"),
                            ("explanation", "explanation of the processing (PIPL Art. 48)"),
                            ("consent", "withdrawal of consent (PIPL Art. 15)"),
                            ("other", "other"),
                        ],
                        max_length=12,
                        verbose_name="request type",
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("phone", "phone"),
                            ("letter", "letter"),
                            ("visit", "in person"),
                            ("email", "e-mail"),
                            ("other", "other"),
                        ],
                        max_length=10,
                        verbose_name="received by",
                    ),
                ),
                ("received_on", models.DateField(verbose_name="received on")),
                ("due_on", models.DateField(verbose_name="answer due by")),
                (
                    "summary",
                    models.TextField(
                        help_text="What the resident asks for. No name, phone number, address or e-mail here.",
                        max_length=2000,
                        verbose_name="what is asked",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "being handled"),
                            ("answered", "answered"),
                            ("refused", "refused, with reasons"),
                        ],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded at")),
                ("closed_on", models.DateField(blank=True, null=True, verbose_name="answered on")),
                ("outcome", models.TextField(blank=True, max_length=2000, verbose_name="outcome")),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="answered by",
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
                (
                    "submission",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="feedback.submission",
                        verbose_name="opinion",
                    ),
                ),
            ],
            options={
                "verbose_name": "resident's privacy request",
                "verbose_name_plural": "residents' privacy requests",
                "ordering": ["-received_on", "-pk"],
                "default_permissions": (),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("due_on__gte", models.F("received_on"))),
                        name="privacy_request_due_after_receipt",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status", "open"),
                            models.Q(("closed_by__isnull", False), ("closed_on__isnull", False)),
                            _connector="OR",
                        ),
                        name="privacy_request_closed",
                    ),
                ],
            },
        ),
    ]
