"""``cpog explain``: the definition in French, its SQL, and a script an auditor runs in DuckDB."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.warehouse.definitions import definition_for
from cpog.warehouse.engine import compute

sys.path.insert(0, str(Path(__file__).parent / "warehouse"))
from engine_tiny import BRESSUIRE, NIORT, UNKNOWN, connect, spec

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_explain_prints_the_definition_in_french() -> None:
    code, out, _ = run("explain", "COG 08-29", "--param", "jours=ouvres")
    assert code == 0
    assert out.startswith("Délai moyen de démarche des prestations légales\n")
    assert "Sujet : indicateur cog-08-29" in out
    assert "Définition : cog-08-29.sql, version 3" in out
    assert "Mesure : moyenne (numérateur / dénominateur) ; dénominateur nul : non calculable" in out
    assert "Grain : par mois, cumulé depuis le 1er janvier" in out
    assert (
        "  jours = ouvres (défaut : calendaires ; choix : calendaires, ouvres ; à confirmer)" in out
    )
    assert "  perimetre = hors_minima (défaut : hors_minima ; choix : hors_minima, toutes ;" in out
    assert "Notes :\n  – Le délai court de la réception" in out
    assert "Requête (DuckDB), paramètres remplis :" in out
    assert "'ouvres' = 'ouvres'" in out  # the parameter filled in as a literal
    assert ":jours" not in out


def test_explain_in_another_dialect() -> None:
    code, out, _ = run("explain", "cog-08-25", "--dialecte", "postgres", "--param", "delai_max=7")
    assert code == 0
    assert "Requête (PostgreSQL), paramètres remplis :" in out
    assert "<= 7" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("cog-99-99",), "Erreur : Aucune définition de calcul pour « cog-99-99 ». Définitions"),
        (("cog-08-25", "--param", "delai=3"), "Erreur : paramètre « delai » inconnu pour"),
        (("cog-08-25", "--param", "delai_max"), "Erreur : « --param delai_max » : écrivez"),
        (("cog-08-25", "--param", "jours=x"), "Erreur : cog-08-25 : valeur « x » refusée"),
        (("cog-08-25", "--dialecte", "oracle"), "Erreur : dialecte « oracle » inconnu"),
        (("cog-08-25", "--complet"), "Erreur : --complet demande --du AAAA-MM"),
        (
            ("cog-08-25", "--complet", "--du", "2025-13", "--au", "2025-01"),
            "Erreur : --du « 2025-13 »",
        ),
        (
            ("cog-08-25", "--complet", "--du", "2025-03", "--au", "2025-01"),
            "Erreur : --au 2025-01 précède",
        ),
        (
            ("cog-08-25", "--complet", "--du", "2025-01", "--au", "2025-01", "--par", "x"),
            "Erreur : --par « x »",
        ),
    ],
)
def test_explain_errors(args: tuple[str, ...], message: str) -> None:
    code, out, err = run("explain", *args)
    assert code == 1
    assert err.startswith(message), err
    assert out == ""


def _extracts(folder: Path) -> duckdb.DuckDBPyConnection:
    connection = connect(
        reclamations=[
            {"commune": NIORT, "recue_le": "2025-01-02", "close_le": "2025-01-10"},  # 8 days
            {"commune": NIORT, "recue_le": "2025-01-02", "close_le": "2025-02-10"},  # 39 days
            {"commune": BRESSUIRE, "recue_le": "2025-02-07", "close_le": "2025-02-10"},  # 3
            {"commune": UNKNOWN, "recue_le": "2025-02-01", "close_le": "2025-02-05"},  # 4
        ],
        pieces=[
            {"commune": NIORT, "recue_le": "2024-12-01"},  # open, old from January
            {"commune": BRESSUIRE, "recue_le": "2025-01-20", "traitee_le": "2025-02-15"},
        ],
        demarches=[],
    )
    for name in ("reclamations", "pieces", "demarches"):
        connection.execute(f"COPY {name} TO '{folder / name}.parquet' (FORMAT parquet)")
    return connection


@pytest.mark.parametrize(
    ("code", "dimension", "parameters"),
    [
        ("cog-08-25", "caisse", {}),  # the unknown commune counts at the caisse
        ("cog-08-25", "epci", {"jours": "ouvres", "delai_max": 5}),
        ("cog-08-33", "commune", {"seuil": 30}),
    ],
)
def test_the_complete_script_gives_the_engines_numbers(
    tmp_path: Path, code: str, dimension: str, parameters: dict[str, str | int]
) -> None:
    connection = _extracts(tmp_path)
    pairs = [f"{name}={value}" for name, value in parameters.items()]
    options = [option for pair in pairs for option in ("--param", pair)]
    status, script, _ = run(
        "explain",
        code,
        "--complet",
        "--du",
        "2025-01",
        "--au",
        "2025-02",
        "--par",
        dimension,
        "--extraits",
        str(tmp_path),
        *options,
    )
    assert status == 0
    assert script.startswith("-- ")
    rows = duckdb.connect().execute(script).fetchall()
    computation = compute(
        connection, [definition_for(code)], spec("2025-01", "2025-02", dimension, **parameters)
    )
    engine = sorted(
        (r.period_key, r.scope_code, int(r.numerator), int(r.denominator or 0))
        for r in computation.results
        if r.denominator
    )
    # The script gives the query's rows; the engine fills the grid (0 / 0 where nothing is).
    assert sorted((p, t, int(n), int(d)) for p, t, n, d in rows if d) == engine
    assert engine  # the extracts give something to compare
