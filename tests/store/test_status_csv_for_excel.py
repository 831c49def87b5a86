"""``cpog status --format csv`` is meant for French Excel: numbers with a decimal comma, an ASCII
« - » and no thousands separator, so that Excel reads them as numbers (pages show « −5 »)."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.ingest.numbers import parse_number

pytestmark = pytest.mark.django_db(transaction=True)
runner = CliRunner()
NUMBERS = (
    "valeur_courante_valeur",
    "cible_annuelle_valeur",
    "cible_finale_valeur",
    "valeur_attendue",
    "projection_valeur",
)


def test_csv_numbers_read_as_numbers_by_french_excel() -> None:
    assert runner.invoke(app, ["load"]).exit_code == 0
    assert runner.invoke(app, ["demo", "--au", "27/11/2026"]).exit_code == 0
    result = runner.invoke(app, ["status", "--au", "27/11/2026", "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output), delimiter=";"))
    cells = [r[name] for r in rows for name in NUMBERS if r[name]]
    # numbers (texts such as « 78 % − 15 points » may keep their typographic signs)
    assert cells and all(not set(c) & {" ", "\u00a0", "\u202f", "\u2212"} for c in cells)
    assert any(abs(parse_number(c)) >= 1000 for c in cells)  # thousands, written without a gap
    for cell in cells:
        parse_number(cell)  # the import parser, like Excel, reads every one
