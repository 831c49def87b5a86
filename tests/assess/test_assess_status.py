from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from cpog.assess import (
    BaselinePoint,
    Policy,
    Status,
    Subject,
    TargetPoint,
    TargetSource,
    determine_status,
    ratio_status,
)
from cpog.contract.model import Comparator, Direction, MeasureKind

MakeSubject = Callable[..., Subject]
END_2024 = date(2024, 12, 31)


def test_labels_scores_and_values() -> None:
    assert [s.value for s in Status] == [
        "atteint",
        "en_avance",
        "conforme",
        "a_surveiller",
        "en_retard",
        "non_atteint",
        "non_renseigne",
        "sans_cible",
    ]
    assert [s.label_fr for s in Status] == [
        "Atteint",
        "En avance",
        "Conforme",
        "À surveiller",
        "En retard",
        "Non atteint",
        "Non renseigné",
        "Sans cible",
    ]
    assert Status.A_SURVEILLER.score == 0.5
    assert Status.SANS_CIBLE.score is None
    assert Status.ATTEINT.rank == 4 and Status.EN_RETARD.rank == 0
    assert Status("en_avance") is Status.EN_AVANCE


@pytest.mark.parametrize(
    ("ratio", "status"),
    [
        (1.05, Status.EN_AVANCE),
        (1.0499, Status.CONFORME),
        (0.95, Status.CONFORME),
        (0.9499, Status.A_SURVEILLER),
        (0.85, Status.A_SURVEILLER),
        (0.8499, Status.EN_RETARD),
        (-3.0, Status.EN_RETARD),
    ],
)
def test_ratio_bands_include_their_lower_bound(ratio: float, status: Status) -> None:
    assert ratio_status(ratio, Policy()) is status


def test_no_value_comes_first(make_subject: MakeSubject) -> None:
    outcome = determine_status(make_subject(assessed=False), None, END_2024, Policy())
    assert outcome.status is Status.NON_RENSEIGNE


def test_zero_target_down(make_subject: MakeSubject) -> None:
    subject = make_subject(
        direction=Direction.DOWN,
        baseline=None,
        targets=[TargetPoint(2027, 0.0, TargetSource.FIXED)],
    )
    assert determine_status(subject, 0.0, END_2024, Policy()).status is Status.ATTEINT
    late = determine_status(subject, 0.5, END_2024, Policy())
    assert late.status is Status.EN_RETARD
    assert any("au-delà de la tolérance" in reason for reason in late.reasons)


def test_maintain_zero_target(make_subject: MakeSubject) -> None:
    subject = make_subject(
        direction=Direction.MAINTAIN,
        baseline=None,
        targets=[TargetPoint(2027, 0.0, TargetSource.FIXED, Comparator.EQ)],
    )
    assert determine_status(subject, 0.0, END_2024, Policy()).status is Status.CONFORME
    assert determine_status(subject, 1.0, END_2024, Policy()).status is Status.EN_RETARD


def test_trend_maintain(make_subject: MakeSubject) -> None:
    subject = make_subject(
        direction=Direction.MAINTAIN,
        measure_kind=MeasureKind.TREND,
        baseline=BaselinePoint(100.0, 2022),
        targets=[],
    )
    policy = Policy()
    assert determine_status(subject, 101.0, END_2024, policy).status is Status.CONFORME
    assert determine_status(subject, 97.0, END_2024, policy).status is Status.A_SURVEILLER
    assert determine_status(subject, 90.0, END_2024, policy).status is Status.EN_RETARD


def test_ytd_value_is_judged_on_the_prorated_path(make_subject: MakeSubject) -> None:
    subject = make_subject(
        unit="actions",
        yearly_total=True,
        baseline=BaselinePoint(0.0, 2022),
        targets=[TargetPoint(2027, 12.0, TargetSource.FIXED)],
        trajectory="steps",
    )
    half = 181 / 365
    june = date(2025, 6, 30)
    # 6 actions at the end of June is on track for 12 in the year
    assert determine_status(subject, 6.0, june, Policy(), fraction=half).status in {
        Status.CONFORME,
        Status.EN_AVANCE,
    }
    # reaching the yearly figure early is « atteint »
    assert determine_status(subject, 12.0, june, Policy(), fraction=half).status is Status.ATTEINT
    assert determine_status(subject, 3.0, june, Policy(), fraction=half).status is Status.EN_RETARD


def test_custom_policy_changes_bands(make_subject: MakeSubject) -> None:
    subject = make_subject()
    # expected at end 2024 ≈ 68.0; 67 gives r ≈ 0.874
    assert determine_status(subject, 67.0, END_2024, Policy()).status is Status.A_SURVEILLER
    strict = Policy(ahead=1.2, on_track=1.0, watch=0.9)
    assert determine_status(subject, 67.0, END_2024, strict).status is Status.EN_RETARD
