"""The dose-safety engine: pure functions over plain data, no ORM inside.

`evaluate(session, history, reference)` runs every rule of DOMAIN.md §10 (rules 1-35 and
40; rule 33, NICE TA260 continuation, reads PatientHistory.migraine, which the outcome records
supply) and returns findings. Each rule is one small function with a stable code, a level and the
source it comes from:

- BLOCK: the session cannot be signed;
- OVERRIDE: signable only with a reason the practitioner records;
- WARN: shown, and acknowledged at signing.

Thresholds come from reference data (DoseLimit, DoseGuideline, SiteTemplate,
SafetyParameter rows) passed in `ReferenceFacts`; none is a literal here. Units are only
ever added up within one unit family: they are never summed or converted across families
(DOMAIN §1.2). The selector `treatments.selectors.safety_inputs_for_session` builds the
inputs; the signing service runs the same evaluation again, so no path skips it.

Layout: `levels` (Level, Finding), `facts` (the plain data taken), `parameters`
(SafetyParameter keys), `engine` (evaluate), `registry` (the rules in order), and
`rules/` with one module per §10 family; `measures` and `messages` hold what several
families share (ages, totals, day windows; how a finding reads). This package is its
public interface: callers import from `treatments.safety`.

Reference parameters: evaluate() raises MissingParameterError (a KeyError) naming every
PARAMETER_KEYS key missing from ReferenceFacts.parameters; a misconfigured table is never
silently skipped. Messages use UK dates (dd/mm/yyyy) and the numbers behind each finding.

Day arithmetic: a prior dose is "within a window of N days" when it was given fewer than
N days before the session date (0..N-1 days ago). An interval of N days is respected when
at least N days have passed. A limit is exceeded only when a total is strictly above it.
"""

from treatments.safety.engine import evaluate
from treatments.safety.facts import (
    DoseLimitFacts,
    GuidelineFacts,
    IndicationFacts,
    MigraineDiaryFacts,
    PatientHistory,
    PointFacts,
    PrescriberAssessmentFacts,
    PriorDose,
    ProductFacts,
    ProposedSession,
    ProtocolFacts,
    ProtocolGroup,
    RecordedReaction,
    ReferenceFacts,
    ScreeningFacts,
    UnsignedSession,
    VialFacts,
)
from treatments.safety.levels import LEVEL_ORDER, Finding, Level
from treatments.safety.measures import age_years, is_child, licensed_min_age

# Message formats the tests check directly; private, so outside __all__.
from treatments.safety.messages import _num as _num
from treatments.safety.messages import _source as _source
from treatments.safety.messages import _span as _span
from treatments.safety.parameters import PARAMETER_KEYS, MissingParameterError, require_parameters
from treatments.safety.registry import RULES, Rule
from treatments.safety.rules.age_licensing import is_off_label
from treatments.safety.rules.bladder import bladder_session
from treatments.safety.rules.nice import NICE_PARAMETER_KEYS

__all__ = [
    "LEVEL_ORDER",
    "NICE_PARAMETER_KEYS",
    "PARAMETER_KEYS",
    "RULES",
    "DoseLimitFacts",
    "Finding",
    "GuidelineFacts",
    "IndicationFacts",
    "Level",
    "MigraineDiaryFacts",
    "MissingParameterError",
    "PatientHistory",
    "PointFacts",
    "PrescriberAssessmentFacts",
    "PriorDose",
    "ProductFacts",
    "ProposedSession",
    "ProtocolFacts",
    "ProtocolGroup",
    "RecordedReaction",
    "ReferenceFacts",
    "Rule",
    "ScreeningFacts",
    "UnsignedSession",
    "VialFacts",
    "age_years",
    "bladder_session",
    "evaluate",
    "is_child",
    "is_off_label",
    "licensed_min_age",
    "require_parameters",
]
