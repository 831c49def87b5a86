"""Which target applies, at which level, and whether a value meets it.

* One target per year: when several are given for the same year, the most specific source wins
  (individualised > fixed > national > trajectory); between two of the same source, the one listed
  last wins.
* The final target is the one of the latest year not after the contract's end; targets of later
  years are ignored.
* The applicable target at a date is the target of that date's year when there is one, else the
  final target.
* The level of a target depends on the measure kind: ``relative_change`` → B·(1 + p/100),
  ``point_change`` → B + p, ``milestone`` → 100 (% done), ``trend`` → no level; other kinds use the
  value as written. ``cumulative_count`` and ``milestone`` count from 0 at the end of the year
  before the contract when no baseline is given.
* « Par an » (``per_year``): the target is a commitment for each year of the contract after the
  baseline's year; a year without a target of its own takes the final one. A relative change per
  year compounds — B·(1 + p/100)ⁿ, n years after the baseline — and a change in points adds up —
  B + n·p.
* A year's **objective** is its own target from a real source (individualised, fixed or national);
  a trajectory point only paces the way and makes no yearly verdict.
"""

from __future__ import annotations

from datetime import date

from cpog.assess.policy import Policy
from cpog.assess.types import BaselinePoint, Subject, Target, TargetPoint, TargetSource
from cpog.contract.model import Comparator, Direction, MeasureKind

_EPSILON = 1e-9


def effective_baseline(subject: Subject) -> BaselinePoint | None:
    """The baseline, or 0 at the end of the year before the contract for counts and milestones."""
    if subject.baseline is not None:
        return subject.baseline
    if subject.kind in (MeasureKind.CUMULATIVE_COUNT, MeasureKind.MILESTONE):
        return BaselinePoint(0.0, subject.contract_start - 1)
    return None


def default_comparator(direction: Direction) -> Comparator:
    """``ge`` for a rise and for maintaining (« consolider », « maintenir au moins »: a floor),
    ``le`` for a fall. A band around a level needs an explicit ``eq``."""
    if direction is Direction.DOWN:
        return Comparator.LE
    return Comparator.GE


def derive_level(subject: Subject, point: TargetPoint) -> float | None:
    """The level a value is compared with; None when it cannot be derived (see module doc)."""
    kind = subject.kind
    if kind is MeasureKind.TREND:
        return None
    if kind is MeasureKind.MILESTONE:
        return 100.0
    if kind in (MeasureKind.RELATIVE_CHANGE, MeasureKind.POINT_CHANGE):
        base = effective_baseline(subject)
        if base is None:
            return None
        years = max(1, point.year - base.year) if subject.per_year else 1
        if kind is MeasureKind.RELATIVE_CHANGE:
            return base.value * (1 + point.value / 100) ** years
        return base.value + point.value * years
    return point.value


def per_year_span(subject: Subject) -> range:
    """The years a « par an » commitment applies to: the contract's, after the baseline's year."""
    base = effective_baseline(subject)
    first = subject.contract_start if base is None else max(subject.contract_start, base.year + 1)
    return range(first, subject.contract_end + 1)


def target_points(subject: Subject) -> list[TargetPoint]:
    """The subject's targets; a milestone without one is due (100 % done) at the contract's end;
    a « par an » target is repeated for every year of the contract that has none of its own."""
    if subject.kind is MeasureKind.TREND:
        return []
    if subject.kind is MeasureKind.MILESTONE and not subject.targets:
        return [TargetPoint(subject.contract_end, 100.0, TargetSource.FIXED)]
    points = list(subject.targets)
    if not subject.per_year or subject.kind is MeasureKind.MILESTONE:
        return points
    commitments = [
        p
        for p in points
        if p.kind is not TargetSource.TRAJECTORY and p.year <= subject.contract_end
    ]
    if not commitments:
        return points
    last = max(commitments, key=lambda p: (p.year, -p.kind.rank))
    covered = {p.year for p in commitments}
    repeated = [
        TargetPoint(year, last.value, last.kind, last.comparator)
        for year in per_year_span(subject)
        if year not in covered
    ]
    return repeated + points


def targets_by_year(subject: Subject) -> dict[int, Target]:
    """One resolved target per year, up to the contract's end, by order of precedence."""
    # A subject is immutable and asked for its targets many times per assessment: resolve them
    # once and keep them on the instance (frozen dataclasses still have a __dict__).
    cached: dict[int, Target] | None = subject.__dict__.get("_targets_by_year")
    if cached is None:
        cached = _resolve(subject)
        object.__setattr__(subject, "_targets_by_year", cached)
    return cached


def _resolve(subject: Subject) -> dict[int, Target]:
    chosen: dict[int, tuple[TargetPoint, float]] = {}
    for point in target_points(subject):
        if point.year > subject.contract_end:
            continue
        level = derive_level(subject, point)
        if level is None:
            continue
        held = chosen.get(point.year)
        if held is None or point.kind.rank <= held[0].kind.rank:
            chosen[point.year] = (point, level)
    return {
        year: Target(
            year=year,
            value=level,
            source=point.kind,
            comparator=point.comparator or default_comparator(subject.direction),
            written=point.value,
        )
        for year, (point, level) in sorted(chosen.items())
    }


def final_target(subject: Subject) -> Target | None:
    """The target of the latest year not after the contract's end."""
    targets = targets_by_year(subject)
    return targets[max(targets)] if targets else None


def annual_target(subject: Subject, year: int) -> Target | None:
    """The target stated for ``year`` itself, if any."""
    return targets_by_year(subject).get(year)


def applicable_target(subject: Subject, at: date) -> Target | None:
    """The target of ``at``'s year when there is one, else the final target."""
    return annual_target(subject, at.year) or final_target(subject)


def objective(subject: Subject, year: int) -> Target | None:
    """The year's own target from a real source (not a trajectory point), if any."""
    target = annual_target(subject, year)
    if target is None or target.source is TargetSource.TRAJECTORY:
        return None
    return target


def meets(value: float, target: Target, policy: Policy | None = None) -> bool:
    """Whether ``value`` meets ``target`` with its comparator (``lt``/``gt`` are strict).

    ``eq`` (maintain a level) accepts a relative gap up to the policy's maintain tolerance.
    """
    t = target.value
    slack = _EPSILON * max(1.0, abs(t))
    comparator = target.comparator
    if comparator is Comparator.GE:
        return value >= t - slack
    if comparator is Comparator.LE:
        return value <= t + slack
    if comparator is Comparator.GT:
        return value > t + slack
    if comparator is Comparator.LT:
        return value < t - slack
    tolerance = (policy or Policy()).maintain_tolerance
    return abs(value - t) <= tolerance * abs(t) + slack


def improving_sign(direction: Direction) -> int:
    """+1 when higher is better, -1 when lower is better, 0 for maintaining a level."""
    if direction is Direction.UP:
        return 1
    if direction is Direction.DOWN:
        return -1
    return 0
