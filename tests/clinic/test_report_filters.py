"""Report filters speak in words: staff are listed by name (issue 13.19)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from clinic.reports.filters.base import ReportFilterSet
from clinic.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_practitioner_choices_are_names_not_usernames():
    hart = UserFactory(username="ahart", first_name="Amelia", last_name="Hart")
    unnamed = UserFactory(username="nonames", first_name="", last_name="")
    field = ReportFilterSet.base_filters["practitioner"].field_class(
        queryset=get_user_model().objects.all()
    )
    assert field.label_from_instance(hart) == "Amelia Hart"
    assert field.label_from_instance(unnamed) == "nonames"  # no name recorded


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the report reads PostgreSQL")
def test_report_page_lists_practitioners_by_name(manager_client):
    UserFactory(username="ahart", first_name="Amelia", last_name="Hart", role=Role.PRACTITIONER)
    content = manager_client.get("/reports/sessions/").content.decode()
    assert ">Amelia Hart</option>" in content
    assert ">ahart</option>" not in content
