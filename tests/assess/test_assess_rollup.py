from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from cpog.assess import Assessment, Observation, Status, Subject, assess, roll_up, rollup_status
from cpog.periods import Period

MakeSubject = Callable[..., Subject]


def _assessed(make_subject: MakeSubject, ident: str, value: float | None) -> Assessment:
    observations = [] if value is None else [Observation(Period.year_of(2024), value)]
    return assess(make_subject(id=ident), observations, date(2025, 3, 31))


@pytest.mark.parametrize(
    ("score", "status"),
    [
        (None, Status.NON_RENSEIGNE),
        (1.0, Status.CONFORME),
        (0.9, Status.CONFORME),
        (0.8999, Status.A_SURVEILLER),
        (0.6, Status.A_SURVEILLER),
        (0.5999, Status.EN_RETARD),
        (0.0, Status.EN_RETARD),
    ],
)
def test_bands(score: float | None, status: Status) -> None:
    assert rollup_status(score) is status


def test_empty_roll_up() -> None:
    result = roll_up([])
    assert result.score is None and result.status is Status.NON_RENSEIGNE
    assert result.n_expected == 0 and result.complete


def test_weights(make_subject: MakeSubject) -> None:
    good = _assessed(make_subject, "good", 81)  # atteint
    late = _assessed(make_subject, "late", 61)  # en retard
    assert good.status is Status.ATTEINT and late.status is Status.EN_RETARD
    result = roll_up([(good, 3), (late, 1)])
    assert result.score == pytest.approx(0.75)
    assert result.progress == pytest.approx((3 * 100 + 5) / 4)
    negative = roll_up([(good, 1), (late, -2)])
    assert negative.n_expected == 1 and negative.score == 1.0


def test_missing_lists_ids_in_order(make_subject: MakeSubject) -> None:
    items = [
        (_assessed(make_subject, "b", None), 1.0),
        (_assessed(make_subject, "a", 70), 1.0),
        (_assessed(make_subject, "c", None), 1.0),
    ]
    result = roll_up(items)
    assert result.missing == ["b", "c"]
    assert (result.n_expected, result.n_available, result.complete) == (3, 1, False)
