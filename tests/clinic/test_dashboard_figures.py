"""The dashboard's figures against direct SQL on a known data set.

The data: March 2026 (the chosen period) against February 2026 (the previous one), two
practitioners, sessions on the period's edges, vials closed in and out of the period,
side effects, outcome scores, follow-ups and questionnaires. Each figure is asserted
twice: against the number worked out by hand below, and against a raw SQL count written
independently of the selectors (connection.cursor()).
"""

# ruff: noqa: S608 - the SQL is the test's own, with every value a parameter

import json
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from clinic.reports import selectors
from clinic.reports.periods import Period, local_midnight
from clinic.roles import Role
from tests.conftest import client_for
from tests.factories import (
    FollowUpFactory,
    InjectionPointFactory,
    OutcomeAssessmentFactory,
    PatientFactory,
    QuestionnaireFactory,
    SideEffectFactory,
    TreatmentSessionFactory,
    UserFactory,
    VialFactory,
)
from treatments.models import Indication, Product

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
FEBRUARY = Period(date(2026, 2, 1), date(2026, 2, 28))


def at(*args) -> datetime:
    return timezone.make_aware(datetime(*args))  # noqa: DTZ001 - UK wall-clock time


def sql(query: str, *params):
    adapt = connection.ops.adapt_datetimefield_value
    values = [adapt(p) if isinstance(p, datetime) else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(query, values)
        return cursor.fetchall()


def one(query: str, *params):
    return sql(query, *params)[0][0]


@pytest.fixture
def clinic(db, practitioner, reception):
    """The known data set. `practitioner` (amelia) and bob both treat."""
    bob = UserFactory(username="bob", role=Role.PRACTITIONER)
    botox, dysport = Product.objects.get(slug="botox"), Product.objects.get(slug="dysport")
    migraine = Indication.objects.get(slug="chronic-migraine")
    dystonia = Indication.objects.get(slug="cervical-dystonia")
    glabellar = Indication.objects.get(slug="glabellar-lines")
    p1, p2, p3, p4, p5 = PatientFactory.create_batch(5, registered_by=reception)

    def session(patient, who, indication, product, when, points, *, signed=True, **extra):
        fields = {"signed": True, "signed_at": when + timedelta(hours=1)} if signed else {}
        s = TreatmentSessionFactory(
            patient=patient,
            practitioner=who,
            indication=indication,
            product=product,
            performed_at=when,
            **{"consent_taken": True, **fields, **extra},
        )
        for units in points:
            InjectionPointFactory(session=s, units=Decimal(units))
        return s

    s1 = session(p1, practitioner, migraine, botox, at(2026, 3, 5, 10), [5, 5, 5])
    session(
        p2, practitioner, dystonia, dysport, at(2026, 3, 10, 9), [250, 250], vial=None,
        consent_taken=False,
    )  # fmt: skip
    s3 = session(
        p3, bob, glabellar, botox, at(2026, 3, 31, 23, 30), [4] * 5,
        signed_at=at(2026, 4, 4, 9),
    )  # fmt: skip
    s4 = session(p1, bob, migraine, botox, at(2026, 2, 10, 11), [155])
    session(p4, practitioner, glabellar, botox, at(2026, 4, 1, 0, 30), [20])  # April
    session(p5, practitioner, glabellar, botox, at(2026, 3, 20, 12), [20], signed=False)

    # Vials closed in March: BOTOX lot L1 85 of 100 wasted, Dysport lot L2 none wasted; a
    # BOTOX vial of lot L1 closed in February is outside the period.
    VialFactory(product=botox, lot="L1", discarded_at=at(2026, 3, 6, 9), wasted_units=85)
    VialFactory(product=dysport, presentation_units=500, lot="L2", discarded_at=at(2026, 3, 11, 9))
    VialFactory(product=botox, lot="L1", discarded_at=at(2026, 2, 11, 9), wasted_units=30)

    # Side effects: two against s1 (one serious, undecided), one serious reported against
    # s3, one serious undecided against February's s4 (counts on the worklist only).
    SideEffectFactory(
        session=s1, patient=p1, is_serious=True, serious_hospitalisation=True,
        onset_date=date(2026, 3, 7),
    )  # fmt: skip
    SideEffectFactory(session=s1, patient=p1, onset_date=date(2026, 3, 8))
    SideEffectFactory(
        session=s3, patient=p3, is_serious=True, serious_medically_important=True,
        regulator_decision="reported", yellow_card_reference="YC-1", onset_date=date(2026, 4, 2),
    )  # fmt: skip
    SideEffectFactory(
        session=s4, patient=p1, is_serious=True, serious_disability=True,
        onset_date=date(2026, 2, 14),
    )  # fmt: skip

    # Headache days: p1 20 (baseline) -> 15 -> 8 in March (60% better: good);
    # p2 20 (first score, February) -> 13 (35%: partial); p3 20 -> 18 (10%: none).
    score = OutcomeAssessmentFactory
    score(patient=p1, value=20, assessed_on=date(2026, 1, 20), is_baseline=True)
    score(patient=p1, value=15, assessed_on=date(2026, 3, 1))
    score(patient=p1, value=8, assessed_on=date(2026, 3, 28))
    score(patient=p2, value=20, assessed_on=date(2026, 2, 3))
    score(patient=p2, value=13, assessed_on=date(2026, 3, 15))
    score(patient=p3, value=20, assessed_on=date(2026, 2, 3))
    score(patient=p3, value=18, assessed_on=date(2026, 3, 15))
    score(patient=p3, value=2, assessed_on=date(2026, 4, 15))  # after the period

    today = timezone.localdate()
    FollowUpFactory(patient=p1, session=s1, due_on=today - timedelta(days=1))  # overdue
    FollowUpFactory(patient=p2, due_on=today)
    FollowUpFactory(patient=p3, session=s3, due_on=today + timedelta(days=3))
    FollowUpFactory(patient=p3, due_on=today - timedelta(days=2), done_at=timezone.now())
    FollowUpFactory(patient=p4, due_on=today + timedelta(days=30))

    QuestionnaireFactory.create_batch(2, patient=p1, entered_by=reception)
    QuestionnaireFactory(
        patient=p2, entered_by=reception, reviewed_at=timezone.now(), reviewed_by=practitioner
    )
    # The factories write sessions directly (not through session_sign): the summaries the
    # dashboard reads are rebuilt from the raw rows, as after a bulk load.
    call_command("rebuild_rollups", stdout=StringIO())
    return {
        "bob": bob,
        "botox": botox,
        "dysport": dysport,
        "migraine": migraine,
        "glabellar": glabellar,
    }


def board_for(user, **filters):
    scope = selectors.scope_for(user=user, period=MARCH, **filters)
    return selectors.dashboard(scope=scope, whole_clinic=selectors.sees_whole_clinic(user))


SIGNED_IN = (
    "FROM treatments_treatmentsession s WHERE s.status = 'signed' "
    "AND s.performed_at >= %s AND s.performed_at < %s"
)


@pytest.mark.django_db
def test_session_and_patient_figures_match_sql(clinic, manager):
    board = board_for(manager)
    march, feb = (MARCH.start_at, MARCH.end_at), (FEBRUARY.start_at, FEBRUARY.end_at)

    assert board.sessions.current == 3 == one(f"SELECT COUNT(*) {SIGNED_IN}", *march)
    assert board.sessions.previous == 1 == one(f"SELECT COUNT(*) {SIGNED_IN}", *feb)
    active = f"SELECT COUNT(DISTINCT s.patient_id) {SIGNED_IN}"
    assert board.active_patients.current == 3 == one(active, *march)
    assert board.active_patients.previous == 1 == one(active, *feb)
    new = (
        f"SELECT COUNT(DISTINCT s.patient_id) {SIGNED_IN} AND NOT EXISTS (SELECT 1 FROM "
        "treatments_treatmentsession e WHERE e.patient_id = s.patient_id "
        "AND e.status = 'signed' AND e.performed_at < %s)"
    )
    # p1 was first treated in February: new in February, not in March.
    assert board.new_patients.current == 2 == one(new, *march, MARCH.start_at)


@pytest.mark.django_db
def test_units_per_product_never_mix_products(clinic, manager):
    board = board_for(manager)
    rows = sql(
        "SELECT p.brand, SUM(pt.units) FROM treatments_injectionpoint pt "
        "JOIN treatments_treatmentsession s ON s.id = pt.session_id "
        "JOIN treatments_product p ON p.id = s.product_id "
        "WHERE s.status = 'signed' AND s.performed_at >= %s AND s.performed_at < %s "
        "GROUP BY p.brand ORDER BY p.brand",
        MARCH.start_at,
        MARCH.end_at,
    )
    expected = {brand: Decimal(str(total)) for brand, total in rows}
    assert expected == {"BOTOX": Decimal(35), "Dysport": Decimal(500)}
    shown = {row["product"]: row["units"] for row in board.units_by_product}
    assert shown == expected
    families = {row["product"]: row["unit_family"] for row in board.units_by_product}
    assert families["BOTOX"].startswith("Allergan") and families["Dysport"].startswith("Speywood")


@pytest.mark.django_db
def test_wastage_per_product_and_lot_match_sql(clinic, manager):
    board = board_for(manager)
    rows = sql(
        "SELECT p.brand, COUNT(*), SUM(v.presentation_units), SUM(v.wasted_units) "
        "FROM treatments_vial v JOIN treatments_product p ON p.id = v.product_id "
        "WHERE v.discarded_at >= %s AND v.discarded_at < %s GROUP BY p.brand",
        MARCH.start_at,
        MARCH.end_at,
    )
    expected = {b: (n, int(units), Decimal(str(w))) for b, n, units, w in rows}
    assert expected == {"BOTOX": (1, 100, Decimal(85)), "Dysport": (1, 500, Decimal(0))}
    shown = {
        r["product"]: (r["vials"], r["presentation"], r["wasted"]) for r in board.wastage_by_product
    }
    assert shown == expected
    percent = {r["product"]: r["wasted_percent"] for r in board.wastage_by_product}
    assert percent == {"BOTOX": Decimal("85.0"), "Dysport": Decimal("0.0")}
    assert [(r["lot"], r["wasted"]) for r in board.wastage_by_lot] == [
        ("L1", Decimal(85)),
        ("L2", Decimal(0)),
    ]


@pytest.mark.django_db
def test_side_effect_rates_and_worklist_match_sql(clinic, manager):
    board = board_for(manager)
    rows = sql(
        "SELECT i.name, COUNT(DISTINCT s.id), COUNT(DISTINCT se.id) "
        "FROM treatments_treatmentsession s JOIN treatments_indication i "
        "ON i.id = s.indication_id LEFT JOIN treatments_sideeffect se ON se.session_id = s.id "
        "WHERE s.status = 'signed' AND s.performed_at >= %s AND s.performed_at < %s "
        "GROUP BY i.name",
        MARCH.start_at,
        MARCH.end_at,
    )
    expected = {name: (n, se) for name, n, se in rows}
    shown = {
        r["name"]: (r["sessions"], r["side_effects"]) for r in board.side_effects_by_indication
    }
    assert shown == expected
    rates = {r["name"]: r["per_100"] for r in board.side_effects_by_indication}
    assert rates == {
        "Chronic migraine prophylaxis": Decimal("200.0"),
        "Cervical dystonia": Decimal("0.0"),
        "Glabellar lines": Decimal("100.0"),
    }
    by_product = {
        r["name"]: (r["sessions"], r["side_effects"]) for r in board.side_effects_by_product
    }
    assert by_product == {"BOTOX": (2, 3), "Dysport": (1, 0)}
    pending = one(
        "SELECT COUNT(*) FROM treatments_sideeffect WHERE is_serious = %s "
        "AND regulator_decision = ''",
        True,
    )
    assert board.side_effect_worklist["serious_pending"] == 2 == pending


@pytest.mark.django_db
def test_responder_rates_use_the_safety_parameters(clinic, manager):
    board = board_for(manager)
    (row,) = board.responders
    assert (row["indication"], row["series"]) == ("Chronic migraine prophylaxis", 3)
    assert (row["good"], row["partial"], row["none"]) == (1, 1, 1)
    assert row["responder_percent"] == Decimal("66.7")
    thresholds = dict(
        sql(
            "SELECT key, value FROM treatments_safetyparameter WHERE key IN (%s, %s)",
            "responder_good_percent",
            "responder_partial_percent",
        )
    )
    assert {k: Decimal(str(v)) for k, v in thresholds.items()} == board.thresholds


@pytest.mark.django_db
def test_follow_ups_compliance_and_questionnaires_match_sql(clinic, manager):
    board = board_for(manager)
    today = timezone.localdate()
    open_by = "SELECT COUNT(*) FROM treatments_followup WHERE done_at IS NULL AND due_on {} %s"
    assert board.follow_ups["overdue"] == 1 == one(open_by.format("<"), today)
    assert board.follow_ups["today"] == 1 == one(open_by.format("="), today)
    soon = one(
        "SELECT COUNT(*) FROM treatments_followup WHERE done_at IS NULL AND due_on > %s "
        "AND due_on <= %s",
        today,
        today + timedelta(days=7),
    )
    assert board.follow_ups["soon"] == 1 == soon

    compliance = board.compliance
    assert (
        compliance["unsigned_overdue"]
        == 1
        == one(
            "SELECT COUNT(*) FROM treatments_treatmentsession WHERE status = 'draft' "
            "AND performed_at < %s",
            timezone.now() - timedelta(hours=72),
        )
    )
    assert (
        compliance["without_consent"]
        == 1
        == one(f"SELECT COUNT(*) {SIGNED_IN} AND s.consent_taken = %s", *MARCH_BOUNDS, False)
    )
    assert (
        compliance["without_lot"]
        == 1
        == one(f"SELECT COUNT(*) {SIGNED_IN} AND s.vial_id IS NULL", *MARCH_BOUNDS)
    )
    late = sql(f"SELECT s.performed_at, s.signed_at {SIGNED_IN}", *MARCH_BOUNDS)
    late_count = sum(1 for performed, signed in late if _late(performed, signed))
    assert compliance["signed_late"] == 1 == late_count
    assert (
        compliance["questionnaires_unreviewed"]
        == 2
        == one("SELECT COUNT(*) FROM patients_intakequestionnaire WHERE reviewed_at IS NULL")
    )


MARCH_BOUNDS = (MARCH.start_at, MARCH.end_at)


def _late(performed, signed) -> bool:
    # SQLite returns the stored text (UTC), PostgreSQL aware datetimes.
    if isinstance(performed, str):
        performed, signed = datetime.fromisoformat(performed), datetime.fromisoformat(signed)
    return signed - performed > timedelta(hours=72)


@pytest.mark.django_db
def test_a_practitioner_sees_only_their_own_figures(clinic, practitioner):
    """amelia's March: s1 and s2 only (bob's s3 is not counted), whatever she asks for."""
    for board in (board_for(practitioner), board_for(practitioner, practitioner=clinic["bob"])):
        assert board.scope.practitioner_id == practitioner.pk
        assert (
            board.sessions.current
            == 2
            == one(
                f"SELECT COUNT(*) {SIGNED_IN} AND s.practitioner_id = %s",
                *MARCH_BOUNDS,
                practitioner.pk,
            )
        )
        assert [r["practitioner"] for r in board.sessions_by_practitioner] == [
            f"{practitioner.first_name} {practitioner.last_name}"
        ]
        assert {r["product"]: r["units"] for r in board.units_by_product} == {
            "BOTOX": Decimal(15),
            "Dysport": Decimal(500),
        }
        assert board.wastage_by_product is None  # clinic stock: not their figures
        assert board.registered_patients is None
        assert board.side_effect_worklist["serious_pending"] == 1  # s1's, not bob's s4
        assert [r["series"] for r in board.responders] == [1]  # p1 only


@pytest.mark.django_db
def test_filters_by_indication_and_product(clinic, manager):
    board = board_for(manager, indication=clinic["migraine"])
    assert board.sessions.current == 1 and board.sessions.previous == 1
    board = board_for(manager, product=clinic["dysport"])
    assert board.sessions.current == 1
    assert [r["product"] for r in board.units_by_product] == ["Dysport"]


@pytest.mark.django_db
def test_page_shows_the_figures_and_links_each_tile(clinic, manager, practitioner):
    response = client_for(manager).get("/dashboard/?start=01/03/2026&end=31/03/2026")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-tile="sessions">3<' in html
    assert 'data-tile="serious_pending">2<' in html
    # No side effect in a period with sessions is a rate of 0.0, not a dash (no sessions);
    # every rate to one decimal, so that the column reads alike.
    assert 'data-rate="Cervical dystonia">0.0<' in html
    assert 'data-rate="Chronic migraine prophylaxis">200.0<' in html
    stock = client_for(manager).get("/dashboard/panels/stock/?start=01/03/2026&end=31/03/2026")
    assert 'data-units="BOTOX">35<' in stock.content.decode()
    assert 'data-waste="BOTOX">85.0%<' in stock.content.decode()
    # Nothing wasted is 0.0 %, not a dash (which says there is no figure).
    assert 'data-waste="Dysport">0.0%<' in stock.content.decode()
    assert "/reports/sessions/?start=01%2F03%2F2026&amp;end=31%2F03%2F2026" in html
    assert "/reports/side-effects/?worklist=serious-pending" in html
    assert "March 2026" in html and "February 2026" in html
    mine = client_for(practitioner).get(
        f"/dashboard/?start=2026-03-01&end=2026-03-31&practitioner={clinic['bob'].pk}"
    )
    assert 'data-tile="sessions">2<' in mine.content.decode()
    mine_stock = client_for(practitioner).get("/dashboard/panels/stock/").content.decode()
    assert "Units injected per product" in mine_stock and "Vial wastage" not in mine_stock


@pytest.mark.django_db
def test_the_week_under_way_is_given_apart_from_the_line(manager, practitioner):
    """Browser review, 07/12/2026: on a Monday morning the week under way was plotted as
    0, a steep fall. It is no point on the line; its sessions so far are a figure of
    their own, against SQL as every other figure."""
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    this_week = [local_midnight(monday) + timedelta(minutes=m) for m in (1, 2)]
    last_week = [
        local_midnight(monday - timedelta(days=d)) + timedelta(hours=12) for d in (1, 3, 7)
    ]
    for when in [*this_week, *last_week]:
        TreatmentSessionFactory(
            practitioner=practitioner, performed_at=when, signed=True, signed_at=when
        )
    TreatmentSessionFactory(practitioner=practitioner, performed_at=this_week[0])  # a draft
    call_command("rebuild_rollups", stdout=StringIO())
    period = Period(monday - timedelta(days=7), today)
    signed = lambda start, end: one(f"SELECT COUNT(*) {SIGNED_IN}", start, end)  # noqa: E731
    so_far = signed(local_midnight(monday), local_midnight(today + timedelta(days=1)))
    before = signed(local_midnight(monday - timedelta(days=7)), local_midnight(monday))

    board = selectors.dashboard(
        scope=selectors.scope_for(user=manager, period=period), whole_clinic=True
    )
    assert board.sessions_so_far == {"since": monday, "sessions": 2} and so_far == 2
    assert [row["under_way"] for row in board.sessions_over_time] == [False, True]

    html = client_for(manager).get(
        f"/dashboard/?start={period.start:%d/%m/%Y}&end={today:%d/%m/%Y}"
    )
    html = html.content.decode()
    chart = json.loads(
        re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', html)[1]
    )["sessions"]
    assert chart["values"] == [before, None] == [3, None]  # no point for the week under way
    assert chart["labels"][1].endswith("(so far)")
    figure = html.split('data-testid="sessions-so-far">', 1)[1].split("</p>", 1)[0]
    assert " ".join(re.sub(r"<[^>]+>", " ", figure).split()) == (
        f"This week so far (since Monday {monday:%-d %b}): {so_far} signed sessions "
        "(on the line once the week is over)"
    )
    # A period over and done with has no week under way: no figure apart.
    past = client_for(manager).get("/dashboard/?start=01/03/2026&end=31/03/2026").content
    assert b"sessions-so-far" not in past


@pytest.mark.django_db
def test_heavy_panels_load_on_their_own_with_the_same_figures(clinic, manager, practitioner):
    query = "?start=01/03/2026&end=31/03/2026"
    page = client_for(manager).get(f"/dashboard/{query}").content.decode()
    # On screen: placeholders that fetch the panels for the same filters.
    assert 'hx-get="/dashboard/panels/outcomes/?start=' in page
    assert 'hx-get="/dashboard/panels/retreatment/?start=' in page
    assert "data-responders=" not in page
    # The panel shows what the inline (print) version shows.
    panel = client_for(manager).get(f"/dashboard/panels/outcomes/{query}").content.decode()
    printed = client_for(manager).get(f"/dashboard/{query}&print=1").content.decode()
    cell = 'data-responders="Chronic migraine prophylaxis">66.7%<'
    assert cell in panel and cell in printed
    recall = client_for(manager).get(f"/dashboard/panels/retreatment/{query}").content.decode()
    assert (
        'data-tile="retreatment_overdue"' in recall and 'data-tile="retreatment_overdue"' in printed
    )
    # Unknown panels are 404; reception may not see any.
    assert client_for(manager).get("/dashboard/panels/nothing/").status_code == 404


def test_a_responder_rate_of_nought_reads_0_percent_and_none_reads_a_dash():
    # The panel printed "—%" for an indication whose one patient did not respond (0.0 is
    # falsy, so |default replaced it), where the Outcomes report says 0.0%.
    from django.template.loader import render_to_string

    rows = [
        {
            "indication": "Glabellar lines",
            "indication_id": 1,
            "series": 1,
            "good": 0,
            "partial": 0,
            "responder_percent": Decimal("0.0"),
        },
        {
            "indication": "Crow's feet",
            "indication_id": 2,
            "series": 0,
            "good": 0,
            "partial": 0,
            "responder_percent": None,
        },
    ]
    html = render_to_string(
        "reports/includes/dashboard_outcomes.html", {"board": {"responders": rows}, "q": "?"}
    )
    assert 'data-responders="Glabellar lines">0.0%<' in html
    assert 'data-responders="Crow&#x27;s feet">—<' in html
    assert "—%" not in html
