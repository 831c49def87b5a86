"""Several caisses in one store: each finds its own contract, the installation keeps its own."""

from __future__ import annotations

import pytest

from cpog.contract.model import Contract


def _other(contract: Contract, code: str, name: str) -> Contract:
    organisation = contract.organisation.model_copy(update={"code": code, "name": name})
    return contract.model_copy(update={"id": f"caf-{code}-2023-2027", "organisation": organisation})


@pytest.mark.django_db
def test_each_caisse_finds_its_contract_and_the_first_stays_the_default(loaded, monkeypatch):
    from cpog.store.contracts import (
        caisses,
        contract_of_caisse,
        current_contract,
        default_caisse_code,
        store_contract,
    )

    store_contract(_other(loaded, "86", "Caf de la Vienne"), "démonstration", "test")
    store_contract(_other(loaded, "17", "Caf de la Charente-Maritime"), "démonstration", "test")
    assert [c.code for c in caisses()] == ["17", "79", "86"]
    assert [c.name for c in caisses()][2] == "Caf de la Vienne"
    assert default_caisse_code() == "79"
    assert current_contract()[1].id == loaded.id  # the first loaded, not the latest
    assert contract_of_caisse("86")[1].organisation.name == "Caf de la Vienne"
    monkeypatch.setenv("CPOG_CAISSE", "17")
    assert current_contract()[1].id == "caf-17-2023-2027"


@pytest.mark.django_db
def test_an_unknown_caisse_is_named(loaded):
    from cpog.store.contracts import NoContractLoaded, contract_of_caisse

    with pytest.raises(NoContractLoaded, match="« 971 »"):
        contract_of_caisse("971")


@pytest.mark.django_db
def test_a_contract_id_stays_with_its_caisse(loaded):
    from datetime import date

    from cpog.store.contracts import CaisseMismatch, store_contract

    moved = _other(loaded, "86", "Caf de la Vienne").model_copy(update={"id": loaded.id})
    with pytest.raises(CaisseMismatch, match="« 79 »"):
        store_contract(moved, "copie", "test", date(2026, 11, 1), "copie du contrat")
