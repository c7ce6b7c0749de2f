"""Name search through the distinct names on PostgreSQL (issue 14.4, patients 0016).

search_by_distinct_names must find exactly the patients that the row-by-row filter of
patients.selectors.search finds, ranked the same (ties then in normalised order), and the
distinct-name tables must hold every name a patient carries after each way of writing
patients (registration, edit, bulk insert, queryset update, COPY-like bulk statements).
"""

from datetime import date

import pytest
from django.db import connection, transaction
from django.db.models import Q

from patients.choices import Sex
from patients.models import Patient
from patients.selectors import patient_search
from patients.selectors.search import (
    _LOOSE_THRESHOLDS,
    _WEIGHTS,
    MIN_FUZZY_LENGTH,
    _by_names,
    _rank,
    _word_filter,
    _words_filter,
    parse_search,
)
from patients.selectors.search_names import search_by_distinct_names
from patients.services import patient_register, patient_update
from tests.factories import PatientFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the distinct-name tables are PostgreSQL's"
    ),
]

NAMES = [
    ("Charlotte", "O'Brien-Whitfield"),
    ("Deborah", "White"),
    ("Brian", "Whitehead"),
    ("Tom", "Whitfield"),
    ("Ciaran", "Brennan"),
    ("Iain", "MacDonald"),
    ("Ewan", "Mc Donald"),
    ("Lara", "Machin"),
    ("Zoë", "Ångström"),
    ("Émile", "Zola"),
    ("Ann", "Lewis"),
    ("Lewis", "Allen"),
    ("Lewis", "Lewis"),
    ("Jo", "Jones"),
    ("John", "Smith"),
    ("Joanna", "Smyth"),
    ("Mary-Jane", "Smith"),
    ("Mark", "Ball"),
    ("Marc", "Bell"),
    ("Mark", "Marks"),
    ("Rose", "Ross"),
    ("Rosie", "Allen"),
    ("Ross", "Rose"),
    ("Eleanor", "Featherstonehaugh"),
    ("Anne Marie", "van der Berg"),
    ("Sean", "D'Arcy"),
    ("Mary", "Smith-Jones"),
    ("Jon", "Smith"),
    ("Mark", "Ball"),  # two patients with the same names: ties broken by id
]
QUERIES = [
    "whitfield",
    "whitfeild",
    "obrien",
    "o'brien",
    "o brien",
    "OBrien Whitfield",
    "charlotte o'brien",
    "mcdonald",
    "Mac Donald",
    "zoe angstrom",
    "emile",
    "lewis",
    "Lweis",
    "smith",
    "smiht",
    "smyth",
    "jones",
    "Jonse",
    "mark ball",
    "marc ball",
    "ros",
    "whi",
    "mar",
    "van der berg",
    "anne marie",
    "d'arcy",
    "j smith",
    "m ball",
    "feath",
    "fetherstonhaugh",
    "eleanor feath",
    "mary smith jones",
]


@pytest.fixture
def people():
    found = [PatientFactory(given_names=given, family_name=family) for given, family in NAMES]
    PatientFactory(given_names="Old", family_name="Smith", status="archived")
    PatientFactory(given_names="Lewis", family_name="Whitfield", status="archived")
    return found


def _order(patient):
    return (-patient.rank, patient.family_name_key.encode(), patient.given_name_tokens.encode())


def _row_by_row(parsed, *, status, limit, loose=False):
    """What the row-by-row filter finds (patients.selectors.search), every match ranked,
    sorted rank first, then normalised names and id."""
    base = Patient.objects.all() if status is None else Patient.objects.filter(status=status)
    if loose:
        for word in parsed.words:
            base = base.filter(
                Q(family_name_key__trigram_similar=word)
                | Q(family_name_tokens__trigram_word_similar=word)
                if len(word) > MIN_FUZZY_LENGTH
                else _word_filter(word, fuzzy=False)
            )
    else:
        base = base.filter(_words_filter(parsed, fuzzy=True))
    rows = list(base.annotate(rank=_rank(parsed)))
    return sorted(rows, key=lambda p: (*_order(p), p.pk))[:limit]


@pytest.mark.parametrize("status", ["active", None, "archived"])
@pytest.mark.parametrize("limit", [1, 2, 3, 25])
def test_same_patients_same_ranks_as_the_row_by_row_filter(people, status, limit):
    for query in QUERIES:
        parsed = parse_search(query)
        expected = _row_by_row(parsed, status=status, limit=limit)
        found = _by_names(parsed, status=status, limit=limit)
        assert [p.pk for p in found] == [p.pk for p in expected], query
        assert [p.rank for p in found] == pytest.approx([p.rank for p in expected]), query


def test_planner_settings_end_with_the_search(people):
    with transaction.atomic(), connection.cursor() as cursor:
        _by_names(parse_search("Lweis"), status="active", limit=25, mode="loose")
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), "
            "current_setting('pg_trgm.similarity_threshold')"
        )
        assert cursor.fetchone() == ("on", "0.3")


