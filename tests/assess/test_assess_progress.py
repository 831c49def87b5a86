from __future__ import annotations

import math

import pytest

from cpog.assess import Target, TargetSource, progress_rate
from cpog.assess.progress import BASELINE_BEYOND, BASELINE_IS_TARGET, NO_BASELINE, NO_TARGET
from cpog.contract.model import Comparator, Direction

UP, DOWN, KEEP = Direction.UP, Direction.DOWN, Direction.MAINTAIN


def target(value: float, comparator: Comparator = Comparator.GE) -> Target:
    return Target(2027, value, TargetSource.FIXED, comparator, value)


def test_formula_and_clamping() -> None:
    assert progress_rate(70, 60, target(80), UP).value == pytest.approx(50)
    assert progress_rate(90, 60, target(80), UP).value == 100
    assert progress_rate(50, 60, target(80), UP).value == 0
    assert progress_rate(15, 20, target(10, Comparator.LE), DOWN).value == pytest.approx(50)
    assert progress_rate(25, 20, target(10, Comparator.LE), DOWN).value == 0


def test_degenerate_cases_say_why() -> None:
    assert progress_rate(70, 60, None, UP) == (progress_rate(70, 60, None, UP))
    none_target = progress_rate(70, 60, None, UP)
    assert none_target.value is None and none_target.reason == NO_TARGET
    no_base = progress_rate(70, None, target(80), UP)
    assert no_base.value is None and no_base.reason == NO_BASELINE
    same = progress_rate(70, 80, target(80), UP)
    assert same.value is None and same.reason == BASELINE_IS_TARGET
    beyond_met = progress_rate(82, 85, target(80), UP)
    assert beyond_met.value == 100 and beyond_met.reason == BASELINE_BEYOND
    beyond_missed = progress_rate(78, 85, target(80), UP)
    assert beyond_missed.value == 0
    beyond_down = progress_rate(11, 10, target(12, Comparator.LE), DOWN)
    assert beyond_down.value == 100


def test_strict_bound_beyond_baseline() -> None:
    # baseline 8 % already under a « below 10 % » bound; 10 % exactly does not meet it
    assert progress_rate(10, 8, target(10, Comparator.LT), DOWN).value == 0
    assert progress_rate(9.5, 8, target(10, Comparator.LT), DOWN).value == 100


def test_maintain_uses_the_plain_formula() -> None:
    assert progress_rate(94, 92, target(96, Comparator.EQ), KEEP).value == pytest.approx(50)


def test_infinite_inputs_never_escape_the_range() -> None:
    result = progress_rate(math.inf, 0, target(10), UP)
    assert result.value == 100
    nan = progress_rate(math.inf, -math.inf, target(10), UP)
    assert nan.value is None or 0 <= nan.value <= 100
