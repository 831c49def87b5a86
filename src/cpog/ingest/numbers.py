"""Read and write numbers and dates the way French users type them in Excel or a text file.

Reading rules of :func:`parse_number` (strict, but tolerant of what people really type):

* surrounding whitespace is ignored;
* thousands may be grouped with an ASCII space, a no-break space (U+00A0), a narrow no-break
  space (U+202F, what Babel and recent Excel versions produce) or a thin space (U+2009), or
  with dots when a decimal comma follows (``"1.234,5"``) or when there are several dots
  (``"1.234.567"``); groups must be well formed (1 to 3 digits, then groups of exactly 3) and
  one number uses one kind of separator;
* **a single comma is always the decimal separator**: ``"1,234"`` is 1.234, never 1234;
* a dot is the decimal separator when no comma is present (``"1234.5"``, ``"0.125"``), **except**
  for a single dot followed by exactly three digits after a 1-to-3-digit integer part, such as
  ``"1.234"``, which could mean 1234 or 1.234: it is rejected, the message suggests ``"1 234"``
  or ``"1,234"``;
* a leading ``+``, ``-`` or ``−`` (U+2212) sign;
* a trailing unit ``%`` or ``€``, with or without a space before it. The percent sign is only
  stripped: ``"93,5 %"`` is ``Decimal("93.5")`` (percent units, not 0.935).
  :func:`parse_number_with_unit` reports which unit was written;
* nothing else: no letters, no exponent, no parentheses for negatives, no currency before the
  number, only ASCII digits.

Writing numbers is :mod:`cpog.formatting`'s job (``fr_number``, ``fr_percent``): what it
displays is read back by :func:`parse_number` (tests/ingest/test_numbers.py checks the round
trip), so a figure copied from a page into an import file keeps its value.

Dates (:func:`parse_date`): ``JJ/MM/AAAA`` (day and month may have one digit) or ISO
``AAAA-MM-JJ``. Two-digit years are rejected: ``"27/11/26"`` could be 1926 or 2026.

Errors are :class:`NumberError` / :class:`DateError`, both :class:`ValueError`, with a French
message naming the value, e.g. ``Nombre non reconnu : « 12,3,4 ». Il y a plusieurs virgules.``
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

__all__ = [
    "LOCALE",
    "DateError",
    "NumberError",
    "ParseError",
    "parse_date",
    "parse_number",
    "parse_number_with_unit",
]

LOCALE = "fr_FR"

#: Characters accepted as thousands separators besides the dot.
SPACE_SEPARATORS = " \u00a0\u202f\u2009"
_MINUS_SIGNS = "-\u2212"
_SIGNS = "+" + _MINUS_SIGNS
UNITS = ("%", "€")
_DIGITS = frozenset("0123456789")
_MAX_SHOWN = 60  # longer values are shortened in messages


def _shown(text: str) -> str:
    """The value as quoted in a message: stripped, shortened if very long, on one line."""
    shown = " ".join(text.split()) if ("\n" in text or "\r" in text) else text.strip()
    if len(shown) > _MAX_SHOWN:
        shown = shown[: _MAX_SHOWN - 1] + "…"
    return shown


class ParseError(ValueError):
    """A cell value that could not be read. ``str()`` is a full French sentence.

    ``value`` is the text as given, ``reason`` a short French explanation (lower case, no final
    period), ``cell_message`` the wording used in a cell-level report, e.g.
    ``nombre non reconnu : il y a plusieurs virgules``.
    """

    label = "valeur non reconnue"
    title = "Valeur non reconnue"

    def __init__(self, value: str, reason: str) -> None:
        self.value = value
        self.reason = reason
        shown = _shown(value)
        if shown:
            sentence = reason[:1].upper() + reason[1:]
            super().__init__(f"{self.title} : « {shown} ». {sentence}.")
        else:  # nothing to quote: « Nombre non reconnu : la valeur est vide. »
            super().__init__(f"{self.title} : {reason}.")

    @property
    def cell_message(self) -> str:
        return f"{self.label} : {self.reason}"


class NumberError(ParseError):
    """``Nombre non reconnu : « 12,3,4 ». Il y a plusieurs virgules.``"""

    label = "nombre non reconnu"
    title = "Nombre non reconnu"


class DateError(ParseError):
    """``Date non reconnue : « 31/02/2026 ». Cette date n'existe pas.``"""

    label = "date non reconnue"
    title = "Date non reconnue"


# --- numbers ---------------------------------------------------------------------------------


def _is_digits(text: str) -> bool:
    return bool(text) and all(ch in _DIGITS for ch in text)


def _integer_digits(part: str, text: str) -> str:
    """Digits of an integer part that may use thousands separators."""
    separators = {ch for ch in part if ch not in _DIGITS}
    if not separators:
        return part
    if "." in separators and len(separators) > 1:
        raise NumberError(
            text, "les milliers sont séparés de deux façons différentes (points et espaces)"
        )
    # Different kinds of spaces in one number are accepted: pasted text mixes them.
    groups = re.split(r"[ \u00a0\u202f\u2009.]", part)
    first, rest = groups[0], groups[1:]
    well_formed = (
        _is_digits(first) and len(first) <= 3 and all(_is_digits(g) and len(g) == 3 for g in rest)
    )
    if not well_formed:
        if any(g == "" for g in groups):
            raise NumberError(text, "un espace ou un point est mal placé")
        raise NumberError(
            text,
            "les chiffres sont mal groupés : écrivez les milliers par groupes de trois,"
            " par exemple « 1 234 567 »",
        )
    return "".join(groups)


