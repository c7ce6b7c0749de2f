"""clinic.history_writes: rows and their history rows written by hand hold what
django-simple-history would have written, on both of its paths (the one-statement CTE on
PostgreSQL, and the statement-per-step path SQLite takes, forced here on PostgreSQL too)."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic import history_writes
from tests.factories import (
    InjectionPointFactory,
    TreatmentSessionFactory,
    UserFactory,
    VialFactory,
)
from treatments.models import (
    FollowUp,
    InjectionPoint,
    SessionFinding,
    SessionVial,
    TreatmentSession,
    VialDraw,
)

pytestmark = pytest.mark.django_db

PATHS = ["native", "statement-per-step"]
BOOKKEEPING = {"history_id", "history_date", "history_change_reason", "history_type"}


@pytest.fixture(params=PATHS)
def path(request, monkeypatch):
    """Run the test on this database's own path, then on the statement-per-step one."""
    if request.param == "statement-per-step":
        if connection.vendor != "postgresql":
            pytest.skip("SQLite's native path is the statement-per-step one")
        real = history_writes._spec

        def portable(model):
            spec = real(model)
            copy = object.__new__(type(spec))
            copy.__dict__.update(spec.__dict__, is_postgresql=False)
            return copy

        monkeypatch.setattr(history_writes, "_spec", portable)
    return request.param


def _table_row(model, pk) -> dict:
    return model.objects.filter(pk=pk).values(*[f.attname for f in model._meta.concrete_fields])[0]


def _history_rows(model, **filters) -> list[dict]:
    return list(model.history.model.objects.filter(**filters).order_by("history_id").values())


def _tracked(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in BOOKKEEPING}


def _new_session(template: TreatmentSession, user, **fields) -> TreatmentSession:
    """An unsaved session of `template`'s patient, indication and product, by `user`."""
    return TreatmentSession(
        patient=template.patient,
        practitioner=user,
        indication=template.indication,
        product=template.product,
        **fields,
    )


def test_update_writes_the_row_and_the_history_row_simple_history_would(path):
    user = UserFactory()
    session = TreatmentSessionFactory()
    session.notes = "by simple-history"
    session._history_user = user
    session.save()  # simple-history's own "~" row
    by_signal = _history_rows(TreatmentSession, id=session.pk)[-1]
    session.notes = "by hand"
    session.version += 1
    before = session.updated_at
    when = timezone.now()
    with_sql = 1 if connection.vendor == "postgresql" and path == "native" else 2
    with CaptureQueriesContext(connection) as queries:
        history_writes.update_with_history(session, user_id=user.pk, when=when)
    assert len(queries) == with_sql
    row = _table_row(TreatmentSession, session.pk)
    assert row["notes"] == "by hand" and row["version"] == session.version
    assert row["updated_at"] > before  # auto_now, as save() sets it
    by_hand = _history_rows(TreatmentSession, id=session.pk)[-1]
    assert by_hand["history_type"] == "~" and by_hand["history_date"] == when
    assert by_hand["history_user_id"] == user.pk and by_hand["history_change_reason"] is None
    assert _tracked(by_hand) == {**row, "history_user_id": user.pk}
    # Same columns, same bookkeeping as simple-history's row, but for what changed.
    assert by_hand.keys() == by_signal.keys()
    assert by_signal["history_type"] == "~" and by_signal["history_change_reason"] is None
    differ = {k for k in by_hand if by_hand[k] != by_signal[k]}
    assert differ <= {"history_id", "history_date", "notes", "version", "updated_at"}


def test_insert_writes_the_row_and_its_added_history_row(path):
    user = UserFactory()
    template = TreatmentSessionFactory()
    session = _new_session(template, user, notes="new")
    history_writes.insert_with_history(session, user_id=user.pk, when=timezone.now())
    assert session.pk and not session._state.adding
    (history,) = _history_rows(TreatmentSession, id=session.pk)
    assert history["history_type"] == "+" and history["history_user_id"] == user.pk
    assert _tracked(history) == {
        **_table_row(TreatmentSession, session.pk),
        "history_user_id": user.pk,
    }


