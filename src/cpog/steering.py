"""Where the whole contract stands: every indicator and measure assessed, rolled up per défi and
per family. Pure: takes the contract and plain values, so the store, the web pages, the reports
and the benchmarks share it.

Baselines: a measure's baseline is the one the contract states. When the contract gives none
(indicators; measures such as « +10 % »), the baseline is the value of the last period of the
year before the contract starts (2022 for 2023-2027), if one is known — the reference the text
implies — and the row says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from cpog.assess import (
    Assessment,
    BaselinePoint,
    Observation,
    Policy,
    RollUp,
    Subject,
    TargetPoint,
    TargetSource,
    assess,
    roll_up,
)
from cpog.contract.model import (
    Comparator,
    Contract,
    Cumulation,
    Indicator,
    IndicatorType,
    Measure,
    MeasureKind,
    Periodicity,
)
from cpog.contract.units import adds_up

SubjectKey = tuple[str, str]  # (subject type, subject id)

# Measures of targeted results are followed year by year; their values arrive with the annual
# review, hence a longer availability delay than monthly production indicators.
MEASURE_LAG_DAYS = 90


def as_of_problem(contract: Contract, day: date) -> str | None:
    """Why ``day`` cannot be a date of situation for ``contract``, in French (None if it can)."""
    first, last = contract.period.start - 20, contract.period.end + 20
    if not first <= day.year <= last:
        return f"date de situation hors des années {first} à {last}"
    return None


@dataclass(frozen=True)
class StoredTarget:
    year: int
    value: float
    kind: str  # individualised | fixed | national | trajectory
    comparator: str = ""  # lt | le | ge | gt | ""


@dataclass(frozen=True)
class StatusRow:
    subject_type: str
    subject_id: str
    code: str
    label: str
    unit: str | None
    challenge: int | None
    family: str | None
    baseline_source: str  # "contrat", "valeur 2022" or "aucune"
    assessment: Assessment
    series: tuple[Observation, ...] = ()  # the values it was assessed on, for charts and tables


@dataclass(frozen=True)
class ContractStatus:
    as_of: date
    rows: list[StatusRow]
    challenges: dict[int, RollUp] = field(default_factory=dict)
    families: dict[str, RollUp] = field(default_factory=dict)

    def row(self, subject_id: str) -> StatusRow:
        return next(r for r in self.rows if r.subject_id == subject_id)


def _points(stored: Sequence[StoredTarget]) -> list[TargetPoint]:
    return [
        TargetPoint(
            t.year,
            t.value,
            TargetSource(t.kind),
            Comparator(t.comparator) if t.comparator else None,
        )
        for t in stored
    ]


def _reference(observations: Sequence[Observation], year: int) -> BaselinePoint | None:
    """The value of the last period that ends in ``year``."""
    in_year = [o for o in observations if o.period.end.year == year]
    if not in_year:
        return None
    last = max(in_year, key=lambda o: o.period)
    return BaselinePoint(last.value, year)


def indicator_subject(
    contract: Contract,
    indicator: Indicator,
    targets: Sequence[StoredTarget],
    observations: Sequence[Observation],
) -> tuple[Subject, str]:
    baseline = _reference(observations, contract.period.start - 1)
    return (
        Subject(
            id=indicator.id,
            label=indicator.label,
            direction=indicator.direction,
            contract_start=contract.period.start,
            contract_end=contract.period.end,
            unit=indicator.unit,
            assessed=indicator.type == IndicatorType.RESULT,
            periodicity=indicator.periodicity,
            cumulation=indicator.cumulation,
            availability_lag_days=indicator.availability_lag_days,
            baseline=baseline,
            targets=_points(targets),
            # A year-to-date total of counts or euros grows through the year: compare it with
            # the share of the year's target, not with the whole of it.
            per_year=indicator.cumulation == Cumulation.YEAR_TO_DATE and adds_up(indicator.unit),
        ),
        f"valeur {contract.period.start - 1}" if baseline else "aucune",
    )


def measure_subject(
    contract: Contract,
    measure: Measure,
    targets: Sequence[StoredTarget],
    observations: Sequence[Observation],
) -> tuple[Subject, str]:
    if measure.baseline is not None:
        baseline: BaselinePoint | None = BaselinePoint(
            measure.baseline.value, measure.baseline.year
        )
        source = "contrat"
    else:
        baseline = _reference(observations, contract.period.start - 1)
        source = f"valeur {contract.period.start - 1}" if baseline else "aucune"
    points = _points(targets)
    if not points and measure.kind == MeasureKind.MILESTONE:
        points = [TargetPoint(contract.period.end, 100.0, TargetSource.FIXED)]
    return (
        Subject(
            id=measure.id,
            label=measure.label,
            direction=measure.direction,
            contract_start=contract.period.start,
            contract_end=contract.period.end,
            unit=measure.unit,
            periodicity=Periodicity.ANNUAL,
            availability_lag_days=MEASURE_LAG_DAYS,
            baseline=baseline,
            targets=points,
            measure_kind=measure.kind,
            per_year=measure.per_year,
        ),
        source,
    )


def contract_status(
    contract: Contract,
    targets: Mapping[SubjectKey, Sequence[StoredTarget]],
    observations: Mapping[SubjectKey, Sequence[Observation]],
    as_of: date,
    policy: Policy | None = None,
) -> ContractStatus:
    """Assess every indicator and measure of ``contract`` at ``as_of``."""
    policy = policy or Policy()
    rows: list[StatusRow] = []
    challenge_of: dict[str, int] = {}
    for challenge in contract.challenges:
        for targeted in challenge.targeted_results:
            for measure in targeted.measures:
                challenge_of[measure.id] = challenge.number
    for indicator in contract.indicators:
        key = ("indicator", indicator.id)
        series = _same_grain(observations.get(key, ()), indicator.periodicity)
        subject, source = indicator_subject(contract, indicator, targets.get(key, ()), series)
        rows.append(
            StatusRow(
                "indicator",
                indicator.id,
                indicator.code or indicator.id,
                indicator.label,
                indicator.unit,
                None,
                indicator.family,
                source,
                assess(subject, series, as_of, policy),
                tuple(series),
            )
        )
    for _, _, measure in contract.measures():
        key = ("measure", measure.id)
        series = _same_grain(observations.get(key, ()), Periodicity.ANNUAL)
        subject, source = measure_subject(contract, measure, targets.get(key, ()), series)
        rows.append(
            StatusRow(
                "measure",
                measure.id,
                measure.id,
                measure.label,
                measure.unit,
                challenge_of[measure.id],
                None,
                source,
                assess(subject, series, as_of, policy),
                tuple(series),
            )
        )
    return ContractStatus(as_of, rows, _challenge_rollups(contract, rows), _family_rollups(rows))


def _same_grain(observations: Sequence[Observation], periodicity: Periodicity) -> list[Observation]:
    """Values at the indicator's own periodicity; a series mixing grains cannot be trended."""
    from cpog.assess.types import PERIOD_UNITS

    unit = PERIOD_UNITS[periodicity]
    same = [o for o in observations if o.period.unit == unit]
    return same if same else list(observations)


def _challenge_rollups(contract: Contract, rows: list[StatusRow]) -> dict[int, RollUp]:
    by_id = {(r.subject_type, r.subject_id): r for r in rows}
    result: dict[int, RollUp] = {}
    for challenge in contract.challenges:
        items: list[tuple[Assessment, float]] = [
            (by_id[("measure", m.id)].assessment, 1.0)
            for r in challenge.targeted_results
            for m in r.measures
        ]
        items += [
            (by_id[("indicator", link.indicator)].assessment, link.weight)
            for link in challenge.indicators
            if ("indicator", link.indicator) in by_id
        ]
        result[challenge.number] = roll_up(items)
    return result


def _family_rollups(rows: list[StatusRow]) -> dict[str, RollUp]:
    grouped: dict[str, list[tuple[Assessment, float]]] = defaultdict(list)
    for row in rows:
        if row.family is not None:
            grouped[row.family].append((row.assessment, 1.0))
    return {family: roll_up(items) for family, items in grouped.items()}
