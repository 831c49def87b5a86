"""Command-line errors: French messages and exit codes, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cpog.cli.main import app, french_usage_message
from cpog.contract import default_contract_path
from cpog.contract.loader import load_contract
from cpog.ingest.imports import validate_targets
from cpog.ingest.tables import read_table

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def run_main(*args: str) -> subprocess.CompletedProcess[str]:
    """The real console entry point, as ``cpog`` runs it."""
    return subprocess.run(
        [sys.executable, "-m", "cpog.cli.main", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
        timeout=120,
    )


def test_export_to_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "absent" / "x.json"
    code, output = run("export", "-o", str(target))
    assert code == 1
    assert "Impossible d'écrire" in output and "dossier introuvable" in output
    assert "Traceback" not in output


def test_export_to_a_folder(tmp_path: Path) -> None:
    code, output = run("export", "-o", str(tmp_path))
    assert code == 1
    assert "c'est un dossier" in output


@pytest.mark.parametrize("name", ["x.xlsx", "x.csv"])
def test_template_to_missing_folder(tmp_path: Path, name: str) -> None:
    code, output = run("template", "values", "-o", str(tmp_path / "absent" / name))
    assert code == 1
    assert "Impossible d'écrire" in output and "dossier introuvable" in output


def test_template_to_a_folder(tmp_path: Path) -> None:
    code, output = run("template", "values", "-o", str(tmp_path))
    assert code == 2
    assert "est un dossier : donnez un nom de fichier .xlsx ou .csv" in output


@pytest.mark.parametrize("key", ["", "  ", "--", ".", "-·-"])
def test_empty_indicator_key_matches_nothing(key: str) -> None:
    contract = load_contract(default_contract_path())
    assert contract.indicator(key) is None
    code, output = run("show", "--indicator", key)
    assert code == 1 and "inconnu" in output


def test_indicator_lookup_still_loose() -> None:
    contract = load_contract(default_contract_path())
    first = contract.indicators[0]
    assert contract.indicator(first.id.upper()) is first


def test_serve_port_out_of_range() -> None:
    code, _ = run("serve", "--port", "99999")
    assert code == 2
    code, _ = run("serve", "--port", "0")
    assert code == 2


def test_allowed_values_are_user_words(tmp_path: Path) -> None:
    contract = load_contract(default_contract_path())
    file = tmp_path / "cibles.csv"
    file.write_text(
        "identifiant;année;valeur;type de cible;provenance;comparateur\n"
        f"{contract.indicators[0].id};2024;1;bizarre;inconnue;~\n",
        encoding="utf-8",
    )
    report = validate_targets(read_table(file), contract).report
    messages = " | ".join(issue.message for issue in report.issues)
    assert "nationale, individualisée, fixée, trajectoire" in messages
    assert "annexe COG, notification Cnaf, CPOG, déduite" in messages
    assert "<, ≤, ≥, >" in messages
    assert "fixee" not in messages and "deduite" not in messages


@pytest.mark.parametrize(
    ("message", "french"),
    [
        ("Missing argument 'FILE'.", "Erreur : argument « FILE » manquant"),
        ("No such option: --bogus", "Erreur : option « --bogus » inconnue"),
        (
            "Invalid value for '--port': Input should be less than or equal to 65535",
            "Erreur : valeur invalide pour « --port » : au plus 65535",
        ),
        ("Got unexpected extra argument (x)", "Erreur : argument en trop : x"),
        ("Got unexpected extra argument(s) (x y)", "Erreur : argument en trop : x y"),
        ("No such command 'frob'.", "Erreur : commande « frob » inconnue"),
        ("Something else.", "Erreur d'utilisation : Something else."),
    ],
)
def test_french_usage_message(message: str, french: str) -> None:
    assert french_usage_message(message) == french


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["import", "values"], "argument « file » manquant"),
        (["show", "--bogus"], "option « --bogus » inconnue"),
        (["serve", "--port", "99999"], "valeur invalide pour « --port »"),
        (["serve", "--port", "abc"], "nombre entier attendu"),
        (["export", "a", "b"], "argument en trop"),
        (["frob"], "commande « frob » inconnue"),
    ],
)
def test_main_usage_errors_in_french(args: list[str], expected: str) -> None:
    result = run_main(*args)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr
    assert "Aide : cpog" in result.stderr and "--help" in result.stderr
    assert "Error" not in result.stderr and "Traceback" not in result.stderr


def test_main_passes_command_exit_codes(tmp_path: Path) -> None:
    assert run_main("show", "--indicator", "").returncode == 1
    result = run_main("export", "-o", str(tmp_path / "absent" / "x.json"))
    assert result.returncode == 1 and "dossier introuvable" in result.stderr
    assert run_main("--help").returncode == 0
    assert run_main("schema").returncode == 0
