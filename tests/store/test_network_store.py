"""A network of three caisses in the store: ``cpog demo --caisses 3``, read back in a constant
number of queries, compared by ``cpog compare``."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from typer.testing import CliRunner

from cpog.cli.main import app

runner = CliRunner()
AS_OF = date(2026, 11, 27)


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "220"})
    return result.exit_code, result.output


@pytest.fixture
def network(loaded):  # type: ignore[no-untyped-def]
    from cpog.store.contracts import current_contract
    from cpog.store.demo import load_demo
    from cpog.store.network_demo import load_network_demo

    _, contract = current_contract()
    load_demo(contract, AS_OF)
    return load_network_demo(contract, AS_OF, 3)


@pytest.mark.django_db
def test_three_caisses_with_their_contracts_values_and_targets(network) -> None:  # type: ignore[no-untyped-def]
    from cpog.store.contracts import caisses, contract_of_caisse, current_contract
    from cpog.store.models import Measurement
    from cpog.store.network_demo import load_network_demo

    assert [c.code for c in caisses()] == ["01", "02", "79"]
    assert contract_of_caisse("01")[1].organisation.short_name == "Caf de l'Ain"
    assert contract_of_caisse("02")[0].source_path == "données de démonstration"
    assert current_contract()[1].organisation.code == "79"  # the installation's stays
    assert network.contracts == 2 and network.values > 1000 and network.targets > 100
    ain = Measurement.objects.filter(contract_id="caf-01-2023-2027", scope_code="01")
    assert set(ain.values_list("source", flat=True)) == {"demo"}
    assert set(ain.values_list("subject_id", flat=True).distinct()).__len__() == 36
    rate = ain.filter(subject_id="cog-08-25").first()
    assert rate is not None and rate.numerator is not None and rate.denominator
    assert float(rate.value) == pytest.approx(
        100 * float(rate.numerator) / float(rate.denominator), abs=0.01
    )
    again = load_network_demo(current_contract()[1], AS_OF, 3)  # idempotent
    assert (again.contracts, again.values, again.targets) == (0, 0, 0)


@pytest.mark.django_db
def test_the_network_is_read_in_a_constant_number_of_queries(network) -> None:  # type: ignore[no-untyped-def]
    from cpog.contexts.network import comparison_context, network_context
    from cpog.peer_groups import peer_groups
    from cpog.store.network import NetworkStoreReader

    comparison_context(NetworkStoreReader(), "COG 08-29", AS_OF, peer_groups())  # parse once
    with CaptureQueriesContext(connection) as queries:
        ctx = comparison_context(
            NetworkStoreReader(), "COG 08-29", AS_OF, peer_groups(), caisse="79"
        )
    assert len(queries) <= 8, [q["sql"][:80] for q in queries]
    assert ctx.count == 3 and ctx.national.computed and ctx.demo
    assert [r.rank for r in ctx.rows if r.rank] == sorted(r.rank for r in ctx.rows if r.rank)
    with CaptureQueriesContext(connection) as queries:
        page = network_context(NetworkStoreReader(), AS_OF, peer_groups())
    assert len(queries) <= 8 and page.total == 3


@pytest.mark.django_db(transaction=True)
def test_cpog_compare_ranks_the_caisses() -> None:
    assert run("load")[0] == 0
    code, output = run("demo", "--au", "27/11/2026", "--caisses", "3")
    assert code == 0 and "Réseau de démonstration : 3 caisses" in output, output
    code, output = run("compare", "COG 08-29", "--caisse", "79")
    assert code == 0, output
    assert "Caf des Deux-Sèvres (79)" in output and "Valeur nationale" in output
    assert "Quartiles (3 caisses)" in output and "Données de démonstration" in output
    code, output = run("compare", "COG 08-29", "--format", "json", "--periode", "2026-09")
    data = json.loads(output)
    assert code == 0 and data["periode"] == "2026-09" and len(data["lignes"]) == 3
    code, output = run("compare", "COG 08-29", "--format", "csv")
    assert code == 0 and output.splitlines()[0].startswith("rang;code;caisse;valeur")
    code, output = run("compare", "COG 99-99")
    assert code == 1 and "Indicateur inconnu : « COG 99-99 »" in output
    code, output = run("demo", "--caisses", "500")
    assert code != 0 and "de 1 à 101" in output


@pytest.mark.django_db(transaction=True)
def test_cpog_compare_on_an_empty_store_says_what_to_do() -> None:
    code, output = run("compare", "COG 08-29")
    assert code == 1 and "cpog load" in output and "Traceback" not in output
