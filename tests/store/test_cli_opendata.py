"""``cpog import opendata FICHIER`` and ``cpog opendata comparer``: the French report of an
import (rows read, kept, dropped by reason, territories, periods), the same file twice, a file
that is no open data, and ``cpog import values FICHIER`` unchanged beside the new sub-command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.store.models import ImportBatch, Measurement, OpenDataValue
from opendata_samples import NOT_OPEN_DATA, S_BEN_COM_F, S_BEN_DEP, write_sample

pytestmark = pytest.mark.django_db(transaction=True)
runner = CliRunner()


def run(*args: str, columns: int = 200) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": str(columns)})
    return result.exit_code, result.output


def test_import_opendata_reports_and_is_idempotent(tmp_path: Path) -> None:
    assert run("load")[0] == 0
    path = write_sample(tmp_path, "s_ben_com_f.csv", S_BEN_COM_F)
    code, output = run("import", "opendata", str(path))
    assert code == 0, output
    assert "s_ben_com_f (Toutes prestations, par commune)" in output
    for line in (
        "│ lues  ",
        "écartées : code fictif (XX, XXX, 79XXX…)",
        "écartées : hors département",
        "écartées : territoire non localisé (code vide)",
        "écartées : aucune valeur publiée (secret statistique ou cellule vide)",
        "cellules écartées : valeurs couvertes par le secret statistique",
    ):
        assert line in output
    assert "3 territoires (du département 79), périodes : 2022-12, 2023-12 ; 16 champs" in output
    written = OpenDataValue.objects.count()
    assert f"{written} valeurs lues, {written} enregistrées, 0 inchangées." in output
    code, output = run("import", "opendata", str(path))
    assert code == 0
    assert "rien de nouveau : déjà dans la base (même fichier que l'import du" in output
    assert ImportBatch.objects.count() == 1


def test_import_opendata_refuses_a_file_that_is_none(tmp_path: Path) -> None:
    assert run("load")[0] == 0
    path = write_sample(tmp_path, "valeurs.csv", NOT_OPEN_DATA)
    code, output = run("import", "opendata", str(path))
    assert code == 1
    assert "valeurs.csv n'est pas un fichier de data.caf.fr reconnu" in output
    assert "rien n'a été enregistré" in output
    code, output = run("import", "opendata", str(path), "--jeu", "s_ben_dep")
    assert code == 1 and "n'a pas les colonnes du jeu s_ben_dep" in output


def test_import_values_still_works_beside_opendata(tmp_path: Path) -> None:
    assert run("load")[0] == 0
    code, output = run("import", "--help")
    assert code == 0
    for command in ("values", "targets", "opendata"):
        assert command in output
    values = tmp_path / "v.csv"
    values.write_text("identifiant;période;valeur\niql0;décembre 2024;93\n", encoding="utf-8")
    code, output = run("import", "values", str(values))
    assert code == 0, output
    assert Measurement.objects.filter(subject_id="iql0").count() == 1


def test_compare_by_epci_and_as_json(tmp_path: Path) -> None:
    assert run("load")[0] == 0
    run("import", "opendata", str(write_sample(tmp_path, "s_ben_com_f.csv", S_BEN_COM_F)))
    run("import", "opendata", str(write_sample(tmp_path, "s_ben_dep.csv", S_BEN_DEP)))
    code, output = run("opendata", "comparer", "--annee", "2022", columns=400)
    assert code == 0, output
    assert "Diagnostic et données ouvertes par territoire" in output
    assert "64\u202f498" in output and "64\u202f310" in output  # signed figure, s_ben_dep
    assert "du Niortais (200041317)" in output
    assert "s_ben_com_f : somme incomplète : 38 territoire(s) sans valeur sur 40" in output
    assert "correspondance à confirmer" in output
    code, output = run("opendata", "comparer", "--par", "commune", "--format", "json")
    assert code == 0
    data = json.loads(output)
    assert data["decoupage"] == "commune"
    niort = [r for r in data["lignes"] if r["code"] == "79191"]
    assert {r["annee"] for r in niort} == {2022, 2023}
    code, output = run("opendata", "comparer", "--par", "canton")
    assert code == 2 and "Découpage « canton » non pris en charge" in output
