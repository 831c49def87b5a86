"""The steering commands end to end on a real database: load, demo, status, import."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.store.models import Measurement

pytestmark = pytest.mark.django_db(transaction=True)
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_load_then_load_again() -> None:
    code, output = run("load")
    assert code == 0 and "version 1" in output
    code, output = run("load")
    assert code == 0 and "déjà chargé à l'identique" in output


def test_demo_then_status_shows_every_status() -> None:
    assert run("load")[0] == 0
    code, output = run("demo", "--au", "27/11/2026")
    assert code == 0, output
    assert set(Measurement.objects.values_list("source", flat=True)) == {"demo"}
    assert all(
        "données de démonstration" in c
        for c in Measurement.objects.values_list("comment", flat=True)
    )
    code, output = run("status", "--au", "27/11/2026", "--format", "json")
    assert code == 0
    data = json.loads(output)
    rows = data["lignes"]
    assert len(rows) == 36 + 42
    statuses = Counter(r["statut"] for r in rows)
    assert set(statuses) == {
        "atteint",
        "en_avance",
        "conforme",
        "a_surveiller",
        "en_retard",
        "non_renseigne",
        "sans_cible",
    }
    assert any(r["saisie"]["en_retard_de_saisie"] for r in rows)
    # Monitoring indicators are never judged.
    assert {r["statut"] for r in rows if r["identifiant"] in {"cog-01-05", "cog-02-13"}} == {
        "sans_cible"
    }
    assert data["defis"]["1"]["statut"] in {"conforme", "a_surveiller", "en_retard"}


def test_demo_refuses_a_store_with_real_values(tmp_path: Path) -> None:
    assert run("load")[0] == 0
    values = tmp_path / "v.csv"
    values.write_text("identifiant;période;valeur\niql0;décembre 2024;93\n", encoding="utf-8")
    assert run("import", "values", str(values))[0] == 0
    code, output = run("demo")
    assert code == 1 and "valeur(s) réelle(s)" in output


def test_status_table_and_csv() -> None:
    run("load")
    run("demo", "--au", "27/11/2026")
    code, output = run("status", "--au", "27/11/2026", "--challenge", "5")
    assert code == 0 and "Résultats visés" in output and "d05-r2" in output
    code, output = run("status", "--au", "27/11/2026", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(output), delimiter=";"))
    iql0 = next(r for r in rows if r["identifiant"] == "iql0")
    value = iql0["valeur_courante_valeur"]
    assert "," in value and "." not in value  # French decimals
    assert iql0["statut_libelle"] and iql0["saisie_attendue_le"].count("/") == 2
    assert run("status", "--au", "31/02/2026")[0] == 2
    code, output = run("status", "--au", "01/01/1950")
    assert code == 2 and "hors des années" in output
    assert run("status", "--format", "xml")[0] == 2


def test_import_errors_are_listed_and_nothing_is_written(tmp_path: Path) -> None:
    run("load")
    bad = tmp_path / "valeurs.csv"
    bad.write_text(
        "identifiant;période;valeur\nCOG 99-99;2024;1\niql0;T5 2024;93\niql0;décembre 2024;abc\n",
        encoding="utf-8",
    )
    code, output = run("import", "values", str(bad))
    assert code == 1
    assert output.count("✗") == 3
    assert "valeurs.csv, ligne 3, colonne « période »" in output
    assert "rien n'a été enregistré" in output
    assert Measurement.objects.count() == 0


def test_import_dry_run_then_real(tmp_path: Path) -> None:
    run("load")
    good = tmp_path / "valeurs.csv"
    good.write_text("identifiant;période;valeur\niql0;décembre 2024;93,8\n", encoding="utf-8")
    code, output = run("import", "values", "--dry-run", str(good))
    assert code == 0 and "simulation" in output and Measurement.objects.count() == 0
    code, output = run("import", "values", str(good))
    assert code == 0 and "1 valeur enregistrée" in output
    code, output = run("import", "values", str(good))
    assert "0 valeur enregistrée, 1 inchangée" in output
    assert "même fichier que l'import du" in output  # recognised, not read again


def test_template_files(tmp_path: Path) -> None:
    target = tmp_path / "modele.csv"
    code, _ = run("template", "values", "-o", str(target))
    assert code == 0
    header = target.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("identifiant;libellé;période;valeur")
    assert run("template", "autre")[0] == 2


def test_status_without_contract() -> None:
    code, output = run("status")
    assert code == 1 and "cpog load" in output
