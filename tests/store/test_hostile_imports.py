"""``cpog import values`` on hostile files: a French error, a non-zero exit, nothing written, and
an error list that stays bounded however many lines are wrong."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import hostile_files as hostile
from cpog.cli.main import app
from cpog.contract.model import Contract
from cpog.store.models import AuditEvent, Measurement

pytestmark = pytest.mark.django_db(transaction=True)
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("name", "build", "expected"),
    [
        ("loin.xlsx", lambda p: hostile.one_cell_at(p, "XFD1048576"), "1\u202f048\u202f576 lignes"),
        ("az.xlsx", lambda p: hostile.one_cell_at(p, "AZ1000000"), "1\u202f000\u202f000 lignes"),
        ("bombe.xlsx", hostile.zip_bomb, "archive suspecte"),
        ("cellule.xlsx", hostile.huge_shared_string, "archive suspecte"),
        ("creux.ods", hostile.sparse_ods, "1\u202f048\u202f576 lignes"),
    ],
)
def test_hostile_workbooks_are_refused_by_the_cli(
    loaded: Contract, tmp_path: Path, name: str, build: Callable[[Path], Path], expected: str
) -> None:
    before = (Measurement.objects.count(), AuditEvent.objects.count())
    path = build(tmp_path / name)
    code, output = run("import", "values", str(path))
    assert code == 1
    assert f"Fichier refusé : {name} (" in output and expected in output
    assert "rien n'a été enregistré" in output
    assert (Measurement.objects.count(), AuditEvent.objects.count()) == before


def test_a_file_of_bad_rows_shows_the_first_errors_and_writes_them_all(
    loaded: Contract, tmp_path: Path
) -> None:
    path = hostile.bad_rows_csv(tmp_path / "mauvais.csv", 400_000)  # 16 000 bad lines
    lines = path.read_text(encoding="utf-8").count("\n") - 1
    listing = tmp_path / "erreurs.csv"
    code, output = run("import", "values", str(path), "--erreurs", str(listing))
    assert code == 1
    assert output.count("✗") == 200
    total = f"{2 * lines:,}".replace(",", "\u202f")  # unknown identifiant, value not a number
    assert f"{total} erreurs ; les 200 premières ci-dessus : fichier refusé" in output
    assert f"Liste complète des erreurs écrite dans {listing}" in output.replace("\n", "")
    with listing.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0] == ["fichier", "ligne", "colonne", "valeur", "motif"]
    assert len(rows) == 1 + 10_000 + 1  # header, the kept errors, the count of the others
    assert rows[1][:4] == ["mauvais.csv", "2", "identifiant", "inconnu"]
    assert "autres erreurs non listées" in rows[-1][4]
    assert Measurement.objects.filter(source="import").count() == 0

    code, output = run("import", "values", str(path))
    assert code == 1 and "relancez avec --erreurs erreurs.csv" in output.replace("\n", "")


def test_purge_uploads_removes_only_stale_files(
    loaded: Contract, tmp_path: Path, settings: Any
) -> None:
    import os
    import time

    settings.DATA_DIR = tmp_path
    folder = tmp_path / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    old, fresh = folder / ("a" * 32 + ".csv"), folder / ("b" * 32 + ".csv")
    old.write_text("x")
    fresh.write_text("x")
    two_days_ago = time.time() - 2 * 86_400
    os.utime(old, (two_days_ago, two_days_ago))
    code, output = run("import", "purge-uploads")
    assert code == 0 and "1 fichier déposé depuis plus d'un jour supprimé" in output
    assert not old.exists() and fresh.exists()
