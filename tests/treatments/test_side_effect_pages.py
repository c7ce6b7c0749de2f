"""Side-effect pages (DOMAIN §4, rules 38-39): reception's call form, the patient page's
header and tab, the practitioner's form (and the database's own check of an outcome
against its resolution date), the Yellow Card page and its CSV, the decision and review
forms (stale versions refused), the manager's pseudonymised serious list, a form sent
twice."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from clinic.inputs import STALE_PAGE_MESSAGE
from tests import clock
from tests.factories import PatientFactory, SideEffectFactory
from tests.treatments.side_effect_helpers import (
    TODAY,
    practitioner_report,
    review_data,
    signed_session,
)
from treatments.models import SideEffect

# TODAY is read at import and the factories and pages read the clock: midday that day
# whenever the run gets here (a run started at 23:59 got here after midnight, when a
# factory's onset today was after a resolution on TODAY).
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(clock.london(TODAY))]


# --- Pages -------------------------------------------------------------------------------


def test_reception_logs_a_call_and_cannot_read_it_back(reception_client, practitioner, patient):
    signed_session(patient, practitioner)
    url = f"/patients/{patient.public_id}/side-effects/new/"
    page = reception_client.get(url).content.decode()
    assert "Log a side-effect call" in page and "Severity" not in page
    response = reception_client.post(
        url,
        {
            "description": "drooping eyelid <script>alert(1)</script>",
            "onset_date": (TODAY - timedelta(days=1)).strftime("%d/%m/%Y"),
            "reporter": "patient",
        },
    )
    assert response.status_code == 302
    se = SideEffect.objects.get()
    assert se.status == "unreviewed"
    assert reception_client.get(se.get_absolute_url()).status_code == 403
    assert reception_client.get(f"/patients/{patient.public_id}/side-effects/").status_code == 403
    detail = reception_client.get(patient.get_absolute_url()).content.decode()
    assert "drooping" not in detail and "open-side-effects" not in detail


def test_reception_form_errors_keep_what_was_typed(reception_client, patient):
    url = f"/patients/{patient.public_id}/side-effects/new/"
    response = reception_client.post(
        url, {"description": "rash on neck", "onset_date": "31/02/2026"}
    )
    assert response.status_code == 200
    assert "rash on neck" in response.content.decode()
    assert not SideEffect.objects.exists()


def test_patient_page_header_and_tab_show_open_side_effects_with_the_lot(
    practitioner_client, practitioner, patient
):
    session = signed_session(patient, practitioner, lot="BTX-7781")
    se = SideEffectFactory(session=session, patient=patient, severity=2)
    header = practitioner_client.get(patient.get_absolute_url()).content.decode()
    assert 'data-testid="open-side-effects"' in header
    assert "Eyelid ptosis (drooping eyelid) · not serious" in header
    tab = practitioner_client.get(f"/patients/{patient.public_id}/side-effects/").content.decode()
    assert "BTX-7781" in tab and se.get_absolute_url() in tab
    detail = practitioner_client.get(se.get_absolute_url()).content.decode()
    assert "BTX-7781" in detail and "Probable / likely" in detail


def test_practitioner_records_a_side_effect_from_the_form(
    practitioner_client, practitioner, patient
):
    session = signed_session(patient, practitioner)
    url = f"/patients/{patient.public_id}/side-effects/new/"
    data = practitioner_report(session)
    # "Serious" with no criterion ticked is refused, and nothing typed is lost.
    response = practitioner_client.post(url, data | {"serious": "yes"})
    assert (
        response.status_code == 200 and "Tick the seriousness criteria" in response.content.decode()
    )
    assert "Neck ache for three days" in response.content.decode()
    response = practitioner_client.post(url, data)
    assert response.status_code == 302
    se = SideEffect.objects.get()
    assert se.status == "reviewed" and se.reviewed_by == practitioner and not se.is_serious


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"resolution_date": ""},
            "“Recovered” needs the date it resolved",
        ),
        ({"outcome": "recovering"}, "“Recovering” does not say it has resolved"),
    ],
)
def test_form_refuses_an_outcome_that_contradicts_the_resolution_date(
    practitioner_client, practitioner, patient, changes, message
):
    """Reviewer's find: "Recovered" with no date was saved and shown as "Resolved: Not
    yet". Refused with a message on the field, and everything typed is kept."""
    session = signed_session(patient, practitioner)
    data = practitioner_report(session, **changes)
    url = f"/patients/{patient.public_id}/side-effects/new/"
    response = practitioner_client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert "Neck ache for three days" in page
    assert not SideEffect.objects.exists()


