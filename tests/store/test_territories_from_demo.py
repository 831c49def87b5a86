"""Issue 12's « done when », from an empty store as a fresh clone has it: the demo holds values by
commune, so `cpog status --par epci` gives a line per EPCI for each indicator that has them."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.demo_territories import SUBJECTS

pytestmark = pytest.mark.django_db(transaction=True)
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_demo_then_status_by_epci_and_territories() -> None:
    assert run("load")[0] == 0
    code, output = run("demo")
    assert code == 0, output
    assert "valeurs par commune" in output
    code, output = run("territories", "--format", "json")
    assert code == 0, output
    epcis = [t for t in json.loads(output)["territoires"] if t["territoire_nature"] == "epci"]
    assert len(epcis) == 8
    code, output = run("status", "--par", "epci", "--format", "json")
    assert code == 0, output
    lines = json.loads(output)["lignes"]
    per_subject = Counter(line["sujet"]["identifiant"] for line in lines)
    assert per_subject == dict.fromkeys(SUBJECTS, 8)
    assert {line["territoire"] for line in lines} == {e["territoire"] for e in epcis}
    assert all(line["methode_d_agregation"] == "ratio" for line in lines)
    # a second demo writes nothing more
    code, output = run("demo")
    assert code == 0 and "valeurs par commune" not in output
