"""Signs: pages, the command line and reports write « −5 % », « +15 points » (typographic minus,
no space after the sign), and what they display reads back through the import parser; files for
Excel keep the ASCII « - » French Excel reads as a number."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cpog.assess.wording import number_text, value_text
from cpog.contract.units import change_text, quantity_text, with_number
from cpog.formatting import MINUS, fr_number, fr_percent, fr_signed, spreadsheet_number
from cpog.ingest.numbers import parse_number, parse_number_with_unit

NBSP = "\u00a0"
NNBSP = "\u202f"


def test_examples() -> None:
    assert value_text(-5, "%") == f"−5{NBSP}%"
    assert value_text(-2, "%") == f"−2{NBSP}%"
    assert with_number(fr_signed(15), 15, "points") == f"+15{NBSP}points"
    assert with_number(fr_signed(-5), -5, "%") == f"−5{NBSP}%"
    assert fr_signed(0) == "0" and fr_signed(0.0001) == "0" and fr_signed(0, 2) == "0,00"
    assert fr_number(-1234.5) == f"−1{NNBSP}234,5"
    assert fr_percent(-3.2) == f"−3,2{NBSP}%"
    assert number_text(float("-inf"), 1) == "−infini"
    assert number_text(-2e16, 1) == "−2e+16"
    assert change_text(19.36, 13.5, "jours") == f"19,36 → 13,5{NBSP}jours"
    assert change_text(-1, -3, "%") == f"−1 → −3{NBSP}%"
    assert spreadsheet_number(-1234.5) == "-1234,5"
    assert spreadsheet_number(-0.0001) == "0"


values = st.decimals(
    min_value=Decimal("-1e9"), max_value=Decimal("1e9"), allow_nan=False, places=3
).map(lambda d: d.normalize() + 0)


@given(values)
def test_displayed_numbers_use_the_typographic_minus(value: Decimal) -> None:
    for text in (fr_number(value), fr_signed(value), quantity_text(value, "jours")):
        assert "-" not in text
        assert (MINUS in text) == (value < 0)
        assert f"{MINUS} " not in text and f"{MINUS}{NBSP}" not in text  # no space after it


@given(values)
def test_what_pages_display_reads_back(value: Decimal) -> None:
    assert parse_number(fr_number(value)) == value
    assert parse_number(fr_signed(value)) == value
    assert parse_number_with_unit(quantity_text(value, "%")) == (value, "%")
    assert parse_number_with_unit(quantity_text(value, "€")) == (value, "€")


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_rounded_values_read_back_to_what_they_show(value: float) -> None:
    decimals = 1 if abs(value) >= 10 else 2
    number, unit = parse_number_with_unit(value_text(value, "%"))
    assert unit == "%"
    assert number == Decimal(str(round(value, decimals) + 0.0)).quantize(Decimal(1).scaleb(-3))


@given(values)
def test_spreadsheet_numbers_are_plain_for_excel_and_read_back(value: Decimal) -> None:
    text = spreadsheet_number(value)
    assert MINUS not in text and NNBSP not in text and NBSP not in text and " " not in text
    assert parse_number(text) == value
