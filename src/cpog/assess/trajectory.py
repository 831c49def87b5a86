"""The value expected at a date on the way from the baseline to the final target.

``linear``: straight lines from the baseline (read on 31 December of its year) through each year's
target (31 December of that year) to the final target; before the baseline the expected value is
the baseline, after the final target it is the final target. ``steps``: from the year after the
baseline, the applicable target of the year (its own, else the final one) holds all year. Without
a baseline the expected value is the applicable target.

A yearly total counted since 1 January (``yearly_total`` with ``year_to_date`` cumulation, or a
« cumul à fin … » period) is compared with the same share of its year-end expected value: at the
end of June, about 181/365 of it (or, by policy, the share that month held the year before).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from itertools import pairwise

from cpog.assess.policy import Policy
from cpog.assess.targets import applicable_target, effective_baseline, targets_by_year
from cpog.assess.types import Observation, Subject
from cpog.contract.model import Cumulation
from cpog.periods import Period, PeriodUnit


def year_end(year: int) -> date:
    return date(year, 12, 31)


def trajectory_points(subject: Subject) -> list[tuple[date, float]]:
    """The corners of the linear trajectory: baseline, then each year's target after it."""
    base = effective_baseline(subject)
    targets = targets_by_year(subject)
    if base is None or not targets:
        return []
    points = [(year_end(base.year), base.value)]
    points += [(year_end(year), t.value) for year, t in targets.items() if year > base.year]
    return points


def expected_value(subject: Subject, at: date) -> float | None:
    """The value expected on ``at`` (see module doc); None when there is no target."""
    target = applicable_target(subject, at)
    if target is None:
        return None
    base = effective_baseline(subject)
    if base is None:
        return target.value
    if at <= year_end(base.year):
        return base.value
    if subject.trajectory == "steps":
        return target.value
    points = trajectory_points(subject)
    if len(points) == 1:  # every target is in or before the baseline's year
        return target.value
    for (d0, v0), (d1, v1) in pairwise(points):
        if at <= d1:
            return v0 + (v1 - v0) * (at - d0).days / (d1 - d0).days
    return points[-1][1]


def is_prorated(subject: Subject, period: Period) -> bool:
    """Whether a value of ``period`` is a partial-year cumulation of a yearly total."""
    if period.unit is PeriodUnit.YEAR:
        return False
    return subject.yearly_total and (
        subject.cumulation is Cumulation.YEAR_TO_DATE or period.to_date
    )


def year_fraction(day: date) -> float:
    """Share of ``day``'s year elapsed at the end of ``day`` (1.0 on 31 December)."""
    days = 366 if calendar.isleap(day.year) else 365
    return ((day - date(day.year, 1, 1)).days + 1) / days


def period_fraction(subject: Subject, period: Period) -> float:
    """1.0, or the elapsed share of the year when the value is a year-to-date cumulation."""
    return year_fraction(period.end) if is_prorated(subject, period) else 1.0


def ytd_share(
    subject: Subject, period: Period, known: Sequence[Observation], policy: Policy
) -> float:
    """Share of the year's total expected at the end of ``period`` (1.0 unless prorated).

    The elapsed share of the year, or with the policy's ``annee_precedente`` profile the share
    the same period held the year before, when last year's value and total are known.
    """
    if not is_prorated(subject, period):
        return 1.0
    if policy.ytd_profile == "annee_precedente":
        last_year = period.year - 1
        same = next(
            (
                o.value
                for o in known
                if o.period.unit is period.unit
                and o.period.year == last_year
                and o.period.index == period.index
            ),
            None,
        )
        total = next(
            (
                o.value
                for o in known
                if o.period.unit is period.unit and o.period.end == year_end(last_year)
            ),
            None,
        )
        if same is not None and total is not None and total > 0 and same >= 0:
            return min(1.0, max(same / total, 1e-6))
    return year_fraction(period.end)


def expected_at(subject: Subject, at: date, fraction: float = 1.0) -> float | None:
    """The expected value to compare with a value read on ``at``.

    With ``fraction`` < 1 (a year-to-date value), the year-end expected value scaled down.
    """
    if fraction >= 1.0:
        return expected_value(subject, at)
    full = expected_value(subject, year_end(at.year))
    return None if full is None else full * fraction
