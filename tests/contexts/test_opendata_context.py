"""« Diagnostic et données ouvertes par territoire » from an in-memory reader: a commune's
published value, an EPCI's sum of its communes, the département's file preferred to the sum,
the computed value or the signed figure as reference, and the gap."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import pytest

from cpog.contexts.opendata import FIGURE_SOURCES, open_data_context
from cpog.contexts.serialize import to_data
from cpog.contract import default_contract_path
from cpog.contract.loader import load_contract
from cpog.contract.model import Contract
from cpog.geography import Commune, Epci, Geography
from cpog.ingest.opendata import OpenDataPoint

GEOGRAPHY = Geography(
    "79",
    (
        Commune("79049", "Bressuire", 19519, "200040244"),
        Commune("79081", "Chauray", 7006, "200041317"),
        Commune("79191", "Niort", 58707, "200041317"),
    ),
    (
        Epci("200040244", "CA du Bocage Bressuirais", "CA"),
        Epci("200041317", "CA du Niortais", "CA"),
    ),
)


class Reader:
    def __init__(
        self, points: list[OpenDataPoint], computed: dict[tuple[str, str, str], float]
    ) -> None:
        self.points, self.computed = points, computed

    def open_data(self, wanted: Iterable[tuple[str, str]]) -> list[OpenDataPoint]:
        asked = set(wanted)
        return [p for p in self.points if (p.dataset, p.field) in asked]

    def figure_values(
        self, contract: Contract, subject_ids: Iterable[str]
    ) -> dict[tuple[str, str, str], float]:
        return self.computed


def point(
    dataset: str, territory: str, period: str, value: int, category: str = ""
) -> OpenDataPoint:
    return OpenDataPoint(dataset, "indfoy_ndur", category, territory, period, Decimal(value))


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract(default_contract_path())


POINTS = [
    point("s_ben_com_f", "79191", "2022-12", 17250),
    point("s_ben_com_f", "79081", "2022-12", 1205),
    point("s_ben_com_f", "79049", "2022-12", 3105),
    point("s_ben_com_f", "79191", "2023-12", 17410),
    point("s_ben_dep", "dep-79", "2022-12", 64310),
    point("ndur_s_qf_400_com_f", "79191", "2022-12", 2110, "< 400 €"),
    point("ndur_s_qf_400_com_f", "79191", "2022-12", 3420, "400 - 799 €"),
    point("ndur_s_qf_400_com_f", "79191", "2022-12", 4015, "800 - 1199 €"),
    point("ndur_s_qf_400_com_f", "79049", "2022-12", 285, "< 400 €"),
    point("ndur_s_qf_400_com_f", "79049", "2022-12", 640, "400 - 799 €"),
]


def test_by_epci_with_the_signed_figure(contract: Contract) -> None:
    computed = {("kf-allocataires", "200041317", "2022"): 18300.0}
    ctx = open_data_context(Reader(POINTS, computed), contract, GEOGRAPHY, year=2022)
    rows = {(r.figure, r.code): r for r in ctx.rows}
    department = rows[("kf-allocataires", "dep-79")]
    # the signed figure (64 498 in 2022) beside the département's file (64 310)
    assert (department.reference_value, department.open_value) == (64498, 64310)
    assert department.reference_source == "chiffre du contrat signé"
    assert department.open_source == "s_ben_dep, indfoy_ndur"
    assert department.gap == -188 and department.gap_text == "−188 (−0,3\u00a0%)"
    niortais = rows[("kf-allocataires", "200041317")]
    assert niortais.open_value == 18455  # Niort + Chauray
    assert niortais.open_source == "s_ben_com_f, somme de 2 communes"
    assert (niortais.reference_value, niortais.reference_source) == (18300, "valeur calculée")
    assert niortais.to_confirm and niortais.level == "EPCI"
    bressuire = rows[("kf-allocataires", "200040244")]
    assert bressuire.reference_value is None and bressuire.gap_text == "—"
    # low income: the brackets below 800 € only; a sum with a commune missing is not given
    low = rows[("kf-allocataires-bas-revenus", "200040244")]
    assert low.open_value == 285 + 640
    incomplete = rows[("kf-allocataires-bas-revenus", "200041317")]
    assert incomplete.open_value is None and incomplete.open_text == "—"
    assert incomplete.open_source == (
        "ndur_s_qf_400_com_f : somme incomplète : 1 territoire(s) sans valeur sur 2"
    )
    assert ctx.available_years == [2022, 2023]
    data = to_data(ctx)
    assert data["decoupage"] == "epci" and data["lignes"][0]["chiffre_cle"] == "kf-allocataires"


def test_by_commune_and_every_year(contract: Contract) -> None:
    ctx = open_data_context(Reader(POINTS, {}), contract, GEOGRAPHY, by="commune")
    niort = [r for r in ctx.rows if r.code == "79191" and r.figure == "kf-allocataires"]
    assert [(r.year, r.open_value) for r in niort] == [(2022, 17250), (2023, 17410)]
    department_2023 = next(
        r
        for r in ctx.rows
        if r.code == "dep-79" and r.year == 2023 and r.figure == "kf-allocataires"
    )
    assert department_2023.open_value is None  # Niort alone: the sum is not given
    assert department_2023.open_source == (
        "s_ben_com_f : somme incomplète : 2 territoire(s) sans valeur sur 3"
    )
    assert {m.figure for m in ctx.mappings} == {s.figure for s in FIGURE_SOURCES}


def test_nothing_imported(contract: Contract) -> None:
    ctx = open_data_context(Reader([], {}), contract, GEOGRAPHY, year=2024)
    assert ctx.rows == [] and "cpog import opendata" in ctx.empty_text
    with pytest.raises(ValueError, match="Découpage inconnu"):
        open_data_context(Reader([], {}), contract, GEOGRAPHY, by="canton")
