"""French display formats (93,5 %, 1 234, mars 2025, 27/11/2026), in one place.

Babel writes a narrow no-break space (U+202F) as the thousands separator for fr_FR, which is the
typographic rule and keeps numbers on one line.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "fr_FR"


def fr_number(value: float | Decimal | int, decimals: int | None = None) -> str:
    """'1 234', '93,5', '0,25'; with ``decimals``, exactly that many digits after the comma."""
    if decimals is None:
        return format_decimal(value, format="#,##0.###", locale=LOCALE)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def fr_percent(value: float | Decimal | int, decimals: int = 1) -> str:
    """A value already in percent units: 93.5 → '93,5 %'."""
    return f"{fr_number(value, decimals)}\u00a0%"


def fr_date(value: date) -> str:
    """27/11/2026."""
    return value.strftime("%d/%m/%Y")


def fr_month(value: date) -> str:
    """mars 2025."""
    return format_date(value, format="LLLL y", locale=LOCALE)
