"""clinic.prepared: a queryset compiled once per process runs with each call's values and
gives what the same queryset built afresh gives (instances, select_related, prefetches)."""

import uuid
from datetime import date, timedelta
from unittest import mock

import pytest
from django.db.models import Prefetch
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from clinic.prepared import Prepared, attach_related
from tests.factories import TreatmentSessionFactory, VialFactory
from treatments.models import Product, SessionVial, TreatmentSession, Vial

pytestmark = pytest.mark.django_db


def _sessions(public_id, since, day):
    return (
        TreatmentSession.objects.select_related("patient", "vial__product")
        .prefetch_related(Prefetch("vial_links", queryset=SessionVial.objects.all()))
        .filter(public_id=public_id, performed_at__gte=since, created_at__date__gte=day)
    )


def _prepared():
    moment = timezone.now() - timedelta(days=3000)
    return Prepared(
        _sessions,
        public_id=(uuid.UUID(int=1), uuid.UUID(int=2)),
        since=(moment, moment + timedelta(days=40, seconds=3)),
        day=(date(2001, 2, 3), date(2002, 3, 4)),
    )


def _run(read, how, **values) -> list:
    return read.list(**values) if how == "list" else list(read.queryset(**values))


@pytest.mark.parametrize("how", ["list", "queryset"])
def test_runs_with_each_calls_values_and_builds_what_the_orm_builds(how, django_assert_num_queries):
    read = _prepared()
    first, second = TreatmentSessionFactory.create_batch(2)
    since = timezone.now() - timedelta(days=1)
    for session in (first, second):
        with django_assert_num_queries(2):  # the row with its joins, the prefetch
            (found,) = _run(read, how, public_id=session.public_id, since=since, day=since.date())
            assert found == session
            assert found.patient == session.patient and found.vial.product == session.product
            assert list(found.vial_links.all()) == []
        expected = _sessions(session.public_id, since, since.date()).get()
        assert {f.attname: getattr(found, f.attname) for f in TreatmentSession._meta.fields} == {
            f.attname: getattr(expected, f.attname) for f in TreatmentSession._meta.fields
        }
    assert _run(read, how, public_id=first.public_id, since=timezone.now(), day=since.date()) == []
    assert _run(read, how, public_id=uuid.uuid4(), since=since, day=since.date()) == []


@pytest.mark.parametrize("how", ["list", "queryset"])
def test_compiles_once_per_process(how):
    read = _prepared()
    session = TreatmentSessionFactory()
    since = timezone.now() - timedelta(days=1)
    _run(read, how, public_id=session.public_id, since=since, day=since.date())
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as spy:
        (found,) = _run(read, how, public_id=session.public_id, since=since, day=since.date())
    assert found == session
    # Only the prefetch of the further vials compiled; the main read ran the cached SQL.
    assert spy.call_count == 1


def test_filtering_further_compiles_afresh():
    read = _prepared()
    session = TreatmentSessionFactory()
    since = timezone.now() - timedelta(days=1)
    queryset = read.queryset(public_id=session.public_id, since=since, day=since.date())
    assert list(queryset.filter(notes="nothing like it")) == []
    assert queryset.count() == 1


def test_a_value_that_shapes_the_query_is_refused():
    read = Prepared(
        lambda vial_id: TreatmentSession.objects.filter(vial_id=vial_id),
        vial_id=(None, 5),  # None makes IS NULL: another query
    )
    with pytest.raises(ValueError, match="shape"):
        list(read.queryset(vial_id=5))


def test_a_value_transformed_before_it_reaches_the_query_is_refused():
    read = Prepared(
        lambda since: TreatmentSession.objects.filter(created_at__date__gte=since.date()),
        since=(timezone.now(), timezone.now() + timedelta(days=3)),
    )
    with pytest.raises(ValueError, match="no known adaptation"):
        list(read.queryset(since=timezone.now()))


