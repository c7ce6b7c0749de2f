"""The patient's history as the safety engine reads it (split from safety_inputs.py by
concept): signed sessions here and toxin given elsewhere, the latest screening answers,
the chronic-migraine diary (rule 33), the prescriber's face-to-face assessment (rule 34)
and the hypersensitivity reactions recorded here (rule 21), as the plain facts of
treatments.safety. The doses, the answers, the reactions and the diary are one query
(`_history_rows`)."""

import dataclasses
from datetime import date
from typing import NamedTuple

from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    IntegerField,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.prepared import Prepared, build_instance, read_side_by_side
from patients.choices import YesNoNotApplicable
from patients.models import IntakeQuestionnaire, Patient, PriorTreatment
from treatments import safety
from treatments.choices import Causality, SafetyProfile, SessionStatus, SideEffectStatus
from treatments.models import (
    InjectionPoint,
    OutcomeAssessment,
    OutcomeInstrument,
    PrescriberAssessment,
    SideEffect,
    TreatmentSession,
)
from treatments.selectors.aggregates import ZERO
from treatments.selectors.outcomes import diary_scores_sql, migraine_diary_facts
from treatments.selectors.reference_cache import ReferenceSnapshot, reference_snapshot
from treatments.selectors.side_effects import RECORDED_REACTION


def _latest_answers(patient_id: int, on: date):
    return IntakeQuestionnaire.objects.filter(patient_id=patient_id, completed_on__lte=on).order_by(
        "-completed_on", "-id"
    )[:1]


# Compiled once per process (clinic.prepared): the engine's history is read on every
# session page, live re-check, draft save and signing.
_LATEST_ANSWERS = Prepared(
    _latest_answers, patient_id=(-1001, -1002), on=(date(2001, 2, 3), date(2002, 3, 4))
)


def _reactions(patient_id: int):
    """Rule 21: the side effects recorded for the patient that are hypersensitivity
    reactions (their terms so marked in the reference data) or still await a
    practitioner's review, whatever their date (the rule tells those after the session's
    date apart): (onset, term, causality, the product of the session they followed,
    hypersensitivity, status)."""
    return (
        SideEffect.objects.filter(RECORDED_REACTION, patient_id=patient_id)
        .order_by()
        .values_list(
            "onset_date",
            "term__name",
            "causality",
            "session__product_id",
            "term__hypersensitivity",
            "status",
        )
    )


_REACTIONS = Prepared(_reactions, patient_id=(-1001, -1002))
_REACTION_COLUMNS = 6


def _unsigned(patient_id: int, exclude_id: int):
    """The patient's other drafts (not signed, not withdrawn), which no interval or window
    counts: (performed_at, product, indication, the practitioner's first name, last name
    and username, the units entered on its points)."""
    return (
        TreatmentSession.objects.filter(patient_id=patient_id, status=SessionStatus.DRAFT)
        .exclude(pk=exclude_id)
        .order_by()
        .annotate(entered=Coalesce(Sum("points__units"), ZERO))
        .values_list(
            "performed_at",
            "product_id",
            "indication_id",
            "practitioner__first_name",
            "practitioner__last_name",
            "practitioner__username",
            "entered",
        )
    )


_UNSIGNED = Prepared(_unsigned, patient_id=(-1001, -1002), exclude_id=(-3001, -3002))
_UNSIGNED_COLUMNS = 7

_PRIOR_DOSE_COLUMNS = 11  # the width of _prior_doses' rows


class HistoryRows(NamedTuple):
    doses: list[tuple]
    latest: IntakeQuestionnaire | None
    reactions: list[tuple]
    unsigned: list[tuple]
    scores: list[OutcomeAssessment]


