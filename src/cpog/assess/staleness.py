"""Is the latest value as recent as it should be?

A period's value should be available ``availability_lag_days`` after the period ends; it is
reported late once the policy's ``stale_grace_days`` have also passed. The expected period at a
date is the last period of the subject's periodicity for which both delays have passed. The
subject is late when its latest observed period ends before the expected one; ``days_late``
counts from the date the oldest missing value should have been available.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from cpog.assess.policy import Policy
from cpog.assess.types import Freshness, Observation, Subject
from cpog.periods import Period


def available_on(subject: Subject, period: Period) -> date:
    """The date ``period``'s value should be available: its end plus the availability lag."""
    return period.end + timedelta(days=subject.availability_lag_days)


def due_on(subject: Subject, period: Period, policy: Policy) -> date:
    """The date from which a missing value of ``period`` is reported late."""
    return available_on(subject, period) + timedelta(days=policy.stale_grace_days)


def expected_period(subject: Subject, as_of: date, policy: Policy) -> Period:
    """The last period of the subject's periodicity whose value should be known on ``as_of``."""
    period = Period.containing(as_of, subject.period_unit)
    while due_on(subject, period, policy) > as_of:
        period = period.previous()
    return period


def first_missing_period(subject: Subject, latest: Period | None) -> Period:
    """The period after ``latest`` (the contract's first period when nothing is known)."""
    unit = subject.period_unit
    if latest is None:
        return Period.containing(date(subject.contract_start, 1, 1), unit)
    return Period.containing(latest.end, unit).next()


def freshness(
    subject: Subject, observations: Iterable[Observation], as_of: date, policy: Policy
) -> Freshness:
    """Freshness of the values on ``as_of``; values of periods ending later are ignored."""
    expected = expected_period(subject, as_of, policy)
    known = [o.period for o in observations if o.period.end <= as_of]
    latest = max(known) if known else None
    first_missing = first_missing_period(subject, latest)
    is_late = first_missing.end <= expected.end
    days_late = (as_of - available_on(subject, first_missing)).days if is_late else 0
    return Freshness(
        expected_period=expected,
        latest_period=latest,
        is_late=is_late,
        days_late=days_late,
        next_expected_date=available_on(subject, expected.next()),
    )
