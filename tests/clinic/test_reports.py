"""Report pages and their CSV downloads: streaming, scope, pseudonymisation, consent,
audit, export log, bad input, and the change-history pages."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.html import escape

from clinic.diary.attendance import Line
from clinic.models import AccessEvent
from clinic.reports.models import ReportExport
from clinic.reports.registry import REPORTS
from clinic.reports.selectors import staff_label
from clinic.roles import Role
from clinic.templatetags.figures import figure, rate
from tests.conftest import client_for
from tests.factories import (
    PatientFactory,
    SideEffectFactory,
    TreatmentSessionFactory,
    UserFactory,
    VialFactory,
)
from treatments.models import Indication, Product, VialDraw
from treatments.services import vial_discard

pytestmark = pytest.mark.django_db


def signed_session(**fields):
    performed = fields.pop("performed_at", timezone.now() - timedelta(hours=2))
    return TreatmentSessionFactory(
        signed=True,
        signed_at=performed + timedelta(hours=1),
        performed_at=performed,
        consent_taken=True,
        points=2,
        points__units=Decimal(5),
        # The summaries signing writes (the recall list reads the latest courses; issue 14.5).
        summarised=True,
        **fields,
    )


def table(page) -> str:
    """A report page (response or HTML) from its table on: the rows, not the names in the
    header or the filter's choices above it."""
    html = page if isinstance(page, str) else page.content.decode()
    return html[html.index("<table") :]


