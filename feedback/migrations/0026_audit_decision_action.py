# Session 10: the decision chain's own audit action (entries written before say "publish"),
# and the search vector's help text (character pairs since issue 14, ADR 0012).
import django.contrib.postgres.search
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0025_issue16_implementation_phase"),
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
                    ("decision", "recorded a step of the decision"),
                ],
                max_length=20,
                verbose_name="action",
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False,
                help_text="Folded character pairs of all texts of the opinion, for full-text search.",
                null=True,
            ),
        ),
    ]
