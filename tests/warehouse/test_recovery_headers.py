"""The fraud, recovery, datamining and diagnosis definitions agree with the signed contract:
labels, grain, and every unpublished rule a parameter flagged « à confirmer »."""

from __future__ import annotations

import pytest

from cpog.contract import default_contract_path
from cpog.contract.loader import load_contract
from cpog.contract.model import Contract
from cpog.warehouse.definitions import Grain, Measure, definition_for

INDICATORS = {
    # id: (measure, grain, {parameter: default}) — the parameters all « à confirmer » but objectif
    "cog-10-41": (Measure.SUM, Grain.YEAR_TO_DATE, {}),
    "cog-10-42": (
        Measure.RATIO,
        Grain.YEAR,
        {"methode": "cohorte", "horizon_jours": 365, "retenues": "incluses"},
    ),
    "cog-10-43": (
        Measure.RATIO,
        Grain.YEAR,
        {"methode": "cohorte", "horizon_jours": 365, "retenues": "incluses"},
    ),
    "datamining-metier": (Measure.RATIO, Grain.YEAR_TO_DATE, {"objectif": 250, "plafond": "non"}),
}
FIGURES = {
    "kf-allocataires": Measure.MEAN,  # the allocataires of the month ends kept / their number
    "kf-part-monoparents": Measure.RATIO,
    "kf-allocataires-bas-revenus": Measure.MEAN,
    "kf-beneficiaires-aah": Measure.MEAN,
    "kf-naissances": Measure.COUNT,
}


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract(default_contract_path())


@pytest.mark.parametrize("code", sorted(INDICATORS))
def test_indicator_definitions_follow_the_contract(code: str, contract: Contract) -> None:
    definition = definition_for(code)
    indicator = contract.indicator(code)
    assert indicator is not None
    assert (definition.subject_type, definition.subject_id) == ("indicator", indicator.id)
    assert definition.label == indicator.label
    measure, grain, defaults = INDICATORS[code]
    assert (definition.measure, definition.grain) == (measure, grain)
    # the contract's periodicity: monthly year-to-date values, or one value a year
    expected = Grain.YEAR_TO_DATE if indicator.cumulation == "year_to_date" else Grain.YEAR
    assert definition.grain == expected
    assert {p.name: p.default for p in definition.parameters} == defaults
    assert all(p.to_confirm for p in definition.parameters if p.name != "objectif")
    assert definition.notes and all(p.description for p in definition.parameters)


@pytest.mark.parametrize("code", sorted(FIGURES))
def test_figure_definitions_follow_the_diagnosis(code: str, contract: Contract) -> None:
    definition = definition_for(code)
    figure = next(f for f in contract.diagnosis.key_figures if f.id == code)
    assert (definition.subject_type, definition.subject_id) == ("figure", figure.id)
    assert definition.label == figure.label
    assert (definition.measure, definition.grain) == (FIGURES[code], Grain.YEAR)
    assert definition.tables == ("allocataires",)
    if code != "kf-naissances":  # births are summed over the year: no snapshot to choose
        (parameter,) = definition.parameters
        assert (parameter.name, parameter.default, parameter.to_confirm) == (
            "valeur_annuelle",
            "decembre",
            True,
        )
        assert parameter.choices == ("decembre", "moyenne_fins_de_mois")