# The spellings most cells use (« 1234 », « −3,25 », « 1 234,5 »), read without the general
# path's checks: an import reads one per line. tests/ingest/test_numbers.py checks that both
# paths agree on every text this pattern accepts.
_PLAIN = re.compile(r"(-?)([0-9]{1,3}(?:[ \u00a0\u202f\u2009][0-9]{3})+|[0-9]+)(?:,([0-9]+))?")
_GROUPING = str.maketrans("", "", SPACE_SEPARATORS)


def parse_number_with_unit(text: str) -> tuple[Decimal, str | None]:
    """Read a French number and the unit written after it: ``"%"``, ``"€"`` or ``None``.

    ``"93,5 %"`` → ``(Decimal("93.5"), "%")``; ``"1 234 567,89 €"`` →
    ``(Decimal("1234567.89"), "€")``. See the module documentation for the rules.
    Raises :class:`NumberError`.
    """
    if plain := _PLAIN.fullmatch(text.strip()):
        sign, integer, fraction = plain.groups()
        digits = integer.translate(_GROUPING)
        return Decimal(sign + digits + ("." + fraction if fraction else "")), None
    return _parse_general(text)


def _parse_general(text: str) -> tuple[Decimal, str | None]:
    s = text.strip()
    if not s:
        raise NumberError(text, "la valeur est vide")

    unit: str | None = None
    if s[-1] in UNITS:
        unit = s[-1]
        s = s[:-1].rstrip(SPACE_SEPARATORS)
        if s and s[-1] in UNITS:
            raise NumberError(text, "il y a plusieurs unités")

    negative = False
    if s and s[0] in _SIGNS:
        negative = s[0] in _MINUS_SIGNS
        s = s[1:]
        if s and s[0] in _SIGNS:
            raise NumberError(text, "il y a plusieurs signes")
        if s and s[0] in SPACE_SEPARATORS:
            raise NumberError(text, "le signe doit être collé au nombre")
    if not s:
        raise NumberError(text, "il n'y a aucun chiffre")

    for ch in s:
        if ch in _DIGITS or ch in ",." or ch in SPACE_SEPARATORS:
            continue
        if ch in UNITS:
            raise NumberError(text, f"le symbole « {ch} » doit être placé après le nombre")
        if ch in _SIGNS:
            raise NumberError(text, "le signe doit être placé au début du nombre")
        if ch.isspace():
            raise NumberError(text, "le nombre contient un caractère d'espacement inattendu")
        raise NumberError(text, f"le caractère « {ch} » est inattendu dans un nombre")

    fraction: str | None
    if s.count(",") > 1:
        raise NumberError(text, "il y a plusieurs virgules")
    if "," in s:
        integer, fraction = s.split(",")
        if "." in fraction:
            raise NumberError(text, "un point ne peut pas suivre la virgule décimale")
    elif s.count(".") == 1:
        integer, fraction = s.split(".")
        if (
            _is_digits(integer)
            and 1 <= len(integer) <= 3
            and not integer.startswith("0")
            and _is_digits(fraction)
            and len(fraction) == 3
        ):
            written = text.strip()
            raise NumberError(
                text,
                f"le point est ambigu : écrivez « {written.replace('.', ' ')} » s'il sépare"
                f" les milliers, ou « {written.replace('.', ',')} » s'il sépare les décimales",
            )
    else:
        integer, fraction = s, None  # no separator, or several dots grouping thousands

    if fraction is not None:
        if fraction == "":
            raise NumberError(text, "il manque des chiffres après le séparateur décimal")
        if not _is_digits(fraction):
            raise NumberError(text, "la partie décimale ne doit contenir que des chiffres")

    if integer == "":
        if fraction is None:
            raise NumberError(text, "il n'y a aucun chiffre")
        digits = "0"  # ",5" is 0,5, as Excel reads it
    else:
        digits = _integer_digits(integer, text)

    literal = ("-" if negative else "") + digits + ("." + fraction if fraction else "")
    return Decimal(literal), unit


def parse_number(text: str) -> Decimal:
    """Read a French number such as ``"1 234,5"``, ``"93,5 %"`` or ``"−3,2"``.

    The unit (``%`` or ``€``) is dropped; a percentage stays in percent units. Raises
    :class:`NumberError` with a French message.
    """
    return parse_number_with_unit(text)[0]


# --- dates -----------------------------------------------------------------------------------

_FRENCH_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]+)")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_EXPECTED = "écrivez la date sous la forme JJ/MM/AAAA, par exemple 27/11/2026 (ou 2026-11-27)"


def parse_date(text: str) -> date:
    """Read ``"27/11/2026"`` (``"1/2/2026"`` too) or ``"2026-11-27"``.

    Two-digit years and impossible dates (``"31/02/2026"``) are rejected with a
    :class:`DateError` such as ``Date non reconnue : « 31/02/2026 ». Cette date n'existe pas.``
    """
    s = text.strip()
    if not s:
        raise DateError(text, "la valeur est vide")
    if match := _FRENCH_DATE.fullmatch(s):
        day, month, year = match.groups()
        if len(year) == 2:
            raise DateError(
                text,
                "l'année doit être écrite avec quatre chiffres,"
                f" par exemple {int(day):02d}/{int(month):02d}/20{year}",
            )
        if len(year) != 4:
            raise DateError(text, "l'année doit être écrite avec quatre chiffres")
    elif match := _ISO_DATE.fullmatch(s):
        year, month, day = match.groups()
    else:
        raise DateError(text, _EXPECTED)
    if not 1 <= int(month) <= 12:
        raise DateError(text, "le mois doit être compris entre 1 et 12")
    if not 1900 <= int(year) <= 2200:
        raise DateError(text, "l'année doit être comprise entre 1900 et 2200")
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise DateError(text, "cette date n'existe pas") from None
