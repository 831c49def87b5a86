"""Unusual values: a value far from the series it joins.

One rule, used by every door that writes a value (it asks for a confirmation) and by the
assessment (an unconfirmed unusual value is « à vérifier » and cannot alone make a subject
« Atteint »). A value is unusual when, compared with the value of the period before it:

* the change exceeds ``unusual_change`` (50 % by default) of the scale of the series — the larger of
  the two values and of the final target — so that a rate near 0 or a trajectory toward a large
  target is not flagged for ordinary moves; between two values cumulated since 1 January of the
  same year, which move slowly, half of it (25 %);
* and, when the series already has at least :data:`MIN_CHANGES` changes, the change also exceeds
  ``unusual_spread`` (3 by default) times the usual change of the series (the median of the
  absolute changes between successive values), so that a series that moves a lot is judged by its
  own habits.

Year-to-date totals are compared at an annual pace (a value at the end of March counts for a
quarter of the year), so that January's small total is not unusual next to December's. A milestone
(% done) moves in steps and is never unusual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import median

from cpog.assess.policy import Policy
from cpog.assess.targets import final_target
from cpog.assess.trajectory import period_fraction
from cpog.assess.types import Observation, Subject
from cpog.assess.wording import display_unit, value_text
from cpog.contract.model import Cumulation, MeasureKind
from cpog.periods import Period, PeriodUnit

MIN_CHANGES = 3


@dataclass(frozen=True, slots=True)
class Unusual:
    """Why a value is unusual: the value it is compared with and the size of the change."""

    previous: Observation
    change: float  # relative to the scale of the series
    reason: str  # French, e.g. « 13,5 jours après 19,36 jours en octobre 2026 (écart de 30 %) »


def _cumulated(subject: Subject, period: Period) -> bool:
    return period.unit is not PeriodUnit.YEAR and (
        subject.cumulation is Cumulation.YEAR_TO_DATE or period.to_date
    )


def _pace(subject: Subject, observation: Observation) -> float:
    return observation.value / period_fraction(subject, observation.period)


def unusual(
    subject: Subject,
    series: Sequence[Observation],
    period: Period,
    value: float,
    policy: Policy,
) -> Unusual | None:
    """Whether ``value`` for ``period`` is far from ``series`` (see module doc); None if not."""
    if subject.kind is MeasureKind.MILESTONE:
        return None
    end = period.end
    before = sorted(
        (o for o in series if o.period.unit is period.unit and o.period.end < end),
        key=lambda o: o.period.end,
    )
    if not before:
        return None
    return unusual_after(subject, before[-1], lambda: before, period, value, policy)


def unusual_among(
    subject: Subject,
    ordered: Sequence[Observation],
    period: Period,
    value: float,
    policy: Policy,
) -> Unusual | None:
    """:func:`unusual` for a series already in chronological order (as the assessment holds it):
    the value before ``period`` is found from the end, the series is not sorted again."""
    if subject.kind is MeasureKind.MILESTONE:
        return None
    end, unit = period.end, period.unit
    previous = next(
        (o for o in reversed(ordered) if o.period.unit is unit and o.period.end < end), None
    )
    if previous is None:
        return None

    def earlier() -> list[Observation]:
        return [o for o in ordered if o.period.unit is unit and o.period.end < end]

    return unusual_after(subject, previous, earlier, period, value, policy)


def unusual_after(
    subject: Subject,
    previous: Observation,
    earlier: Callable[[], Sequence[Observation]],
    period: Period,
    value: float,
    policy: Policy,
) -> Unusual | None:
    """:func:`unusual` when the caller knows the value just before ``period`` (``previous``);
    ``earlier`` gives every value before ``period``, oldest first, and is called only when the
    change is large enough for the series' habits to matter — rarely, so a file of 100 000
    values does not rebuild a series per value."""
    if subject.kind is MeasureKind.MILESTONE:
        return None
    new_pace = value / period_fraction(subject, period)
    old_pace = _pace(subject, previous)
    change = abs(new_pace - old_pace)
    final = final_target(subject)
    scale = max(abs(new_pace), abs(old_pace), abs(final.value) if final else 0.0)
    limit = policy.unusual_change
    if previous.period.year == period.year and _cumulated(subject, period):
        limit /= 2  # a month added to months already cumulated moves the total little
    if scale == 0 or change <= limit * scale:
        return None
    paces = [_pace(subject, o) for o in earlier()]
    steps = [abs(b - a) for a, b in pairwise(paces)]
    if len(steps) >= MIN_CHANGES and change <= policy.unusual_spread * median(steps):
        return None
    unit = display_unit(subject)
    share = round(100 * change / scale)
    # Year-to-date totals are compared at the year's pace: say so, or « 1,6 % après 1,6 % »
    # reads as no change at all.
    paced = period_fraction(subject, period) != 1 or period_fraction(subject, previous.period) != 1
    pace = " au rythme de l'année" if paced else ""
    reason = (
        f"{value_text(value, unit)} après {value_text(previous.value, unit)} en "
        f"{previous.period} (écart de {share}\u00a0%{pace})"
    )
    return Unusual(previous, change / scale, reason)
