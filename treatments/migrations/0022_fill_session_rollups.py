"""Fill the dashboard's summaries (0021) from the sessions already signed: the same
rebuild as `manage.py rebuild_rollups` (treatments.services.rollup_rebuild), raw SQL over the
sessions, points and draws. Reversed by emptying the two tables."""

from django.db import migrations


def fill(apps, schema_editor):
    # The service's SQL names only the tables and columns created by 0001-0021.
    from treatments.services import rollup_rebuild

    rollup_rebuild.rebuild(returns=False, panels=False, registrations=False)


def empty(apps, schema_editor):
    apps.get_model("treatments", "DailySessionRollup").objects.all().delete()
    apps.get_model("treatments", "SessionTotals").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("treatments", "0021_session_rollups")]

    operations = [migrations.RunPython(fill, empty)]