def test_database_refuses_an_outcome_that_contradicts_the_resolution_date():
    """No other path (admin, a script, a bulk load) can store the contradiction."""
    with pytest.raises(IntegrityError), transaction.atomic():
        SideEffectFactory(outcome="recovered", resolution_date=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        SideEffectFactory(outcome="recovering", resolution_date=TODAY)
    SideEffectFactory(outcome="recovered", resolution_date=TODAY)  # agrees: stored


def test_yellow_card_page_and_csv_hold_the_record(practitioner_client, practitioner):
    patient = PatientFactory(given_names="Jane Ann", family_name="O'Brien")
    session = signed_session(patient, practitioner, lot="=HYPERLINK(1)")
    se = SideEffectFactory(session=session, patient=patient)
    page = practitioner_client.get(f"/side-effects/{se.public_id}/yellow-card/").content.decode()
    for text in ("JAO", "Eyelid ptosis", "BOTOX", "Chronic migraine", patient.record_number):
        assert text in page
    assert "data-print" in page
    response = practitioner_client.get(f"/side-effects/{se.public_id}/yellow-card.csv")
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0] == ["Section", "Field", "Value"]
    fields = {(section, label): value for section, label, value in rows[1:]}
    assert fields[("Patient", "Initials")] == "JAO"
    assert fields[("Suspected drug", "Batch")].startswith("'=HYPERLINK(1)")  # no formula
    assert fields[("Suspected reaction", "Serious")] == "No"
    assert fields[("Reporter", "Name")]


def test_decision_form_on_the_detail_page(practitioner_client):
    se = SideEffectFactory()
    # The reference's label is one line in its narrow column (1366 px): "Yellow Card
    # reference" took two and its box sat below the reason's.
    page = practitioner_client.get(f"/side-effects/{se.public_id}/").content.decode()
    label = re.search(r'for="id_yellow_card_reference"[^>]*>\s*([^<]*?)\s*<', page)
    assert label and label.group(1) == "Reference"
    url = f"/side-effects/{se.public_id}/decision/"
    practitioner_client.post(url, {"regulator_decision": "not-reported", "version": 1})
    se.refresh_from_db()
    assert se.regulator_decision == ""  # no reason: refused
    practitioner_client.post(
        url,
        {"regulator_decision": "not-reported", "not_reported_reason": "Known, mild", "version": 1},
    )
    se.refresh_from_db()
    assert se.regulator_decision == "not-reported"
    # A second, stale decision is refused rather than overwriting the first.
    practitioner_client.post(
        url, {"regulator_decision": "reported", "yellow_card_reference": "X1", "version": 1}
    )
    se.refresh_from_db()
    assert se.regulator_decision == "not-reported"


def test_a_decision_without_the_version_is_refused_as_out_of_date(practitioner_client):
    se = SideEffectFactory()
    response = practitioner_client.post(
        f"/side-effects/{se.public_id}/decision/",
        {"regulator_decision": "not-reported", "not_reported_reason": "Known, mild"},
    )
    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == [STALE_PAGE_MESSAGE]
    se.refresh_from_db()
    assert (se.regulator_decision, se.version) == ("", 1)


def test_a_review_without_the_version_is_refused_with_the_entries_kept(practitioner_client):
    """It was taken for version 0 and told 'changed by someone else', which nobody had."""
    se = SideEffectFactory()
    url = f"/side-effects/{se.public_id}/review/"
    data = review_data(practitioner_client, url, treatment_given="Typed just now")
    del data["version"]
    response = practitioner_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert STALE_PAGE_MESSAGE in page
    assert "Typed just now" in page
    se.refresh_from_db()
    assert se.version == 1 and se.treatment_given != "Typed just now"


def test_manager_sees_the_serious_list_pseudonymised(manager_client, practitioner):
    patient = PatientFactory(family_name="Zebedee")
    se = SideEffectFactory(
        session=signed_session(patient, practitioner),
        patient=patient,
        serious_hospitalisation=True,
        is_serious=True,
    )
    html = manager_client.get("/side-effects/serious/").content.decode()
    assert patient.record_number in html and "Zebedee" not in html
    assert se.get_absolute_url() not in html
    assert manager_client.get(se.get_absolute_url()).status_code == 403