def test_insert_with_children_writes_them_pointing_at_the_new_row_in_one_statement(path):
    """A new session with its points (historied), a further vial and a draw (not): the
    children take the session's new key, get their own, and only the historied ones get
    "+" history rows. One statement on PostgreSQL's own path."""
    user = UserFactory()
    template = TreatmentSessionFactory()
    site = InjectionPointFactory(session=template).site
    further = VialFactory(product=template.product)
    session = _new_session(template, user, vial=template.vial)
    points = [
        InjectionPoint(session=session, order=i, site=site, side="left", units=u)
        for i, u in enumerate([Decimal("5"), Decimal("2.50")])
    ]
    links = [SessionVial(session=session, vial=further, position=1)]
    draws = [VialDraw(session=session, vial=template.vial, units=Decimal("7.50"))]
    when = timezone.now()
    one = connection.vendor == "postgresql" and path == "native"
    with CaptureQueriesContext(connection) as queries:
        history_writes.insert_with_history(
            session,
            user_id=user.pk,
            when=when,
            children=[("session", points), ("session", links), ("session", []), ("session", draws)],
        )
    if one:
        assert len(queries) == 1
    assert session.pk and not session._state.adding
    for child in (*points, *links, *draws):
        assert child.pk and child.session_id == session.pk and not child._state.adding
    saved = list(InjectionPoint.objects.filter(session=session).order_by("order"))
    assert [(p.pk, p.units) for p in saved] == [(p.pk, p.units) for p in points]
    assert list(session.vial_links.values_list("pk", "vial_id", "position")) == [
        (links[0].pk, further.pk, 1)
    ]
    assert list(VialDraw.objects.filter(session=session).values_list("pk", "units")) == [
        (draws[0].pk, Decimal("7.50"))
    ]
    (history,) = _history_rows(TreatmentSession, id=session.pk)
    assert history["history_type"] == "+" and history["history_date"] == when
    for point in points:
        (added,) = _history_rows(InjectionPoint, id=point.pk)
        assert added["history_type"] == "+" and added["history_user_id"] == user.pk
        assert _tracked(added) == {
            **_table_row(InjectionPoint, point.pk),
            "history_user_id": user.pk,
        }


def test_replace_deletes_inserts_and_writes_removed_and_added_history_rows(path):
    user = UserFactory()
    session = TreatmentSessionFactory()
    old = InjectionPointFactory.create_batch(3, session=session)
    old_rows = {p.pk: _table_row(InjectionPoint, p.pk) for p in old}
    new = [
        InjectionPoint(session=session, order=i, site=old[0].site, side="right", units=u)
        for i, u in enumerate([Decimal("2.50"), Decimal("7")])
    ]
    when = timezone.now()
    history_writes.replace_with_history(
        InjectionPoint, old_pks=list(old_rows), new=new, user_id=user.pk, when=when
    )
    assert not InjectionPoint.objects.filter(pk__in=old_rows).exists()
    assert [p.pk for p in new] == list(
        InjectionPoint.objects.filter(session=session)
        .order_by("order")
        .values_list("pk", flat=True)
    )
    rows = _history_rows(InjectionPoint, session_id=session.pk, history_user_id=user.pk)
    removed = [r for r in rows if r["history_type"] == "-"]
    added = [r for r in rows if r["history_type"] == "+"]
    assert [r["history_type"] for r in rows] == ["-"] * 3 + ["+"] * 2  # removed first
    for r in removed:
        assert _tracked(r) == {**old_rows[r["id"]], "history_user_id": user.pk}
    for r in added:
        assert _tracked(r) == {**_table_row(InjectionPoint, r["id"]), "history_user_id": user.pk}
    assert all(r["history_date"] == when for r in rows)


def test_replace_with_nothing_new_only_deletes(path):
    user = UserFactory()
    points = InjectionPointFactory.create_batch(2)
    history_writes.replace_with_history(
        InjectionPoint, old_pks=[p.pk for p in points], user_id=user.pk, when=timezone.now()
    )
    assert not InjectionPoint.objects.filter(pk__in=[p.pk for p in points]).exists()
    rows = _history_rows(InjectionPoint, history_user_id=user.pk)
    assert sorted(r["id"] for r in rows) == sorted(p.pk for p in points)
    assert {r["history_type"] for r in rows} == {"-"}


