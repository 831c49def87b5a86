"""Properties that must hold for any subject, target and value."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cpog.assess import (
    BaselinePoint,
    Observation,
    Policy,
    Status,
    Subject,
    Target,
    TargetPoint,
    TargetSource,
    assess,
    determine_status,
    progress_rate,
)
from cpog.contract.model import Comparator, Cumulation, Direction, MeasureKind, Periodicity
from cpog.periods import Period

values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
small = st.floats(min_value=-1000, max_value=1000, allow_nan=False, allow_infinity=False)
kinds = st.sampled_from([None, *MeasureKind])
sources = st.sampled_from(list(TargetSource))
policies = st.builds(
    Policy,
    ahead=st.floats(1.0, 1.5),
    on_track=st.floats(0.9, 1.0),
    watch=st.floats(0.5, 0.9),
    relative_tolerance=st.floats(0.0, 0.5),
    maintain_tolerance=st.floats(0.0, 0.5),
)
COMPARATORS = {
    Direction.UP: [None, Comparator.GE, Comparator.GT],
    Direction.DOWN: [None, Comparator.LE, Comparator.LT],
    Direction.MAINTAIN: [None, Comparator.EQ, Comparator.GE, Comparator.LE],
}


@st.composite
def subjects(draw: st.DrawFn, directions: list[Direction]) -> Subject:
    direction = draw(st.sampled_from(directions))
    point = st.builds(
        TargetPoint,
        year=st.integers(2020, 2029),
        value=small,
        kind=sources,
        comparator=st.sampled_from(COMPARATORS[direction]),
    )
    baseline = draw(st.none() | st.builds(BaselinePoint, value=small, year=st.integers(2018, 2027)))
    return Subject(
        id="s",
        label="s",
        direction=direction,
        contract_start=2023,
        contract_end=2027,
        baseline=baseline,
        targets=draw(st.lists(point, max_size=4)),
        trajectory=draw(st.sampled_from(["linear", "steps"])),
        measure_kind=draw(kinds),
        per_year=draw(st.booleans()),
        periodicity=draw(st.sampled_from(list(Periodicity))),
        cumulation=draw(st.sampled_from(list(Cumulation))),
        availability_lag_days=draw(st.integers(0, 365)),
    )


dates = st.dates(min_value=date(2019, 1, 1), max_value=date(2031, 12, 31))
fractions = st.sampled_from([1.0, 0.5, 181 / 365, 0.08])
references = st.none() | st.tuples(small, st.just("première valeur"))


@given(actual=values, baseline=st.none() | values, target=st.none() | values)
def test_progress_is_a_percentage_or_none(
    actual: float, baseline: float | None, target: float | None
) -> None:
    for direction in Direction:
        for comparator in Comparator:
            goal = (
                None if target is None else Target(2027, target, TargetSource.FIXED, comparator, 0)
            )
            result = progress_rate(actual, baseline, goal, direction)
            assert result.value is None or 0.0 <= result.value <= 100.0
            if result.value is None:
                assert result.reason


def _ranks(
    subject: Subject,
    low: float,
    high: float,
    at: date,
    policy: Policy,
    fraction: float,
    reference: tuple[float, str] | None,
) -> tuple[int | None, int | None]:
    def rank(value: float) -> int | None:
        outcome = determine_status(
            subject, value, at, policy, fraction=fraction, trend_reference=reference
        )
        return outcome.status.rank

    return rank(low), rank(high)


@settings(max_examples=400)
@given(
    subject=subjects([Direction.UP]),
    a=small,
    b=small,
    at=dates,
    policy=policies,
    fraction=fractions,
    reference=references,
)
def test_rising_value_never_worsens_an_upward_status(
    subject: Subject,
    a: float,
    b: float,
    at: date,
    policy: Policy,
    fraction: float,
    reference: tuple[float, str] | None,
) -> None:
    low, high = sorted((a, b))
    rank_low, rank_high = _ranks(subject, low, high, at, policy, fraction, reference)
    assert (rank_low is None) == (rank_high is None)
    if rank_low is not None and rank_high is not None:
        assert rank_high >= rank_low


@settings(max_examples=400)
@given(
    subject=subjects([Direction.DOWN]),
    a=small,
    b=small,
    at=dates,
    policy=policies,
    fraction=fractions,
    reference=references,
)
def test_falling_value_never_worsens_a_downward_status(
    subject: Subject,
    a: float,
    b: float,
    at: date,
    policy: Policy,
    fraction: float,
    reference: tuple[float, str] | None,
) -> None:
    low, high = sorted((a, b))
    rank_low, rank_high = _ranks(subject, low, high, at, policy, fraction, reference)
    assert (rank_low is None) == (rank_high is None)
    if rank_low is not None and rank_high is not None:
        assert rank_low >= rank_high


CLOSING_STATUSES = {Status.ATTEINT, Status.NON_ATTEINT, Status.NON_RENSEIGNE, Status.SANS_CIBLE}

observations = st.lists(
    st.builds(
        Observation,
        period=st.builds(
            Period.containing,
            st.dates(min_value=date(2021, 1, 1), max_value=date(2028, 12, 31)),
            st.sampled_from(["month", "quarter", "year"]),
        ),
        value=small,
    ),
    max_size=30,
)


@settings(max_examples=200)
@given(
    subject=subjects(list(Direction)),
    observed=observations,
    as_of=dates,
    policy=policies,
)
def test_assess_always_answers(
    subject: Subject, observed: list[Observation], as_of: date, policy: Policy
) -> None:
    result = assess(subject, observed, as_of, policy)
    for rate in (result.progress_annual, result.progress_global):
        assert rate is None or 0.0 <= rate <= 100.0
    assert result.reasons
    if result.current is None:
        assert result.status is Status.NON_RENSEIGNE
    elif not subject.assessed:
        assert result.status is Status.SANS_CIBLE
    elif result.status is Status.NON_RENSEIGNE:
        # a value, but a trend with nothing to compare, or a closing verdict without the last
        # year's value (or on a value to check)
        assert subject.kind is MeasureKind.TREND or result.closing
    if result.closing:
        assert result.status in CLOSING_STATUSES
        assert result.projection is None
    assert result.freshness.days_late >= 0
    fresh = result.freshness
    if fresh.is_late:
        assert fresh.days_late >= policy.stale_grace_days
    else:
        assert fresh.days_late == 0
        # up to date during the contract: the next value after the latest one is not due yet
        started = fresh.expected_period.end.year >= subject.contract_start
        if started and fresh.next_expected_date is not None:
            assert fresh.next_expected_date + timedelta(days=policy.stale_grace_days) > as_of
    for verdict in result.years:
        assert verdict.year < as_of.year
        assert (verdict.met is None) == (verdict.value is None)
