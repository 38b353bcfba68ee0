# Issue 13 (unpublished stays private): each department gets its own document collection and a
# group with document permissions on it only (consultations/documents.py creates them after
# every migrate); editors and approvers lose their document permissions on the root collection,
# which let every department choose and list every department's documents.
import django.db.models.deletion
from django.db import migrations, models

ROOT_ROLES = ("editor", "approver")


def drop_root_document_permissions(apps, schema_editor):
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    GroupCollectionPermission.objects.filter(
        group__name__in=ROOT_ROLES,
        collection__depth=1,
        permission__content_type__app_label="wagtaildocs",
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0003_opinions_per_network"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AddField(
            model_name="department",
            name="document_collection",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="department",
                to="wagtailcore.collection",
            ),
        ),
        migrations.AddField(
            model_name="department",
            name="document_group",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="document_department",
                to="auth.group",
            ),
        ),
        migrations.RunPython(drop_root_document_permissions, migrations.RunPython.noop),
    ]
