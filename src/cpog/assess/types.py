"""Plain values the assessment works on: what is assessed, its targets, its observed values.

These are frozen dataclasses with no link to the store or to pydantic, so that every rule can be
tested with a few literals. The store builds them from its tables; tests build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Literal, NamedTuple

from cpog import vocabulary
from cpog.contract.model import Comparator, Cumulation, Direction, MeasureKind, Periodicity
from cpog.periods import Period, PeriodUnit

TrajectoryShape = Literal["linear", "steps"]
"""``linear``: piecewise linear between baseline and targets; ``steps``: a year's target holds
all year."""


class TargetSource(StrEnum):
    """Where a target comes from, most specific first (the order of precedence)."""

    INDIVIDUALISED = "individualised"  # set for this caisse
    FIXED = "fixed"  # a value written in the contract
    NATIONAL = "national"  # the national (COG) target
    TRAJECTORY = "trajectory"  # an intermediate point computed or agreed for the trajectory

    @property
    def label_fr(self) -> str:
        return vocabulary.TARGET_SOURCE[self]

    @property
    def rank(self) -> int:
        """0 for the most specific source; the lowest rank wins for a given year."""
        return _SOURCE_ORDER.index(self)


_SOURCE_ORDER = (
    TargetSource.INDIVIDUALISED,
    TargetSource.FIXED,
    TargetSource.NATIONAL,
    TargetSource.TRAJECTORY,
)


@dataclass(frozen=True, slots=True)
class TargetPoint:
    """A target as written: its year, its value and where it comes from.

    ``value`` is read according to the subject's measure kind: a level, a count, a % of change
    (``relative_change``) or points (``point_change``); it is ignored for a milestone (always
    100 % done) and for a trend (no figure).
    """

    year: int
    value: float
    kind: TargetSource
    comparator: Comparator | None = None


@dataclass(frozen=True, slots=True)
class Observation:
    """The current value of a period (revisions are the store's business).

    ``provisional``: the current revision is marked « provisoire ». ``settled`` is the latest
    definitive value of the period when a provisional revision came after it: a year's verdict is
    given on it. ``confirmed``: the value was confirmed at entry as unusual (see
    :mod:`cpog.assess.outliers`), so it is not « à vérifier ».
    """

    period: Period
    value: float
    provisional: bool = False
    settled: float | None = None
    confirmed: bool = False


class BaselinePoint(NamedTuple):
    """A reference value and the year it describes (read at the end of that year)."""

    value: float
    year: int


@dataclass(frozen=True, kw_only=True)
class Subject:
    """What is assessed: an indicator or a measure of a targeted result.

    ``measure_kind`` is None for an indicator (read as a level). ``assessed`` is False for a
    monitoring indicator (« suivi »), whose status is always « Sans cible ». ``contract_start`` and
    ``contract_end`` are the first and last years of the contract.

    ``per_year``: the target is a commitment for each year (« 7 ateliers par an », « inférieur à
    3 % par an », « − 5 % par an »): it applies to every year of the contract after the baseline,
    and a relative change compounds. ``yearly_total``: a value cumulated since 1 January grows
    through the year toward a yearly total (a count, an amount), so an in-year value is compared
    with the elapsed share of the year's figure. ``bounds``: the (min, max) values can take (0 to
    100 for a rate…); a projection is kept within them.
    """

    id: str
    label: str
    direction: Direction
    contract_start: int
    contract_end: int
    unit: str | None = None
    assessed: bool = True
    periodicity: Periodicity = Periodicity.ANNUAL
    cumulation: Cumulation = Cumulation.NONE
    availability_lag_days: int = 30
    baseline: BaselinePoint | None = None
    targets: list[TargetPoint] = field(default_factory=list)
    trajectory: TrajectoryShape = "linear"
    measure_kind: MeasureKind | None = None
    per_year: bool = False
    yearly_total: bool = False
    bounds: tuple[float | None, float | None] = (None, None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "targets", list(self.targets))
        if self.baseline is not None and not isinstance(self.baseline, BaselinePoint):
            value, year = self.baseline  # a plain (value, year) pair is accepted too
            object.__setattr__(self, "baseline", BaselinePoint(float(value), int(year)))
        if self.contract_end < self.contract_start:
            raise ValueError(
                f"contract_end ({self.contract_end}) before contract_start ({self.contract_start})"
            )
        if self.trajectory not in ("linear", "steps"):
            raise ValueError(f"trajectory must be 'linear' or 'steps', got {self.trajectory!r}")

    @property
    def kind(self) -> MeasureKind:
        """The measure kind, an indicator counting as a level."""
        return self.measure_kind or MeasureKind.LEVEL

    @property
    def period_unit(self) -> PeriodUnit:
        return PERIOD_UNITS[self.periodicity]

    @property
    def end_date(self) -> date:
        """31 December of the contract's last year."""
        return date(self.contract_end, 12, 31)


PERIOD_UNITS: dict[Periodicity, PeriodUnit] = {
    Periodicity.MONTHLY: PeriodUnit.MONTH,
    Periodicity.QUARTERLY: PeriodUnit.QUARTER,
    Periodicity.HALF_YEARLY: PeriodUnit.HALF,
    Periodicity.ANNUAL: PeriodUnit.YEAR,
}


