"""Store tests run on the database DATABASE_URL names: SQLite by default, PostgreSQL in CI
(``make test`` runs this folder a second time with DATABASE_URL pointing at PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpog.contract import default_contract_path
from cpog.contract.loader import load_contract
from cpog.contract.model import Contract


@pytest.fixture(scope="session")
def contract() -> Contract:
    return load_contract(default_contract_path())


@pytest.fixture
def loaded(db: None, contract: Contract) -> Contract:
    from cpog.store.contracts import load_contract_version

    load_contract_version(default_contract_path(), "test:setup")
    return contract


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a file with the given bytes or text (text encoded as asked)."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write
