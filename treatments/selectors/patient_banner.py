"""The patient banner's allergy line for clinical roles: the questionnaire's allergies
(patients.selectors.questionnaires) and the reactions recorded here that rule 21 reads
(treatments.selectors.patient_history._reactions): each hypersensitivity reaction, and
each report still awaiting a practitioner's review (practitioner review 07/12/2026: Lucy
Peters' urticaria with swollen lips after BOTOX was on no banner; the engine's block was
the first anyone saw of it).

Assembled here, not in patients: treatments may read both apps, patients may not import
treatments (docs/architecture.md). Read side by side with the questionnaires, in the one
query the banner made before (clinic.prepared.read_side_by_side)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.urls import reverse

from clinic.prepared import Prepared, read_side_by_side
from patients.models import Patient
from patients.selectors import questionnaire_banner_from_rows
from patients.selectors.questionnaires import (
    BANNER_COLUMNS,
    BANNER_QUESTIONNAIRES,
    ScreeningBanner,
)
from treatments.choices import Causality, SideEffectStatus
from treatments.models import SideEffect
from treatments.selectors.side_effects import OPEN_SIDE_EFFECT, RECORDED_REACTION

# What rule 21 reads (side_effects.RECORDED_REACTION, as patient_history._reactions). A
# side effect is never deleted nor withdrawn; one whose term a practitioner corrects to
# another leaves the banner.


@dataclass(frozen=True)
class BannerReaction:
    """A recorded reaction as the banner says it: a hypersensitivity reaction ("Recorded
    reaction: Anaphylaxis on 02/03/2026 after Azzalure"), or a report awaiting review."""

    onset_on: date
    term: str  # "" for a report awaiting review whose term is not a hypersensitivity
    brand: str  # the product of the suspected session, "" when none was named
    unlikely: bool  # assessed as unlikely to be the toxin's (rule 21: a warning)
    reviewed: bool
    public_id: str

    @property
    def awaiting_review(self) -> bool:
        """A report without a hypersensitivity term that no practitioner has reviewed:
        rule 21's `side_effect.awaiting_review` warning."""
        return not self.term and not self.reviewed

    @property
    def url(self) -> str:
        return reverse("treatments:side_effect_detail", args=[self.public_id])


def _reaction(onset_on, term, causality, brand, hypersensitivity, status, public_id):
    return BannerReaction(
        onset_on=onset_on,
        term=(term or "") if hypersensitivity else "",
        brand=brand or "",
        unlikely=causality == Causality.UNLIKELY,
        reviewed=status != SideEffectStatus.UNREVIEWED,
        public_id=str(public_id),
    )


def _newest_first(reactions) -> tuple[BannerReaction, ...]:
    return tuple(sorted(reactions, key=lambda r: (r.onset_on, r.term), reverse=True))


_COLUMNS = (
    "onset_date",
    "term__name",
    "causality",
    "session__product__brand",
    "term__hypersensitivity",
    "status",
    "public_id",
)


def _banner_reactions(patient_id: int):
    return (
        SideEffect.objects.filter(RECORDED_REACTION, patient_id=patient_id)
        .order_by()
        .values_list(*_COLUMNS)
    )


_REACTIONS = Prepared(_banner_reactions, patient_id=(-1001, -1002))


@dataclass(frozen=True)
class PatientBanner:
    screening: ScreeningBanner | None  # None when not asked for
    reactions: tuple[BannerReaction, ...]


# Who reads the questionnaire's answers (DOMAIN §7.3): practitioners; reception enters the
# form but does not read it back, managers see no clinical record.
READS_SCREENING = "patients.view_intakequestionnaire"
# Who reads the reactions recorded (DOMAIN §7.3): practitioners. Reception logs a call
# but does not read the side effects back.
READS_REACTIONS = "treatments.view_sideeffect"


def patient_banner_for(*, user, patient: Patient) -> PatientBanner | None:
    """Both parts of the banner for one who may read both (the new-session page's
    products are marked from them), else None: nothing of either is said."""
    if user.has_perm(READS_SCREENING) and user.has_perm(READS_REACTIONS):
        return patient_banner(patient=patient)
    return None


def patient_banner(
    *, patient: Patient, screening: bool = True, reactions: bool = True
) -> PatientBanner:
    """The questionnaires' screening line and the recorded reactions, in one query; either
    alone for a page that has read the other (the questionnaire list built the line from
    the questionnaires it lists: its reactions are one query more than before)."""
    if screening and reactions:
        answers, found = read_side_by_side(
            (*BANNER_QUESTIONNAIRES.sql(patient_id=patient.pk), BANNER_COLUMNS),
            (*_REACTIONS.sql(patient_id=patient.pk), len(_COLUMNS)),
        )
        answers = BANNER_QUESTIONNAIRES.converted(answers)
        found = _REACTIONS.converted(found)
    else:
        answers = BANNER_QUESTIONNAIRES.list(patient_id=patient.pk) if screening else None
        found = _REACTIONS.list(patient_id=patient.pk) if reactions else ()
    return PatientBanner(
        screening=questionnaire_banner_from_rows(answers) if answers is not None else None,
        reactions=_newest_first(_reaction(*row) for row in found),
    )


def side_effect_header_for_patient(
    *, patient: Patient, limit: int = 5
) -> tuple[list[SideEffect], tuple[BannerReaction, ...]]:
    """The patient page's header, in one query: the `limit` newest side effects still going
    on or awaiting review (as side_effect_open_for_patient reads them) and the banner's
    reactions, from the patient's side effects that are either (a handful)."""
    rows = list(
        SideEffect.objects.filter(OPEN_SIDE_EFFECT | RECORDED_REACTION, patient=patient)
        .select_related("term")
        .annotate(
            header_open=ExpressionWrapper(
                OPEN_SIDE_EFFECT | Q(status=SideEffectStatus.UNREVIEWED),
                output_field=BooleanField(),
            ),
            # Rule 21's filter evaluated in the query, not written again here.
            recorded_reaction=ExpressionWrapper(RECORDED_REACTION, output_field=BooleanField()),
            banner_brand=F("session__product__brand"),
        )
        .order_by("-onset_date", "-id")
    )
    reactions = _newest_first(
        _reaction(
            se.onset_date,
            se.term.name if se.term_id else "",
            se.causality,
            se.banner_brand,
            se.term_id is not None and se.term.hypersensitivity,
            se.status,
            se.public_id,
        )
        for se in rows
        if se.recorded_reaction
    )
    return [se for se in rows if se.header_open][:limit], reactions
