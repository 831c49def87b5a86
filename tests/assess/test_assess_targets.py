from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from cpog.assess import (
    BaselinePoint,
    Policy,
    Subject,
    Target,
    TargetPoint,
    TargetSource,
    annual_target,
    applicable_target,
    derive_level,
    effective_baseline,
    final_target,
    meets,
    targets_by_year,
)
from cpog.contract.model import Comparator, Direction, MeasureKind

IND, FIX, NAT, TRA = (
    TargetSource.INDIVIDUALISED,
    TargetSource.FIXED,
    TargetSource.NATIONAL,
    TargetSource.TRAJECTORY,
)


def test_source_precedence_order() -> None:
    assert [s.rank for s in (IND, FIX, NAT, TRA)] == [0, 1, 2, 3]
    assert IND.label_fr == "cible individualisée"


@pytest.mark.parametrize(
    ("points", "value", "source"),
    [
        ([TargetPoint(2025, 1, TRA), TargetPoint(2025, 2, NAT)], 2, NAT),
        ([TargetPoint(2025, 2, NAT), TargetPoint(2025, 1, TRA)], 2, NAT),
        ([TargetPoint(2025, 2, NAT), TargetPoint(2025, 3, FIX)], 3, FIX),
        ([TargetPoint(2025, 4, IND), TargetPoint(2025, 3, FIX)], 4, IND),
        # two of the same source: the one listed last wins
        ([TargetPoint(2025, 2, NAT), TargetPoint(2025, 5, NAT)], 5, NAT),
    ],
)
def test_one_target_per_year(
    points: list[TargetPoint],
    value: float,
    source: TargetSource,
    make_subject: Callable[..., Subject],
) -> None:
    subject = make_subject(targets=points)
    chosen = annual_target(subject, 2025)
    assert chosen is not None
    assert (chosen.value, chosen.source) == (value, source)


def test_final_is_latest_year_up_to_contract_end(make_subject: Callable[..., Subject]) -> None:
    subject = make_subject(
        targets=[TargetPoint(2025, 70, NAT), TargetPoint(2027, 80, NAT), TargetPoint(2029, 99, NAT)]
    )
    final = final_target(subject)
    assert final is not None and (final.year, final.value) == (2027, 80)
    assert sorted(targets_by_year(subject)) == [2025, 2027]


def test_applicable_target_falls_back_to_final(make_subject: Callable[..., Subject]) -> None:
    subject = make_subject(targets=[TargetPoint(2025, 70, NAT), TargetPoint(2027, 80, NAT)])
    at_2025 = applicable_target(subject, date(2025, 6, 30))
    at_2026 = applicable_target(subject, date(2026, 6, 30))
    assert at_2025 is not None and at_2025.year == 2025
    assert at_2026 is not None and at_2026.year == 2027


def test_levels_per_kind(make_subject: Callable[..., Subject]) -> None:
    point = TargetPoint(2027, 10, FIX)
    base = BaselinePoint(200.0, 2022)
    level = MeasureKind.LEVEL
    assert derive_level(make_subject(measure_kind=level, baseline=base), point) == 10
    relative = make_subject(measure_kind=MeasureKind.RELATIVE_CHANGE, baseline=base)
    assert derive_level(relative, point) == pytest.approx(220)
    points = make_subject(measure_kind=MeasureKind.POINT_CHANGE, baseline=base)
    assert derive_level(points, point) == 210
    no_base = make_subject(measure_kind=MeasureKind.POINT_CHANGE, baseline=None)
    assert derive_level(no_base, point) is None
    assert derive_level(make_subject(measure_kind=MeasureKind.MILESTONE), point) == 100
    assert derive_level(make_subject(measure_kind=MeasureKind.TREND), point) is None


def test_counts_and_milestones_start_from_zero(make_subject: Callable[..., Subject]) -> None:
    count = make_subject(measure_kind=MeasureKind.CUMULATIVE_COUNT, baseline=None)
    assert effective_baseline(count) == BaselinePoint(0.0, 2022)
    assert effective_baseline(make_subject(baseline=None)) is None


def test_milestone_without_target_is_due_at_contract_end(
    make_subject: Callable[..., Subject],
) -> None:
    milestone = make_subject(measure_kind=MeasureKind.MILESTONE, baseline=None, targets=[])
    final = final_target(milestone)
    assert final is not None and (final.year, final.value) == (2027, 100)


def test_trend_has_no_numeric_target(make_subject: Callable[..., Subject]) -> None:
    assert final_target(make_subject(measure_kind=MeasureKind.TREND)) is None


def test_default_comparators(make_subject: Callable[..., Subject]) -> None:
    up = final_target(make_subject())
    down = final_target(make_subject(direction=Direction.DOWN))
    keep = final_target(make_subject(direction=Direction.MAINTAIN))
    assert up is not None and up.comparator is Comparator.GE
    assert down is not None and down.comparator is Comparator.LE
    # « maintenir », « consolider »: at least the level (a floor); a band needs an explicit eq
    assert keep is not None and keep.comparator is Comparator.GE


def _target(comparator: Comparator, value: float = 10.0) -> Target:
    return Target(2027, value, FIX, comparator, value)


@pytest.mark.parametrize(
    ("comparator", "value", "met"),
    [
        (Comparator.LT, 10.0, False),
        (Comparator.LT, 9.99, True),
        (Comparator.LE, 10.0, True),
        (Comparator.GT, 10.0, False),
        (Comparator.GT, 10.01, True),
        (Comparator.GE, 10.0, True),
        (Comparator.GE, 9.99, False),
        (Comparator.EQ, 10.19, True),  # within 2 %
        (Comparator.EQ, 10.21, False),
    ],
)
def test_meets(comparator: Comparator, value: float, met: bool) -> None:
    assert meets(value, _target(comparator), Policy()) is met


def test_meets_absorbs_float_noise(make_subject: Callable[..., Subject]) -> None:
    # 1 000 × 1.1 is 1100.0000000000002 in binary floating point
    subject = make_subject(
        measure_kind=MeasureKind.RELATIVE_CHANGE,
        baseline=BaselinePoint(1000.0, 2022),
        targets=[TargetPoint(2027, 10, FIX)],
    )
    final = final_target(subject)
    assert final is not None
    assert meets(1100.0, final)


def test_subject_accepts_plain_pair_and_validates(make_subject: Callable[..., Subject]) -> None:
    subject = Subject(
        id="x",
        label="x",
        direction=Direction.UP,
        contract_start=2023,
        contract_end=2027,
        baseline=(5, 2022),  # type: ignore[arg-type]
    )
    assert subject.baseline == BaselinePoint(5.0, 2022)
    with pytest.raises(ValueError, match="contract_end"):
        make_subject(contract_start=2027, contract_end=2023)
    with pytest.raises(ValueError, match="trajectory"):
        make_subject(trajectory="curve")
