from django.db import connection, migrations, models


def fill(apps, schema_editor):
    """The registrations per day from the patients already there (issue 14.5): the same
    set-based SQL as `manage.py rebuild_rollups` (names as of 0017)."""
    from patients import rollups

    with connection.cursor() as cursor:
        rollups.rebuild(cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0016_search_distinct_names"),
    ]

    operations = [
        migrations.CreateModel(
            name="DailyRegistrations",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(unique=True)),
                ("patients", models.IntegerField()),
            ],
            options={
                "verbose_name_plural": "daily registrations",
                "ordering": ["day"],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
