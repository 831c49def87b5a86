"""Is the subject « renseigné »? The one definition of completeness and lateness.

A period's value should be available ``availability_lag_days`` after the period ends: that date
is when it is **due** (« attendue le … »). It is reported late once the policy's
``stale_grace_days`` have also passed. The **expected period** at a date is the last period of the
subject's periodicity for which both delays have passed, and never a period after the contract's
last one. The subject is **renseigné** when it has a value for its expected period (or a later
one); otherwise it is late, by the days since the expected period's value was due. Before the
contract's first period is expected, nothing is late.

The **next expected value** follows the latest value entered: the period after it (the contract's
first period when there is none) and the date its value is due — none once the contract's last
period has a value.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date, timedelta
from operator import attrgetter

from cpog.assess.policy import Policy
from cpog.assess.types import Freshness, Observation, Subject
from cpog.periods import Period, PeriodUnit

_chronological = attrgetter("sort_key")


def available_on(subject: Subject, period: Period) -> date:
    """The date ``period``'s value should be available: its end plus the availability lag."""
    return period.end + timedelta(days=subject.availability_lag_days)


def due_on(subject: Subject, period: Period, policy: Policy) -> date:
    """The date from which a missing value of ``period`` is reported late."""
    return available_on(subject, period) + timedelta(days=policy.stale_grace_days)


def last_contract_period(subject: Subject) -> Period:
    return Period.containing(subject.end_date, subject.period_unit)


def first_contract_period(subject: Subject) -> Period:
    return Period.containing(date(subject.contract_start, 1, 1), subject.period_unit)


def expected_period(subject: Subject, as_of: date, policy: Policy) -> Period:
    """The last period whose value should be known on ``as_of`` (not after the contract's)."""
    return _expected_period(
        subject.period_unit,
        subject.availability_lag_days,
        policy.stale_grace_days,
        subject.end_date,
        as_of,
    )


@functools.lru_cache(maxsize=1024)  # the same few answers for every subject of every caisse
def _expected_period(
    unit: PeriodUnit, lag_days: int, grace_days: int, contract_end: date, as_of: date
) -> Period:
    period = Period.containing(as_of, unit)
    while period.end + timedelta(days=lag_days + grace_days) > as_of:
        period = period.previous()
    return min(period, Period.containing(contract_end, unit))


def covers(latest: Period | None, period: Period) -> bool:
    """Whether a subject whose latest value is for ``latest`` is « renseigné » for ``period``: a
    value for that period or a later one. The one rule of completeness (:func:`freshness`, the
    reporting campaigns)."""
    return latest is not None and latest.end >= period.end


def period_ending_with(subject: Subject, period: Period) -> Period | None:
    """The subject's own period (its periodicity) that ends when ``period`` ends, within the
    contract: a monthly subject's « octobre 2026 » for a campaign of October or of T4 2026's
    last month; None when none ends then (a yearly subject in a campaign of March) or when it
    falls outside the contract's periods."""
    own = Period.containing(period.end, subject.period_unit)
    if own.end != period.end:
        return None
    if own < first_contract_period(subject) or own > last_contract_period(subject):
        return None
    return own


def latest_known(observations: Iterable[Observation], as_of: date) -> Period | None:
    """The latest period with a value on ``as_of`` (values of periods ending later ignored)."""
    known = [o.period for o in observations if o.period.end <= as_of]
    return max(known, key=_chronological) if known else None


def first_missing_period(subject: Subject, latest: Period | None) -> Period:
    """The period after ``latest`` (the contract's first period when nothing is known)."""
    if latest is None:
        return first_contract_period(subject)
    return Period.containing(latest.end, subject.period_unit).next()


def freshness(
    subject: Subject, observations: Iterable[Observation], as_of: date, policy: Policy
) -> Freshness:
    """Freshness of the values on ``as_of``; values of periods ending later are ignored."""
    expected = expected_period(subject, as_of, policy)
    latest = latest_known(observations, as_of)
    started = expected >= first_contract_period(subject)
    is_late = started and not covers(latest, expected)
    expected_on = available_on(subject, expected)
    following: Period | None = first_missing_period(subject, latest)
    if following is not None and following > last_contract_period(subject):
        following = None
    return Freshness(
        expected_period=expected,
        expected_on=expected_on,
        latest_period=latest,
        is_late=is_late,
        days_late=max(0, (as_of - expected_on).days) if is_late else 0,
        next_period=following,
        next_expected_date=available_on(subject, following) if following is not None else None,
    )
