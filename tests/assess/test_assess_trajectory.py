from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from cpog.assess import (
    BaselinePoint,
    Subject,
    TargetPoint,
    TargetSource,
    expected_at,
    expected_value,
    period_fraction,
)
from cpog.assess.trajectory import trajectory_points, year_fraction
from cpog.contract.model import Cumulation, MeasureKind
from cpog.periods import Period

MakeSubject = Callable[..., Subject]
NAT = TargetSource.NATIONAL


def test_linear_corners_are_year_ends(make_subject: MakeSubject) -> None:
    subject = make_subject(targets=[TargetPoint(2024, 70, NAT), TargetPoint(2027, 80, NAT)])
    assert trajectory_points(subject) == [
        (date(2022, 12, 31), 60.0),
        (date(2024, 12, 31), 70.0),
        (date(2027, 12, 31), 80.0),
    ]
    assert expected_value(subject, date(2024, 12, 31)) == 70
    assert expected_value(subject, date(2023, 12, 31)) == pytest.approx(60 + 10 * 365 / 731)


def test_before_baseline_and_after_final(make_subject: MakeSubject) -> None:
    subject = make_subject()
    assert expected_value(subject, date(2020, 1, 1)) == 60
    assert expected_value(subject, date(2022, 12, 31)) == 60
    assert expected_value(subject, date(2030, 6, 30)) == 80


def test_steps_hold_the_year_target(make_subject: MakeSubject) -> None:
    subject = make_subject(
        trajectory="steps", targets=[TargetPoint(2025, 70, NAT), TargetPoint(2027, 80, NAT)]
    )
    assert expected_value(subject, date(2022, 6, 30)) == 60  # baseline year
    assert expected_value(subject, date(2025, 1, 1)) == 70
    assert expected_value(subject, date(2025, 12, 31)) == 70
    assert expected_value(subject, date(2026, 3, 31)) == 80  # no 2026 target: the final one


def test_no_baseline_expects_the_applicable_target(make_subject: MakeSubject) -> None:
    subject = make_subject(
        baseline=None, targets=[TargetPoint(2025, 70, NAT), TargetPoint(2027, 80, NAT)]
    )
    assert expected_value(subject, date(2025, 6, 30)) == 70
    assert expected_value(subject, date(2024, 6, 30)) == 80


def test_no_target_no_expected_value(make_subject: MakeSubject) -> None:
    assert expected_value(make_subject(targets=[]), date(2025, 6, 30)) is None
    assert expected_value(make_subject(measure_kind=MeasureKind.TREND), date(2025, 6, 30)) is None


def test_targets_in_the_baseline_year_do_not_bend_the_line(make_subject: MakeSubject) -> None:
    subject = make_subject(baseline=BaselinePoint(60.0, 2027))
    assert expected_value(subject, date(2028, 6, 30)) == 80


def test_year_fraction() -> None:
    assert year_fraction(date(2025, 12, 31)) == 1.0
    assert year_fraction(date(2025, 6, 30)) == pytest.approx(181 / 365)
    assert year_fraction(date(2024, 6, 30)) == pytest.approx(182 / 366)


def test_only_yearly_quantities_cumulated_since_january_are_prorated(
    make_subject: MakeSubject,
) -> None:
    june = Period.month_of(2025, 6)
    june_ytd = Period.month_of(2025, 6, to_date=True)
    assert period_fraction(make_subject(), june_ytd) == 1.0  # not a yearly total: a rate, say
    yearly = make_subject(yearly_total=True)
    assert period_fraction(yearly, june) == 1.0
    assert period_fraction(yearly, june_ytd) == pytest.approx(181 / 365)
    ytd = make_subject(yearly_total=True, cumulation=Cumulation.YEAR_TO_DATE)
    assert period_fraction(ytd, june) == pytest.approx(181 / 365)
    full = expected_value(ytd, date(2025, 12, 31))
    assert full is not None
    assert expected_at(ytd, date(2025, 6, 30), 181 / 365) == pytest.approx(full * 181 / 365)
