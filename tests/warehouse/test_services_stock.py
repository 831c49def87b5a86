"""COG 08-33 (the stock's antiquity at month ends) and COG 08-28 (téléservices), by hand."""

from __future__ import annotations

import random
from datetime import date, timedelta

from engine_tiny import BRESSUIRE, NIORT, UNKNOWN, connect, dec, fractions, run, values

from cpog.warehouse.definitions import Grain


def _pieces() -> list[dict[str, object]]:
    return [
        # p1: in stock at 31/01 (antiquity 26 days: not old), processed 20/02.
        {"recue_le": "2025-01-05", "traitee_le": "2025-02-20"},
        # p2: never processed: 61 days old at 31/01, 89 at 28/02, 120 at 31/03.
        {"recue_le": "2024-12-01"},
        # p3: received and processed on 31/01: never in stock, even on that day.
        {"recue_le": "2025-01-31", "traitee_le": "2025-01-31"},
        # p4: received 31/01, processed 01/02: in stock at 31/01 with antiquity 0.
        {"recue_le": "2025-01-31", "traitee_le": "2025-02-01"},
        # p5: in stock at 31/01 (11 days) and 28/02 (39 days: not old); processed on 31/03, so
        # not in stock at 31/03.
        {"recue_le": "2025-01-20", "traitee_le": "2025-03-31"},
        # p6: 22/12 → 31/01 is 40 days: not more than 40, not old.
        {"recue_le": "2024-12-22", "traitee_le": "2025-02-10"},
        # p7: 21/12 → 31/01 is 41 days: old.
        {"recue_le": "2024-12-21", "traitee_le": "2025-02-10"},
    ]


def test_08_33_stock_at_month_ends() -> None:
    connection = connect(pieces=_pieces(), demarches=[])
    results = run(connection, "cog-08-33", "2025-01", "2025-03")
    assert fractions(results) == {
        "2025-01": (2, 6),  # stock p1 p2 p4 p5 p6 p7; old p2 p7
        "2025-02": (1, 2),  # stock p2 p5; old p2
        "2025-03": (1, 1),  # stock p2
    }
    assert values(results) == {
        "2025-01": dec("33.333333"),
        "2025-02": dec("50.000000"),
        "2025-03": dec("100.000000"),
    }
    # Before anything was received, the stock is empty: non calculable.
    before = run(connection, "cog-08-33", "2024-10", "2024-11")
    assert values(before) == {"2024-10": None, "2024-11": None}
    # A lower threshold: p6 (40 days) and p1 (26 days) stay young with 30 → p2 p6 p7 old at 31/01
    # (61, 40, 41 > 30); at 28/02 p5 (39 > 30) becomes old too.
    lower = run(connection, "cog-08-33", "2025-01", "2025-02", seuil=30)
    assert fractions(lower) == {"2025-01": (3, 6), "2025-02": (2, 2)}


def test_08_33_open_items_are_not_processed() -> None:
    # The open pièce p2 is in the stock, and never among the processed of 08-32.
    connection = connect(
        pieces=[{"recue_le": "2024-12-01", "famille": "aide_logement"}], demarches=[]
    )
    assert values(run(connection, "cog-08-32", "2025-01", "2025-01")) == {"2025-01": None}
    assert fractions(run(connection, "cog-08-33", "2025-01", "2025-01")) == {"2025-01": (1, 1)}


def test_08_33_in_demarches() -> None:
    connection = connect(
        pieces=_pieces(),
        demarches=[
            {"recue_le": "2025-03-15"},  # open: in stock at 31/03, 16 days old
            {"recue_le": "2025-01-01", "traitee_le": "2025-03-01"},  # 30 and 58 days old
        ],
    )
    results = run(connection, "cog-08-33", "2025-01", "2025-03", unite="demarches")
    assert fractions(results) == {"2025-01": (0, 1), "2025-02": (1, 1), "2025-03": (0, 1)}


def test_08_33_yearly_value() -> None:
    connection = connect(pieces=_pieces(), demarches=[])
    december = run(connection, "cog-08-33", "2025-01", "2025-12", grain=Grain.YEAR)
    # 31/12/2025: only p2 in stock, old.
    assert fractions(december) == {"2025": (1, 1)}
    months = run(
        connection,
        "cog-08-33",
        "2025-01",
        "2025-12",
        grain=Grain.YEAR,
        valeur_annuelle="moyenne_fins_de_mois",
    )
    # The 12 month ends together: January 2 of 6, February 1 of 2, March to December 1 of 1
    # (10 months): (2 + 1 + 10) / (6 + 2 + 10) = 13 / 18.
    assert fractions(months) == {"2025": (13, 18)}
    assert values(months) == {"2025": dec("72.222222")}


def test_08_28_teleservices() -> None:
    connection = connect(
        demarches=[
            {"recue_le": "2025-01-15", "canal": "teleservice"},  # open: still counted
            {"recue_le": "2025-01-31", "canal": "papier", "traitee_le": "2025-02-03"},
            {"recue_le": "2025-02-01", "canal": "portail_partenaire"},
            # no téléservice exists for it: out of both counts.
            {"recue_le": "2025-02-01", "canal": "teleservice", "teleservice_disponible": False},
            # received in December: not in 2025.
            {"recue_le": "2024-12-31", "canal": "teleservice"},
        ]
    )
    excluded = run(connection, "cog-08-28", "2025-01", "2025-02")
    assert fractions(excluded) == {"2025-01": (1, 2), "2025-02": (1, 3)}
    assert values(excluded) == {"2025-01": dec("50.000000"), "2025-02": dec("33.333333")}
    included = run(connection, "cog-08-28", "2025-02", "2025-02", portail_partenaire="inclus")
    assert values(included) == {"2025-02": dec("66.666667")}  # 2 / 3


def test_08_33_agrees_with_the_plain_rule_item_by_item() -> None:
    # 400 pièces drawn with a fixed seed; the plain rule, item by item at each month end d:
    # in stock when received ≤ d < processed (or never processed), old when d − received > 40.
    draw = random.Random(7)
    rows = []
    for _ in range(400):
        received = date(2024, 10, 1) + timedelta(days=draw.randrange(200))
        processed = received + timedelta(days=draw.randrange(-2, 90))
        rows.append(
            {
                "commune": draw.choice([NIORT, BRESSUIRE, UNKNOWN]),
                "recue_le": received,
                "traitee_le": None if draw.random() < 0.1 else processed,
            }
        )
    connection = connect(pieces=rows, demarches=[])
    results = run(connection, "cog-08-33", "2024-11", "2025-05")
    for month_end in (date(2024, 11, 30), date(2025, 2, 28), date(2025, 5, 31)):
        stock = [
            r
            for r in rows
            if r["recue_le"] <= month_end
            and (r["traitee_le"] is None or r["traitee_le"] > month_end)
        ]
        old = [r for r in stock if (month_end - r["recue_le"]).days > 40]
        key = (f"{month_end:%Y-%m}", "79")
        assert (results[key].numerator, results[key].denominator) == (len(old), len(stock))
