"""The contact access log refuses UPDATE and DELETE at the database level, not only in Python."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION feedback_contactaccesslog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'feedback_contactaccesslog is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER feedback_contactaccesslog_no_change
    BEFORE UPDATE OR DELETE ON feedback_contactaccesslog
    FOR EACH ROW EXECUTE FUNCTION feedback_contactaccesslog_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS feedback_contactaccesslog_no_change ON feedback_contactaccesslog;
DROP FUNCTION IF EXISTS feedback_contactaccesslog_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_opinion_register"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
