"""Create the Reception, Practitioner and Manager groups from clinic/roles.py.

Data only. Later changes to the matrix are applied by the post_migrate sync (clinic.apps)
and by `manage.py sync_roles`; this migration makes the groups exist from the first migrate.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from clinic.roles import sync_roles

    # Permissions are normally created after all migrations; create them now so the
    # groups can be filled in this migration.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        using=schema_editor.connection.alias,
        strict=False,
    )


def backwards(apps, schema_editor):
    from clinic.roles import Role

    apps.get_model("auth", "Group").objects.filter(name__in=[r.value for r in Role]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0001_counter"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("patients", "0002_search_trigram_index"),
        ("treatments", "0001_reference_models"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
