# Issue 14 point 3: search (Traditional/Simplified, phrases, clause-box text).
#
# 1. The search vectors change form (character bigrams with positions of the Simplified text,
#    weights A/B: feedback/search/tokens.py): every vector is cleared and rewritten here.
# 2. The search lists and date filters order and filter by the date received
#    (feedback.search.query.date_received): an index on exactly that expression, so the first
#    page of a common word walks it backwards instead of sorting every match. The time zone is
#    the site's (settings.TIME_ZONE), as in date_received(); the index is not in the model
#    state (an expression in another app's model), so makemigrations ignores it.
from django.conf import settings
from django.db import migrations


def _rewrite_vectors(apps, schema_editor):
    # The application's own indexing (pure functions over the columns it reads); an empty table
    # (a new database, the tests) costs nothing.
    from feedback.search.index import index_new_opinions_now

    index_new_opinions_now()


def _index_sql() -> str:
    zone = settings.TIME_ZONE.replace("'", "''")
    return (
        "CREATE INDEX IF NOT EXISTS submission_cons_day_idx ON feedback_submission "
        f"(consultation_id, (COALESCE(submitted_on, (received_at AT TIME ZONE '{zone}')::date)), "
        "received_at, id)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0019_issue14_suggestions"),
    ]

    operations = [
        migrations.RunSQL(
            "UPDATE feedback_submission SET search_vector = NULL WHERE search_vector IS NOT NULL",
            migrations.RunSQL.noop,
        ),
        migrations.RunPython(_rewrite_vectors, migrations.RunPython.noop),
        migrations.RunSQL(_index_sql(), "DROP INDEX IF EXISTS submission_cons_day_idx"),
    ]
