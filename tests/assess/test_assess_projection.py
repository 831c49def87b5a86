from __future__ import annotations

import calendar
import random
from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpog.assess import Observation, Policy, Status, Subject, project, projection
from cpog.assess.projection import fit_line, midpoint, month_effects
from cpog.contract.model import Periodicity
from cpog.periods import Period

MakeSubject = Callable[..., Subject]


def test_fit_line_exact() -> None:
    line = fit_line([0, 1, 2, 3], [1, 3, 5, 7])
    assert line == pytest.approx((1.0, 2.0))
    assert fit_line([5, 5], [1, 2]) is None


def test_midpoints() -> None:
    assert midpoint(Period.month_of(2025, 1)) == date(2025, 1, 16).toordinal()
    assert midpoint(Period.month_of(2025, 1, to_date=True)) == midpoint(Period.month_of(2025, 1))
    assert midpoint(Period.month_of(2025, 4)) == date(2025, 4, 15).toordinal() + 0.5


def test_same_period_twice_gives_no_projection(make_subject: MakeSubject) -> None:
    june = Period.month_of(2025, 6)
    assert project(make_subject(), [Observation(june, 1.0), Observation(june, 2.0)]) is None


def _series(months: int, slope: float, season: list[float], noise: float) -> list[Observation]:
    rng = random.Random(7)
    origin = date(2023, 1, 1).toordinal()
    observations = []
    for i in range(months):
        year, month = 2023 + i // 12, i % 12 + 1
        period = Period.month_of(year, month)
        value = 50 + slope * (midpoint(period) - origin) + season[month - 1]
        observations.append(Observation(period, value + rng.uniform(-noise, noise)))
    return observations


SEASON = [-6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0, 4.0, 2.0, 0.0, -2.0, -4.0]


def test_seasonal_recovery_with_an_incomplete_last_year(make_subject: MakeSubject) -> None:
    # 30 months: the months Jan-Jun are seen three times, Jul-Dec twice
    observations = _series(30, 0.02, SEASON, 0.0)
    result = project(make_subject(periodicity=Periodicity.MONTHLY), observations)
    assert result is not None
    value, method, n = result
    expected = 50 + 0.02 * (date(2027, 12, 31).toordinal() - date(2023, 1, 1).toordinal()) - 4
    assert method == "trend+saisonnalite" and n == 30
    assert value == pytest.approx(expected, abs=1e-6)


def test_seasonal_with_noise_stays_close(make_subject: MakeSubject) -> None:
    observations = _series(36, 0.02, SEASON, 0.5)
    result = project(make_subject(periodicity=Periodicity.MONTHLY), observations)
    assert result is not None
    expected = 50 + 0.02 * (date(2027, 12, 31).toordinal() - date(2023, 1, 1).toordinal()) - 4
    assert result[0] == pytest.approx(expected, abs=1.5)


def test_order_of_observations_does_not_matter(make_subject: MakeSubject) -> None:
    observations = _series(36, 0.02, SEASON, 0.5)
    subject = make_subject(periodicity=Periodicity.MONTHLY)
    assert project(subject, observations) == project(subject, list(reversed(observations)))


def test_projection_gets_a_status(make_subject: MakeSubject) -> None:
    observations = [Observation(Period.year_of(y), v) for y, v in [(2023, 70), (2024, 75)]]
    result = projection(make_subject(), observations, Policy())
    assert result is not None
    assert result.at == date(2027, 12, 31)
    assert result.projected_status is Status.ATTEINT
    assert calendar.isleap(2024)


@given(
    st.lists(
        st.tuples(st.integers(0, 80), st.floats(-1000, 1000)), min_size=24, max_size=60
    ).filter(lambda points: len({p[0] for p in points}) >= 24)
)
def test_month_effects_solve_the_least_squares_equations(points: list[tuple[int, float]]) -> None:
    """The line and month effects are the least-squares fit: the residuals sum to zero within
    every calendar month and are orthogonal to the dates; the effects are centred."""
    distinct = sorted(dict(points).items())
    periods = [Period.month_of(2020 + n // 12, n % 12 + 1) for n, _ in distinct]
    xs = [midpoint(p) for p in periods]
    ys = [y for _, y in distinct]
    months = [p.index for p in periods]
    fitted = month_effects(xs, ys, months)
    assert fitted is not None
    (a, b), effects = fitted
    residuals = [y - a - b * x - effects[m] for x, y, m in zip(xs, ys, months, strict=True)]
    scale = max(1.0, *(abs(y) for y in ys))
    for month in set(months):
        in_month = [r for r, m in zip(residuals, months, strict=True) if m == month]
        assert abs(sum(in_month)) <= 1e-6 * scale * len(in_month)
    assert abs(sum(r * (x - xs[0]) for r, x in zip(residuals, xs, strict=True))) <= 1e-3 * scale
    assert abs(sum(effects.values())) <= 1e-6 * scale
