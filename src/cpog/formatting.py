"""French display formats (93,5 %, 1 234, mars 2025, 27/11/2026), in one place.

Babel writes a narrow no-break space (U+202F) as the thousands separator for fr_FR, which is the
typographic rule and keeps numbers on one line.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from babel.dates import format_date

LOCALE = "fr_FR"


NARROW_NBSP = "\u202f"


def fr_number(value: float | Decimal | int, decimals: int | None = None) -> str:
    """'1 234', '93,5', '0,25'; with ``decimals``, exactly that many digits after the comma.

    Same output as Babel's fr_FR patterns ``#,##0.###`` / ``#,##0.00`` (half-even rounding,
    narrow no-break space between thousands), except that a value rounding to zero never shows
    as "-0". Written out because pages format hundreds of numbers and Babel's general
    formatter costs ~25 µs a call; tests/test_formatting.py checks the two agree.
    """
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    places = 3 if decimals is None else decimals
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    if rounded.is_zero():
        rounded = abs(rounded)
    text = f"{rounded:,f}"
    if decimals is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", NARROW_NBSP).replace(".", ",")


def fr_percent(value: float | Decimal | int, decimals: int = 1) -> str:
    """A value already in percent units: 93.5 → '93,5 %'."""
    return f"{fr_number(value, decimals)}\u00a0%"


def fr_date(value: date) -> str:
    """27/11/2026."""
    return value.strftime("%d/%m/%Y")


def fr_month(value: date) -> str:
    """mars 2025."""
    return format_date(value, format="LLLL y", locale=LOCALE)
