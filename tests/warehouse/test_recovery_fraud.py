"""COG 10-41 — fraud préjudices qualified since 1 January, on a tiny extract written by hand."""

from __future__ import annotations

from decimal import Decimal

from recovery_figures_kit import CAISSE, EPCI_A, EPCI_B, d, extracts, run, value

from cpog.warehouse.engine import Dimension

# indus: id_indu, dossier, commune, constate_le, montant, frauduleux, prestation,
#        fraude_qualifiee_le, prejudice
INDUS = [
    # qualified on the last day of 2024: counts in 2024 only
    (
        "F1",
        "D1",
        "79001",
        d("02/12/2024"),
        Decimal("1500.00"),
        True,
        "AF",
        d("31/12/2024"),
        Decimal("1000.00"),
    ),
    # established in 2024, qualified on 1 January 2025: counts in 2025
    (
        "F2",
        "D2",
        "79002",
        d("20/12/2024"),
        Decimal("400.00"),
        True,
        "RSA",
        d("01/01/2025"),
        Decimal("300.00"),
    ),
    (
        "F3",
        "D3",
        "79003",
        d("03/02/2025"),
        Decimal("250.00"),
        True,
        "APL",
        d("15/02/2025"),
        Decimal("200.50"),
    ),
    # not fraudulent: no préjudice
    ("N1", "D4", "79001", d("10/01/2025"), Decimal("90.00"), False, "AF", None, None),
    # fraudulent but not yet qualified: not counted
    ("F4", "D5", "79001", d("12/01/2025"), Decimal("999.00"), True, "AF", None, Decimal("999.00")),
]


def test_prejudices_add_up_from_january_and_restart_each_year() -> None:
    results = run(
        extracts(indus=INDUS), "cog-10-41", "2024-11", "2025-03", data_end=d("31/03/2025")
    )
    assert value(results, "2024-11") == 0  # nothing qualified in 2024 before December: 0, not None
    assert value(results, "2024-12") == Decimal("1000")  # F1, qualified 31/12/2024
    assert value(results, "2025-01") == Decimal("300")  # restart: F2 (01/01/2025) only
    assert value(results, "2025-02") == Decimal("500.50")  # 300 + 200,50 (F3)
    assert value(results, "2025-03") == Decimal("500.50")  # nothing new in March
    assert results[("2025-02", CAISSE)].denominator is None  # a sum has no denominator


def test_epci_breakdown_adds_up_to_the_caisse() -> None:
    connection = extracts(indus=INDUS)
    caisse = run(connection, "cog-10-41", "2024-12", "2025-02", data_end=d("28/02/2025"))
    by_epci = run(
        connection,
        "cog-10-41",
        "2024-12",
        "2025-02",
        data_end=d("28/02/2025"),
        dimension=Dimension.EPCI,
    )
    # EPCI A (79001, 79002): F1 in 2024 (1 000), F2 in 2025 (300); EPCI B (79003): F3 (200,50)
    assert value(by_epci, "2024-12", EPCI_A) == Decimal("1000")
    assert value(by_epci, "2024-12", EPCI_B) == 0
    assert value(by_epci, "2025-02", EPCI_A) == Decimal("300")
    assert value(by_epci, "2025-02", EPCI_B) == Decimal("200.50")
    for period in ("2024-12", "2025-01", "2025-02"):
        parts = [value(by_epci, period, epci) for epci in (EPCI_A, EPCI_B)]
        assert sum(p for p in parts if p is not None) == value(caisse, period)
