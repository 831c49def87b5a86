"""COG 10-42 and 10-43 — recovery rates of overpayments, by cohort and by flow, on a tiny
extract written by hand.

Days are counted on the calendar: 2024 is a leap year, so from 01/02/2024 the same date of 2025
is 366 days later (29 February in between) and 31/01/2025 is 365 days later; from 15/06/2024 to
15/06/2025 there are 365 days.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest
from recovery_figures_kit import EPCI_A, EPCI_B, d, extracts, run, value

from cpog.warehouse.engine import Dimension

# indus: id_indu, dossier, commune, constate_le, montant, frauduleux, prestation,
#        fraude_qualifiee_le, prejudice
INDUS = [
    # fraudulent, not RSA, established in 2024: the 10-42 cohort of 2024
    (
        "F1",
        "D1",
        "79001",
        d("01/02/2024"),
        Decimal("1000.00"),
        True,
        "AF",
        d("01/03/2024"),
        Decimal("1000.00"),
    ),
    (
        "F2",
        "D2",
        "79003",
        d("15/06/2024"),
        Decimal("500.00"),
        True,
        "PAJE",
        d("20/06/2024"),
        Decimal("500.00"),
    ),
    # fraudulent RSA: outside 10-42 (and, being fraudulent, outside 10-43)
    (
        "F3",
        "D3",
        "79001",
        d("10/03/2024"),
        Decimal("2000.00"),
        True,
        "RSA",
        d("12/03/2024"),
        Decimal("2000.00"),
    ),
    # fraudulent, established in 2023, recovered in 2024: only the 2024 flow sees it
    (
        "F4",
        "D4",
        "79002",
        d("15/12/2023"),
        Decimal("800.00"),
        True,
        "AF",
        d("18/12/2023"),
        Decimal("800.00"),
    ),
    # not fraudulent: the 10-43 cohort of 2024, RSA included
    ("N1", "D5", "79001", d("05/05/2024"), Decimal("600.00"), False, "AF", None, None),
    ("N2", "D6", "79003", d("10/10/2024"), Decimal("400.00"), False, "RSA", None, None),
]
# recouvrements: id_recouvrement, id_indu, recouvre_le, montant, mode
RECOUVREMENTS = [
    ("R1", "F1", d("01/03/2024"), Decimal("400.00"), "remboursement"),  # 29 days
    ("R2", "F1", d("31/01/2025"), Decimal("200.00"), "retenue"),  # 365 days: within
    ("R3", "F1", d("01/02/2025"), Decimal("100.00"), "remboursement"),  # 366 days: outside
    ("R4", "F2", d("15/06/2025"), Decimal("300.00"), "remboursement"),  # 365 days: within
    ("R5", "F3", d("20/03/2024"), Decimal("2000.00"), "remboursement"),  # RSA
    ("R6", "F4", d("10/01/2024"), Decimal("800.00"), "remboursement"),  # 2023 indu
    ("R7", "N1", d("05/07/2024"), Decimal("600.00"), "retenue"),
    ("R8", "N2", d("10/11/2024"), Decimal("100.00"), "remboursement"),
]


@pytest.fixture
def connection() -> duckdb.DuckDBPyConnection:
    return extracts(indus=INDUS, recouvrements=RECOUVREMENTS)


def test_fraud_cohort_counts_recoveries_within_365_days_deductions_included(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    # 2024 + 365 days = 31/12/2025 ≤ end of data: the 2024 cohort is complete
    results = run(connection, "cog-10-42", "2024-01", "2024-12", data_end=d("31/12/2025"))
    result = results[("2024", "79")]
    # denominator: F1 1 000 + F2 500 = 1 500 (F3 is RSA, F4 established in 2023)
    assert result.denominator == Decimal("1500")
    # numerator: R1 400 + R2 200 (deduction, day 365) + R4 300 (day 365) = 900; R3 (day 366) out
    assert result.numerator == Decimal("900")
    assert result.value == Decimal("60")  # 900 / 1 500 × 100


def test_fraud_cohort_without_deductions(connection: duckdb.DuckDBPyConnection) -> None:
    results = run(
        connection,
        "cog-10-42",
        "2024-01",
        "2024-12",
        data_end=d("31/12/2025"),
        parameters={"retenues": "exclues"},
    )
    # R2 (retenue) leaves: 400 + 300 = 700; 700 / 1 500 × 100 = 46,666 666…
    assert results[("2024", "79")].numerator == Decimal("700")
    assert value(results, "2024") == Decimal("46.666667")


def test_horizon_not_reached_is_not_computable(connection: duckdb.DuckDBPyConnection) -> None:
    # 31/12/2024 + 365 days = 31/12/2025: one day short, and 2025's cohort is a year short
    results = run(connection, "cog-10-42", "2024-01", "2025-12", data_end=d("30/12/2025"))
    assert value(results, "2024") is None
    assert value(results, "2025") is None
    results = run(connection, "cog-10-42", "2024-01", "2025-12", data_end=d("31/12/2025"))
    assert value(results, "2024") == Decimal("60")
    assert value(results, "2025") is None


def test_fraud_flow_method(connection: duckdb.DuckDBPyConnection) -> None:
    # the flow needs only the year itself in the data
    results = run(
        connection,
        "cog-10-42",
        "2024-01",
        "2025-12",
        data_end=d("31/12/2025"),
        parameters={"methode": "flux"},
    )
    # 2024: recovered in 2024 on fraudulent non-RSA indus: R1 400 + R6 800 (2023 indu) = 1 200;
    # established in 2024: 1 500; 1 200 / 1 500 × 100 = 80
    assert results[("2024", "79")].numerator == Decimal("1200")
    assert value(results, "2024") == Decimal("80")
    # 2025: R2 200 + R3 100 + R4 300 = 600 recovered, but nothing established: zero denominator
    assert results[("2025", "79")].numerator == Decimal("600")
    assert value(results, "2025") is None
    # a year not over in the data: not computable
    results = run(
        connection,
        "cog-10-42",
        "2024-01",
        "2024-12",
        data_end=d("30/12/2024"),
        parameters={"methode": "flux"},
    )
    assert value(results, "2024") is None


def test_non_fraud_cohort_includes_rsa(connection: duckdb.DuckDBPyConnection) -> None:
    results = run(connection, "cog-10-43", "2023-01", "2024-12", data_end=d("31/12/2025"))
    # N1 600 + N2 (RSA) 400 = 1 000 established; R7 600 (deduction) + R8 100 = 700 recovered
    assert results[("2024", "79")].denominator == Decimal("1000")
    assert value(results, "2024") == Decimal("70")
    assert value(results, "2023") is None  # no non-fraudulent indu in 2023: zero denominator
    results = run(
        connection,
        "cog-10-43",
        "2024-01",
        "2024-12",
        data_end=d("31/12/2025"),
        parameters={"retenues": "exclues"},
    )
    assert value(results, "2024") == Decimal("10")  # R8 100 / 1 000 × 100


def test_cohort_by_epci_adds_up_to_the_caisse(connection: duckdb.DuckDBPyConnection) -> None:
    results = run(
        connection,
        "cog-10-42",
        "2024-01",
        "2024-12",
        data_end=d("31/12/2025"),
        dimension=Dimension.EPCI,
    )
    # EPCI A (79001, 79002): F1 1 000, recovered 400 + 200 = 600 → 60 %
    # EPCI B (79003): F2 500, recovered 300 → 60 %
    a, b = results[("2024", EPCI_A)], results[("2024", EPCI_B)]
    assert (a.numerator, a.denominator, a.value) == (600, 1000, 60)
    assert (b.numerator, b.denominator, b.value) == (300, 500, 60)
    assert a.numerator + b.numerator == 900  # the caisse's numerator
    assert (a.denominator or 0) + (b.denominator or 0) == 1500  # and denominator
