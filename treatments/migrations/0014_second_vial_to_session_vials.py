"""Each session's second vial becomes its first further vial (SessionVial, position 1), so
a session can draw from any number of vials (issue 13.1). The draws (VialDraw) already
name every vial a session took units from and are kept as they are.

INSERTs only: the signed-session triggers (0012) refuse UPDATE and DELETE, not INSERT,
so signed sessions keep their second vial. The reverse puts a first further vial back as
the second vial (drafts only on PostgreSQL: a signed session cannot be UPDATEd)."""

from django.db import migrations


def second_vial_to_links(apps, schema_editor):
    TreatmentSession = apps.get_model("treatments", "TreatmentSession")
    SessionVial = apps.get_model("treatments", "SessionVial")
    SessionVial.objects.bulk_create(
        SessionVial(session_id=session_id, vial_id=vial_id, position=1)
        for session_id, vial_id in TreatmentSession.objects.filter(
            second_vial__isnull=False
        ).values_list("id", "second_vial_id")
    )


def links_to_second_vial(apps, schema_editor):
    TreatmentSession = apps.get_model("treatments", "TreatmentSession")
    SessionVial = apps.get_model("treatments", "SessionVial")
    for link in SessionVial.objects.filter(position=1).exclude(session__status="signed"):
        TreatmentSession.objects.filter(pk=link.session_id).update(second_vial_id=link.vial_id)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0013_session_vials_prescriber_assessment_age_check")]

    operations = [migrations.RunPython(second_vial_to_links, links_to_second_vial)]
