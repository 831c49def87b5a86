"""French display formats: the fast number formatter agrees with Babel's fr_FR patterns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from cpog.formatting import fr_date, fr_month, fr_number, fr_percent


def babel(value: float | Decimal, decimals: int | None) -> str:
    pattern = (
        "#,##0.###" if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    )
    return format_decimal(value, format=pattern, locale="fr_FR")


@given(
    st.one_of(
        st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
        st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=5),
        st.integers(min_value=-(10**12), max_value=10**12),
    ),
    st.sampled_from([None, 0, 1, 2]),
)
def test_agrees_with_babel(value: float | Decimal | int, decimals: int | None) -> None:
    expected = babel(value, decimals)
    if expected.startswith("-") and set(expected[1:]) <= {"0", ","}:
        expected = expected[1:]  # Babel writes "-0" for a tiny negative; we never do
    # Babel's fr_FR minus is the ASCII hyphen; pages show the typographic minus (U+2212).
    assert fr_number(value, decimals) == expected.replace("-", "\u2212")


def test_examples() -> None:
    assert fr_number(1234) == "1\u202f234"
    assert fr_number(93.5) == "93,5"
    assert fr_number(12, 2) == "12,00"
    assert fr_number(-0.0001) == "0"
    assert fr_number(-1234.5) == "\u22121\u202f234,5"
    assert fr_percent(93.5) == "93,5\u00a0%"
    assert fr_date(date(2026, 11, 27)) == "27/11/2026"
    assert fr_month(date(2025, 3, 1)) == "mars 2025"
