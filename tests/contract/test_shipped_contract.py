"""The shipped Deux-Sèvres contract: valid, complete, and its measures read the text right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.contract import SHIPPED_CONTRACTS, default_contract_path
from cpog.contract.export import SCHEMA_PARTS, json_schema
from cpog.contract.loader import load_contract, read_contract
from cpog.contract.model import (
    Basis,
    Comparator,
    Contract,
    Direction,
    Measure,
    MeasureKind,
    Nature,
    TargetKind,
)

FOLDER = SHIPPED_CONTRACTS / "caf-deux-sevres-2023-2027"
SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
runner = CliRunner()


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract(FOLDER)


def measures_of(contract: Contract, text_start: str) -> list[Measure]:
    found = [
        r for c in contract.challenges for r in c.targeted_results if r.text.startswith(text_start)
    ]
    assert len(found) == 1, text_start
    return found[0].measures


def test_default_contract_is_the_shipped_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CPOG_CONTRACT", raising=False)
    assert default_contract_path() == FOLDER


def test_shipped_contract_has_no_issue() -> None:
    result = read_contract(FOLDER)
    assert [str(i) for i in result.issues] == []


def test_structure(contract: Contract) -> None:
    assert (contract.period.start, contract.period.end) == (2023, 2027)
    assert [c.number for c in contract.challenges] == list(range(1, 11))
    assert len(contract.indicators) == 36
    assert [len(f.groups) for f in contract.catalogue] == [1, 5, 1, 1]
    assert sum(i.nature == Nature.COG for i in contract.indicators) == 28
    assert len(contract.commitments.caf.axes) == 3
    assert len(contract.diagnosis.priorities.orientations) == 4
    assert len(contract.signatories) == 4


def test_every_targeted_result_has_a_measure(contract: Contract) -> None:
    for challenge in contract.challenges:
        for targeted in challenge.targeted_results:
            assert targeted.measures, targeted.id
            for measure in targeted.measures:
                if measure.kind not in {MeasureKind.MILESTONE, MeasureKind.TREND}:
                    assert measure.target is not None, measure.id
                    assert measure.target.year == 2027 or measure.target.year is not None


def test_key_figures_of_the_diagnosis(contract: Contract) -> None:
    figures = {(f.value, f.unit, f.year) for f in contract.diagnosis.key_figures}
    assert (64498, "allocataires", 2022) in figures
    assert (3107, "naissances", 2022) in figures
    assert any(f.value == 18400 for f in contract.diagnosis.key_figures)


def test_avip_level_from_one_to_five(contract: Contract) -> None:
    (m,) = measures_of(contract, "Passer d'1 à 5 crèches")
    assert m.kind == MeasureKind.LEVEL and m.direction == Direction.UP
    assert m.baseline is not None and (m.baseline.value, m.baseline.year) == (1, 2022)
    assert m.target is not None and (m.target.value, m.target.year) == (5, 2027)


def test_places_and_mam_are_two_cumulative_counts(contract: Contract) -> None:
    places, mam = measures_of(contract, "Création de 100 places")
    assert {places.kind, mam.kind} == {MeasureKind.CUMULATIVE_COUNT}
    assert places.target is not None and places.target.value == 100
    assert mam.target is not None and mam.target.value == 10


def test_pass_colo_doubling(contract: Contract) -> None:
    (m,) = measures_of(contract, "Doublement du nombre départ")
    assert m.baseline is not None and m.baseline.value == 300
    assert m.target is not None and m.target.value == 600


def test_teleprocedures_plus_fifteen_points(contract: Contract) -> None:
    (m,) = measures_of(contract, "Hausse de la part des téléprocédures logement")
    assert m.kind == MeasureKind.POINT_CHANGE and m.unit == "%"
    assert m.target is not None and (m.target.value, m.target.implied_level) == (15, 78)
    assert m.baseline is not None and m.baseline.value == 63
    assert m.baseline.basis == Basis.DERIVED


def test_delays_are_two_measures_going_down(contract: Contract) -> None:
    benefits, minima = measures_of(contract, "Réduction des délais de démarche")
    for m, days in ((benefits, 13), (minima, 11)):
        assert m.direction == Direction.DOWN and m.unit == "jours"
        assert m.target is not None and m.target.value == days
    assert (benefits.indicator, minima.indicator) == ("cog-08-29", "cog-08-30")


def test_error_rate_below_ten_percent(contract: Contract) -> None:
    (m,) = measures_of(contract, "Diminution du taux d'erreur AAH")
    assert m.kind == MeasureKind.THRESHOLD and m.comparator == Comparator.LT
    assert m.direction == Direction.DOWN
    assert m.target is not None and m.target.value == 10
    assert m.baseline is not None and m.baseline.value == 30


def test_qualitative_results_are_milestones(contract: Contract) -> None:
    measures = measures_of(contract, "Déploiement effectif des parcours")
    assert len(measures) == 4
    assert {m.kind for m in measures} == {MeasureKind.MILESTONE}


def test_indicator_rows(contract: Contract) -> None:
    stock = contract.indicator("COG 08-33")
    assert stock is not None
    assert stock.target.kind == TargetKind.COG_THEN_INDIVIDUALISED
    assert stock.target.from_year == 2024
    ctg = contract.indicator("ctg-schema-accueil-jeune-enfant")
    assert ctg is not None and ctg.target.kind == TargetKind.FIXED
    assert (ctg.target.value, ctg.target.year) == (100, 2027)
    places = contract.indicator("lieux-ressources-parentalite")
    assert places is not None and places.type_from_year == 2024
    assert contract.indicator("cog-01-02") is contract.indicator("COG-01-02")


def test_unstated_definitions_are_marked_to_confirm(contract: Contract) -> None:
    for indicator in contract.indicators:
        fields = {t.field for t in indicator.to_confirm}
        assert {"calculation_method", "data_source"} <= fields, indicator.id


def test_cli_check_and_show(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CPOG_CONTRACT", raising=False)
    checked = runner.invoke(app, ["check"])
    assert checked.exit_code == 0, checked.output
    assert "10 défis, 36 indicateurs, 35 résultats visés" in checked.output
    shown = runner.invoke(app, ["show", "--challenge", "4"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    assert "+15\u00a0points (soit 78\u00a0%)" in shown.output
    indicator = runner.invoke(app, ["show", "--indicator", "COG 08-29"])
    assert indicator.exit_code == 0 and "à confirmer" in indicator.output
    assert runner.invoke(app, ["show", "--challenge", "42"]).exit_code == 1
    assert runner.invoke(app, ["show", "--indicator", "XYZ"]).exit_code == 1


def test_export_json_round_trips(contract: Contract) -> None:
    result = runner.invoke(app, ["export", "--format", "json", str(FOLDER)])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["format_version"] == 1
    assert Contract.model_validate(data) == contract
    assert runner.invoke(app, ["export", "--format", "xml"]).exit_code == 2


@pytest.mark.parametrize("part", list(SCHEMA_PARTS))
def test_committed_schemas_are_current(part: str) -> None:
    name = "contract-export" if part == "export" else part
    committed = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(part), f"lancez : make schemas ({part})"
