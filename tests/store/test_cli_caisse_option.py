"""`--caisse` on the reading commands: a store of several caisses answers for the one asked."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.contract.model import Contract
from cpog.periods import parse_period

pytestmark = pytest.mark.django_db(transaction=True)
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def _second_caisse(loaded: Contract) -> str:
    from cpog.store.contracts import store_contract
    from cpog.store.values import NewValue, record_values

    organisation = loaded.organisation.model_copy(update={"code": "86", "name": "Caf de la Vienne"})
    other = loaded.model_copy(update={"id": "caf-86-2023-2027", "organisation": organisation})
    store_contract(other, "test", "test")
    indicator = next(i for i in loaded.indicators if i.code == "COG 08-29")
    value = NewValue("indicator", indicator.id, parse_period("2026-09"), Decimal("87.5"))
    record_values(other.id, "86", [value], source="import", user="test")
    return indicator.id


def test_status_and_export_answer_for_the_caisse_asked(loaded: Contract, tmp_path: Path) -> None:
    subject = _second_caisse(loaded)
    code, output = run("status", "--format", "json", "--caisse", "86")
    assert code == 0, output
    data = json.loads(output)
    assert data["contrat"] == "caf-86-2023-2027"
    row = next(r for r in data["lignes"] if r["identifiant"] == subject)
    assert "87,5" in json.dumps(row, ensure_ascii=False)
    code, output = run("status", "--format", "json")  # the installation's caisse: 79
    assert code == 0 and json.loads(output)["contrat"] == loaded.id
    assert "87,5" not in output
    code, output = run("export", "xlsx", "-o", str(tmp_path / "v.xlsx"), "--caisse", "86")
    assert code == 0, output and (tmp_path / "v.xlsx").stat().st_size > 0


def test_an_unknown_caisse_is_named(loaded: Contract) -> None:
    code, output = run("status", "--caisse", "971")
    assert code != 0 and "« 971 »" in output
