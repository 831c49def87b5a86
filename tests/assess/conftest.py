"""Helpers shared by the assessment unit tests (the YAML cases have their own collector in
tests/cases/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cpog.assess import BaselinePoint, Subject, TargetPoint, TargetSource
from cpog.contract.model import Direction


def build_subject(**overrides: Any) -> Subject:
    """A rise from 60 % (2022) to 80 % (2027, individualised), annual values, unless overridden."""
    fields: dict[str, Any] = {
        "id": "taux",
        "label": "Taux",
        "direction": Direction.UP,
        "contract_start": 2023,
        "contract_end": 2027,
        "unit": "%",
        "baseline": BaselinePoint(60.0, 2022),
        "targets": [TargetPoint(2027, 80.0, TargetSource.INDIVIDUALISED)],
    }
    fields.update(overrides)
    return Subject(**fields)


@pytest.fixture
def make_subject() -> Callable[..., Subject]:
    return build_subject