def test_the_serious_list_names_whom_to_ask_and_how_long_each_has_waited(
    manager_client, practitioner
):
    """Browser review, 07/12/2026: a serious reaction with "No decision" named nobody and
    said nothing of how long, and the manager has no way into the report. Each row names
    the practitioner who reviewed it (who judged it serious and records the decision),
    who treated when someone else did, and the days since the report was logged without
    a decision; still pseudonymised, and with no link the manager would be refused."""
    from django.utils import timezone

    from clinic.roles import Role
    from tests.factories import UserFactory

    colleague = UserFactory(
        username="priya", first_name="Priya", last_name="Shah", role=Role.PRACTITIONER
    )
    practitioner.first_name, practitioner.last_name = "Amelia", "Hart"
    practitioner.save()
    serious = {"severity": 3, "serious_hospitalisation": True, "is_serious": True}

    def reaction(patient, reviewer, days_ago, **fields):
        se = SideEffectFactory(
            session=signed_session(patient, practitioner),
            patient=patient,
            reviewed_by=reviewer,
            **serious,
            **fields,
        )
        SideEffect.objects.filter(pk=se.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
        return se

    zebedee = PatientFactory(family_name="Zebedee")
    waiting = reaction(zebedee, colleague, 10, onset_date=TODAY - timedelta(days=12))
    own = reaction(PatientFactory(), practitioner, 1, onset_date=TODAY - timedelta(days=2))
    today = reaction(PatientFactory(), practitioner, 0)
    decided = reaction(
        PatientFactory(), colleague, 30, regulator_decision="reported", yellow_card_reference="YC9"
    )
    html = manager_client.get("/side-effects/serious/").content.decode()

    def row(se) -> str:
        return html.split(se.patient.record_number, 1)[1].split("</tr>", 1)[0]

    def text(cell: str) -> str:
        return " ".join(re.sub(r"<[^>]+>", " ", cell).split())

    def cell(se, testid: str) -> str:
        return text(row(se).split(f'data-testid="{testid}">', 1)[1].split("</td>", 1)[0])

    # The longest waiting first (not the latest onset).
    places = [html.index(se.patient.record_number) for se in (waiting, own, today)]
    assert places == sorted(places)
    assert cell(waiting, "responsible") == "Priya Shah treated by Amelia Hart"
    assert "waiting 10 days" in text(row(waiting))
    assert cell(own, "responsible") == "Amelia Hart"  # reviewed by whoever treated
    assert "waiting 1 day" in text(row(own)) and "waiting 1 days" not in text(row(own))
    assert "reported today" in text(row(today))
    assert cell(decided, "responsible") == "Priya Shah treated by Amelia Hart"
    assert "Reported YC9" in text(row(decided)) and "waiting" not in text(row(decided))
    # Pseudonymised as before, and no link to a report the manager may not open.
    assert "Zebedee" not in html
    assert all(se.get_absolute_url() not in html for se in (waiting, own, today, decided))


def test_the_same_side_effect_form_sent_twice_records_one_report(
    practitioner_client, practitioner, patient
):
    """A practitioner's double-click: one report (both would count in the rates), and the
    replay goes to the first one."""
    session = signed_session(patient, practitioner)
    url = f"/patients/{patient.public_id}/side-effects/new/"
    page = practitioner_client.get(url)
    token = page.context["form"]["submission_token"].value()
    assert f'value="{token}"' in page.content.decode()
    data = practitioner_report(
        session, submission_token=token, outcome="recovering", resolution_date=""
    )
    first = practitioner_client.post(url, data)
    assert first.status_code == 302
    again = practitioner_client.post(url, data)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert SideEffect.objects.filter(patient=patient).count() == 1


def test_an_unreviewed_reports_heading_ends_in_an_ellipsis(practitioner_client):
    # A report reception logged has no term yet: the page's heading was the description's
    # first 60 characters, cut mid-word ("...aching and she finds") with nothing to say so.
    said = "Patient phoned to say her neck has been aching and she finds it hard to lift her head."
    se = SideEffectFactory(term=None, description=said, status="unreviewed")
    page = practitioner_client.get(f"/side-effects/{se.public_id}/").content.decode()
    heading = page[page.index("<h1") : page.index("<small>", page.index("<h1"))]
    assert heading.endswith("Patient phoned to say her neck has been aching and she find… ")
    # A named reaction is the heading, whole.
    named = SideEffectFactory()
    page = practitioner_client.get(f"/side-effects/{named.public_id}/").content.decode()
    assert f'<h1 class="h4 mb-0">{named.term.name} <small>' in page


# Long queues say how long they are (a list capped in silence hid the rest) ---------------


def test_the_queue_gives_its_totals_and_says_when_more_wait(practitioner_client, monkeypatch):
    from treatments.selectors import side_effects

    monkeypatch.setattr(side_effects, "QUEUE_LIMIT", 2)
    waiting = [SideEffectFactory(status="unreviewed", severity=None) for _ in range(3)]
    for _ in range(3):
        SideEffectFactory(severity=3, serious_hospitalisation=True, is_serious=True)
    page = practitioner_client.get("/side-effects/").content.decode()
    alert = page.split('data-testid="serious-undecided"', 1)[1].split("</div>", 1)[0]
    assert "3 serious reactions without a Yellow Card decision" in alert  # not the 2 listed
    assert '<span class="badge text-bg-warning">3</span>' in page
    assert "The oldest 2 of 3 are listed" in page
    # The oldest two, each by its review link; the newest waits for the next look.
    assert page.count("Complete review") == 2
    assert f"/side-effects/{waiting[2].public_id}/review/" not in page
    assert all(f"/side-effects/{se.public_id}/review/" in page for se in waiting[:2])
    assert '<span class="badge text-bg-secondary">3</span>' in page
    assert "2 of 3 are listed, serious first" in page
    assert page.count(">Decide</a>") == 2
    # A queue within the cap lists all and says nothing more.
    monkeypatch.setattr(side_effects, "QUEUE_LIMIT", 3)
    page = practitioner_client.get("/side-effects/").content.decode()
    assert 'data-testid="unreviewed-more"' not in page and 'data-testid="awaiting-more"' not in page
    assert page.count("Complete review") == 3


def test_the_home_page_counts_every_serious_reaction_awaiting_a_decision(manager_client):
    for _ in range(5):
        SideEffectFactory(severity=3, serious_hospitalisation=True, is_serious=True)
    page = manager_client.get("/").content.decode()
    alert = page.split('data-testid="serious-undecided"', 1)[1].split("</span>", 1)[0]
    assert "5 serious side effects without a Yellow Card decision" in alert
    assert alert.count("; ") == 3 and alert.rstrip().endswith("; …)")  # three named, then …
    # Past the rows read, the total is counted (it was the length of a list capped at 50).
    from treatments import selectors

    capped = selectors.side_effect_serious_undecided(limit=2)
    assert (len(capped.rows), capped.total, capped.more) == (2, 5, 3)


def test_the_serious_list_is_paged_undecided_first(manager_client, practitioner, monkeypatch):
    from treatments.views import side_effects as views

    monkeypatch.setattr(views, "SERIOUS_PER_PAGE", 2)
    decided = SideEffectFactory(severity=3, serious_hospitalisation=True, is_serious=True)
    decided.regulator_decision = "not-reported"
    decided.not_reported_reason = "Known, listed reaction"
    decided.decided_at = decided.created_at
    decided.onset_date = TODAY  # the latest onset: listed after the undecided all the same
    decided.save()
    undecided = [
        SideEffectFactory(severity=3, serious_hospitalisation=True, is_serious=True)
        for _ in range(2)
    ]
    first = manager_client.get("/side-effects/serious/")
    # The undecided ones first, whatever their onset, and a link to the next page.
    assert {se.pk for se in first.context["side_effects"].rows} == {se.pk for se in undecided}
    assert 'href="?page=2"' in first.content.decode()
    second = manager_client.get("/side-effects/serious/", {"page": 2})
    assert [se.pk for se in second.context["side_effects"].rows] == [decided.pk]


def test_the_queue_counts_serious_ones_among_the_rows_it_shows(practitioner_client, monkeypatch):
    """Serious first: when a non-serious one is shown, every serious one is shown too and
    counted from the rows (no COUNT)."""
    from treatments.selectors import side_effects

    monkeypatch.setattr(side_effects, "QUEUE_LIMIT", 2)
    SideEffectFactory(severity=3, serious_hospitalisation=True, is_serious=True)
    for _ in range(2):
        SideEffectFactory(severity=1)
    queue = side_effects.side_effect_queue()
    assert (queue.awaiting_decision.total, queue.serious_awaiting_total) == (3, 1)
    page = practitioner_client.get("/side-effects/").content.decode()
    assert "1 serious reaction without a Yellow Card decision" in page


def test_the_home_page_gives_how_many_reports_wait_for_review(practitioner_client):
    for _ in range(10):
        SideEffectFactory(status="unreviewed", severity=None)
    home = practitioner_client.get("/").content.decode()
    card = home.split('id="se-heading"', 1)[1].split("</section>", 1)[0]
    assert '<span class="badge text-bg-warning">10</span>' in card
    assert card.count("Complete review") == 0 and card.count("/review/") == 8
    assert "and 2 more, oldest first" in card


def test_a_spread_sign_says_what_to_do_in_the_clinics_words(practitioner_client):
    """Practitioner review 07/12/2026: the alarm on a possible distant spread ended in
    "(DOMAIN §3.3)", the developers' document, and said only "need urgent assessment"."""
    from tests.factories import _term

    se = SideEffectFactory(term=_term("dysphagia"))
    page = practitioner_client.get(f"/side-effects/{se.public_id}/").content.decode()
    assert 'data-testid="spread-alarm"' in page
    assert "DOMAIN" not in page
    assert "Ask the patient now about swallowing, speech and breathing" in page
    assert "A&amp;E, or 999 for breathing difficulty" in page
    assert 'href="/reference/sources/#S89"' in page
