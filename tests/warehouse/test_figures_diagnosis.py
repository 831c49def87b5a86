"""Diagnosis key figures from the allocataires extract: December snapshot or mean of the month
ends, births over the year, territories adding up to the caisse — on a tiny extract written by
hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from recovery_figures_kit import CAISSE, EPCI_A, EPCI_B, d, extracts, run, value

from cpog.warehouse.engine import Dimension

MEAN = {"valeur_annuelle": "moyenne_fins_de_mois"}


def _state(
    mois: str,
    dossier: str,
    commune: str,
    situation: str,
    *,
    bas_revenus: bool = False,
    aah: bool = False,
    naissance: bool = False,
) -> tuple[object, ...]:
    # allocataires: mois, dossier, commune, situation_familiale, enfants, bas_revenus, rsa, aah,
    #               aide_logement, naissance
    enfants = 0 if situation == "isole" else 1
    return (mois, dossier, commune, situation, enfants, bas_revenus, False, aah, False, naissance)


def _allocataires() -> list[tuple[object, ...]]:
    rows = [_state("2023-12", "A1", "79001", "couple", naissance=True)]  # a 2023 birth
    for m in range(1, 13):
        mois = f"2024-{m:02d}"
        # A1: all year, a birth in March
        rows.append(_state(mois, "A1", "79001", "couple", naissance=m == 3))
        if m <= 6:  # A2: January to June
            rows.append(_state(mois, "A2", "79002", "monoparent", bas_revenus=True, aah=True))
        else:  # B1: July to December, a birth in September
            rows.append(
                _state(mois, "B1", "79003", "monoparent", bas_revenus=True, naissance=m == 9)
            )
    rows.append(_state("2024-12", "B2", "79003", "isole", aah=True))  # December only
    rows.append(_state("2025-01", "A1", "79001", "couple", naissance=True))  # a 2025 birth
    return rows


# December 2024: A1, B1, B2 — 3 allocataires, 1 monoparent (B1), 1 à bas revenus (B1), 1 AAH (B2).
# The twelve month ends of 2024: A1 12 + A2 6 + B1 6 + B2 1 = 25 allocataire-months, of which
# monoparents A2 6 + B1 6 = 12, bas revenus A2 6 + B1 6 = 12, AAH A2 6 + B2 1 = 7.
@pytest.mark.parametrize(
    ("code", "december", "mean"),
    [
        ("kf-allocataires", Decimal("3"), Decimal("2.083333")),  # 25 / 12 = 2,083 333…
        ("kf-part-monoparents", Decimal("33.333333"), Decimal("48")),  # 1 / 3; 12 / 25 × 100
        ("kf-allocataires-bas-revenus", Decimal("1"), Decimal("1")),  # 1; 12 / 12
        ("kf-beneficiaires-aah", Decimal("1"), Decimal("0.583333")),  # 1; 7 / 12 = 0,583 333…
    ],
)
def test_december_snapshot_or_mean_of_month_ends(
    code: str, december: Decimal, mean: Decimal
) -> None:
    connection = extracts(allocataires=_allocataires())
    results = run(connection, code, "2024-01", "2024-12", data_end=d("31/12/2024"))
    assert value(results, "2024") == december
    results = run(connection, code, "2024-01", "2024-12", data_end=d("31/12/2024"), parameters=MEAN)
    assert value(results, "2024") == mean


def test_counts_keep_their_numerator_and_the_number_of_month_ends() -> None:
    connection = extracts(allocataires=_allocataires())
    december = run(connection, "kf-allocataires", "2024-12", "2024-12", data_end=d("31/12/2024"))
    assert (december[("2024", CAISSE)].numerator, december[("2024", CAISSE)].denominator) == (3, 1)
    mean = run(
        connection,
        "kf-allocataires",
        "2024-12",
        "2024-12",
        data_end=d("31/12/2024"),
        parameters=MEAN,
    )
    assert (mean[("2024", CAISSE)].numerator, mean[("2024", CAISSE)].denominator) == (25, 12)


def test_a_year_not_over_in_the_data_is_not_computable() -> None:
    connection = extracts(allocataires=_allocataires())
    for code in ("kf-allocataires", "kf-part-monoparents"):
        results = run(connection, code, "2024-01", "2025-12", data_end=d("31/01/2025"))
        assert value(results, "2024") is not None
        assert value(results, "2025") is None  # December 2025 is not in the data yet
        results = run(connection, code, "2024-01", "2024-12", data_end=d("30/12/2024"))
        assert value(results, "2024") is None


def test_births_are_summed_over_the_twelve_months() -> None:
    connection = extracts(allocataires=_allocataires())
    results = run(connection, "kf-naissances", "2023-01", "2025-12", data_end=d("31/01/2025"))
    assert value(results, "2023") == 1  # A1 in December 2023
    assert value(results, "2024") == 2  # A1 in March, B1 in September
    assert value(results, "2025") == 1  # A1 in January 2025 (a count has no « non calculable »)
    by_epci = run(
        connection,
        "kf-naissances",
        "2024-01",
        "2024-12",
        data_end=d("31/12/2024"),
        dimension=Dimension.EPCI,
    )
    assert value(by_epci, "2024", EPCI_A) == 1  # A1 (79001)
    assert value(by_epci, "2024", EPCI_B) == 1  # B1 (79003)


@pytest.mark.parametrize("parameters", [{}, MEAN])
@pytest.mark.parametrize(
    "code", ["kf-allocataires", "kf-allocataires-bas-revenus", "kf-beneficiaires-aah"]
)
def test_territories_add_up_to_the_caisse(code: str, parameters: dict[str, str]) -> None:
    connection = extracts(allocataires=_allocataires())
    caisse = run(
        connection, code, "2024-12", "2024-12", data_end=d("31/12/2024"), parameters=parameters
    )
    total = value(caisse, "2024")
    for dimension, scopes in (
        (Dimension.EPCI, (EPCI_A, EPCI_B)),
        (Dimension.COMMUNE, ("79001", "79002", "79003")),
    ):
        parts = run(
            connection,
            code,
            "2024-12",
            "2024-12",
            data_end=d("31/12/2024"),
            dimension=dimension,
            parameters=parameters,
        )
        numerators = [parts[("2024", scope)].numerator for scope in scopes]
        assert sum(numerators) == caisse[("2024", CAISSE)].numerator
        values = [value(parts, "2024", scope) for scope in scopes]
        assert all(v is not None for v in values)  # a commune without any: 0, not None
        assert abs(sum(v for v in values if v is not None) - (total or 0)) <= Decimal("0.000002")


def test_territory_values_by_hand() -> None:
    connection = extracts(allocataires=_allocataires())
    communes = run(
        connection,
        "kf-allocataires",
        "2024-12",
        "2024-12",
        data_end=d("31/12/2024"),
        dimension=Dimension.COMMUNE,
    )
    # December: A1 in 79001, nobody in 79002 (A2 left in June), B1 and B2 in 79003
    assert [value(communes, "2024", c) for c in ("79001", "79002", "79003")] == [1, 0, 2]
    shares = run(
        connection,
        "kf-part-monoparents",
        "2024-12",
        "2024-12",
        data_end=d("31/12/2024"),
        dimension=Dimension.COMMUNE,
    )
    assert value(shares, "2024", "79001") == 0  # 0 / 1 (A1 is a couple)
    assert value(shares, "2024", "79002") is None  # 0 / 0: nobody to share among
    assert value(shares, "2024", "79003") == 50  # B1 of B1, B2: 1 / 2 × 100