@dataclass(frozen=True, slots=True)
class Target:
    """A target resolved for one year: the level to compare values with, and its provenance.

    ``value`` is the derived level (e.g. baseline × 1.10 for « +10 % »); ``written`` is the value
    as the target states it; ``comparator`` is the one that decides whether a value meets it.
    """

    year: int
    value: float
    source: TargetSource
    comparator: Comparator
    written: float

    @property
    def strict(self) -> bool:
        return self.comparator in (Comparator.LT, Comparator.GT)


@dataclass(frozen=True, slots=True)
class Progress:
    """A progress rate in [0, 100], or None with the reason it cannot be computed."""

    value: float | None
    reason: str | None = None


class Status(StrEnum):
    """Status of a value, best first. The values are the French words stored and exported."""

    ATTEINT = "atteint"
    EN_AVANCE = "en_avance"
    CONFORME = "conforme"
    A_SURVEILLER = "a_surveiller"
    EN_RETARD = "en_retard"
    NON_ATTEINT = "non_atteint"  # closing verdict: the final target was missed
    NON_RENSEIGNE = "non_renseigne"
    SANS_CIBLE = "sans_cible"

    @property
    def label_fr(self) -> str:
        """The label shown to users: « Atteint », « À surveiller »…"""
        return vocabulary.STATUS[self]

    @property
    def score(self) -> float | None:
        """Score used by roll-ups; None for the statuses that say nothing about the result."""
        return _STATUS_SCORES.get(self)

    @property
    def rank(self) -> int | None:
        """0 for « En retard » up to 4 for « Atteint »; None when there is nothing to compare."""
        return _STATUS_RANKS.get(self)


_STATUS_SCORES = {
    Status.ATTEINT: 1.0,
    Status.EN_AVANCE: 1.0,
    Status.CONFORME: 1.0,
    Status.A_SURVEILLER: 0.5,
    Status.EN_RETARD: 0.0,
    Status.NON_ATTEINT: 0.0,
}
_STATUS_RANKS = {
    Status.NON_ATTEINT: 0,
    Status.EN_RETARD: 0,
    Status.A_SURVEILLER: 1,
    Status.CONFORME: 2,
    Status.EN_AVANCE: 3,
    Status.ATTEINT: 4,
}


@dataclass(frozen=True, slots=True)
class Freshness:
    """Whether the subject is « renseigné »: has a value for its latest expected period.

    ``expected_period`` is the latest period whose value should be known (its end, plus the
    availability lag, plus the policy's grace, is on or before the date; never after the
    contract's last period); ``expected_on`` is the date its value was due (its end plus the
    availability lag). The subject is late (not « renseigné ») when its latest value is for an
    earlier period; ``days_late`` then counts from ``expected_on`` (0 when not late).
    ``next_period`` is the period after the latest value entered (the contract's first period
    when there is none) and ``next_expected_date`` the date its value is due; both are None once
    the contract's last period has a value.
    """

    expected_period: Period
    expected_on: date
    latest_period: Period | None
    is_late: bool
    days_late: int
    next_period: Period | None
    next_expected_date: date | None

    @property
    def filled(self) -> bool:
        """« Renseigné »: the one definition of completeness (roll-ups, pages, CLI, API)."""
        return not self.is_late


ProjectionMethod = Literal["trend", "trend+saisonnalite"]


@dataclass(frozen=True, slots=True)
class Projection:
    """The value the observed trend leads to at the contract's end, and the status it would get."""

    value: float
    at: date
    method: ProjectionMethod
    n_points: int
    projected_status: Status


@dataclass(frozen=True, slots=True)
class YearVerdict:
    """« Objectif 2025 atteint / non atteint »: a closed year's value against that year's target.

    ``value`` is the year's value (None when it is not known), ``met`` None when there is no value
    to judge; ``provisional`` when the value judged is provisional (no definitive value yet);
    ``awaited`` when the value is not due yet (the year closed less than its availability lag
    ago); ``to_check`` when the value is unusual and was not confirmed.
    """

    year: int
    target: Target
    value: float | None
    period: Period | None
    met: bool | None
    provisional: bool = False
    awaited: bool = False
    to_check: bool = False


@dataclass(frozen=True)
class Assessment:
    """Everything the assessment says about one subject at one date.

    ``closing`` is True once the contract's last year has closed: ``status`` is then the closing
    verdict (« Atteint », « Non atteint », « Non renseigné » or « Sans cible »). ``years`` holds
    the verdict of each closed year that has a target of its own, oldest first; ``verdict`` is the
    latest of them. ``to_check`` says why the current value is « à vérifier » (an unusual value
    not confirmed at entry), if it is.
    """

    subject: Subject
    as_of: date
    current: Observation | None
    annual_target: Target | None
    final_target: Target | None
    expected: float | None
    progress_annual: float | None
    progress_global: float | None
    status: Status
    freshness: Freshness
    projection: Projection | None
    reasons: list[str]
    years: list[YearVerdict] = field(default_factory=list)
    closing: bool = False
    to_check: str | None = None

    @property
    def verdict(self) -> YearVerdict | None:
        return self.years[-1] if self.years else None


@dataclass(frozen=True)
class RollUp:
    """Aggregate of several assessments (a défi, a family), honest about what is missing.

    ``n_expected`` subjects count; ``n_available`` of them have a status with a score;
    ``n_filled`` are « renseignés » (a value for their latest expected period); ``missing``
    lists the others' ids and ``complete`` says there are none.
    """

    score: float | None
    status: Status
    progress: float | None
    n_expected: int
    n_available: int
    missing: list[str]
    complete: bool
    n_filled: int = 0
