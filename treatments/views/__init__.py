"""Practitioner pages: vials, treatment sessions with live safety findings, signing,
addenda, follow-up tasks, outcome measures, side effects and the lot lookup, one module
per concept; treatments.urls routes to the views re-exported here. Thin: access, form,
one service/selector.
"""

from treatments.views.followups import task_done, task_list, task_new, task_reopen
from treatments.views.outcomes import outcome_list, outcome_new
from treatments.views.prescribing import prescriber_assessment_new
from treatments.views.reference import source_list
from treatments.views.session_record import session_addendum, session_detail
from treatments.views.session_withdraw import session_withdraw
from treatments.views.sessions import (
    OVERRIDE_PREFIX,
    session_check,
    session_edit,
    session_new,
)
from treatments.views.side_effects import (
    side_effect_decision,
    side_effect_detail,
    side_effect_list,
    side_effect_new,
    side_effect_queue,
    side_effect_review,
    side_effect_serious,
    side_effect_yellow_card,
    side_effect_yellow_card_csv,
)
from treatments.views.vials import (
    lot_lookup,
    vial_correct_reconstitution,
    vial_detail,
    vial_discard,
    vial_list,
    vial_receive,
    vial_reconstitute,
)

__all__ = [
    "OVERRIDE_PREFIX",
    "lot_lookup",
    "outcome_list",
    "outcome_new",
    "prescriber_assessment_new",
    "session_addendum",
    "session_check",
    "session_detail",
    "session_edit",
    "session_new",
    "session_withdraw",
    "side_effect_decision",
    "side_effect_detail",
    "side_effect_list",
    "side_effect_new",
    "side_effect_queue",
    "side_effect_review",
    "side_effect_serious",
    "side_effect_yellow_card",
    "side_effect_yellow_card_csv",
    "source_list",
    "task_done",
    "task_list",
    "task_new",
    "task_reopen",
    "vial_correct_reconstitution",
    "vial_detail",
    "vial_discard",
    "vial_list",
    "vial_receive",
    "vial_reconstitute",
]
