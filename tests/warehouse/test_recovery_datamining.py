"""Datamining objective (hors COG) — targeted controls done since 1 January over the objective
of 250, on a tiny extract written by hand."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest
from recovery_figures_kit import EPCI_A, EPCI_B, d, extracts, run, value

from cpog.warehouse.engine import Dimension

# controles: id_controle, dossier, commune, cree_le, realise_le, cible_datamining
CONTROLES = [
    ("C1", "D1", "79001", d("02/01/2025"), d("15/01/2025"), True),
    ("C2", "D2", "79003", d("03/01/2025"), d("20/01/2025"), True),
    ("C3", "D3", "79001", d("03/01/2025"), d("20/01/2025"), False),  # not datamining
    ("C4", "D4", "79002", d("05/01/2025"), None, True),  # not done yet
    ("C5", "D5", "79001", d("01/03/2025"), d("03/03/2025"), True),
    ("C6", "D6", "79002", d("01/12/2024"), d("31/12/2024"), True),  # last year's
]


@pytest.fixture
def connection() -> duckdb.DuckDBPyConnection:
    return extracts(controles=CONTROLES)


def test_controls_done_since_january_over_the_objective(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    results = run(connection, "datamining-metier", "2024-11", "2025-03", data_end=d("31/03/2025"))
    # a month without any control done this year: 0 %, not « non calculable »
    assert value(results, "2024-11") == 0
    assert results[("2024-11", "79")].denominator == 250
    assert value(results, "2024-12") == Decimal("0.4")  # C6: 1 / 250 × 100
    assert value(results, "2025-01") == Decimal("0.8")  # restart: C1, C2 → 2 / 250 × 100
    assert value(results, "2025-02") == Decimal("0.8")  # nothing in February: still 2
    assert value(results, "2025-03") == Decimal("1.2")  # + C5 → 3 / 250 × 100


def test_cap_at_one_hundred_percent(connection: duckdb.DuckDBPyConnection) -> None:
    # with an objective of 2, March's 3 controls give 150 %, or 100 % when capped
    uncapped = run(
        connection,
        "datamining-metier",
        "2025-01",
        "2025-03",
        data_end=d("31/03/2025"),
        parameters={"objectif": 2},
    )
    assert value(uncapped, "2025-03") == Decimal("150")  # 3 / 2 × 100
    capped = run(
        connection,
        "datamining-metier",
        "2025-01",
        "2025-03",
        data_end=d("31/03/2025"),
        parameters={"objectif": 2, "plafond": "oui"},
    )
    assert value(capped, "2025-03") == Decimal("100")  # min(3, 2) / 2 × 100
    assert value(capped, "2025-01") == Decimal("100")  # 2 / 2 × 100: at the cap, not over it
    empty = run(
        extracts(),
        "datamining-metier",
        "2025-01",
        "2025-01",
        data_end=d("31/01/2025"),
        parameters={"plafond": "oui"},
    )
    assert value(empty, "2025-01") == 0  # no control at all: 0 %


def test_epci_shares_of_the_objective_add_up_to_the_caisse(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    results = run(
        connection,
        "datamining-metier",
        "2024-12",
        "2025-03",
        data_end=d("31/03/2025"),
        dimension=Dimension.EPCI,
    )
    # EPCI A (79001, 79002): C6 in 2024; C1 and C5 in 2025. EPCI B (79003): C2.
    assert value(results, "2024-12", EPCI_A) == Decimal("0.4")  # 1 / 250 × 100
    assert value(results, "2024-12", EPCI_B) == 0
    assert value(results, "2025-02", EPCI_A) == Decimal("0.4")  # C1
    assert value(results, "2025-03", EPCI_A) == Decimal("0.8")  # C1, C5
    assert value(results, "2025-03", EPCI_B) == Decimal("0.4")  # C2
    assert results[("2025-03", EPCI_B)].denominator == 250  # the caisse's objective
    # 0,8 + 0,4 = 1,2 %: the caisse's value in March (3 / 250 × 100)
    shares = [value(results, "2025-03", epci) or 0 for epci in (EPCI_A, EPCI_B)]
    assert sum(shares) == Decimal("1.2")
