"""Seed a realistic, invented demo clinic: staff accounts, patients, questionnaires and,
at demo size, 18 months of treatment: vials, signed sessions, findings, addenda, tasks.

Sized by flags and fast (bulk inserts in batches, history rows included), so the same
command fills a laptop demo (`make run`) or 100,000 patients for a benchmark:

    manage.py seed_demo                     # 250 patients with treatment, demo logins
    manage.py seed_demo --patients 100000   # benchmark size (patients only: see --sessions)
    manage.py seed_demo --if-empty          # only when no patient exists (make run)
    manage.py seed_demo --patients 8000 --sessions   # treatment history above 5,000 too

On PostgreSQL, patients without a treatment history go in by COPY (--copy). A COPY seed
of BULK_LOAD_MIN_PATIENTS (20,000) or more into tables that hold fewer patients than it
adds runs in one transaction that first sets the tables' secondary indexes, foreign keys
and distinct-name triggers aside and then builds them back from PostgreSQL's own
definitions (clinic.demo.bulk_copy.BulkLoad): a sorted build per index instead of a
million insertions into 35 indexes. It needs the owner role (as migrate does; make run
and bench/lib.sh seed as it); another role keeps the indexes and says so. An interrupted
seed leaves no patient and every index as it was. A million patients: a few minutes.

--sessions / --no-sessions: add the treatment history, or not. Default: on up to 5,000
patients, off above, so the 100,000-patient benchmark seed is no slower than before
(patients and questionnaires only). Up to 2,000 patients (REPLAY_MAX_PATIENTS) each
session is signed by services.session_sign, one at a time (about 30 ms a session on
SQLite: some 15 s for the default demo); above, the same safety engine is run in memory on
the same facts and the rows are inserted in bulk (5,000 patients, 8,500 sessions: about a
minute). A test checks that both ways record the same data.

The history is replayed in date order for each patient. Vials and draft sessions are
written as the services write them; services.session_sign signs (every safety rule runs
again, so findings, override reasons and rule-made follow-ups are the engine's own),
services.vial_discard discards (it checks drawn + wasted against the vial), and
followup_complete, followup_create and session_add_addendum do the rest; today's draft
goes through session_start and session_save_draft. While it runs, a replay clock makes
django.utils.timezone.now() return the moment each step happened, so signed_at,
discarded_at, done_at and history dates are the dates of the story.

What it adds (all invented), over the last 18 months:
- a plan for about 55% of adults (children: paediatric spasticity with weight, or
  nothing): chronic migraine (BOTOX, PREEMPT), glabellar lines (BOTOX, Azzalure or
  Bocouture), crow's feet, forehead with glabellar, axillary hyperhidrosis, cervical
  dystonia (Dysport 500 U or BOTOX), overactive bladder, blepharospasm, adult upper-limb
  spasticity (BOTOX or Dysport) and a few off-label masseter (TMD) patients;
- sessions every minimum interval + 0-8 weeks, a few early (an override with a reason)
  and a few glabellar top-ups within 2 weeks; each session has its own vial, received 1-6
  weeks before (lot, expiry), reconstituted that day at the usual dilution and discarded
  at the end with the rest recorded as waste, so every vial reconciles;
- a questionnaire on file before every session (filed in date order, so the engine sees
  the answers that stood that day); rule-made follow-ups, the older ones done; a few
  hand-made tasks, addenda and vials wasted for other reasons;
- today: one draft chronic-migraine session and stock: 2-4 unopened vials of each
  formulary product, a BOTOX 100 U vial reconstituted this morning (usable now) and one
  reconstituted yesterday (past its use-by, so not offered).
Sessions the engine refuses to sign are left as drafts and counted in the output (the
generator aims for none).

Every name, date, phone and NHS number is generated: NHS numbers come from the 999
range that is never issued to real people, and mobile numbers from 07700 900xxx (Ofcom's
drama range) where the demo is small enough.
"""

import argparse
import functools
import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max

