# Issue 16 points 1 and 2: hearings and majority counts.
import django.db.models.deletion
import feedback.models.fields
from django.conf import settings
from django.db import migrations, models

import consultations.i18n


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0022_issue15_people"),
        ("consultations", "0007_issue16_decision"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

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
                    ("chain_keyed", "started signing the audit trail with a key"),
                    ("withdraw_request", "asked to withdraw a consultation"),
                    ("withdraw_confirm", "confirmed withdrawing a consultation"),
                    ("withdraw_refuse", "refused withdrawing a consultation"),
                    ("withdraw_retract", "withdrew a withdrawal request"),
                    ("response_submit", "submitted the response for approval"),
                    ("response_approve", "approved the response"),
                    ("response_return", "sent the response back"),
                    ("risk_confirm", "confirmed the risk assessment"),
                    ("risk_return", "sent the risk assessment back"),
                    ("login_unlock", "unlocked a locked staff sign-in"),
                    ("second_factor_reset", "reset a colleague's second factor"),
                    ("hearing", "acted on a hearing"),
                    ("majority_count", "acted on a majority count"),
                ],
                max_length=20,
                verbose_name="action",
            ),
        ),
        migrations.AlterField(
            model_name="contactaccesslog",
            name="context",
            field=models.CharField(
                choices=[
                    ("privacy_officer", "privacy officer"),
                    ("reply_sender", "reply sender"),
                    ("hearing_organiser", "hearing organiser"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="channel",
            field=models.CharField(
                choices=[
                    ("web", "website"),
                    ("phone", "phone"),
                    ("letter", "letter"),
                    ("walk_in", "walk-in"),
                    ("symposium", "symposium"),
                    ("field_visit", "field visit"),
                    ("email", "e-mail"),
                    ("hotline_12345", "12345 hotline"),
                    ("hearing", "hearing"),
                ],
                default="web",
                max_length=20,
                verbose_name="channel",
            ),
        ),
        migrations.CreateModel(
            name="Hearing",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("starts_at", models.DateTimeField(verbose_name="hearing starts at")),
                ("place", models.CharField(max_length=300, verbose_name="place")),
                (
                    "place_en",
                    models.CharField(blank=True, max_length=300, verbose_name="place (English)"),
                ),
                (
                    "explanation",
                    models.TextField(
                        help_text="The draft itself is the consultation's; explain what the hearing is about.",
                        verbose_name="explanation of the draft for the hearing",
                    ),
                ),
                (
                    "explanation_en",
                    models.TextField(blank=True, verbose_name="explanation (English)"),
                ),
                (
                    "selection_method",
                    models.TextField(
                        help_text="Who may register, the seats per category and how the draw is made.",
                        verbose_name="participant selection method",
                    ),
                ),
                (
                    "selection_method_en",
                    models.TextField(blank=True, verbose_name="selection method (English)"),
                ),
                (
                    "registration_closes_at",
                    models.DateTimeField(verbose_name="registration closes at"),
                ),
                (
                    "notice_days",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        editable=False,
                        null=True,
                        verbose_name="notice period required (days)",
                    ),
                ),
                (
                    "notice_published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="notice published at"),
                ),
                (
                    "list_frozen_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="registration list frozen at"
                    ),
                ),
                (
                    "list_digest",
                    models.CharField(
                        blank=True, max_length=64, verbose_name="SHA-256 of the registration list"
                    ),
                ),
                (
                    "seed_hash",
                    models.CharField(
                        blank=True, max_length=64, verbose_name="SHA-256 of the draw seed"
                    ),
                ),
                (
                    "seed",
                    models.CharField(
                        blank=True,
                        help_text="Shown only after the draw.",
                        max_length=64,
                        verbose_name="draw seed",
                    ),
                ),
                (
                    "drawn_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="draw made at"),
                ),
                (
                    "participants_published_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="participant list published at"
                    ),
                ),
                (
                    "materials_sent_on",
                    models.DateField(blank=True, null=True, verbose_name="materials sent on"),
                ),
                (
                    "held_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="marked held at"),
                ),
                ("report", models.TextField(blank=True, verbose_name="hearing report")),
                (
                    "report_en",
                    models.TextField(blank=True, verbose_name="hearing report (English)"),
                ),
                (
                    "report_published_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="report published at"),
                ),
                ("contacts_purged_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "consultation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="hearing",
                        to="consultations.consultation",
                        verbose_name="consultation",
                    ),
                ),
            ],
            options={
                "verbose_name": "hearing",
                "verbose_name_plural": "hearings",
            },
            bases=(consultations.i18n.BilingualMixin, models.Model),
        ),
        migrations.CreateModel(
            name="HearingCategory",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=30, verbose_name="code")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "name_en",
                    models.CharField(blank=True, max_length=100, verbose_name="name (English)"),
                ),
                ("seats", models.PositiveSmallIntegerField(verbose_name="seats")),
                ("sort_order", models.PositiveSmallIntegerField(default=0)),
                (
                    "hearing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="categories",
                        to="feedback.hearing",
                    ),
                ),
            ],
            options={
                "verbose_name": "stakeholder category",
                "verbose_name_plural": "stakeholder categories",
                "ordering": ["sort_order", "pk"],
            },
            bases=(consultations.i18n.BilingualMixin, models.Model),
        ),
        migrations.CreateModel(
            name="HearingParticipant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=60, verbose_name="name")),
                (
                    "confirmation",
                    models.CharField(
                        choices=[
                            ("pending", "not yet confirmed"),
                            ("confirmed", "confirmed and signed the record"),
                            ("refused", "refused to sign (recorded)"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="record confirmation",
                    ),
                ),
                (
                    "confirmation_note",
                    models.CharField(blank=True, max_length=300, verbose_name="note"),
                ),
                ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="feedback.hearingcategory",
                        verbose_name="category",
                    ),
                ),
                (
                    "hearing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="participants",
                        to="feedback.hearing",
                    ),
                ),
            ],
            options={
                "verbose_name": "hearing participant",
                "verbose_name_plural": "hearing participants",
                "ordering": ["category__sort_order", "pk"],
            },
        ),
        migrations.CreateModel(
            name="HearingRecordItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField()),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("presentation", "presentation of the draft"),
                            ("statement", "statement"),
                            ("question", "question"),
                            ("cross_exam", "cross-examination"),
                            ("debate", "debate"),
                            ("explanation", "explanation"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "speaker_label",
                    models.CharField(
                        blank=True, max_length=100, verbose_name="speaker (if not a participant)"
                    ),
                ),
                (
                    "stance",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("support", "support"),
                            ("conditional", "support with conditions"),
                            ("oppose", "oppose"),
                            ("unsure", "unsure"),
                        ],
                        max_length=20,
                        verbose_name="stance",
                    ),
                ),
                ("text", models.TextField(verbose_name="what was said")),
                (
                    "hearing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="record_items",
                        to="feedback.hearing",
                    ),
                ),
                (
                    "speaker",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="feedback.hearingparticipant",
                        verbose_name="speaker",
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
                    ),
                ),
            ],
            options={
                "verbose_name": "record entry",
                "verbose_name_plural": "hearing record",
                "ordering": ["position"],
            },
        ),
        migrations.CreateModel(
            name="HearingRegistration",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.CharField(max_length=12, verbose_name="registration number")),
                ("name", models.CharField(max_length=60, verbose_name="name")),
                ("statement", models.TextField(max_length=500, verbose_name="short statement")),
                ("contact_ref", models.CharField(blank=True, editable=False, max_length=64)),
                ("token", models.UUIDField(editable=False)),
                ("created_at", feedback.models.fields.MinuteDateTimeField(auto_now_add=True)),
                (
                    "selected",
                    models.BooleanField(default=False, verbose_name="selected in the draw"),
                ),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="feedback.hearingcategory",
                        verbose_name="category",
                    ),
                ),
                (
                    "hearing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="registrations",
                        to="feedback.hearing",
                    ),
                ),
            ],
            options={
                "verbose_name": "hearing registration",
                "verbose_name_plural": "hearing registrations",
                "ordering": ["number"],
            },
        ),
        migrations.AddField(
            model_name="hearingparticipant",
            name="registration",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="feedback.hearingregistration",
            ),
        ),
        migrations.CreateModel(
            name="HearingView",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("summary", models.TextField(verbose_name="view")),
                ("summary_en", models.TextField(blank=True, verbose_name="view (English)")),
                ("adopted", models.BooleanField(verbose_name="adopted")),
                ("reason", models.TextField(verbose_name="reason")),
                ("reason_en", models.TextField(blank=True, verbose_name="reason (English)")),
                ("sort_order", models.PositiveIntegerField(default=0)),
                (
                    "hearing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="views",
                        to="feedback.hearing",
                    ),
                ),
            ],
            options={
                "verbose_name": "view raised at the hearing",
                "verbose_name_plural": "views raised at the hearing",
                "ordering": ["sort_order", "pk"],
            },
            bases=(consultations.i18n.BilingualMixin, models.Model),
        ),
        migrations.CreateModel(
            name="MajorityCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "basis",
                    models.CharField(
                        choices=[
                            ("land", "members of the rural collective (土地管理法 Art. 47)"),
                            ("old_town", "owners in old-town redevelopment (房屋征收条例 Art. 11)"),
                        ],
                        max_length=10,
                        verbose_name="who is counted",
                    ),
                ),
                (
                    "roster_size",
                    models.PositiveIntegerField(
                        verbose_name="members or owners on the verified roster"
                    ),
                ),
                (
                    "tokens_issued",
                    models.PositiveIntegerField(default=0, verbose_name="tokens handed out"),
                ),
                (
                    "objections",
                    models.PositiveIntegerField(
                        default=0, verbose_name="consider the plan unlawful"
                    ),
                ),
                (
                    "closes_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="count closes at"),
                ),
                (
                    "consultation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="majority_count",
                        to="consultations.consultation",
                        verbose_name="consultation",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "majority count",
                "verbose_name_plural": "majority counts",
            },
        ),
        migrations.CreateModel(
            name="MajorityToken",
            fields=[
                ("digest", models.CharField(max_length=64, primary_key=True, serialize=False)),
                (
                    "count",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="feedback.majoritycount",
                    ),
                ),
            ],
            options={
                "verbose_name": "unused token",
                "verbose_name_plural": "unused tokens",
                "default_permissions": (),
            },
        ),
        migrations.AddConstraint(
            model_name="hearingcategory",
            constraint=models.UniqueConstraint(
                fields=("hearing", "code"), name="hearingcategory_code_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="hearingrecorditem",
            constraint=models.UniqueConstraint(
                fields=("hearing", "position"), name="hearingrecord_position_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="hearingregistration",
            constraint=models.UniqueConstraint(
                fields=("number",), name="hearingregistration_number_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="hearingregistration",
            constraint=models.UniqueConstraint(
                fields=("token",), name="hearingregistration_token_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="majoritycount",
            constraint=models.CheckConstraint(
                condition=models.Q(("tokens_issued__lte", models.F("roster_size"))),
                name="majority_tokens_within_roster",
            ),
        ),
        migrations.AddConstraint(
            model_name="majoritycount",
            constraint=models.CheckConstraint(
                condition=models.Q(("objections__lte", models.F("tokens_issued"))),
                name="majority_objections_within_tokens",
            ),
        ),
    ]
