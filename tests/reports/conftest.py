"""Report fixtures: the shipped contract with demo data (the web fixtures' data)."""

from __future__ import annotations

from typing import Any

import pytest

from cpog import clock
from cpog.contract import default_contract_path


@pytest.fixture
def steering_data(db: None) -> Any:
    from cpog.store.contracts import current_contract, load_contract_version
    from cpog.store.demo import load_demo

    load_contract_version(default_contract_path(), "test:setup")
    _, contract = current_contract()
    load_demo(contract, clock.today())
    return contract