def body(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", first_name="Bob", last_name="Stone", role=Role.PRACTITIONER)


def test_sessions_csv_streams_the_scope_and_is_logged(manager_client, manager, practitioner):
    mine = signed_session(practitioner=practitioner)
    signed_session(practitioner=practitioner, performed_at=timezone.now() - timedelta(days=400))
    response = manager_client.get("/reports/sessions/csv/")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment; filename=" in response["Content-Disposition"]
    assert ReportExport.objects.get().row_count is None  # counted once the last row is out
    text = body(response)
    assert text.startswith("\ufeffPerformed,Record number,Practitioner")
    lines = text.strip().splitlines()
    assert len(lines) == 2  # the header and this month's session (not last year's)
    assert mine.patient.record_number in lines[1] and ",10," in lines[1]
    export = ReportExport.objects.get()
    assert (export.report, export.user, export.row_count) == ("sessions", manager, 1)
    assert export.finished_at is not None
    assert AccessEvent.objects.filter(action="report.download", user=manager).count() == 1


def test_csv_cells_cannot_run_as_formulas(manager_client, practitioner):
    session = signed_session(practitioner=practitioner)
    SideEffectFactory(session=session, patient=session.patient, treatment_given="=HYPERLINK(1)")
    text = body(manager_client.get("/reports/side-effects/csv/"))
    assert "'=HYPERLINK(1)" in text


def test_report_views_and_prints_are_audited(manager_client, manager):
    assert manager_client.get("/reports/sessions/").status_code == 200
    assert manager_client.get("/reports/sessions/?print=1").status_code == 200
    assert manager_client.get("/dashboard/?print=1").status_code == 200
    actions = list(
        AccessEvent.objects.filter(user=manager).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["report.view", "report.print", "report.print"]


def test_practitioner_sees_only_their_own_sessions(practitioner, bob):
    mine = signed_session(practitioner=practitioner)
    theirs = signed_session(practitioner=bob)
    client = client_for(practitioner)
    for url in ("/reports/sessions/", f"/reports/sessions/?practitioner={bob.pk}"):
        html = client.get(url).content.decode()
        assert mine.patient.record_number in html
        assert theirs.patient.record_number not in html
        assert 'name="practitioner"' not in html  # no choosing another practitioner
    activity = client.get("/reports/practitioner-activity/").content.decode()
    assert "Bob Stone" not in activity
    assert escape(staff_label(practitioner.first_name, practitioner.last_name, "")) in table(
        activity
    )
    for url in ("/reports/sessions/csv/", "/reports/units-wastage/", "/reports/lot-exposure/"):
        assert client.get(url).status_code == 403


def test_practitioner_activity_sorts_by_a_column(manager_client, practitioner, bob):
    """The report's rows (a list from the summaries) sort by the column asked for."""
    for _ in range(2):
        signed_session(practitioner=practitioner)
    signed_session(practitioner=bob)
    mine = escape(staff_label(practitioner.first_name, practitioner.last_name, ""))

    def order(sort):
        html = table(manager_client.get(f"/reports/practitioner-activity/?sort={sort}"))
        return "mine first" if html.index(mine) < html.index("Bob Stone") else "Bob first"

    assert order("-sessions") == "mine first"
    assert order("sessions") == "Bob first"


def test_manager_can_filter_by_practitioner(manager_client, practitioner, bob):
    mine = signed_session(practitioner=practitioner)
    theirs = signed_session(practitioner=bob)
    html = manager_client.get(f"/reports/sessions/?practitioner={bob.pk}").content.decode()
    assert theirs.patient.record_number in html and mine.patient.record_number not in html


def test_side_effects_are_pseudonymised_with_yellow_card_fields(manager_client, practitioner):
    patient = PatientFactory(given_names="Winifred", family_name="Ashcombe", sex="female")
    session = signed_session(practitioner=practitioner, patient=patient)
    SideEffectFactory(
        session=session,
        patient=patient,
        is_serious=True,
        serious_hospitalisation=True,
        onset_date=timezone.localdate(),
    )
    html = manager_client.get("/reports/side-effects/").content.decode()
    text = body(manager_client.get("/reports/side-effects/csv/"))
    age = patient.age_on(timezone.localdate())
    for shown in (html, text):
        assert "Winifred" not in shown and "Ashcombe" not in shown
        assert patient.record_number in shown and "WA" in shown
        assert session.vial.lot in shown  # the batch, from the session's vial
    assert f",{age},Female," in text
    assert "Yes: hospitalisation" in text and "Not decided" in html


def test_worklist_of_serious_undecided_ignores_the_period(manager_client, practitioner):
    old = signed_session(
        practitioner=practitioner, performed_at=timezone.now() - timedelta(days=200)
    )
    SideEffectFactory(
        session=old,
        patient=old.patient,
        is_serious=True,
        serious_death=False,
        serious_medically_important=True,
        onset_date=timezone.localdate() - timedelta(days=190),
    )
    assert (
        old.patient.record_number
        not in manager_client.get("/reports/side-effects/").content.decode()
    )
    html = manager_client.get("/reports/side-effects/?worklist=serious-pending").content.decode()
    assert old.patient.record_number in html


def test_recall_list_respects_consent_to_recalls(manager_client, practitioner):
    """A recall is marketing (rule 37): the recall list shows a channel's contact detail
    only with the patient's consent to recalls by it, not their consent to reminders."""
    migraine = Indication.objects.get(slug="chronic-migraine")
    long_ago = timezone.now() - timedelta(days=migraine.min_interval_days + 3)
    agreed = PatientFactory(consent_marketing_sms=True, phone="07700900111", email="a@example.com")
    refused = PatientFactory(
        phone="07700900222",
        email="b@example.com",
        consent_contact_sms=True,  # reminders only
        consent_contact_email=True,
    )
    for patient in (agreed, refused):
        signed_session(practitioner=practitioner, patient=patient, performed_at=long_ago)
    html = manager_client.get("/reports/recall/").content.decode()
    text = body(manager_client.get("/reports/recall/csv/"))
    for shown in (html, text):
        assert agreed.record_number in shown and refused.record_number in shown
        assert "07700900111" in shown  # SMS consent: the mobile
        assert "a@example.com" not in shown  # no email consent
        assert "07700900222" not in shown and "b@example.com" not in shown
    only = manager_client.get("/reports/recall/?contact=any").content.decode()
    assert agreed.record_number in only and refused.record_number not in only


def test_recall_leaves_out_patients_treated_since(manager_client, practitioner):
    migraine = Indication.objects.get(slug="chronic-migraine")
    patient = PatientFactory()
    signed_session(
        practitioner=practitioner,
        patient=patient,
        performed_at=timezone.now() - timedelta(days=migraine.min_interval_days + 3),
    )
    signed_session(practitioner=practitioner, patient=patient)  # treated again today
    assert patient.record_number not in manager_client.get("/reports/recall/").content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "?start=not-a-date",
        "?start=31/03/2026&end=01/03/2026",
        "?sort=patient__family_name",
        "?sort=-total_units&page=999",
        "?page=1000000000000000000000000000000",
        "?per_page=1000000000000000000000000000000",
        "?per_page=-3&page=-2",
        "?practitioner=999999&indication=abc&product=-1",
        "?compliance=nonsense&status=<script>",
    ],
)
def test_bad_input_never_breaks_a_report(manager_client, practitioner, query):
    signed_session(practitioner=practitioner)
    for report in REPORTS:
        response = manager_client.get(f"/reports/{report.slug}/{query}")
        assert response.status_code in (200, 404), (report.slug, query)
        assert b"<script>" not in response.content.replace(b"<script src", b"")


