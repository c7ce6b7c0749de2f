"""Choice lists for the treatments app."""

from django.db import models


class UnitFamily(models.TextChoices):
    """Units belong to one product family's potency assay and are never converted (DOMAIN §1.2)."""

    ALLERGAN = "allergan", "Allergan (onabotulinumtoxinA)"
    SPEYWOOD = "speywood", "Speywood (abobotulinumtoxinA)"
    MERZ = "merz", "Merz (incobotulinumtoxinA)"
    EVOLUS = "evolus", "Evolus (prabotulinumtoxinA)"
    SOLSTICE_B = "solstice-b", "Solstice (rimabotulinumtoxinB)"
    REVANCE = "revance", "Revance (daxibotulinumtoxinA)"
    HUGEL = "hugel", "Hugel (letibotulinumtoxinA)"
    GALDERMA_RELA = "galderma-rela", "Galderma (relabotulinumtoxinA)"


class ProductForm(models.TextChoices):
    POWDER = "powder", "Powder for reconstitution"
    SOLUTION = "solution", "Ready-to-use solution"


class IndicationCategory(models.TextChoices):
    THERAPEUTIC = "therapeutic", "Therapeutic"
    COSMETIC = "cosmetic", "Cosmetic"
    OFF_LABEL = "off-label", "Off-label"
    INVESTIGATIONAL = "investigational", "Investigational"


class BodyRegion(models.TextChoices):
    HEAD_FACE = "head-face", "Head and face"
    EYE = "eye", "Eye and orbit"
    NECK = "neck", "Neck"
    SHOULDER_BACK = "shoulder-back", "Shoulder and back"
    UPPER_LIMB = "upper-limb", "Upper limb"
    LOWER_LIMB = "lower-limb", "Lower limb"
    BLADDER = "bladder", "Bladder"
    SALIVARY = "salivary", "Salivary glands"
    SKIN = "skin", "Skin (intradermal)"


class InstrumentDirection(models.TextChoices):
    LOWER_IS_BETTER = "lower", "Lower is better"
    HIGHER_IS_BETTER = "higher", "Higher is better"


class ResponderStatus(models.TextChoices):
    """Improvement from baseline on a lower-is-better measure, against the thresholds in
    the responder_* SafetyParameter rows (DOMAIN §5)."""

    GOOD = "good", "Good response"
    PARTIAL = "partial", "Partial response"
    NOT_RESPONDING = "none", "Not responding"


class SafetyLevel(models.TextChoices):
    """How a safety finding gates signing (ARCHITECTURE.md, "The dose-safety engine")."""

    BLOCK = "block", "Block: cannot be signed"
    OVERRIDE = "override", "Override: needs a recorded reason"
    WARN = "warn", "Warning: acknowledged"


class Population(models.TextChoices):
    ANY = "any", "Any age"
    ADULT = "adult", "Adults (18 and over)"
    CHILD = "child", "Children (under 18)"


class LimitScope(models.TextChoices):
    SESSION = "session", "Per session (total)"
    SITE = "site", "Per injection site"
    MUSCLE_GROUP = "muscle-group", "Per muscle group (named)"
    SIDE = "side", "Per side (e.g. per eye, per axilla)"
    ROLLING_WINDOW = "window", "Rolling window across sessions (days)"


class Laterality(models.TextChoices):
    ANY = "any", "Any"
    UNILATERAL = "unilateral", "One side treated"
    BILATERAL = "bilateral", "Both sides treated"


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    MIDLINE = "midline", "Midline"
    BILATERAL = "bilateral", "Both sides"


class SafetyProfile(models.TextChoices):
    """Which indication-specific rule set of DOMAIN §10 applies."""

    GENERAL = "general", "General"
    BLADDER = "bladder", "Bladder (intradetrusor): rule 26"
    CHRONIC_MIGRAINE = "chronic-migraine", "Chronic migraine (PREEMPT): rules 16, 33"
    BLEPHAROSPASM = "blepharospasm", "Blepharospasm / hemifacial spasm: rule 15"
    STRABISMUS = "strabismus", "Strabismus: rule 14"


class SessionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    # A draft for a treatment that was not given (started in error, wrong patient, the
    # patient declined or it was deferred): final like a signed session, never deleted,
    # and counted nowhere (services.session_withdraw).
    WITHDRAWN = "withdrawn", "Withdrawn (not given)"


class WithdrawReason(models.TextChoices):
    """Why a draft session was withdrawn (treatment not given): short, for clinicians."""

    STARTED_IN_ERROR = "started-in-error", "Started in error"
    WRONG_PATIENT = "wrong-patient", "Wrong patient"
    WRONG_INDICATION = "wrong-indication", "Wrong indication or product"
    DECLINED = "declined", "Patient declined on the day"
    DEFERRED = "deferred", "Treatment deferred to another day"
    OTHER = "other", "Other (say why)"