def _history_rows(
    patient: Patient,
    *,
    exclude_session_id: int | None,
    top_up_of_session_id: int | None,
    on: date | None,
    diary: bool,
) -> "HistoryRows":
    """The rows patient_history_facts reads, in one query (clinic.prepared's
    read_side_by_side of the compiled reads): the prior doses (_PRIOR_DOSES), the latest
    screening answers on or before `on`, the hypersensitivity reactions recorded
    (_REACTIONS, rule 21), the patient's other drafts (_UNSIGNED), and with `diary` the
    migraine diary's scores (rule 33), oldest first, each with its instrument."""
    reads = [
        (
            *_PRIOR_DOSES.sql(
                patient_id=patient.pk,
                exclude_id=exclude_session_id or 0,
                top_up_of_id=top_up_of_session_id or 0,
            ),
            _PRIOR_DOSE_COLUMNS,
        ),
        (
            *_LATEST_ANSWERS.sql(patient_id=patient.pk, on=on or date.max),
            len(IntakeQuestionnaire._meta.concrete_fields),
        ),
        (*_REACTIONS.sql(patient_id=patient.pk), _REACTION_COLUMNS),
        (
            *_UNSIGNED.sql(patient_id=patient.pk, exclude_id=exclude_session_id or 0),
            _UNSIGNED_COLUMNS,
        ),
    ]
    own = len(OutcomeAssessment._meta.concrete_fields)
    if diary:
        reads.append(
            (*diary_scores_sql(patient, on=on), own + len(OutcomeInstrument._meta.concrete_fields))
        )
    doses, answers, reactions, unsigned, *scores = read_side_by_side(*reads)
    latest = build_instance(IntakeQuestionnaire, answers[0]) if answers else None
    built = []
    for row in scores[0] if scores else ():
        score = build_instance(OutcomeAssessment, row[:own])
        score.instrument = build_instance(OutcomeInstrument, row[own:])
        built.append(score)
    # Oldest first, as the scores' own read orders them (the join keeps no order).
    built.sort(key=lambda a: (a.assessed_on, a.pk))
    return HistoryRows(
        _PRIOR_DOSES.converted(doses),
        latest,
        _REACTIONS.converted(reactions),
        _UNSIGNED.converted(unsigned),
        built,
    )


def screening_facts(
    patient: Patient, *, on: date | None = None, latest: IntakeQuestionnaire | None = None
) -> safety.ScreeningFacts | None:
    """The latest answers given on or before the session date (any date without one): one
    query, none when the caller read them (`latest`)."""
    if latest is None:
        found = _LATEST_ANSWERS.list(patient_id=patient.pk, on=on or date.max)
        if not found:
            return None
        latest = found[0]
    yes = YesNoNotApplicable.YES
    return safety.ScreeningFacts(
        answered_on=latest.completed_on,
        allergy_toxin_or_albumin=latest.allergy_toxin_or_albumin,
        allergy_cows_milk_protein=latest.allergy_cows_milk_protein,
        infection_at_sites=latest.infection_at_sites,
        neuromuscular_disorder=latest.neuromuscular_disorder,
        swallowing_or_breathing_problems=latest.swallowing_or_breathing_problems,
        pregnant_or_breastfeeding=latest.pregnant_or_breastfeeding == yes,
        bleeding_risk=latest.bleeding_risk,
        interacting_medicines=latest.interacting_medicines,
        urinary_infection=latest.urinary_infection == yes,
        urinary_retention=latest.urinary_retention == yes,
        can_self_catheterise=latest.can_self_catheterise == yes,
        migraine_preventives_failed=latest.migraine_preventives_failed,
        patient_sex=patient.sex,
    )