def test_end_before_start_is_explained(manager_client):
    html = manager_client.get("/reports/sessions/?start=31/03/2026&end=01/03/2026").content
    assert b"The end date must be on or after the start date." in html


@pytest.mark.parametrize(
    "query", ["?start=32/13/2026&end=30/11/2026", "?start=31/03/2026&end=1/3/26x"]
)
def test_refused_dates_show_no_figures_of_other_dates(manager_client, practitioner, query):
    """Browser review (07/12/2026): with a date the form refused, the table showed this
    month's sessions beside the dates typed, read at a glance as those dates' figures."""
    session = signed_session(practitioner=practitioner)  # this month's
    html = manager_client.get(f"/reports/sessions/{query}").content.decode()
    assert 'data-testid="report-not-shown"' in html
    assert session.patient.record_number not in html and "By session date" not in html
    assert 'value="30/11/2026"' in html or 'value="31/03/2026"' in html  # as typed
    shown = manager_client.get("/reports/sessions/").content.decode()
    assert 'data-testid="report-not-shown"' not in shown
    assert session.patient.record_number in shown and "By session date" in shown


def test_unsigned_sessions_are_listed_whatever_their_date(manager_client, practitioner):
    draft = TreatmentSessionFactory(
        practitioner=practitioner, performed_at=timezone.now() - timedelta(days=120)
    )
    html = manager_client.get("/reports/sessions/?compliance=unsigned-overdue").content.decode()
    assert draft.patient.record_number in html


def test_session_history_shows_who_changed_what(manager_client, practitioner):
    session = TreatmentSessionFactory(practitioner=practitioner, notes="Patient anxious")
    session.status, session.signed_at = "signed", timezone.now()
    session.notes = "Patient anxious; husband present"
    session.save()
    html = manager_client.get(f"/history/sessions/{session.public_id}/").content.decode()
    assert "<del>Draft</del> → Signed" in html
    assert "husband" not in html and "(changed)" in html  # free text withheld
    vial = session.vial
    vial.wasted_units = Decimal(15)
    vial.save()
    html = manager_client.get(f"/history/vials/{vial.pk}/").content.decode()
    assert "<del>0.00</del> → 15" in html or "<del>0</del> → 15" in html
    index = manager_client.get("/history/").content.decode()
    assert f"/history/sessions/{session.public_id}/" in index
    assert "/admin/treatments/product/" in index