from clinic.demo.access import AccessSeeder
from clinic.demo.background import BackgroundWorkSeeder
from clinic.demo.bulk_copy import BulkLoad
from clinic.demo.diary import DiarySeeder
from clinic.demo.messages import MessagesSeeder
from clinic.demo.outcomes import OutcomeSeeder
from clinic.demo.patient_copy import PatientCopySeeder, write_history
from clinic.demo.patients import PatientSeeder
from clinic.demo.sessions import TreatmentHistory
from clinic.demo.side_effects import SideEffectSeeder
from clinic.demo.staff import StaffSeeder
from patients import rollups as registration_rollup
from patients.models import IntakeQuestionnaire, Patient, PriorTreatment
from patients.services import SEARCH_NAME_TABLES, SEARCH_NAME_TRIGGERS, search_names_fill
from treatments.models import Product
from treatments.services import rollup_rebuild

SESSIONS_DEFAULT_MAX_PATIENTS = 5000  # above this, --sessions must be asked for
REPLAY_MAX_PATIENTS = 2000  # up to this, sessions are signed by services.session_sign
PROGRESS_EVERY_SECONDS = 2.0
# A COPY seed of this many patients or more, into tables holding fewer, sets the tables'
# secondary indexes aside and builds them after the load (BulkLoad).
BULK_LOAD_MIN_PATIENTS = 20000
BULK_LOAD_MODELS = (Patient, Patient.history.model, IntakeQuestionnaire, PriorTreatment)


