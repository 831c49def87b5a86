"""Units after a number: singular below 2 (« 0 place », « 1 crèche », « 1,5 jour »), plural from 2
on (« 5 crèches »), « indice 98,3 »; the contract's singular, the built-in one, or the rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpog.assess.wording import value_text
from cpog.contract import default_contract_path
from cpog.contract.loader import load_contract
from cpog.contract.model import Contract, UnitDefinition
from cpog.contract.units import (
    BUILTIN_UNITS,
    INVARIABLE_WORDS,
    quantity_text,
    singular,
    singular_by_rule,
    with_number,
)

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def contract() -> Contract:
    """The shipped contract, read once: reading it declares its units' singulars."""
    return load_contract(default_contract_path())


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (0, "places", "0 place"),
        (1, "crèches", "1 crèche"),
        (1.5, "jours", "1,5 jour"),
        (5, "crèches", "5 crèches"),
        (2, "jours", "2 jours"),
        (-1, "jours", "−1 jour"),
        (-2, "jours", "−2 jours"),
        (1.999, "jours", "2 jours"),  # shown rounded: the unit agrees with what is read
        (1, "allocataires par an", "1 allocataire par an"),
        (1, "assistants maternels par ETP", "1 assistant maternel par ETP"),
        (1, "lieux", "1 lieu"),
        (1, "points", "1 point"),
        (15, "points", "15 points"),
        (1, "MAM", "1 MAM"),
        (1, "%", "1 %"),
        (1, "€", "1 €"),
        (93.5, "%", "93,5 %"),
        (98.3, "indice", "indice 98,3"),
        (1, "indice", "indice 1"),
        (42, None, "42"),
    ],
)
def test_value_text_agrees_with_its_number(
    contract: Contract, value: float, unit: str | None, shown: str
) -> None:
    assert value_text(value, unit) == shown.replace(" ", NBSP, 1)


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("crèches", "crèche"),
        ("assistants maternels par ETP", "assistant maternel par ETP"),
        ("unités d'œuvre par ETP", "unité d'œuvre par ETP"),
        ("€ par unité d'œuvre", "€ par unité d'œuvre"),
        ("m² SUB par résident", "m² SUB par résident"),
        ("allocataires par an", "allocataire par an"),
        ("points de pourcentage", "point de pourcentage"),
        ("lieux", "lieu"),
        ("indus", "indu"),
        ("MAM", "MAM"),
        ("ETP", "ETP"),
        ("indice", "indice"),
        ("taux", "taux"),
        ("%", "%"),
        ("t CO2e", "t CO2e"),
        ("demi-journées", "demi-journée"),
    ],
)
def test_the_french_rule(unit: str, expected: str) -> None:
    assert singular_by_rule(unit) == expected


def test_the_rule_agrees_with_every_shipped_singular(contract: Contract) -> None:
    """The rule is right for every unit cpog ships: a declared singular is for exceptions."""
    for unit in contract.units:
        assert unit.singular is not None, unit.id
        assert singular_by_rule(unit.id) == unit.singular, unit.id
    for unit_id, words in BUILTIN_UNITS.items():
        assert singular_by_rule(unit_id) == words.singular, unit_id


def test_a_declared_singular_wins_over_the_rule() -> None:
    assert singular_by_rule("travaux") == "travau"  # the rule cannot know
    UnitDefinition(id="travaux", label="travaux d'aménagement", singular="travail")
    assert singular("travaux") == "travail"
    assert value_text(1, "travaux") == f"1{NBSP}travail"
    assert value_text(3, "travaux") == f"3{NBSP}travaux"


def test_every_unit_of_the_shipped_contract_has_a_singular_and_a_plural(
    contract: Contract,
) -> None:
    units = {i.unit for i in contract.indicators}
    units |= {m.unit for _, _, m in contract.measures() if m.unit}
    units |= {f.unit for f in contract.diagnosis.key_figures}
    for unit in units:
        one, many = value_text(1, unit), value_text(5, unit)
        assert one and many
        if unit == "indice":
            assert one == f"indice{NBSP}1"
        elif singular(unit) != unit:
            assert one != many.replace("5", "1", 1), unit


def test_quantity_text_keeps_the_stored_decimals() -> None:
    assert quantity_text(19.36, "jours") == f"19,36{NBSP}jours"
    assert quantity_text(1, "jours") == f"1{NBSP}jour"
    assert quantity_text(-2.5, "%") == f"−2,5{NBSP}%"


# --- properties -----------------------------------------------------------------------------

LOWER = "abcdefghijklmnopqrstuvwyzéèàç"  # no s, no x at the end of a generated stem
stems = st.text(alphabet=LOWER, min_size=2, max_size=12).filter(
    # the stem and the plurals the test makes of it (« moi » + s is « mois », invariable)
    lambda w: not {w, f"{w}s", f"{w}x"} & INVARIABLE_WORDS and w not in {"par", "de", "du", "des"}
)
tails = st.sampled_from(["", " par an", " par ETP", " de pourcentage", " d'œuvre", " des ménages"])


@given(stems, stems, tails)
def test_each_word_before_par_or_de_loses_its_plural_mark(
    first: str, second: str, tail: str
) -> None:
    assert singular_by_rule(f"{first}s{tail}") == f"{first}{tail}"
    assert singular_by_rule(f"{first}s {second}x{tail}") == f"{first} {second}{tail}"


@given(st.sampled_from(["ETP", "MAM", "SUB", "%", "€", "m²", "k€", "CO2e"]), tails)
def test_symbols_and_acronyms_stay(word: str, tail: str) -> None:
    assert singular_by_rule(f"{word}{tail}") == f"{word}{tail}"


@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.sampled_from(["jours", "crèches", "places", "assistants maternels par ETP"]),
)
def test_singular_below_two_plural_from_two(value: float, unit: str) -> None:
    # singulars of these units: built in, or the rule (no contract needed)
    shown = value_text(value, unit)
    number = float(shown.split(NBSP)[0].replace("\u202f", "").replace(",", ".").replace("−", "-"))
    expected = singular(unit) if abs(number) < 2 else unit
    assert shown.endswith(NBSP + expected)


@given(st.text(min_size=1, max_size=8), st.floats(allow_nan=False, allow_infinity=False))
def test_indice_comes_first(number: str, count: float) -> None:
    assert with_number(number, count, "indice") == f"indice{NBSP}{number}"
