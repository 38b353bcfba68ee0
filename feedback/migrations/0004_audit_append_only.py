"""The audit trail refuses UPDATE and DELETE at the database level.

TRUNCATE is left to the table owner (the test runner empties tables with it); the application's
database role should not own the tables in production (see docs/deployment.md).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION feedback_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'feedback_auditentry is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER feedback_auditentry_no_change
    BEFORE UPDATE OR DELETE ON feedback_auditentry
    FOR EACH ROW EXECUTE FUNCTION feedback_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS feedback_auditentry_no_change ON feedback_auditentry;
DROP FUNCTION IF EXISTS feedback_auditentry_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0003_review_coding_response_audit"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