class Command(
    StaffSeeder,
    PatientSeeder,
    PatientCopySeeder,
    OutcomeSeeder,
    SideEffectSeeder,
    AccessSeeder,
    BackgroundWorkSeeder,
    DiarySeeder,
    MessagesSeeder,
    BaseCommand,
):
    help = (
        "Seed invented demo data: staff logins, patients and questionnaires, and (up to "
        "5,000 patients, or with --sessions) 18 months of vials, sessions and follow-ups."
    )

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=250)
        parser.add_argument("--seed", type=int, default=20261121, help="random seed")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when patients already exist"
        )
        parser.add_argument(
            "--sessions",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="add 18 months of treatment history (default: on up to "
            f"{SESSIONS_DEFAULT_MAX_PATIENTS:,} patients, off above)",
        )
        parser.add_argument(
            "--copy",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="insert patients with PostgreSQL COPY (default: on PostgreSQL when no "
            "treatment history is added; the ORM's bulk inserts otherwise)",
        )

    def handle(self, *args, patients, seed, batch_size, if_empty, sessions, copy, **options):
        if not settings.DEMO_SEED_ALLOWED:
            raise CommandError(
                "seed_demo creates logins with a published password, so it does not run "
                "under production settings. On a throwaway database (a benchmark, a "
                "rehearsal), set DEMO_SEED_ALLOWED=1."
            )
        started = time.monotonic()
        self.rng = random.Random(seed)
        self.staff = self.ensure_staff()
        if if_empty and Patient.objects.exists():
            self.stdout.write("Patients already exist: demo data left as it is.")
            self.print_logins()
            return
        if sessions is None:
            sessions = patients <= SESSIONS_DEFAULT_MAX_PATIENTS
        large = patients > SESSIONS_DEFAULT_MAX_PATIENTS
        self.load_name_lists()
        self.products = list(Product.objects.filter(on_formulary=True))
        self.treatment = None
        if sessions:
            replaying = patients <= REPLAY_MAX_PATIENTS
            self.treatment = TreatmentHistory(self, self.rng, self.staff, replaying)
        seed_batch = self._batch_method(copy)
        if seed_batch == self.seed_batch_by_copy and self._bulk_load_wanted(patients):
            with transaction.atomic():  # the load and the rebuild commit together
                self.seed_patients_in_bulk(patients, seed_batch, batch_size, large)
        else:
            self.seed_patients(patients, seed_batch, batch_size, large)
        done = f"Seeded {patients:,} patients"
        # The bulk loads send no post_save: the dashboard's registrations per day again
        # from the patients (set-based, about a second per million).
        with transaction.atomic(), connection.cursor() as cursor:
            registration_rollup.rebuild(cursor)
        if self.treatment is not None:
            self.treatment.replay()
            done += f" and {len(self.treatment.signed):,} signed sessions"
            scores = self.record_outcomes()
            done += f" and {scores:,} outcome scores"
            reactions = self.record_side_effects()
            done += f" and {reactions:,} side effects"
            # The dashboard's summaries from what was just made (issue 14.5): the replay
            # signs most sessions in memory, not through session_sign.
            rollup_rebuild.rebuild()
        done += f" and {self.record_access_and_subject_access():,} access events"  # issue 6
        if self.treatment is not None:
            self.record_background_work()  # issue 12.2
            done += f" and {self.record_diary():,} appointments"  # issue 15
            done += f" and {self.record_messages():,} messages"  # issue 15.5
        self.stdout.write(self.style.SUCCESS(f"{done} in {time.monotonic() - started:.1f}s"))
        self.print_logins()

    def seed_patients(self, patients: int, seed_batch, batch_size: int, large: bool) -> None:
        """`patients` patients in batches, with a progress line every few seconds."""
        made, seeding_from, reported = 0, time.monotonic(), 0.0
        while made < patients:
            size = min(batch_size, patients - made)
            seed_batch(size, large=large)
            made += size
            now = time.monotonic()
            if made == patients or now - reported >= PROGRESS_EVERY_SECONDS:
                reported = now
                rate = made / max(now - seeding_from, 1e-6)
                eta = (patients - made) / rate
                self.stdout.write(
                    f"  {made:>9,}/{patients:,} patients  {rate:,.0f}/s  "
                    f"ETA {int(eta // 60)}:{int(eta % 60):02d}"
                )

    def _bulk_load_wanted(self, patients: int) -> bool:
        """Set the indexes aside for a large COPY load (BulkLoad) when it at least doubles
        the patients (rebuilding an index reads the rows already there too) and this role
        owns the tables (the owner role: make run and bench/lib.sh seed as it)."""
        if patients < BULK_LOAD_MIN_PATIENTS or Patient.objects.count() > patients:
            return False
        with connection.cursor() as cursor:
            if BulkLoad.owns(cursor, BULK_LOAD_MODELS):
                return True
        self.stdout.write(
            "  Not the owner of the patients' tables: their indexes are kept up to date row "
            "by row (slower). Seed as the owner role (DATABASE_OWNER_URL) for the fast way."
        )
        return False

    def seed_patients_in_bulk(self, patients: int, seed_batch, batch_size: int, large):
        """seed_patients with the secondary indexes, foreign keys and distinct-name
        triggers of the patients' tables set aside, then put back (in the caller's
        transaction); the distinct names filled set-based, as the triggers would have."""
        first_id = (Patient.objects.aggregate(last=Max("id"))["last"] or 0) + 1
        with connection.cursor() as django_cursor:
            cursor = django_cursor.cursor
            bulk = BulkLoad(
                cursor,
                BULK_LOAD_MODELS,
                triggers=[(Patient._meta.db_table, name) for name in SEARCH_NAME_TRIGGERS],
            )
            bulk.set_aside()
            # The history rows in one statement after the load, not one a batch.
            seed_batch = functools.partial(seed_batch, history=False)
            self.seed_patients(patients, seed_batch, batch_size, large)
            write_history(cursor, user=self.staff["reception"].pk, from_id=first_id)
            self.stdout.write(
                f"  Building the {len(bulk.indexes)} indexes and {len(bulk.foreign_keys)} "
                "foreign keys set aside during the load:"
            )
            started = time.monotonic()
            bulk.restore(lambda step: self.stdout.write(f"    {step}"))
            search_names_fill(from_id=first_id)
            # Their planner statistics (small tables: a few milliseconds); the patients'
            # own tables are left to autovacuum (or the benchmark's VACUUM ANALYZE).
            cursor.execute(f"ANALYZE {', '.join(SEARCH_NAME_TABLES)}")
            self.stdout.write(
                f"  Indexes, keys and distinct names in {time.monotonic() - started:.1f}s"
            )

    def _batch_method(self, copy: bool | None):
        """seed_batch_by_copy on PostgreSQL for patients only; seed_batch (bulk_create)
        on SQLite and when the treatment history needs the patients as objects."""
        postgres = connection.vendor == "postgresql"
        if copy is None:
            copy = postgres and self.treatment is None
        if not copy:
            return self.seed_batch
        if not postgres:
            raise CommandError("--copy needs PostgreSQL")
        if self.treatment is not None:
            raise CommandError("--copy seeds patients only: add --no-sessions")
        return self.seed_batch_by_copy