def test_a_value_that_is_no_parameter_is_refused():
    read = Prepared(
        lambda on: TreatmentSession.objects.all(),
        on=(date(2001, 1, 1), date(2002, 2, 2)),
    )
    with pytest.raises(ValueError, match="not a parameter"):
        list(read.queryset(on=date(2020, 1, 1)))


def test_one_or_404_gives_the_row_or_a_404_and_reads_a_uuid_given_as_text():
    from django.http import Http404

    read = Prepared(
        lambda public_id: TreatmentSession.objects.filter(public_id=public_id),
        public_id=(uuid.UUID(int=1), uuid.UUID(int=2)),
    )
    session = TreatmentSessionFactory()
    assert read.one_or_404("No such session", public_id=session.public_id) == session
    assert read.one_or_404("No such session", public_id=str(session.public_id)) == session
    for missing in (uuid.uuid4(), str(uuid.uuid4()), "not-a-uuid", "1; DROP TABLE x"):
        with pytest.raises(Http404, match="No such session"):
            read.one_or_404("No such session", public_id=missing)


def test_sql_is_the_compiled_text_with_this_calls_values():
    """For a statement of one's own (the access event's INSERT takes one as a subquery)."""
    from django.db import connection

    session = TreatmentSessionFactory()
    read = Prepared(
        lambda public_id: TreatmentSession.objects.filter(public_id=public_id).values("patient_id"),
        public_id=(uuid.UUID(int=1), uuid.UUID(int=2)),
    )
    sql, params = read.sql(public_id=session.public_id)
    fresh = TreatmentSession.objects.filter(public_id=session.public_id).values("patient_id")
    fresh_sql, fresh_params = fresh.query.sql_with_params()
    assert (sql, params) == (fresh_sql, list(fresh_params))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert cursor.fetchall() == [(session.patient_id,)]


def test_reads_side_by_side_come_back_apart_converted_and_checked(django_assert_num_queries):
    """clinic.prepared.read_side_by_side: two compiled reads in one statement, each read's
    rows apart (none for a read that found nothing), converted as the read itself converts
    them; a wrong number of columns is refused, not sliced wrongly."""
    from clinic.prepared import read_side_by_side

    first, second = TreatmentSessionFactory(), TreatmentSessionFactory()
    dates = Prepared(
        lambda pk: TreatmentSession.objects.filter(pk=pk).values_list("pk", "performed_at"),
        pk=(1, 2),
    )
    ids = Prepared(
        lambda pk: TreatmentSession.objects.filter(pk__gte=pk).values_list("pk"), pk=(1, 2)
    )
    with django_assert_num_queries(1):
        one, many, none = read_side_by_side(
            (*dates.sql(pk=first.pk), 2), (*ids.sql(pk=first.pk), 1), (*ids.sql(pk=10**9), 1)
        )
    assert dates.converted(one) == dates.list(pk=first.pk)
    assert sorted(many) == [(first.pk,), (second.pk,)]
    assert none == []
    with pytest.raises(ValueError, match="number of columns"):
        read_side_by_side((*dates.sql(pk=first.pk), 1), (*ids.sql(pk=first.pk), 1))


def test_attach_related_gives_only_the_rows_that_point_at_it(django_assert_num_queries):
    """clinic.prepared.attach_related: the rows whose key is the held object's get it
    without a query; another row reads its own when asked; nothing held, nothing given."""
    botox, dysport = Product.objects.get(slug="botox"), Product.objects.get(slug="dysport")
    ids = [VialFactory(product=botox).pk, VialFactory(product=dysport).pk]
    vials = list(Vial.objects.filter(pk__in=ids).order_by("pk"))
    attach_related(vials, "product", botox)
    attach_related(vials, "product", None)
    attach_related([], "product", botox)
    with django_assert_num_queries(0):
        assert vials[0].product is botox
    with django_assert_num_queries(1):
        assert vials[1].product == dysport
