"""tests/shared_rows.py's `copied`: each test's own copy of a module's shared objects."""

import copy

from tests.shared_rows import copied


class Row:
    copies = 0

    def __init__(self, name):
        self.name = name

    def __deepcopy__(self, memo):
        Row.copies += 1
        made = Row(self.name)
        memo[id(self)] = made
        return made


def test_a_test_changes_its_own_copy_only():
    shared = {"patient": Row("Okafor"), "nested": {"vial": Row("LOT1")}}
    first = copied(shared)
    first["patient"].name = "changed"
    first["nested"]["vial"].name = "changed"
    second = copied(shared)
    assert shared["patient"].name == second["patient"].name == "Okafor"
    assert shared["nested"]["vial"].name == second["nested"]["vial"].name == "LOT1"
    assert first["patient"] is first["patient"]  # read twice: one copy


def test_only_what_a_test_reads_is_copied():
    Row.copies = 0
    shared = {name: Row(name) for name in ("a", "b", "c")} | {"more": {"d": Row("d")}}
    mine = copied(shared)
    assert Row.copies == 0
    assert mine["b"].name == "b"
    assert Row.copies == 1
    assert mine["more"]["d"].name == "d"
    assert Row.copies == 2
    assert sorted(mine) == ["a", "b", "c", "more"] and len(mine) == 4


def test_an_object_under_two_keys_is_one_object_in_the_copy_as_a_deep_copy_makes_it():
    practitioner = Row("amelia")
    shared = {"practitioner": practitioner, "objects": {"staff": practitioner}}
    mine, whole = copied(shared), copy.deepcopy(shared)
    assert mine["objects"]["staff"] is mine["practitioner"] is not practitioner
    assert whole["objects"]["staff"] is whole["practitioner"]
