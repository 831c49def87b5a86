"""A year's value, its verdict against the year's objective, and the contract's closing verdict.

**The value of a year** is the value of the year itself for an annual subject; for a monthly (or
quarterly, half-yearly) subject cumulated since 1 January or measured at the period's end, the
value of the year's last period (December's cumulated value, the stock at 31 December). A
sub-annual subject that is neither has no single value per year: its year is the sum of its
periods (a yearly total) or their mean, once every period of the year is known. The verdict is
given on the definitive value when there is one, else on the provisional value, marked so.

**Yearly verdict.** For every closed year of the contract that has an objective of its own (an
individualised, fixed or national target — see :func:`cpog.assess.targets.objective`), the year's
value meets it or not: « objectif 2025 atteint / non atteint », with the year's comparator
(« inférieur à 7,6 % » is strict).

**Closing verdict.** Once the contract's last year has closed, every subject is « Atteint » or
« Non atteint » on its final target, or « Non renseigné » / « Sans cible »:

* a « par an » commitment is « Atteint » when every year's objective was met;
* a milestone, when it is 100 % done by the end;
* a trend (a sense of change), when the last year's value moved the right way from the reference;
* any other subject, when the last year's value meets the final target.

A value « à vérifier » (unusual, not confirmed) cannot make a subject « Atteint »: the closing
verdict waits for its confirmation (« Non renseigné »).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from cpog.assess.outliers import unusual_among
from cpog.assess.policy import Policy
from cpog.assess.staleness import due_on
from cpog.assess.targets import final_target, meets, objective
from cpog.assess.types import Observation, Status, Subject, YearVerdict
from cpog.contract.model import Cumulation, Direction, MeasureKind
from cpog.periods import Period, PeriodUnit


@dataclass(frozen=True, slots=True)
class YearValue:
    """The value a year is judged on, the period it was read from and how sure it is."""

    year: int
    value: float
    period: Period
    provisional: bool
    to_check: bool
    check_reason: str = ""  # why it is to check (cpog.assess.outliers), in French


def closing(subject: Subject, as_of: date) -> bool:
    """Whether the contract's last year has closed on ``as_of``."""
    return as_of > subject.end_date


def last_period(subject: Subject, year: int) -> Period:
    """The subject's last period of ``year`` (the year itself for an annual subject)."""
    return Period.containing(date(year, 12, 31), subject.period_unit)


def _judged(observation: Observation) -> tuple[float, bool]:
    """(value, provisional): the latest definitive value of the period when there is one."""
    if observation.provisional and observation.settled is not None:
        return observation.settled, False
    return observation.value, observation.provisional


def year_value(
    subject: Subject, known: Sequence[Observation], year: int, policy: Policy
) -> YearValue | None:
    """The value of ``year`` (see module doc), or None when it is not known. ``known`` is in
    chronological order, as :func:`cpog.assess.engine.assess` holds it."""
    unit = subject.period_unit
    if unit is PeriodUnit.YEAR or subject.cumulation is not Cumulation.NONE:
        wanted = last_period(subject, year)
        found = next((o for o in known if o.period == wanted), None)
        if found is None:
            return None
        value, provisional = _judged(found)
        flagged = unusual_among(subject, known, found.period, found.value, policy)
        to_check = flagged is not None and not found.confirmed
        reason = flagged.reason if flagged is not None and to_check else ""
        return YearValue(year, value, found.period, provisional, to_check, reason)
    periods = [o for o in known if o.period.unit is unit and o.period.year == year]
    expected = len({o.period for o in periods})
    count = {PeriodUnit.MONTH: 12, PeriodUnit.QUARTER: 4, PeriodUnit.HALF: 2}[unit]
    if expected < count:
        return None
    values = [_judged(o) for o in periods]
    total = sum(v for v, _ in values)
    value = total if subject.yearly_total else total / len(values)
    return YearValue(year, value, Period.year_of(year), any(p for _, p in values), False)


def year_verdicts(
    subject: Subject, known: Sequence[Observation], as_of: date, policy: Policy
) -> list[YearVerdict]:
    """The verdict of each closed year of the contract that has an objective, oldest first."""
    if not subject.assessed or subject.kind is MeasureKind.TREND:
        return []
    verdicts: list[YearVerdict] = []
    for year in range(subject.contract_start, min(subject.contract_end, as_of.year - 1) + 1):
        target = objective(subject, year)
        if target is None:
            continue
        found = year_value(subject, known, year, policy)
        if found is None:
            due = due_on(subject, last_period(subject, year), policy)
            verdicts.append(YearVerdict(year, target, None, None, None, awaited=as_of < due))
            continue
        verdicts.append(
            YearVerdict(
                year,
                target,
                found.value,
                found.period,
                meets(found.value, target, policy),
                provisional=found.provisional,
                to_check=found.to_check,
            )
        )
    return verdicts


def final_verdict(
    subject: Subject, value: float, policy: Policy, trend_reference: float | None
) -> Status:
    """« Atteint » or « Non atteint »: ``value`` as the last year's value against the final
    target (a trend: against its reference, in the right sense; maintained: at least the
    reference). « Sans cible » or « Non renseigné » when there is nothing to judge against."""
    if not subject.assessed:
        return Status.SANS_CIBLE
    if subject.kind is MeasureKind.TREND:
        base = subject.baseline.value if subject.baseline is not None else trend_reference
        if base is None:
            return Status.NON_RENSEIGNE
        change = value - base
        if subject.direction is Direction.MAINTAIN:
            ok = change >= -1e-9 * max(1.0, abs(base))
        else:
            sign = 1 if subject.direction is Direction.UP else -1
            ok = change * sign > 1e-9 * max(1.0, abs(base))
        return Status.ATTEINT if ok else Status.NON_ATTEINT
    final = final_target(subject)
    if final is None:
        return Status.SANS_CIBLE
    return Status.ATTEINT if meets(value, final, policy) else Status.NON_ATTEINT


def closing_verdict(
    subject: Subject,
    known: Sequence[Observation],
    years: Sequence[YearVerdict],
    policy: Policy,
    trend_reference: float | None,
) -> tuple[Status, YearValue | None]:
    """The closing status of ``subject`` (see module doc) and the value it was decided on."""
    end = subject.contract_end
    if not known:
        return Status.NON_RENSEIGNE, None
    if not subject.assessed:
        return Status.SANS_CIBLE, None
    if subject.kind is MeasureKind.MILESTONE:
        done = [o for o in known if o.period.end.year <= end]
        if not done:
            return Status.NON_RENSEIGNE, None
        last = max(done, key=lambda o: o.period)
        value, provisional = _judged(last)
        done_by_end = YearValue(last.period.year, value, last.period, provisional, False)
        return final_verdict(subject, value, policy, None), done_by_end
    found = year_value(subject, known, end, policy)
    if subject.kind is not MeasureKind.TREND and final_target(subject) is None:
        return Status.SANS_CIBLE, found
    if subject.per_year:
        if any(v.met is False and not v.to_check for v in years):
            return Status.NON_ATTEINT, found
        if years and all(v.met for v in years) and not any(v.to_check for v in years):
            return Status.ATTEINT, found
        return Status.NON_RENSEIGNE, found
    if found is None or found.to_check:
        return Status.NON_RENSEIGNE, found
    return final_verdict(subject, found.value, policy, trend_reference), found


__all__ = [
    "YearValue",
    "closing",
    "closing_verdict",
    "final_verdict",
    "last_period",
    "year_value",
    "year_verdicts",
]
