"""French display formats (93,5 %, 1 234, −5, mars 2025, 27/11/2026), in one place.

Babel writes a narrow no-break space (U+202F) as the thousands separator for fr_FR, which is the
typographic rule and keeps numbers on one line. Negative numbers shown to people take the
typographic minus (U+2212, « −5 »), which the import parser reads back; files meant for Excel
take :func:`spreadsheet_number` instead, whose ASCII « - » French Excel reads as a number.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from babel.dates import format_date

LOCALE = "fr_FR"


NARROW_NBSP = "\u202f"
NBSP = "\u00a0"  # between a number and its unit: « 14,2 jours » stays on one line
MINUS = "\u2212"  # typographic minus: « −5 % », never a hyphen


def fr_number(value: float | Decimal | int, decimals: int | None = None) -> str:
    """'1 234', '93,5', '0,25', '−5'; with ``decimals``, exactly that many digits after the comma.

    Same output as Babel's fr_FR patterns ``#,##0.###`` / ``#,##0.00`` (half-even rounding,
    narrow no-break space between thousands), except that a negative number takes the
    typographic minus and a value rounding to zero never shows as "-0". Written out because
    pages format hundreds of numbers and Babel's general formatter costs ~25 µs a call;
    tests/test_formatting.py checks the two agree.
    """
    return _digits(value, decimals, grouping=True).replace("-", MINUS)


def fr_signed(value: float | Decimal | int, decimals: int | None = None) -> str:
    """A change, always signed: '+15', '−5', '0' (a change of nothing has no sign)."""
    text = fr_number(value, decimals)
    return text if text.startswith(MINUS) or set(text) <= {"0", ","} else f"+{text}"


def spreadsheet_number(value: float | Decimal | int, decimals: int | None = None) -> str:
    """'-1234,5': a number in a CSV cell that French Excel reads as a number.

    Decimal comma like :func:`fr_number`, but an ASCII « - » (Excel takes « − » for text) and no
    thousands separator (whether Excel reads U+202F or U+00A0 as one depends on the Windows
    version); the import parser reads it back.
    """
    return _digits(value, decimals, grouping=False)


def _digits(value: float | Decimal | int, decimals: int | None, *, grouping: bool) -> str:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    places = 3 if decimals is None else decimals
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    if rounded.is_zero():
        rounded = abs(rounded)
    text = f"{rounded:,f}" if grouping else f"{rounded:f}"
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


def capitalised(text: str) -> str:
    """The first letter in upper case, the rest untouched: « hors COG » → « Hors COG »."""
    return text[:1].upper() + text[1:]
