from __future__ import annotations

import calendar
import random
from collections.abc import Callable
from datetime import date

import pytest

from cpog.assess import Observation, Policy, Status, Subject, project, projection
from cpog.assess.projection import fit_line, midpoint
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
