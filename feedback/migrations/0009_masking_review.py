"""``Submission.personal_data``: what masking found in the texts shown in public, for moderators.

NULL means "not checked since the texts last changed"; ``feedback.review.flags`` fills it. The
triggers below set it back to NULL whenever the comment or a clause comment changes, whatever
code makes the change (the ORM, the one-statement insert, a bulk update), so a moderator's flag
can never describe an older text.
"""

from django.db import migrations, models

CREATE = """
CREATE OR REPLACE FUNCTION feedback_submission_comment_changed() RETURNS trigger AS $$
BEGIN
    IF NEW.comment IS DISTINCT FROM OLD.comment THEN
        NEW.personal_data := NULL;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER feedback_submission_personal_recheck
    BEFORE UPDATE OF comment ON feedback_submission
    FOR EACH ROW EXECUTE FUNCTION feedback_submission_comment_changed();

CREATE OR REPLACE FUNCTION feedback_clausecomment_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE feedback_submission SET personal_data = NULL
         WHERE id = OLD.submission_id AND personal_data IS NOT NULL;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE feedback_submission SET personal_data = NULL
         WHERE id = NEW.submission_id AND personal_data IS NOT NULL;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER feedback_clausecomment_personal_recheck
    AFTER INSERT OR UPDATE OR DELETE ON feedback_clausecomment
    FOR EACH ROW EXECUTE FUNCTION feedback_clausecomment_changed();
"""

DROP = """
DROP TRIGGER IF EXISTS feedback_clausecomment_personal_recheck ON feedback_clausecomment;
DROP FUNCTION IF EXISTS feedback_clausecomment_changed();
DROP TRIGGER IF EXISTS feedback_submission_personal_recheck ON feedback_submission;
DROP FUNCTION IF EXISTS feedback_submission_comment_changed();
"""


class Migration(migrations.Migration):
    dependencies = [("feedback", "0008_task_paths_after_package_move")]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="personal_data",
            field=models.CharField(
                blank=True,
                default=None,
                editable=False,
                help_text=(
                    "Kinds of personal details that masking found in the texts shown in public,"
                    " comma separated; empty when none; unset until checked after the last"
                    " change of the texts."
                ),
                max_length=100,
                null=True,
                verbose_name="personal details found",
            ),
        ),
        migrations.RunSQL(CREATE, DROP),
    ]