class FollowUpKind(models.TextChoices):
    BLADDER_REVIEW = "bladder-review", "Post-void residual and UTI review"
    REVIEW_CALL = "review-call", "Review call"
    DIARY_DUE = "diary-due", "Headache diary due"
    SIDE_EFFECT_REVIEW = "side-effect-review", "Side-effect review"
    OUTCOME_DUE = "outcome-due", "Outcome assessment due"
    OTHER = "other", "Other"


# Clinical reviews: completing one records what was found (the PVR, the reaction seen).
FINDINGS_REQUIRED_KINDS = frozenset({FollowUpKind.BLADDER_REVIEW, FollowUpKind.SIDE_EFFECT_REVIEW})


class VialState(models.TextChoices):
    UNOPENED = "unopened", "Unopened"
    IN_USE = "in-use", "Reconstituted, in use"
    DISCARDED = "discarded", "Discarded"


class Severity(models.IntegerChoices):
    """Intensity, not outcome (DOMAIN §4.3; CTCAE v5 general grades [S63])."""

    MILD = 1, "1 · Mild"
    MODERATE = 2, "2 · Moderate"
    SEVERE = 3, "3 · Severe"
    LIFE_THREATENING = 4, "4 · Life-threatening"
    DEATH = 5, "5 · Death related to the event"


class SideEffectOutcome(models.TextChoices):
    """Outcome of the reaction, as on the Yellow Card form (DOMAIN §11.3)."""

    RECOVERED = "recovered", "Recovered"
    RECOVERING = "recovering", "Recovering"
    CONTINUING = "continuing", "Not recovered / continuing"
    SEQUELAE = "sequelae", "Recovered with sequelae"
    FATAL = "fatal", "Fatal"
    UNKNOWN = "unknown", "Unknown"


# The outcomes that say the reaction has ended: each one, and only these, carries the date
# it ended (for Fatal, the date of death). A report never reads "Recovered" and "Resolved:
# not yet" at once.
SIDE_EFFECT_ENDED_OUTCOMES = (
    SideEffectOutcome.RECOVERED,
    SideEffectOutcome.SEQUELAE,
    SideEffectOutcome.FATAL,
)


class Causality(models.TextChoices):
    """WHO-UMC causality categories (DOMAIN §4.4 [S64])."""

    CERTAIN = "certain", "Certain"
    PROBABLE = "probable", "Probable / likely"
    POSSIBLE = "possible", "Possible"
    UNLIKELY = "unlikely", "Unlikely"
    CONDITIONAL = "conditional", "Conditional / unclassified"
    UNASSESSABLE = "unassessable", "Unassessable / unclassifiable"


class SideEffectAction(models.TextChoices):
    NONE = "none", "No action needed"
    ADVICE = "advice", "Advice and reassurance"
    TREATMENT = "treatment", "Treatment given (describe)"
    REVIEW = "review", "Brought in for review"
    REFERRED = "referred", "Referred (GP, A&E, specialist)"
    HOSPITAL = "hospital", "Admitted to hospital"
    DOSE_CHANGED = "dose-changed", "Next dose reduced or sites changed"
    WITHHELD = "withheld", "Further treatment withheld"


class Reporter(models.TextChoices):
    PATIENT = "patient", "Patient"
    CLINICIAN = "clinician", "Clinician"
    OTHER = "other", "Other (carer, GP, relative)"


class SideEffectStatus(models.TextChoices):
    UNREVIEWED = "unreviewed", "Awaiting practitioner review"
    REVIEWED = "reviewed", "Reviewed"


class RegulatorDecision(models.TextChoices):
    """The Yellow Card decision for a suspected reaction (DOMAIN §10 rule 39)."""

    PENDING = "", "No decision yet"
    REPORTED = "reported", "Reported to MHRA Yellow Card"
    NOT_REPORTED = "not-reported", "Not reported"


# The six ICH E2A seriousness criteria (DOMAIN §4.3 [S62]): field name on SideEffect and
# the wording used on the Yellow Card form.
SERIOUSNESS_CRITERIA = (
    ("serious_death", "Resulted in death"),
    ("serious_life_threatening", "Life-threatening"),
    ("serious_hospitalisation", "Required or prolonged inpatient hospitalisation"),
    ("serious_disability", "Persistent or significant disability or incapacity"),
    ("serious_congenital", "Congenital anomaly or birth defect"),
    ("serious_medically_important", "Other important medical event"),
)