def _prior_doses(patient_id: int, exclude_id: int, top_up_of_id: int):
    here = (
        TreatmentSession.objects.filter(patient_id=patient_id, status=SessionStatus.SIGNED)
        .exclude(pk=exclude_id)
        .order_by()
        .annotate(
            given_on=Value(None, output_field=DateField()),
            total_units=Coalesce(Sum("points__units"), ZERO),
            here_clinic=Value("", output_field=CharField()),
            here_other=Value("", output_field=CharField()),
            no_side=Value("", output_field=CharField()),
            no_group=Value("", output_field=CharField()),
        )
        .values_list(
            "performed_at",
            "given_on",
            "product_id",
            "indication_id",
            "total_units",
            "pk",
            "pvr_ml",
            "here_clinic",
            "here_other",
            "no_side",
            "no_group",
        )
    )
    # Toxin given elsewhere counts whether or not its product is on our list: one named
    # only in "product if not listed" is a dose of unknown unit family (rule 2).
    elsewhere = (
        PriorTreatment.objects.filter(patient_id=patient_id)
        .order_by()
        .annotate(
            no_time=Value(None, output_field=DateTimeField()),
            no_pvr=Value(None, output_field=IntegerField()),
            no_side=Value("", output_field=CharField()),
            no_group=Value("", output_field=CharField()),
        )
        .values_list(
            "no_time",
            "treated_on",
            "product_id",
            "indication_id",
            "units",
            "pk",
            "no_pvr",
            "clinic_name",
            "product_other",
            "no_side",
            "no_group",
        )
    )
    # Rule 20: the points of the index session this top-up is linked to (its units per
    # muscle group and side count in the episode), with no dates: told apart by that.
    index_points = (
        InjectionPoint.objects.filter(
            session_id=top_up_of_id,
            session__patient_id=patient_id,
            session__status=SessionStatus.SIGNED,
        )
        .exclude(session_id=exclude_id)
        .order_by()
        .annotate(
            no_time=Value(None, output_field=DateTimeField()),
            no_date=Value(None, output_field=DateField()),
            no_product=Value(None, output_field=IntegerField()),
            no_indication=Value(None, output_field=IntegerField()),
            no_pvr=Value(None, output_field=IntegerField()),
            no_clinic=Value("", output_field=CharField()),
            no_other=Value("", output_field=CharField()),
        )
        .values_list(
            "no_time",
            "no_date",
            "no_product",
            "no_indication",
            "units",
            "session_id",
            "no_pvr",
            "no_clinic",
            "no_other",
            "side",
            "site__muscle_group",
        )
    )
    return here.union(elsewhere, index_points, all=True)


# Compiled once per process (clinic.prepared); ids are never 0, so excluding id 0 is
# excluding nothing, and a top-up of id 0 is no top-up (one shape for every caller).
_PRIOR_DOSES = Prepared(
    _prior_doses,
    patient_id=(-1001, -1002),
    exclude_id=(-3001, -3002),
    top_up_of_id=(-5001, -5002),
)


def _prior_dose_rows(found: list[tuple]):
    """The patient's signed sessions here (their points' units summed) and the toxin given
    elsewhere, as one UNION ALL of rows (performed_at, treated_on, product_id,
    indication_id, units, id, pvr_ml, clinic_name, product_other, side, muscle_group;
    performed_at is empty for a dose from elsewhere, product_id too for a product not on
    our list), with the points of the index session a top-up is linked to (both dates
    empty; units, session id, side, muscle group): one query. The doses in the engine's
    order: the latest day first, and on one day the sessions here (latest first), then the
    doses from elsewhere (newest row first); and the index session's points. `found`: the
    rows as _PRIOR_DOSES reads them."""
    rows, index_points = [], []
    for row in found:
        performed_at, treated_on = row[0], row[1]
        if performed_at is None and treated_on is None:
            index_points.append(
                safety.PointFacts(
                    site_slug="", site_name="", muscle_group=row[10], side=row[9], units=row[4]
                )
            )
            continue
        on = timezone.localdate(performed_at) if performed_at is not None else treated_on
        rows.append((on, row))
    rows.sort(
        key=lambda item: (
            -item[0].toordinal(),
            item[1][0] is None,
            -item[1][0].timestamp() if item[1][0] is not None else 0,
            -item[1][5],
        )
    )
    return rows, tuple(index_points)