def test_update_inserts_other_rows_in_the_same_write(path):
    user = UserFactory()
    session = TreatmentSessionFactory()
    now = timezone.now()
    finding = SessionFinding(
        session=session,
        code="x.y",
        level="warn",
        message="m",
        source="s",
        recorded_by=user,
        recorded_at=now,
    )
    task = FollowUp(
        patient=session.patient,
        session=session,
        kind="review-call",
        title="Call",
        due_on=now.date(),
        rule_code="r",
        created_by=user,
    )
    session.notes = "with findings"
    history_writes.update_with_history(
        session, user_id=user.pk, when=now, inserts=[[finding], [], [task]]
    )
    assert list(SessionFinding.objects.filter(session=session).values_list("code", flat=True)) == [
        "x.y"
    ]
    (saved,) = FollowUp.objects.filter(session=session)
    assert saved.title == "Call" and saved.updated_at is not None
    assert _history_rows(TreatmentSession, id=session.pk)[-1]["notes"] == "with findings"


def test_update_of_a_missing_row_is_an_error(path):
    session = TreatmentSessionFactory()
    TreatmentSession.objects.filter(pk=session.pk).update(notes="x")
    session.pk = session.id = 10**9
    with pytest.raises(DatabaseError):
        history_writes.update_with_history(session, user_id=None, when=timezone.now())


def test_update_where_changes_the_matching_rows_each_with_its_history_row(path):
    user = UserFactory()
    first, second, other = TreatmentSessionFactory.create_batch(3)
    versions = {s.pk: s.version for s in (first, second, other)}
    when = timezone.now()
    with_sql = 1 if connection.vendor == "postgresql" and path == "native" else 3
    with CaptureQueriesContext(connection) as queries:
        changed = history_writes.update_where_with_history(
            TreatmentSession.objects.filter(pk__in=[first.pk, second.pk]),
            values={"notes": "by hand"},
            increment=["version"],
            user_id=user.pk,
            when=when,
        )
    assert changed == 2 and len(queries) == with_sql
    for session in (first, second):
        row = _table_row(TreatmentSession, session.pk)
        assert row["notes"] == "by hand" and row["version"] == versions[session.pk] + 1
        by_hand = _history_rows(TreatmentSession, id=session.pk)[-1]
        assert by_hand["history_type"] == "~" and by_hand["history_date"] == when
        assert _tracked(by_hand) == {**row, "history_user_id": user.pk}
    untouched = _table_row(TreatmentSession, other.pk)
    assert untouched["notes"] != "by hand" and untouched["version"] == versions[other.pk]
    assert _history_rows(TreatmentSession, id=other.pk)[-1]["history_type"] == "+"
    nothing = history_writes.update_where_with_history(
        TreatmentSession.objects.filter(pk=10**9), values={"notes": "x"}, user_id=None, when=when
    )
    assert nothing == 0
    with pytest.raises(ValueError, match="own table"):  # a join would not be this table's
        history_writes.update_where_with_history(
            TreatmentSession.objects.filter(patient__family_name="x"),
            values={"notes": "x"},
            user_id=None,
            when=when,
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps a longer text")
def test_a_value_too_long_for_its_column_is_refused_not_cut_short():
    """The one-statement INSERT binds each column as an array: cast to varchar(250)[], a
    longer value was cut to 250 characters in silence. Cast to varchar[], the column
    itself refuses it, as the ORM's own INSERT would."""
    from django.db import DataError, transaction

    user = UserFactory()
    template = TreatmentSessionFactory()
    session = _new_session(template, user, top_up_reason="x" * 251)  # max_length=250
    point = InjectionPoint(site=InjectionPointFactory.build().site, units=Decimal(5))
    with pytest.raises(DataError, match="too long"), transaction.atomic():
        history_writes.insert_with_history(
            session, user_id=user.pk, when=timezone.now(), children=[("session", [point])]
        )
    assert not TreatmentSession.objects.filter(top_up_reason__startswith="xxx").exists()