def test_same_patients_with_the_looser_thresholds(people):
    for query in ["Lweis", "Jonse", "whitfeild", "obrein", "smiht", "mark blal", "ros"]:
        parsed = parse_search(query)
        with transaction.atomic(), connection.cursor() as cursor:
            for name, value in _LOOSE_THRESHOLDS.items():
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
            expected = _row_by_row(parsed, status="active", limit=25, loose=True)
        found = _by_names(parsed, status="active", limit=25, mode="loose")
        assert [p.pk for p in found] == [p.pk for p in expected], query


def test_initials_only_list_alphabetically(people):
    parsed = parse_search("m b")
    expected = Patient.objects.filter(status="active").filter(_words_filter(parsed, fuzzy=True))
    found = search_by_distinct_names(
        parsed.words, parsed.joined, status="active", limit=25, weights=_WEIGHTS, ranked=False
    )
    ordered = sorted(
        expected, key=lambda p: (p.family_name_key.encode(), p.given_name_tokens.encode(), p.pk)
    )
    assert [p.pk for p in found] == [p.pk for p in ordered]
    assert {p.family_name for p in found} == {"Ball", "Bell"}  # Mark Ball, Marc Bell


def test_patient_search_uses_the_distinct_names(people, reception, django_assert_num_queries):
    # One round trip: the planner settings, the search statement, their RESETs.
    with django_assert_num_queries(1) as captured:
        results = patient_search(user=reception, query="whitfield")
    assert "patients_search_surname" in captured.captured_queries[0]["sql"]
    assert [p.family_name for p in results[:2]] == ["Whitfield", "O'Brien-Whitfield"]


# The tables of distinct names ---------------------------------------------------------


def _surnames():
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, tokens FROM patients_search_surname")
        return set(cursor.fetchall())


def _given_names():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tokens FROM patients_search_given_name")
        return {row[0] for row in cursor.fetchall()}


def _carried():
    rows = Patient.objects.values_list("family_name_key", "family_name_tokens", "given_name_tokens")
    return {(key, tokens) for key, tokens, _ in rows}, {given for _, _, given in rows}


def _assert_tables_hold_every_name():
    surnames, given = _carried()
    assert surnames <= _surnames()
    assert given <= _given_names()


def test_registration_adds_the_names(reception):
    patient_register(
        registered_by=reception,
        confirm_not_duplicate=True,
        title="Ms",
        given_names="Siân Mary",
        family_name="Ap-Rhys",
        preferred_name="Sia",
        date_of_birth=date(1980, 5, 1),
        sex=Sex.FEMALE,
        gp_practice="Kensington Park Medical Centre",
        phone="07700900111",
        address_line_1="1 High Street",
        town="London",
        postcode="W8 7QB",
        emergency_contact_name="Sam Taylor",
        emergency_contact_phone="07700900999",
        referral_source="gp",
    )
    assert ("aprhys", " ap rhys") in _surnames()
    assert " sian mary sia" in _given_names()
    _assert_tables_hold_every_name()


def test_renaming_adds_the_new_names_and_search_follows(reception):
    patient = PatientFactory(given_names="Ann", family_name="Lewis")
    PatientFactory(given_names="Jo", family_name="Jones")
    patient_update(
        patient=patient,
        updated_by=reception,
        expected_version=patient.version,
        family_name="Lewis-Carroll",
        given_names="Annabel",
    )
    assert ("lewiscarroll", " lewis carroll") in _surnames()
    assert " annabel" in _given_names()
    _assert_tables_hold_every_name()
    assert patient_search(user=reception, query="carroll") == [patient]
    assert patient_search(user=reception, query="annabel") == [patient]
    # "lewis" stays in the table (nobody may carry it now: it then joins to nobody) and
    # still finds the renamed patient by the part of the surname she kept.
    assert patient_search(user=reception, query="lewis") == [patient]
    Patient.objects.filter(pk=patient.pk).update(
        family_name_key="jones", family_name_tokens=" jones"
    )
    assert [p.given_names for p in patient_search(user=reception, query="lewis")] == []


def test_bulk_writes_add_the_names_once(reception):
    """bulk_create (the demo seed's ORM path) and a multi-row UPDATE: one statement each,
    the trigger adds each distinct name once."""
    patients = [
        PatientFactory.build(given_names="Kay", family_name=f"Bulk{n % 3}") for n in range(9)
    ]
    for patient in patients:
        patient.refresh_name_keys()
    Patient.objects.bulk_create(patients)
    assert {("bulk0", " bulk0"), ("bulk1", " bulk1"), ("bulk2", " bulk2")} <= _surnames()
    Patient.objects.filter(family_name="Bulk1").update(given_name_tokens=" kayleigh")
    assert " kayleigh" in _given_names()
    _assert_tables_hold_every_name()


def test_archiving_and_restoring_keep_the_names(reception):
    patient = PatientFactory(given_names="Ada", family_name="Quimby")
    Patient.objects.filter(pk=patient.pk).update(status="archived")
    assert patient_search(user=reception, query="quimby") == []
    assert patient_search(user=reception, query="quimby", status=None) == [patient]
    _assert_tables_hold_every_name()


def test_truncating_patients_empties_the_tables(people):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign keys
        cursor.execute("TRUNCATE patients_patient CASCADE")
    assert _surnames() == set()
    assert _given_names() == set()
