"""The patient list's rows written in Python (patients.tables.patient_rows, issue 14.2)
are the markup the template loop wrote: the same cells, links, badges and escaping."""

import pytest
from django.template import engines

from patients.choices import PatientStatus
from patients.models import Patient
from patients.tables import patient_rows
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

# The loop of templates/patients/includes/patient_table.html before issue 14.2's change.
TEMPLATE_LOOP = """{% for patient in rows %}{% with url=patient.get_absolute_url %}
<tr class="{% cycle 'even' 'odd' %}">
<td><a href="{{ url }}">{{ patient.record_number }}</a></td>
<td><a href="{{ url }}">{{ patient.display_name }}</a></td>
<td>{{ patient.date_of_birth|date:"d/m/Y" }}</td>
{% if show_nhs %}<td>{{ patient.nhs_number_display|default:"—" }}</td>
{% endif %}<td>{{ patient.phone_display|default:"—" }}</td>
<td>{{ patient.postcode|default:"—" }}</td>
<td><span class="badge {% if patient.is_archived %}text-bg-secondary{% else %}\
text-bg-success{% endif %}">{{ patient.get_status_display }}</span></td>
</tr>{% endwith %}{% endfor %}"""


def _patients():
    PatientFactory(
        family_name="O'Brien <b>&amp;",
        given_names='Siobhan "Shiv"',
        preferred_name="Shiv",
        title="Dr",
        nhs_number="9434765919",
        phone="07700 900123",
        postcode="W8 7QB",
    )
    PatientFactory(nhs_number="", phone="", postcode="", status=PatientStatus.ARCHIVED)
    PatientFactory.create_batch(3)
    return list(Patient.objects.order_by("pk"))


@pytest.mark.parametrize("show_nhs", [True, False])
def test_the_rows_are_the_template_loops_markup(show_nhs):
    patients = _patients()
    expected = (
        engines["django"]
        .from_string(TEMPLATE_LOOP)
        .render({"rows": patients, "show_nhs": show_nhs})
    )
    assert str(patient_rows(patients, show_nhs=show_nhs)) == expected
    assert "O&#x27;BRIEN &lt;B&gt;&amp;AMP;, Siobhan &quot;Shiv&quot; (Shiv), Dr" in expected
    assert 'class="badge text-bg-secondary"' in expected and "<td>—</td>" in expected


def test_the_list_page_shows_the_rows_and_says_when_there_are_none(reception_client):
    page = reception_client.get("/patients/?q=").content.decode()
    assert "No patients match" in page
    patient = PatientFactory(family_name="Quenby")
    page = reception_client.get("/patients/").content.decode()
    assert f'href="{patient.get_absolute_url()}">{patient.record_number}</a>' in page
    assert "No patients match" not in page