def test_history_names_the_people_and_things_a_change_links_to(manager_client, practitioner):
    """Manager review, 07/12/2026: "Signed by: — → #2" and "Reconstituted by: — → #5"
    named a database number; the page names staff, and a vial by its lot."""
    practitioner.first_name, practitioner.last_name = "Amelia", "Hart"
    practitioner.save()
    session = TreatmentSessionFactory(practitioner=practitioner)
    session.status, session.signed_at, session.signed_by = "signed", timezone.now(), practitioner
    session.save()
    html = manager_client.get(f"/history/sessions/{session.public_id}/").content.decode()
    assert "<strong>Signed by</strong>: <del>—</del> → Amelia Hart" in html
    assert f"#{practitioner.pk}<" not in html
    vial = session.vial
    vial.reconstituted_by, vial.reconstituted_at = practitioner, timezone.now()
    vial.diluent_ml = Decimal("2.5")
    vial.save()
    html = manager_client.get(f"/history/vials/{vial.pk}/").content.decode()
    assert "→ Amelia Hart" in html and f"#{practitioner.pk}<" not in html


def test_admin_session_changelist_is_read_only_and_for_superusers(manager_client, practitioner):
    """Issue 10: managers read sessions through the reports, not the admin; a superuser
    sees them read-only."""
    from tests.conftest import client_for
    from tests.factories import UserFactory

    session = signed_session(practitioner=practitioner)
    assert manager_client.get("/admin/treatments/treatmentsession/").status_code == 403
    root = client_for(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert root.get("/admin/treatments/treatmentsession/").status_code == 200
    change = root.get(f"/admin/treatments/treatmentsession/{session.pk}/change/")
    assert change.status_code == 200 and b'name="_save"' not in change.content
    assert root.get("/admin/treatments/treatmentsession/add/").status_code == 403


def test_a_report_table_offers_a_sideways_scroll_hint_and_no_issue_numbers(manager_client):
    """Browser review 05/12: wide tables were cut off at the page edge with no sign of
    more columns (reports.js shows the hint and fades the edge when the table is wider
    than the page), and the attendance report's summary said "(issue 15)"."""
    seen = 0
    for report in REPORTS:
        page = manager_client.get(f"/reports/{report.slug}/")
        if page.status_code != 200:
            continue
        seen += 1
        html = page.content.decode()
        assert 'id="scroll-hint" hidden' in html, report.slug
        assert 'data-scroll-hint="scroll-hint" tabindex="0" role="region"' in html
        assert "issue 1" not in report.summary, report.slug
    assert seen >= len(REPORTS) - 1


def _cell_classes(html: str) -> dict[str, set[str]]:
    """Each heading's and each cell's text -> its classes."""
    return {
        re.sub(r"<[^>]+>", "", text).strip(): set(classes.split())
        for classes, text in re.findall(r'<t[hd] class="([^"]*)"[^>]*>(.*?)</t[hd]>', html, re.S)
    }


@pytest.mark.parametrize(
    "slug, left_out, figures",
    [
        (
            "units-wastage",
            ("Unit family", "Allergan (onabotulinumtoxinA)"),
            ("Vials", "Units in vials", "Units drawn", "Units wasted", "Wasted", "10.0%"),
        ),
        (
            "practitioner-activity",
            ("Unit family", "Allergan (onabotulinumtoxinA)"),
            ("Sessions", "Patients", "Units", "Signed late", "No consent"),
        ),
        ("lot-exposure", ("Expiry", "14/10/2030"), ("Units from lot", "20")),
    ],
)
def test_stock_and_activity_reports_fit_an_ipad_and_print_whole(
    manager_client, practitioner, slug, left_out, figures
):
    """Browser review 05/12: upright on an iPad (820 px) these tables were 18-55 px too
    wide and their last column was cut at the screen's edge (the wasted share; no consent;
    the vial's history). Below 992 px a column each row does not need is left out (the
    unit family, which the brand names; the lot's expiry, the same on all its rows), and
    printed it is kept; the figures' headings stand over their right-aligned figures."""
    vial = VialFactory(lot="C7001C3", expiry=date(2030, 10, 14), presentation_units=100)
    session = signed_session(practitioner=practitioner, vial=vial)
    VialDraw.objects.create(session=session, vial=vial, units=20)
    vial_discard(
        vial=vial, reason="End of session", wasted_units=Decimal(10), discarded_by=practitioner
    )
    cells = _cell_classes(manager_client.get(f"/reports/{slug}/").content.decode())
    narrow = {"d-none", "d-lg-table-cell", "d-print-table-cell"}
    for text in left_out:
        assert narrow <= cells[text], text
    for text in figures:
        assert "text-end" in cells[text], text
    assert not narrow & cells["Product"]


def test_figures_in_the_thousands_are_grouped_on_pages_and_plain_in_the_csv(
    manager_client, manager
):
    """Three 500 U Dysport vials discarded: "1,500" units and "1,234.5" wasted in the
    report's table and the dashboard's stock panel, as a manager reads them; the CSV keeps
    1500 and 1234.5, which a spreadsheet reads as numbers."""
    dysport = Product.objects.get(slug="dysport")
    for wasted in ("412.5", "500", "322"):
        vial = VialFactory(product=dysport, presentation_units=500, lot="DY2026A")
        vial_discard(
            vial=vial, reason="End of clinic", wasted_units=Decimal(wasted), discarded_by=manager
        )
    row = table(manager_client.get("/reports/units-wastage/"))
    assert re.search(r">\s*1,500\s*<", row) and re.search(r">\s*1,234\.5\s*<", row)
    assert "1500" not in row and "1234.5" not in row
    csv = body(manager_client.get("/reports/units-wastage/csv/"))
    assert ",1500," in csv and ",1234.5," in csv and "1,500" not in csv
    panel = manager_client.get("/dashboard/panels/stock/").content.decode()
    assert "1,234.5 of 1,500" in panel


def test_a_figure_reads_as_a_manager_expects():
    assert [figure(v) for v in (1234567, Decimal("1234.50"), Decimal("1E+3"), 7)] == [
        "1,234,567",
        "1,234.5",
        "1,000",
        "7",
    ]
    assert figure(Decimal("0.00")) == "0" and figure(None) == "—"


def test_a_rate_keeps_its_decimal_and_a_missing_one_is_a_dash():
    assert [rate(v) for v in (Decimal("19.0"), Decimal("5.94"), Decimal("0.0"), 1234.5)] == [
        "19.0",
        "5.9",
        "0.0",
        "1,234.5",
    ]
    assert rate(Decimal("24.0"), "%") == "24.0%" and rate(None, "%") == "—"


def test_diary_hours_read_to_one_decimal_and_grouped():
    """A year of a full-time practitioner's hours: "2,088", and 7 h 30 min "7.5" (the
    dashboard rounded them to whole hours, ungrouped, before)."""
    line = Line(label="Amelia Hart", working_minutes=2088 * 60, booked_minutes=450)
    assert (line.working_hours, line.booked_hours) == (Decimal("2088.0"), Decimal("7.5"))
    assert (figure(line.working_hours), figure(line.booked_hours)) == ("2,088", "7.5")


def test_follow_ups_report_says_how_far_ahead_it_lists(manager_client):
    """Manager review, 07/12/2026: with "Due by" left empty the list stopped a week ahead
    and nothing on the page said so; the page says the date it lists up to."""
    from clinic.reports.selectors import FOLLOW_UP_SOON_DAYS

    week = timezone.localdate() + timedelta(days=FOLLOW_UP_SOON_DAYS)
    html = manager_client.get("/reports/follow-ups/").content.decode()
    assert f"<strong>Due by {week:%d/%m/%Y}, overdue included</strong>" in html
    chosen = timezone.localdate() + timedelta(days=30)
    html = manager_client.get(f"/reports/follow-ups/?due_by={chosen:%d/%m/%Y}").content.decode()
    assert f"<strong>Due by {chosen:%d/%m/%Y}, overdue included</strong>" in html


def test_side_effects_report_says_a_reaction_is_awaiting_review(manager_client):
    """Manager review, 07/12/2026: a reaction reported by phone and not yet reviewed has no
    coded term, severity or outcome; its row read as dashes, as if left blank."""
    SideEffectFactory(
        term=None, severity=None, outcome="", causality="", action_taken="", status="unreviewed"
    )
    html = table(manager_client.get("/reports/side-effects/"))
    assert '<span class="badge text-bg-warning">Awaiting practitioner review</span>' in html
