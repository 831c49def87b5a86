"""Verdicts through `cpog status`, on a real database, as a contrôleur de gestion checks them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.store.models import Target

pytestmark = pytest.mark.django_db(transaction=True)
runner = CliRunner()
CLOSING = {"atteint", "non_atteint", "non_renseigne", "sans_cible"}


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})
    return result.exit_code, result.output


def status_json(*args: str) -> dict[str, Any]:
    code, output = run("status", "--format", "json", *args)
    assert code == 0, output
    data: dict[str, Any] = json.loads(output)
    return data


def row(data: dict[str, Any], subject_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in data["lignes"] if r["identifiant"] == subject_id)
    return found


def test_after_the_contract_only_closing_verdicts(today: Callable[[str], date]) -> None:
    today("01/06/2028")
    assert run("load")[0] == 0
    code, output = run("demo", "--au", "01/06/2028")
    assert code == 0, output
    data = status_json("--au", "01/06/2028")
    statuses = {r["statut"] for r in data["lignes"]}
    assert statuses <= CLOSING and {"atteint", "non_atteint"} <= statuses
    assert all(r["verdict_final"] for r in data["lignes"])
    assert all(r["projection"] is None for r in data["lignes"])
    assert {d["statut"] for d in data["defis"].values()} <= CLOSING
    code, table = run("status", "--au", "01/06/2028")
    assert code == 0, table
    assert "Non atteint" in table and "Conforme" not in table and "À surveiller" not in table


def test_departs_volontaires_above_3_percent_in_2025(write: Callable[..., Path]) -> None:
    assert run("load")[0] == 0
    values = write(
        "departs.csv",
        "identifiant;période;valeur;statut\r\n"
        "d08-r1-taux-departs-volontaires;2023;2,9;définitive\r\n"
        "d08-r1-taux-departs-volontaires;2024;2,8;définitive\r\n"
        "d08-r1-taux-departs-volontaires;2025;3,22;définitive\r\n",
        encoding="cp1252",
    )
    code, output = run("import", "values", str(values))
    assert code == 0, output
    data = status_json("--au", "27/11/2026")
    departs = row(data, "d08-r1-taux-departs-volontaires")
    assert departs["objectif_annee"]["libelle"] == "objectif 2025 non atteint"
    assert [v["libelle"] for v in departs["objectifs"]] == [
        "objectif 2023 atteint",
        "objectif 2024 atteint",
        "objectif 2025 non atteint",
    ]
    assert departs["statut"] == "en_retard"
    assert departs["par_an"] is True
    assert any("par an" in line for line in departs["explications"])
    # the 3,55 % is an average the signed text states for 2018-2022
    assert departs["reference"]["base"] == "average"
    assert departs["reference"]["libelle"].startswith("moyenne de plusieurs années")


def test_contract_targets_of_indicators_are_loaded(write: Callable[..., Path]) -> None:
    assert run("load")[0] == 0
    stored = Target.objects.get(subject_id="ctg-schema-accueil-jeune-enfant")
    assert (stored.year, stored.value, stored.kind, stored.provenance) == (
        2027,
        100,
        Target.Kind.FIXED,
        Target.Provenance.CPOG,
    )
    values = write(
        "ctg.csv",
        "identifiant;période;valeur\nctg-schema-accueil-jeune-enfant;2025;50\n",
    )
    assert run("import", "values", str(values))[0] == 0
    ctg = row(status_json("--au", "27/11/2026"), "ctg-schema-accueil-jeune-enfant")
    assert ctg["statut"] != "sans_cible"  # without demo data, the signed « 100 % en 2027 »
    assert ctg["cible_finale"]["valeur"] == 100
    assert ctg["cible_provenance"]["libelle"] == "fixée par le contrat, CPOG signé"


def test_a_caisse_policy_is_used_and_checked(write: Callable[..., Path]) -> None:
    assert run("load")[0] == 0
    assert run("demo", "--au", "27/11/2026")[0] == 0
    before = status_json("--au", "27/11/2026")
    watched = [r["identifiant"] for r in before["lignes"] if r["statut"] == "a_surveiller"]
    assert watched
    lenient = write("politique.yaml", "relative_tolerance: 0.3\nwatch: 0.1\non_track: 0.5\n")
    code, output = run(
        "status", "--au", "27/11/2026", "--format", "json", env={"CPOG_POLICY": str(lenient)}
    )
    assert code == 0, output
    after = {r["identifiant"]: r["statut"] for r in json.loads(output)["lignes"]}
    assert any(after[i] == "conforme" for i in watched)
    bad = write("mauvaise.yaml", "ahaed: 1.2\n")
    code, output = run("status", env={"CPOG_POLICY": str(bad)})
    assert code == 1
    assert "clé inconnue « ahaed »" in output and "mauvaise.yaml" in output


def test_csv_says_oui_and_non(write: Callable[..., Path]) -> None:
    assert run("load")[0] == 0
    assert run("demo", "--au", "27/11/2026")[0] == 0
    code, output = run("status", "--au", "27/11/2026", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(output), delimiter=";"))
    assert len(rows) == 36 + 42
    assert {r["saisie_renseigne"] for r in rows} == {"oui", "non"}
    assert {r["saisie_en_retard_de_saisie"] for r in rows} == {"oui", "non"}
    assert {r["par_an"] for r in rows} == {"oui", "non"}
    assert "True" not in output and "False" not in output


@pytest.mark.parametrize("confirmed", [False, True])
def test_an_unusual_value_is_to_check_until_confirmed(confirmed: bool) -> None:
    from decimal import Decimal

    from cpog.periods import Period
    from cpog.store.contracts import current_contract
    from cpog.store.status import status_at
    from cpog.store.values import NewValue, record_values

    assert run("load")[0] == 0
    _, contract = current_contract()
    values = [
        NewValue("indicator", "cog-08-32", Period.month_of(2026, month), Decimal(str(value)))
        for month, value in ((8, "19.4"), (9, "19.3"), (10, "19.36"))
    ]
    values.append(
        NewValue(
            "indicator",
            "cog-08-32",
            Period.month_of(2026, 11),
            Decimal("13.5"),
            confirmed_unusual=confirmed,
        )
    )
    record_values(contract.id, contract.organisation.code, values, source="manual", user="t")
    assessment = status_at(contract, date(2026, 12, 31)).row("cog-08-32").assessment
    assert (assessment.to_check is None) is confirmed


def test_table_words_for_milestones_and_yearly_commitments() -> None:
    assert run("load")[0] == 0
    assert run("demo", "--au", "27/11/2026")[0] == 0
    code, table = run("status", "--au", "27/11/2026", "--challenge", "8", env={"COLUMNS": "240"})
    assert code == 0, table
    flat = " ".join(table.replace("\u00a0", " ").split())
    assert "jalon : réalisé" in flat  # the bilan carbone is done, not « 100 »
    assert "< 3 % par an" in flat
    assert "indice 95 (−5 % par an)" in flat
    code, table = run("status", "--au", "27/11/2026", "--challenge", "6", env={"COLUMNS": "240"})
    flat = " ".join(table.replace("\u00a0", " ").split())
    assert "jalon : non réalisé" in flat and "jalon : 62 % réalisé" in flat
    assert "194,9" not in flat  # no projection of a milestone's % done


def test_a_confirmed_value_stays_confirmed_when_only_its_status_changes() -> None:
    from decimal import Decimal

    from cpog.periods import Period
    from cpog.store.contracts import current_contract
    from cpog.store.models import Measurement
    from cpog.store.values import NewValue, record_values

    assert run("load")[0] == 0
    _, contract = current_contract()
    november = Period.month_of(2026, 11)

    def write(status: str, confirmed: bool) -> None:
        record_values(
            contract.id,
            contract.organisation.code,
            [
                NewValue(
                    "indicator",
                    "cog-08-32",
                    november,
                    Decimal("13.5"),
                    status=status,
                    confirmed_unusual=confirmed,
                )
            ],
            source="manual",
            user="t",
        )

    write("provisional", True)
    write("definitive", False)  # re-entered as definitive: nothing to confirm again
    latest = Measurement.objects.filter(subject_id="cog-08-32").order_by("-id").first()
    assert latest is not None and latest.status == "definitive" and latest.confirmed_unusual
