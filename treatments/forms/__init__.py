"""Forms for vials, sessions (with their injection points), addenda, follow-ups, outcome
assessments and side effects, one module per concept; callers import from here
(`from treatments.forms import SessionForm`).
Input checks only; the safety rules are the engine's, enforced by treatments.services.
The side-effect forms also show their service's rules (services.side_effect_record_errors,
side_effect_phoned_errors) in the same round as their own errors: every problem at once.
"""

from treatments.forms.followups import CompleteTaskForm, FollowUpForm, ReopenTaskForm
from treatments.forms.other_drafts import OpenDraftsForm
from treatments.forms.outcomes import OutcomeAssessmentForm
from treatments.forms.points import BasePointFormSet, PointForm, PointFormSet, SiteChoices
from treatments.forms.sessions import (
    AddendumForm,
    SessionForm,
    SessionStartForm,
    VialSelect,
    vial_label,
)
from treatments.forms.side_effects import (
    SEVERITY_HELP,
    PhonedSideEffectForm,
    SideEffectDecisionForm,
    SideEffectForm,
)
from treatments.forms.unchanged_points import POINT_FIELDS, unchanged_points
from treatments.forms.vials import (
    CorrectReconstitutionForm,
    DiscardForm,
    ReconstituteForm,
    VialReceiveForm,
)
from treatments.forms.withdraw import WithdrawForm

__all__ = [
    "POINT_FIELDS",
    "SEVERITY_HELP",
    "AddendumForm",
    "BasePointFormSet",
    "CompleteTaskForm",
    "CorrectReconstitutionForm",
    "DiscardForm",
    "FollowUpForm",
    "OpenDraftsForm",
    "OutcomeAssessmentForm",
    "PhonedSideEffectForm",
    "PointForm",
    "PointFormSet",
    "ReconstituteForm",
    "ReopenTaskForm",
    "SessionForm",
    "SessionStartForm",
    "SideEffectDecisionForm",
    "SideEffectForm",
    "SiteChoices",
    "VialReceiveForm",
    "VialSelect",
    "WithdrawForm",
    "unchanged_points",
    "vial_label",
]
