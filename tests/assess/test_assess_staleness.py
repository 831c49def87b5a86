from __future__ import annotations

from collections.abc import Callable
from datetime import date

from cpog.assess import Observation, Policy, Subject, available_on, expected_period, freshness
from cpog.contract.model import Periodicity
from cpog.periods import Period

MakeSubject = Callable[..., Subject]


def test_half_yearly_with_no_lag(make_subject: MakeSubject) -> None:
    subject = make_subject(periodicity=Periodicity.HALF_YEARLY, availability_lag_days=0)
    policy = Policy(stale_grace_days=0)
    assert expected_period(subject, date(2025, 6, 30), policy) == Period.half_of(2025, 1)
    assert expected_period(subject, date(2025, 6, 29), policy) == Period.half_of(2024, 2)


def test_long_lag_goes_back_several_periods(make_subject: MakeSubject) -> None:
    subject = make_subject(periodicity=Periodicity.MONTHLY, availability_lag_days=120)
    # 31/03/2025 + 120 + 15 = 13/08/2025
    assert expected_period(subject, date(2025, 8, 13), Policy()) == Period.month_of(2025, 3)
    assert available_on(subject, Period.month_of(2025, 3)) == date(2025, 7, 29)


def test_values_after_as_of_are_ignored(make_subject: MakeSubject) -> None:
    subject = make_subject(periodicity=Periodicity.MONTHLY, availability_lag_days=30)
    observations = [
        Observation(Period.month_of(2025, 3), 1.0),
        Observation(Period.month_of(2025, 9), 1.0),  # typed ahead of time
    ]
    fresh = freshness(subject, observations, date(2025, 7, 31), Policy())
    assert fresh.latest_period == Period.month_of(2025, 3)
    assert fresh.is_late
    # the next value follows the latest one entered: April's, due since 30/05/2025
    assert fresh.next_period == Period.month_of(2025, 4)
    assert fresh.next_expected_date == date(2025, 5, 30)


def test_coarser_values_count_by_their_end(make_subject: MakeSubject) -> None:
    subject = make_subject(periodicity=Periodicity.MONTHLY, availability_lag_days=30)
    fresh = freshness(
        subject, [Observation(Period.year_of(2024), 1.0)], date(2025, 2, 20), Policy()
    )
    # December 2024 was due on 14/02/2025: a yearly value for 2024 covers it
    assert fresh.expected_period == Period.month_of(2024, 12)
    assert not fresh.is_late and fresh.days_late == 0


def test_nothing_due_before_the_contract(make_subject: MakeSubject) -> None:
    subject = make_subject(periodicity=Periodicity.ANNUAL, availability_lag_days=90)
    fresh = freshness(subject, [], date(2023, 6, 30), Policy())
    assert fresh.expected_period == Period.year_of(2022)
    assert not fresh.is_late
