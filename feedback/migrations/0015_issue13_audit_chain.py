# Issue 13 (audit chain): entries are signed with an HMAC key the database does not hold
# (feedback/audit/keys.py) and store the key's id; daily checkpoints pin the chain's length and
# head (AuditCheckpoint, append-only like the entries). Entries written before carry a plain
# SHA-256 and an empty key_id: the last step anchors them with one signed 'chain_keyed' entry
# naming their count and last hash (feedback.audit.trail.anchor_legacy), so they verify as the
# chain's prefix and can no longer be rewritten. Needs the key: AUDIT_CHAIN_KEY in production,
# the key file of AUDIT_KEY_DIR elsewhere.
from django.db import migrations, models

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION feedback_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER feedback_auditcheckpoint_no_change
    BEFORE UPDATE OR DELETE ON feedback_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION feedback_append_only();
"""

APPEND_ONLY_REVERSE = """
DROP TRIGGER IF EXISTS feedback_auditcheckpoint_no_change ON feedback_auditcheckpoint;
DROP FUNCTION IF EXISTS feedback_append_only();
"""


def anchor_legacy_entries(apps, schema_editor):
    from feedback.audit.trail import anchor_legacy

    anchor_legacy(apps.get_model("feedback", "AuditEntry"))


class Migration(migrations.Migration):
    dependencies = [("feedback", "0014_issue13_response_approval")]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(unique=True, verbose_name="day")),
                ("at", models.DateTimeField(verbose_name="taken at")),
                ("entries", models.PositiveBigIntegerField(verbose_name="entries")),
                ("head", models.CharField(max_length=64, verbose_name="latest entry's signature")),
                ("key_id", models.CharField(max_length=32)),
                ("prev", models.CharField(max_length=64)),
                ("mac", models.CharField(max_length=64, unique=True, verbose_name="signature")),
            ],
            options={
                "verbose_name": "audit checkpoint",
                "verbose_name_plural": "audit checkpoints",
                "ordering": ["day"],
                "default_permissions": ("view",),
            },
        ),
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(blank=True, default="", editable=False, max_length=32),
        ),
        # The action choices as they stand after issue 13 (two-person actions of 0014 and
        # 'chain_keyed'); choices live only in Django's state, not in the database.
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
                ],
                max_length=20,
                verbose_name="action",
            ),
        ),
        migrations.RunSQL(APPEND_ONLY, APPEND_ONLY_REVERSE),
        migrations.RunPython(anchor_legacy_entries, migrations.RunPython.noop),
    ]
