"""``cpog territories`` and ``cpog status --territoire / --par`` on the shipped contract, with
values computed by EPCI from the tiny extracts of tests/computed_extracts.py (decision 020)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from computed_extracts import write_extracts
from cpog.cli.main import app

pytestmark = pytest.mark.django_db(transaction=True)
runner = CliRunner()

NIORTAIS = "200041317"
BOCAGE = "200040244"  # Bressuire's


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_the_eight_epci_and_the_communes_of_the_deux_sevres() -> None:
    assert run("load")[0] == 0
    code, output = run("territories")
    assert code == 0, output
    assert "Deux-Sèvres (79)" in output
    assert "8 EPCI, 0 territoire de CTG, 252 communes" in output
    assert "Communauté de communes du Thouarsais" in output
    code, output = run("territories", "--format", "json")
    data = json.loads(output)
    assert data["departement_nom"] == "Deux-Sèvres"
    epcis = data["territoires"]
    assert len(epcis) == 8
    niort = next(e for e in epcis if e["territoire"] == NIORTAIS)
    assert (niort["nombre_de_communes"], niort["territoire_nature_libelle"]) == (40, "EPCI, CA")
    assert niort["population"] > 100_000
    code, output = run("territories", "--communes", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(output), delimiter=";"))
    assert len(rows) == 252
    assert next(r for r in rows if r["territoire"] == "79191")["rattachement"] == NIORTAIS
    code, output = run("territories", "--epci", NIORTAIS, "--format", "json")
    assert len(json.loads(output)["territoires"]) == 40
    code, output = run("territories", "--epci", "79191")
    assert code == 1 and "« 79191 » n'est pas un EPCI du département 79" in output


def test_ctg_from_the_caisse_s_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ctg.yaml"
    path.write_text(
        "ctg:\n  - code: ctg-nord\n    nom: CTG du Nord\n    epci: ['247900798']\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CPOG_CTG", str(path))
    assert run("load")[0] == 0
    code, output = run("territories", "--format", "json")
    ctg = json.loads(output)["territoires"][-1]
    assert (ctg["territoire"], ctg["territoire_nom"], ctg["nombre_de_communes"]) == (
        "ctg-nord",
        "CTG du Nord",
        24,
    )
    path.write_text("ctg:\n  - code: ctg-nord\n    nom: N\n    communes: ['12345']\n")
    code, output = run("territories")
    assert code == 1
    assert "ctg.yaml, ligne 4 : commune « 12345 » inconnue dans le département 79" in output
    monkeypatch.setenv("CPOG_CTG", str(tmp_path / "absent.yaml"))
    code, output = run("territories")
    assert code == 1 and "fichier des CTG introuvable" in output


def test_status_by_epci_after_computing_by_epci(tmp_path: Path) -> None:
    assert run("load")[0] == 0
    code, output = run("status", "--par", "epci")
    assert code == 0 and "Aucune valeur par territoire" in output
    folder = write_extracts(tmp_path / "extraits")
    code, output = run(
        "compute",
        "--extracts",
        str(folder),
        "--from",
        "2026-08",
        "--to",
        "2026-10",
        "--par",
        "epci",
        "--definition",
        "cog-08-29",
    )
    assert code == 0, output
    code, output = run("status", "--par", "epci", "--format", "json")
    assert code == 0, output
    rows = json.loads(output)["lignes"]
    # one line per EPCI for the one indicator with territorial values
    assert len(rows) == 8
    assert {r["sujet"]["identifiant"] for r in rows} == {"cog-08-29"}
    by_code = {r["territoire"]: r for r in rows}
    niort = by_code[NIORTAIS]
    assert niort["origine_de_la_valeur_libelle"] == "valeur du territoire"
    assert niort["sujet"]["valeur_courante"]["periode"] == "2026-10"
    assert niort["sujet"]["valeur_courante"]["valeur"] == 15  # (10 + 20) / 2, year to date
    assert by_code[BOCAGE]["sujet"]["valeur_courante"]["valeur"] == 30
    others = [r for code, r in by_code.items() if code not in (NIORTAIS, BOCAGE)]
    assert all(r["sujet"]["statut"] == "non_renseigne" for r in others)
    assert all(r["origine_de_la_cible"] == "none" for r in rows)  # no caisse target stored
    code, output = run("status", "--par", "epci", "--format", "csv")
    lines = list(csv.DictReader(io.StringIO(output), delimiter=";"))
    assert len(lines) == 8 and lines[0]["sujet_code"] == "COG 08-29"
    code, output = run("status", "--par", "epci")
    assert code == 0 and "Communauté d'agglomération du Niortais" in output
    # the département: the ratio of the EPCI's sums
    code, output = run("status", "--territoire", "dep-79", "--format", "json")
    [line, measure] = json.loads(output)["lignes"]
    assert line["origine_de_la_valeur_libelle"] == (
        "agrégée de 2 EPCI sur 8 (ratio des sommes), incomplète : 6 sans valeur"
    )
    assert line["sujet"]["valeur_courante"]["valeur"] == 20  # (10 + 30 + 20) / 3
    # the measure taking the indicator's values is assessed against the caisse's target
    assert measure["sujet"]["identifiant"] == "d05-r2-delai-prestations"
    assert measure["origine_de_la_cible_libelle"] == "cible de la caisse"


def test_status_of_one_territory_refuses_an_unknown_code() -> None:
    assert run("load")[0] == 0
    code, output = run("status", "--territoire", "99999")
    assert code == 1
    assert "Territoire inconnu : « 99999 »" in output
    code, output = run("status", "--territoire", "79191", "--par", "epci")
    assert code == 2 and "ne s'emploient pas ensemble" in output
    code, output = run("status", "--par", "region")
    assert code == 2 and "--par « region » : valeur non permise" in output
    code, output = run("status", "--territoire", "79")  # the caisse: the usual status
    assert code == 0 and "Indicateurs — situation au 27/11/2026" in output
