"""Our side's fixtures for `make bench-peer` (run with our venv, DJANGO_SETTINGS_MODULE set):

    .venv/bin/python bench/peer/ours_setup.py N PASSWORD

A practitioner `bench_peer_practitioner` (password PASSWORD), and for each of N lot-tracked
administrations a new screened patient and a reconstituted 200 U BOTOX vial of lot
BENCHPEER1 (a PREEMPT session takes 155 U, so one vial each), received and reconstituted
through the services. Prints one JSON line: indication, product and the patients'
public ids.
"""

import json
import os
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.utils import timezone  # noqa: E402

from patients.services import allocate_record_numbers  # noqa: E402
from tests.factories import PatientFactory, QuestionnaireFactory  # noqa: E402
from treatments import services  # noqa: E402
from treatments.models import Indication, Product  # noqa: E402

USERNAME = "bench_peer_practitioner"


def main(count: int, password: str) -> None:
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username=USERNAME, defaults={"first_name": "Bench", "last_name": "Practitioner"}
    )
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name="Practitioner"))
    botox = Product.objects.get(slug="botox")
    migraine = Indication.objects.get(slug=os.environ.get("BENCH_INDICATION", "chronic-migraine"))
    patients = []
    for record_number in allocate_record_numbers(count):
        patient = PatientFactory(registered_by=user, record_number=record_number, nhs_number="")
        QuestionnaireFactory(patient=patient, entered_by=user)
        vial = services.vial_receive(
            product=botox,
            presentation_units=200,
            lot="BENCHPEER1",
            supplier="Bench Pharma",
            delivery_note="DN-BENCH",
            expiry=timezone.localdate() + timedelta(days=200),
            received_by=user,
        )
        services.vial_reconstitute(vial=vial, diluent_ml=Decimal("4"), reconstituted_by=user)
        patients.append(str(patient.public_id))
    print(json.dumps({"indication": migraine.pk, "product": botox.pk, "patients": patients}))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
