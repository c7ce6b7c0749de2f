"""Writes for vials, sessions, follow-ups, outcome assessments and side effects: the only code
that changes these rows. One module per concept; callers import from here
(`from treatments import services; services.session_sign(...)`).

Signing (session_sign) re-runs the whole safety engine inside the transaction, so the
rules hold whatever path the request took (form, API, shell).
"""

from treatments.services.followups import (
    TaskAlreadyDone,
    followup_complete,
    followup_create,
    followup_reopen,
)
from treatments.services.locked import SessionLocked, SessionWithdrawn
from treatments.services.outcomes import outcome_record
from treatments.services.prescribing import prescriber_assessment_record
from treatments.services.sessions import (
    Draft,
    OtherDraftsOpen,
    SessionConflict,
    point_units_and_volume,
    session_add_addendum,
    session_save_draft,
    session_start,
)
from treatments.services.side_effects import (
    SERIOUSNESS_FIELDS,
    SideEffectConflict,
    side_effect_decide,
    side_effect_phoned_errors,
    side_effect_record,
    side_effect_record_errors,
    side_effect_report_phoned,
    side_effect_review,
)
from treatments.services.signing import (
    SigningRefused,
    rule_follow_ups,
    session_sign,
    signed_findings,
)
from treatments.services.vials import (
    MAX_VIALS_PER_RECEIPT,
    UNUSUAL_DILUTION,
    correction_refusal,
    dilution_problem,
    stock_receive,
    vial_correct_reconstitution,
    vial_discard,
    vial_receive,
    vial_reconstitute,
)
from treatments.services.withdrawing import session_withdraw, withdraw_errors

__all__ = [
    "MAX_VIALS_PER_RECEIPT",
    "SERIOUSNESS_FIELDS",
    "UNUSUAL_DILUTION",
    "Draft",
    "OtherDraftsOpen",
    "SessionConflict",
    "SessionLocked",
    "SessionWithdrawn",
    "SideEffectConflict",
    "SigningRefused",
    "TaskAlreadyDone",
    "correction_refusal",
    "dilution_problem",
    "followup_complete",
    "followup_create",
    "followup_reopen",
    "outcome_record",
    "point_units_and_volume",
    "prescriber_assessment_record",
    "rule_follow_ups",
    "session_add_addendum",
    "session_save_draft",
    "session_sign",
    "session_start",
    "session_withdraw",
    "side_effect_decide",
    "side_effect_phoned_errors",
    "side_effect_record",
    "side_effect_record_errors",
    "side_effect_report_phoned",
    "side_effect_review",
    "signed_findings",
    "stock_receive",
    "vial_correct_reconstitution",
    "vial_discard",
    "vial_receive",
    "vial_reconstitute",
    "withdraw_errors",
]
