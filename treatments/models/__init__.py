"""The treatments app's models, one module per concept: reference data, vials, sessions
(with points, draws, findings and addenda), follow-ups, outcomes and side effects.

Django finds the models through this package, and callers import them from here
(`from treatments.models import TreatmentSession`): every model module is imported below.
"""

from treatments.models.followups import FollowUp
from treatments.models.outcomes import OutcomeAssessment
from treatments.models.prescribing import PrescriberAssessment
from treatments.models.reference import (
    AnatomicalSite,
    DoseGuideline,
    DoseLimit,
    Indication,
    OutcomeInstrument,
    Product,
    SafetyParameter,
    SideEffectTerm,
    SiteTemplate,
    SiteTemplateRow,
    Source,
)
from treatments.models.rollups import (
    CHART_COMPLETION_HOURS,
    FIRST_VISIT,
    LONG_AGO,
    NEXT_LONG_AFTER,
    NO_NEXT_SCORE,
    RETURN_HORIZON_DAYS,
    DailyCourseRollup,
    DailySessionRollup,
    DailyWasteRollup,
    LatestCourse,
    OutcomeRollup,
    OutcomeScoreTotals,
    PatientReturnRollup,
    SessionTotals,
)
from treatments.models.sessions import (
    InjectionPoint,
    SessionAddendum,
    SessionFinding,
    SessionVial,
    SessionWithdrawal,
    TreatmentSession,
    VialDraw,
)
from treatments.models.side_effects import SideEffect
from treatments.models.vials import StockReceipt, Vial

__all__ = [
    "CHART_COMPLETION_HOURS",
    "FIRST_VISIT",
    "LONG_AGO",
    "NEXT_LONG_AFTER",
    "NO_NEXT_SCORE",
    "RETURN_HORIZON_DAYS",
    "AnatomicalSite",
    "DailyCourseRollup",
    "DailySessionRollup",
    "DailyWasteRollup",
    "DoseGuideline",
    "DoseLimit",
    "FollowUp",
    "Indication",
    "InjectionPoint",
    "LatestCourse",
    "OutcomeAssessment",
    "OutcomeInstrument",
    "OutcomeRollup",
    "OutcomeScoreTotals",
    "PatientReturnRollup",
    "PrescriberAssessment",
    "Product",
    "SafetyParameter",
    "SessionAddendum",
    "SessionFinding",
    "SessionTotals",
    "SessionVial",
    "SessionWithdrawal",
    "SideEffect",
    "SideEffectTerm",
    "SiteTemplate",
    "SiteTemplateRow",
    "Source",
    "StockReceipt",
    "TreatmentSession",
    "Vial",
    "VialDraw",
]