def patient_history_facts(
    patient: Patient,
    *,
    exclude_session_id: int | None = None,
    on: date | None = None,
    cosmetic: bool = True,
    chronic_migraine: bool = True,
    snapshot: ReferenceSnapshot | None = None,
    top_up_of_session_id: int | None = None,
) -> safety.PatientHistory:
    """Signed sessions here and toxin reported from elsewhere, each in its own product's
    units, with the points of the index session a top-up is linked to (rule 20)
    (products and indications from the reference snapshot), the latest screening
    answers, and for a chronic-migraine session the diary (rule 33) from the outcome
    assessments: one query (_history_rows; two for a cosmetic session: rule 34's
    assessment)."""
    snapshot = snapshot or reference_snapshot()
    products, indications = snapshot.products, snapshot.indications
    doses = []
    pvr_before = False
    migraine_dates = []
    # Rule 33 reads the diary for chronic-migraine sessions only: none read for the others.
    found, answers, reactions, unsigned, scores = _history_rows(
        patient,
        exclude_session_id=exclude_session_id,
        top_up_of_session_id=top_up_of_session_id,
        on=on,
        diary=chronic_migraine,
    )
    rows, index_points = _prior_dose_rows(found)
    for given_on, row in rows:
        performed_at, _, product_id, indication_id, units, row_id, pvr_ml, clinic, other = row[:9]
        product = products[product_id] if product_id is not None else None
        indication = indications.get(indication_id)
        here = performed_at is not None
        doses.append(
            safety.PriorDose(
                on=given_on,
                # A product not on our list: its name as recorded, of unknown unit family.
                product_slug=product.slug if product else "",
                brand=product.brand if product else (other.strip() or "Toxin, product not named"),
                unit_family=product.unit_family if product else "",
                units=units,
                indication_slug=indication.slug if indication else None,
                indication_name=indication.name if indication else "",
                indication_category=indication.category if indication else "",
                session_id=row_id if here else None,
                elsewhere=not here,
                clinic_name=clinic,
                points=index_points if here and row_id == top_up_of_session_id else (),
            )
        )
        if not here:
            continue
        if indication.safety_profile == SafetyProfile.BLADDER and pvr_ml is not None:
            pvr_before = True
        if indication.safety_profile == SafetyProfile.CHRONIC_MIGRAINE and (
            on is None or given_on < on
        ):
            migraine_dates.append(given_on)
    screening = screening_facts(patient, on=on, latest=answers) if answers else None
    migraine = (
        migraine_diary_facts(patient, on=on, session_dates=tuple(migraine_dates), scores=scores)
        if chronic_migraine
        else None
    )
    if migraine is not None and screening is not None:
        # Rule 33's "at least 3 preventives failed" comes from the patient's questionnaire.
        migraine = dataclasses.replace(
            migraine, preventives_failed=screening.migraine_preventives_failed
        )
    return safety.PatientHistory(
        doses=tuple(doses),
        screening=screening,
        pvr_recorded_before=pvr_before,
        migraine=migraine,
        # Rule 34 reads it for cosmetic sessions only: no query for the others.
        prescriber_assessment=prescriber_assessment_facts(patient, on=on) if cosmetic else None,
        reactions=tuple(
            safety.RecordedReaction(
                onset_on=onset_on,
                term=term or "",
                brand=products[product_id].brand if product_id in products else "",
                causality=causality or "",
                causality_label=Causality(causality).label if causality else "",
                hypersensitivity=bool(hypersensitivity),
                reviewed=status != SideEffectStatus.UNREVIEWED,
            )
            for onset_on, term, causality, product_id, hypersensitivity, status in sorted(
                reactions, key=lambda r: (r[0], r[1] or ""), reverse=True
            )
        ),
        unsigned=tuple(
            safety.UnsignedSession(
                on=timezone.localtime(performed_at).date(),
                brand=products[product_id].brand if product_id in products else "",
                indication_name=indications[indication_id].name
                if indication_id in indications
                else "",
                practitioner=f"{first} {last}".strip() or username,
                units=entered,
            )
            for performed_at, product_id, indication_id, first, last, username, entered in unsigned
        ),
    )


def prescriber_assessment_facts(
    patient: Patient, *, on: date | None = None
) -> safety.PrescriberAssessmentFacts | None:
    """The latest face-to-face prescriber assessment on or before the session date (rule
    34). One query."""
    assessments = PrescriberAssessment.objects.filter(patient=patient)
    if on is not None:
        assessments = assessments.filter(assessed_on__lte=on)
    latest = assessments.select_related("prescriber").order_by("-assessed_on", "-id").first()
    if latest is None:
        return None
    return safety.PrescriberAssessmentFacts(
        assessed_on=latest.assessed_on,
        prescriber=latest.prescriber.get_full_name() or latest.prescriber.get_username(),
    )


def prescriber_assessment_list(*, patient: Patient) -> list[PrescriberAssessment]:
    """The patient's face-to-face prescriber assessments, newest first (one query)."""
    return list(
        PrescriberAssessment.objects.filter(patient=patient)
        .select_related("prescriber")
        .order_by("-assessed_on", "-id")
    )
