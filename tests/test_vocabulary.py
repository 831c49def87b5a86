"""Every enum value a user may read has its French word in cpog.vocabulary."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import pytest

from cpog import vocabulary
from cpog.contract.model import (
    Basis,
    Comparator,
    Confidence,
    Cumulation,
    Direction,
    IndicatorType,
    MeasureKind,
    Nature,
    Periodicity,
    TargetKind,
)
from cpog.store.models import ActionState, Measurement, Target

CONTRACT_ENUMS: list[tuple[type[StrEnum], Mapping[Any, str]]] = [
    (Periodicity, vocabulary.PERIODICITY),
    (Cumulation, vocabulary.CUMULATION),
    (Direction, vocabulary.DIRECTION),
    (Direction, vocabulary.DIRECTION_EXPLAINED),
    (Comparator, vocabulary.COMPARATOR),
    (MeasureKind, vocabulary.MEASURE_KIND),
    (Basis, vocabulary.BASIS),
    (Confidence, vocabulary.CONFIDENCE),
    (Nature, vocabulary.NATURE),
    (IndicatorType, vocabulary.INDICATOR_TYPE),
    (TargetKind, vocabulary.TARGET_KIND),
]


@pytest.mark.parametrize(("enum", "labels"), CONTRACT_ENUMS)
def test_every_contract_enum_value_has_a_french_label(
    enum: type[StrEnum], labels: Mapping[Any, str]
) -> None:
    for member in enum:
        label = labels[member]
        assert label and label != member.value, member
        assert labels[member.value] == label  # a raw value from a file finds the same word


@pytest.mark.parametrize(
    ("choices", "labels"),
    [
        (Measurement.Status, vocabulary.VALUE_STATUS),
        (Measurement.Source, vocabulary.VALUE_SOURCE),
        (Target.Provenance, vocabulary.TARGET_PROVENANCE),
        (ActionState.Status, vocabulary.ACTION_STATUS),
    ],
)
def test_every_stored_value_has_a_french_label(choices: type, labels: dict[str, str]) -> None:
    assert set(labels) == {str(value) for value in choices.values}


def test_stored_target_kinds_have_a_label() -> None:
    for kind in Target.Kind.values:
        assert vocabulary.target_kind(kind) not in {"", kind}


def test_target_kinds_with_their_year() -> None:
    assert (
        vocabulary.target_kind(TargetKind.INDIVIDUALISED_FROM, 2024)
        == "individualisée à partir de 2024"
    )
    assert (
        vocabulary.target_kind("cog_then_individualised", 2024)
        == "COG puis individualisée à partir de 2024"
    )
    assert vocabulary.target_kind("individualised_from") == "individualisée"
    assert vocabulary.target_kind("individualised") == "individualisée"
    assert vocabulary.target_kind("trajectory") == "point de trajectoire"


def test_examples() -> None:
    assert vocabulary.PERIODICITY[Periodicity.MONTHLY] == "mensuelle"
    assert vocabulary.CUMULATION[Cumulation("year_to_date")] == "cumul depuis le 1er janvier"
    assert vocabulary.DIRECTION[Direction.UP] == "hausse"
    assert vocabulary.CONFIDENCE[Confidence.LOW] == "faible"
    assert vocabulary.AUDIT_ACTION["revise"] == "révision"
    assert vocabulary.VALUE_SOURCE["manual"] == "saisie"
