"""The points a start, a draft save and a signing build (treatments.services.sessions
._new_points): built positionally for speed, they must be the instances the keyword
construction `InjectionPoint(session=..., order=..., **point)` gives, field for field, with
their session and site held (no query to read them)."""

from decimal import Decimal

import pytest

from tests.factories import TreatmentSessionFactory
from treatments.models import AnatomicalSite, InjectionPoint
from treatments.services.sessions import _new_points, point_units_and_volume

pytestmark = pytest.mark.django_db


def _columns(point: InjectionPoint) -> list:
    return [getattr(point, field.attname) for field in InjectionPoint._meta.concrete_fields]


def test_the_points_are_the_keyword_constructions(django_assert_num_queries):
    session = TreatmentSessionFactory()  # its vial: 100 U in 2 mL, 50 U per mL
    sites = list(AnatomicalSite.objects.order_by("pk")[:3])
    rows = [
        {"site": sites[0], "side": "L", "units": Decimal("5"), "volume_ml": None, "points": 2},
        {"site": sites[1], "side": "R", "units": None, "volume_ml": Decimal("0.1"), "points": 1},
        {"site": sites[2], "side": "", "units": Decimal("2.5")},  # `points` left to its default
    ]
    made = _new_points(session, rows)
    expected = [
        InjectionPoint(session=session, order=index, **point_units_and_volume(row, session.vial))
        for index, row in enumerate(rows)
    ]
    assert [_columns(p) for p in made] == [_columns(p) for p in expected]
    assert [(p.order, p.units, p.volume_ml, p.points) for p in made] == [
        (0, Decimal("5"), Decimal("0.100"), 2),
        (1, Decimal("5.00"), Decimal("0.1"), 1),
        (2, Decimal("2.5"), Decimal("0.050"), 1),
    ]
    assert all(p.pk is None and p._state.adding for p in made)
    with django_assert_num_queries(0):
        assert [p.site for p in made] == sites
        assert all(p.session is session for p in made)


def test_an_unknown_field_or_a_site_that_is_no_site_is_refused():
    session = TreatmentSessionFactory()
    site = AnatomicalSite.objects.order_by("pk").first()
    with pytest.raises(TypeError, match="colour"):
        _new_points(session, [{"site": site, "side": "L", "units": Decimal(1), "colour": "red"}])
    with pytest.raises(ValueError, match="AnatomicalSite"):
        _new_points(session, [{"site": site.pk, "side": "L", "units": Decimal(1)}])
