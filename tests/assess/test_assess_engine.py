from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

import pytest

from cpog.assess import (
    BaselinePoint,
    Observation,
    Status,
    Subject,
    TargetPoint,
    TargetSource,
    assess,
)
from cpog.contract.model import Cumulation, Direction, Periodicity
from cpog.periods import Period

MakeSubject = Callable[..., Subject]


def _delay(make_subject: MakeSubject) -> Subject:
    return make_subject(
        id="delai",
        direction=Direction.DOWN,
        unit="jours",
        periodicity=Periodicity.MONTHLY,
        baseline=BaselinePoint(16.0, 2022),
        targets=[TargetPoint(2027, 13.0, TargetSource.INDIVIDUALISED)],
    )


def test_documented_example(make_subject: MakeSubject) -> None:
    observations = [
        Observation(Period.month_of(2025, 6), 14.2),
        Observation(Period.month_of(2025, 5), 14.6),
    ]
    result = assess(_delay(make_subject), observations, date(2025, 7, 31))
    assert result.status is Status.EN_AVANCE
    assert result.current == observations[0]
    assert result.expected == pytest.approx(14.5, abs=0.01)
    assert result.progress_global == pytest.approx(60)
    assert result.reasons[0] == "Dernière valeur : 14,2\u00a0jours (juin 2025)."
    assert result.reasons[1] == (
        "Valeur 14,2\u00a0jours pour une valeur attendue de 14,5\u00a0jours à fin juin 2025."
    )
    assert result.projection is not None
    assert result.freshness.is_late is False


def test_assessment_is_frozen(make_subject: MakeSubject) -> None:
    result = assess(_delay(make_subject), [], date(2025, 7, 31))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.status = Status.ATTEINT  # type: ignore[misc]


def test_without_value_expected_is_read_at_as_of(make_subject: MakeSubject) -> None:
    result = assess(_delay(make_subject), [], date(2025, 6, 30))
    assert result.status is Status.NON_RENSEIGNE
    assert result.expected == pytest.approx(14.5, abs=0.01)
    assert result.projection is None


def test_ytd_reasons_and_progress(make_subject: MakeSubject) -> None:
    subject = make_subject(
        unit="départs",
        yearly_total=True,
        periodicity=Periodicity.MONTHLY,
        cumulation=Cumulation.YEAR_TO_DATE,
        baseline=BaselinePoint(300.0, 2022),
        targets=[TargetPoint(2027, 600.0, TargetSource.FIXED)],
    )
    june = Period.month_of(2025, 6, to_date=True)
    result = assess(subject, [Observation(june, 220.0)], date(2025, 7, 31))
    assert result.status is Status.EN_RETARD
    assert result.progress_global == pytest.approx(100 * (220 / (181 / 365) - 300) / 300)
    assert any("au prorata de l'année écoulée" in r for r in result.reasons)


def test_late_value_is_explained(make_subject: MakeSubject) -> None:
    result = assess(
        _delay(make_subject), [Observation(Period.month_of(2025, 3), 14.8)], date(2025, 7, 31)
    )
    assert result.freshness.is_late
    assert result.reasons[-1].startswith("Valeur en retard : la dernière valeur connue porte")
