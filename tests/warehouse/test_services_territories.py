"""Breakdowns by EPCI and commune add up to the caisse; an unknown commune counts only there."""

from __future__ import annotations

from engine_tiny import BOCAGE, BRESSUIRE, CHAURAY, NIORT, NIORTAIS, UNKNOWN, connect, dec, run

# Complaints closed in March 2025 (delay in days; ≤ 10 is within the delay):
# Niort 5 and 12, Chauray 3, Bressuire 20, the unknown commune 7.
_ROWS = [
    {"commune": NIORT, "recue_le": "2025-03-01", "close_le": "2025-03-06"},
    {"commune": NIORT, "recue_le": "2025-03-01", "close_le": "2025-03-13"},
    {"commune": CHAURAY, "recue_le": "2025-03-10", "close_le": "2025-03-13"},
    {"commune": BRESSUIRE, "recue_le": "2025-03-01", "close_le": "2025-03-21"},
    {"commune": UNKNOWN, "recue_le": "2025-03-01", "close_le": "2025-03-08"},
]


def _pairs(results: dict[tuple[str, str], object]) -> dict[str, tuple[int, int]]:
    return {
        code: (int(r.numerator), int(r.denominator))  # type: ignore[attr-defined]
        for (_, code), r in results.items()
        if r.denominator  # type: ignore[attr-defined]
    }


def test_caisse_epci_and_commune() -> None:
    connection = connect(reclamations=_ROWS)
    caisse = run(connection, "cog-08-25", "2025-03", "2025-03")
    epci = run(connection, "cog-08-25", "2025-03", "2025-03", "epci")
    communes = run(connection, "cog-08-25", "2025-03", "2025-03", "commune")
    # Caisse: 5 closed, in time: Niort 5, Chauray 3, unknown 7 = 3 → 60 %.
    assert _pairs(caisse) == {"79": (3, 5)}
    assert caisse[("2025-03", "79")].value == dec("60.000000")
    assert caisse[("2025-03", "79")].scope_type == "caisse"
    # EPCI: Niortais (Niort, Chauray) 2 of 3; Bocage bressuirais 0 of 1; the unknown commune
    # belongs to no EPCI.
    assert _pairs(epci) == {NIORTAIS: (2, 3), BOCAGE: (0, 1)}
    assert epci[("2025-03", NIORTAIS)].value == dec("66.666667")
    assert epci[("2025-03", NIORTAIS)].scope_type == "territory"
    assert _pairs(communes) == {NIORT: (1, 2), CHAURAY: (1, 1), BRESSUIRE: (0, 1)}
    # Every EPCI (8) and commune (252) gets a result: without complaints, non calculable.
    assert len(epci) == 8 and len(communes) == 252
    assert epci[("2025-03", "247900798")].value is None  # CC du Thouarsais
    # The territories add up to the caisse, but for the unknown commune (1 of 1).
    for breakdown in (_pairs(epci), _pairs(communes)):
        numerator = sum(n for n, _ in breakdown.values())
        denominator = sum(d for _, d in breakdown.values())
        assert (numerator + 1, denominator + 1) == _pairs(caisse)["79"]


def test_stock_and_means_add_up() -> None:
    connection = connect(
        pieces=[
            {"commune": NIORT, "recue_le": "2025-01-02"},  # 29 days at 31/01
            {"commune": BRESSUIRE, "recue_le": "2024-11-30"},  # 62 days: old
            {"commune": CHAURAY, "recue_le": "2024-12-01", "traitee_le": "2025-01-20"},
        ],
        demarches=[
            {"commune": NIORT, "recue_le": "2025-01-02", "traitee_le": "2025-01-12"},  # 10
            {"commune": BRESSUIRE, "recue_le": "2025-01-02", "traitee_le": "2025-01-22"},  # 20
        ],
    )
    stock_caisse = run(connection, "cog-08-33", "2025-01", "2025-01")
    stock_epci = run(connection, "cog-08-33", "2025-01", "2025-01", "epci")
    assert _pairs(stock_caisse) == {"79": (1, 2)}
    assert _pairs(stock_epci) == {NIORTAIS: (0, 1), BOCAGE: (1, 1)}
    mean_caisse = run(connection, "cog-08-29", "2025-01", "2025-01")
    mean_communes = run(connection, "cog-08-29", "2025-01", "2025-01", "commune")
    assert _pairs(mean_caisse) == {"79": (30, 2)}
    assert mean_caisse[("2025-01", "79")].value == dec("15.000000")
    assert _pairs(mean_communes) == {NIORT: (10, 1), BRESSUIRE: (20, 1)}
