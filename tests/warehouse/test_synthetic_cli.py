"""``cpog generate-extracts``: French summary, refusals with a French message and exit code 2."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.warehouse.schema import TABLES

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["generate-extracts", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


SMALL = ("--scale", "0,01", "--from", "2022-01", "--to", "2022-02")


def test_writes_every_table_and_prints_a_french_summary(tmp_path: Path) -> None:
    target = tmp_path / "extraits"
    code, output, _ = run(*SMALL, "-o", str(target))
    assert code == 0, output
    names = sorted(path.name for path in target.iterdir())
    assert names == sorted([f"{t.name}.parquet" for t in TABLES] + ["LISEZMOI.txt"])
    assert "échelle 0,01, graine 42, de janvier 2022 à février 2022" in output
    assert "allocataires.parquet" in output and " lignes" in output
    assert "Données synthétiques de démonstration" in output
    # 64 498 × 0,01 allocataires in January 2022 ≈ 574 (its trend value) a month, two months:
    # over a thousand rows, written with the French thousands separator
    line = next(row for row in output.splitlines() if "allocataires.parquet" in row)
    assert "\u202f" in line


def test_csv_format(tmp_path: Path) -> None:
    code, output, _ = run(*SMALL, "--format", "csv", "-o", str(tmp_path / "csv"))
    assert code == 0, output
    assert (tmp_path / "csv" / "demarches.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_refuses_a_folder_that_is_not_empty_without_force(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("à garder", encoding="utf-8")
    code, _, errors = run(*SMALL, "-o", str(tmp_path))
    assert code == 2
    assert "n'est pas vide" in errors and "--force" in errors
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    code, output, _ = run(*SMALL, "-o", str(tmp_path), "--force")
    assert code == 0, output
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "à garder"
    assert (tmp_path / "pieces.parquet").exists()


def test_bad_arguments_exit_2_in_french(tmp_path: Path) -> None:
    cases = [
        (("--scale", "beaucoup"), "échelle invalide : « beaucoup »"),
        (("--scale", "-1"), "strictement positif"),
        (("--from", "2022-13"), "--from : « 2022-13 » n'est pas un mois"),
        (("--from", "2022"), "n'est pas un mois"),
        (("--from", "2023-01", "--to", "2022-12"), "la période est vide"),
        (("--format", "xlsx"), "format inconnu : « xlsx »"),
        (("--seed", "-3"), "graine invalide"),
    ]
    for arguments, message in cases:
        code, _, errors = run(*arguments, "-o", str(tmp_path / "x"))
        assert code == 2, arguments
        assert errors.startswith("Erreur : ") and message in errors, errors
        assert "Traceback" not in errors
    assert not (tmp_path / "x").exists()
