"""Assessment of values against a contract's targets: pure functions, no database.

``assess(subject, observations, as_of, policy)`` is the entry point; the other names are the
pieces it is made of, each usable alone. The rules are documented in docs/assessment.md.
"""

from __future__ import annotations

from cpog.assess.engine import assess, is_in_year, late_reason
from cpog.assess.outliers import Unusual, unusual
from cpog.assess.policy import DEFAULT_POLICY_PATH, Policy, PolicyError, load_policy
from cpog.assess.progress import progress_rate
from cpog.assess.projection import project, projection
from cpog.assess.rollup import roll_up, rollup_status
from cpog.assess.staleness import available_on, expected_period, freshness
from cpog.assess.status import StatusOutcome, determine_status, ratio_status
from cpog.assess.targets import (
    annual_target,
    applicable_target,
    derive_level,
    effective_baseline,
    final_target,
    meets,
    objective,
    targets_by_year,
)
from cpog.assess.trajectory import expected_at, expected_value, period_fraction
from cpog.assess.types import (
    Assessment,
    BaselinePoint,
    Freshness,
    Observation,
    Progress,
    Projection,
    RollUp,
    Status,
    Subject,
    Target,
    TargetPoint,
    TargetSource,
    TrajectoryShape,
    YearVerdict,
)
from cpog.assess.years import YearValue, closing, closing_verdict, year_value, year_verdicts

__all__ = [
    "DEFAULT_POLICY_PATH",
    "Assessment",
    "BaselinePoint",
    "Freshness",
    "Observation",
    "Policy",
    "PolicyError",
    "Progress",
    "Projection",
    "RollUp",
    "Status",
    "StatusOutcome",
    "Subject",
    "Target",
    "TargetPoint",
    "TargetSource",
    "TrajectoryShape",
    "Unusual",
    "YearValue",
    "YearVerdict",
    "annual_target",
    "applicable_target",
    "assess",
    "available_on",
    "closing",
    "closing_verdict",
    "derive_level",
    "determine_status",
    "effective_baseline",
    "expected_at",
    "expected_period",
    "expected_value",
    "final_target",
    "freshness",
    "is_in_year",
    "late_reason",
    "load_policy",
    "meets",
    "objective",
    "period_fraction",
    "progress_rate",
    "project",
    "projection",
    "ratio_status",
    "roll_up",
    "rollup_status",
    "targets_by_year",
    "unusual",
    "year_value",
    "year_verdicts",
]
