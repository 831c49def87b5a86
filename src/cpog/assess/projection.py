"""Where the observed trend leads at the contract's end (31 December of its last year).

A least-squares line through the observations, x being the middle of each period in days (for a
« cumul à fin … » value, the middle of its last month, quarter or half). With at least 24 monthly
values, only the monthly values are used and one effect per calendar month is added: the mean
residual of that month — the joint least-squares fit of a line plus month effects, computed
directly (:func:`month_effects`) —, the effects centred on zero; the
projection is the line at 31 December plus December's effect. Fewer than 2 values, or values all
in the same period: no projection. The projected status is the final verdict the projected value
would get: « Atteint » or « Non atteint ».
"""

from __future__ import annotations

from collections.abc import Sequence

from cpog.assess.policy import Policy
from cpog.assess.types import Observation, Projection, ProjectionMethod, Subject
from cpog.assess.years import final_verdict
from cpog.periods import Period, PeriodUnit

MIN_POINTS = 2
MIN_SEASONAL_MONTHS = 24


def midpoint(period: Period) -> float:
    """Middle of the period as a day number (the last sub-period for a year-to-date value)."""
    plain = Period(period.unit, period.year, period.index) if period.to_date else period
    return (plain.start.toordinal() + plain.end.toordinal()) / 2


def fit_line(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float] | None:
    """(intercept, slope) of the least-squares line; None when all x are equal."""
    n = len(xs)
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    return mean_y - slope * mean_x, slope


def month_effects(
    xs: Sequence[float], ys: Sequence[float], months: Sequence[int]
) -> tuple[tuple[float, float], dict[int, float]] | None:
    """Line and centred month effects, the joint least-squares fit, computed directly.

    With one intercept per calendar month, the least-squares slope is the within-month slope
    (each month's values around that month's means); each month's intercept is then its mean
    value less the slope times its mean date, and the line's intercept is the mean of the
    months' intercepts, so that the effects are centred on zero. (The same fit as alternating
    the line and the month means until stable, without the rounds.)"""
    sums: dict[int, list[float]] = {}  # month → [n, Σx, Σy]
    for x, y, m in zip(xs, ys, months, strict=True):
        acc = sums.get(m)
        if acc is None:
            sums[m] = [1.0, x, y]
        else:
            acc[0] += 1
            acc[1] += x
            acc[2] += y
    means = {m: (sx / n, sy / n) for m, (n, sx, sy) in sums.items()}
    sxx = 0.0
    sxy = 0.0
    for x, y, m in zip(xs, ys, months, strict=True):
        mx, my = means[m]
        sxx += (x - mx) ** 2
        sxy += (x - mx) * (y - my)
    if sxx == 0:
        return None
    slope = sxy / sxx
    intercepts = {m: my - slope * mx for m, (mx, my) in means.items()}
    intercept = sum(intercepts.values()) / len(intercepts)
    return (intercept, slope), {m: value - intercept for m, value in intercepts.items()}


def project(
    subject: Subject, observations: Sequence[Observation]
) -> tuple[float, ProjectionMethod, int] | None:
    """(value at the contract's end, method, number of values used), or None."""
    points = sorted(observations, key=lambda o: o.period.sort_key)
    if len(points) < MIN_POINTS:
        return None
    at = subject.end_date.toordinal()
    monthly = [o for o in points if o.period.unit is PeriodUnit.MONTH]
    if len(monthly) >= MIN_SEASONAL_MONTHS:
        xs = [midpoint(o.period) for o in monthly]
        ys = [o.value for o in monthly]
        fitted = month_effects(xs, ys, [o.period.index for o in monthly])
        if fitted is not None:
            (a, b), effects = fitted
            value = a + b * at + effects.get(12, 0.0)
            return value, "trend+saisonnalite", len(monthly)
    line = fit_line([midpoint(o.period) for o in points], [o.value for o in points])
    if line is None:
        return None
    a, b = line
    return a + b * at, "trend", len(points)


def projection(
    subject: Subject,
    observations: Sequence[Observation],
    policy: Policy,
    *,
    trend_reference: tuple[float, str] | None = None,
) -> Projection | None:
    """The projected value at the contract's end and the final verdict it would get there."""
    result = project(subject, observations)
    if result is None:
        return None
    value, method, n = result
    low, high = subject.bounds  # a délai does not go below 0 days, a rate above 100 %
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    reference = trend_reference[0] if trend_reference is not None else None
    status = final_verdict(subject, value, policy, reference)
    return Projection(value, subject.end_date, method, n, status)
