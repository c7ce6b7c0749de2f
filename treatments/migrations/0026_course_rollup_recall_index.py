import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The set-based SQL `manage.py rebuild_rollups` ran when this migration was written,
# frozen here with the tables and columns 0001-0026 made (as 0024 and 0025 keep theirs):
# a later change to the live rebuild must not change what this migration does.
COURSES = """
INSERT INTO treatments_dailycourserollup (day, indication_id, product_id, practitioner_id,
                                          courses)
SELECT day, indication_id, product_id, practitioner_id, COUNT(*)
FROM treatments_latestcourse WHERE patient_active
GROUP BY day, indication_id, product_id, practitioner_id
"""


def fill(apps, schema_editor):
    """The active courses per day from LatestCourse as it stands (issue 14.5)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(COURSES)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0016_search_distinct_names"),
        ("treatments", "0025_panel_rollups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DailyCourseRollup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(help_text="The UK day of the course's latest session")),
                ("courses", models.IntegerField()),
            ],
            options={
                "ordering": ["day", "indication", "product", "practitioner"],
            },
        ),
        migrations.AddField(
            model_name="latestcourse",
            name="was_active",
            field=models.BooleanField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="latestcourse",
            name="was_day",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="latestcourse",
            name="was_practitioner",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="latestcourse",
            name="was_product",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="treatments.product",
            ),
        ),
        migrations.AddIndex(
            model_name="latestcourse",
            index=models.Index(
                condition=models.Q(("patient_active", True)),
                fields=["performed_at"],
                name="latestcourse_active_time_idx",
            ),
        ),
        migrations.AddField(
            model_name="dailycourserollup",
            name="indication",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="treatments.indication",
            ),
        ),
        migrations.AddField(
            model_name="dailycourserollup",
            name="practitioner",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="dailycourserollup",
            name="product",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="treatments.product",
            ),
        ),
        migrations.AddConstraint(
            model_name="dailycourserollup",
            constraint=models.UniqueConstraint(
                fields=("day", "indication", "product", "practitioner"),
                name="courserollup_one_row_per_key",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
