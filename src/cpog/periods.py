"""Periods of time a value or a target refers to: a year, a half, a quarter, a month.

A :class:`Period` is an immutable value. It is either a plain period (``mars 2025``, ``T1 2025``)
or, with ``to_date=True``, the year-to-date cumulation from 1 January up to the end of a sub-period
(``cumul à fin mars 2025``). Every period has two spellings that :func:`parse_period` reads back:

* its French label, ``str(p)`` or :func:`format_period`, shown to users;
* its canonical machine key, ``p.key``, used in files and programs.

>>> p = parse_period("cumul à fin mars 2025")
>>> str(p), p.key
('cumul à fin mars 2025', '2025-03-YTD')
>>> p.start, p.end, p.months
(datetime.date(2025, 1, 1), datetime.date(2025, 3, 31), 3)

Accepted spellings (case does not matter, any whitespace works, including the no-break spaces
U+00A0 and U+202F, accents may be left out, ``-``, ``/`` and dashes may be surrounded by spaces):

=================  ==========================================================================
Kind               Examples
=================  ==========================================================================
year               ``2025``, ``année 2025``
month              ``2025-03``, ``03/2025``, ``3/2025``, ``03-2025``, ``mars 2025``,
                   ``Mars 2025``, ``janv. 2025``, ``févr. 2025``, ``fevr 2025``,
                   ``sept. 2025``, ``déc. 2025``, ``aout 2025``
quarter            ``T1 2025``, ``T1-2025``, ``2025-T1``, ``2025 T1``, ``2025-Q1``,
                   ``1er trimestre 2025``, ``2e trimestre 2025``, ``troisième trimestre 2025``
half               ``S2 2024``, ``2024-S2``, ``2024-H2``, ``1er semestre 2024``,
                   ``2nd semestre 2024``, ``2e semestre 2024``, ``second semestre 2024``
year-to-date       ``cumul à fin mars 2025``, ``cumul fin mars 2025``, ``à fin mars 2025``,
                   ``cumul à fin T1 2025``, ``cumul 2025-03``, ``2025-03-YTD``, ``2025-Q1-YTD``
=================  ==========================================================================

>>> [parse_period(s).key for s in ["2025", "03/2025", "févr. 2025", "2025 T1", "2nd semestre 2024"]]
['2025', '2025-03', '2025-02', '2025-Q1', '2024-H2']

Anything else raises :class:`PeriodError` (a :class:`ValueError`) with a French message that
quotes the value:

>>> parse_period("13/2025")
Traceback (most recent call last):
...
cpog.periods.PeriodError: Période non reconnue : « 13/2025 ». Le mois doit être compris entre 1 et 12 (reçu : 13).
"""  # noqa: E501

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property

__all__ = [
    "ACCEPTED_FORMATS",
    "MAX_YEAR",
    "MIN_YEAR",
    "Period",
    "PeriodError",
    "PeriodUnit",
    "format_period",
    "parse_period",
    "periods_between",
]

MIN_YEAR = 1900
MAX_YEAR = 2200

ACCEPTED_FORMATS = "2025, 2025-03, 03/2025, mars 2025, T1 2025, S2 2024, cumul à fin mars 2025"
"""Short list of accepted spellings, quoted in error messages."""


class PeriodError(ValueError):
    """A period that cannot be read or does not exist. The message is in French, for users."""


class PeriodUnit(StrEnum):
    """Granularity of a period."""

    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"


_MONTHS_PER_UNIT: dict[PeriodUnit, int] = {
    PeriodUnit.YEAR: 12,
    PeriodUnit.HALF: 6,
    PeriodUnit.QUARTER: 3,
    PeriodUnit.MONTH: 1,
}
# Tie-breaker when two periods cover exactly the same days: coarser unit first.
_UNIT_RANK: dict[PeriodUnit, int] = {
    PeriodUnit.YEAR: 0,
    PeriodUnit.HALF: 1,
    PeriodUnit.QUARTER: 2,
    PeriodUnit.MONTH: 3,
}

MONTH_NAMES: tuple[str, ...] = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
"""French month names, lower case as French writes them; ``MONTH_NAMES[0]`` is January."""


def _count(unit: PeriodUnit) -> int:
    """Number of periods of ``unit`` in a year."""
    return 12 // _MONTHS_PER_UNIT[unit]


def _invalid_reason(unit: PeriodUnit, year: int, index: int, to_date: bool) -> str | None:
    """Why ``(unit, year, index, to_date)`` is not a period, in French; None when it is one."""
    if unit is PeriodUnit.MONTH and not 1 <= index <= 12:
        return f"Le mois doit être compris entre 1 et 12 (reçu : {index})."
    if unit is PeriodUnit.QUARTER and not 1 <= index <= 4:
        return f"Le trimestre doit être compris entre 1 et 4 (reçu : {index})."
    if unit is PeriodUnit.HALF and not 1 <= index <= 2:
        return f"Le semestre doit être 1 ou 2 (reçu : {index})."
    if unit is PeriodUnit.YEAR and index != 1:
        return f"Une année n'a qu'une période, d'indice 1 (reçu : {index})."
    if not MIN_YEAR <= year <= MAX_YEAR:
        return f"L'année doit être comprise entre {MIN_YEAR} et {MAX_YEAR} (reçu : {year})."
    if to_date and unit is PeriodUnit.YEAR:
        return (
            "Un cumul à fin de période porte sur un mois, un trimestre ou un semestre,"
            " pas sur une année entière."
        )
    return None


@dataclass(frozen=True, repr=False)
class Period:
    """A year, half, quarter or month; with ``to_date=True``, the cumulation since 1 January.

    ``index`` is 1 for a year, 1-2 for a half, 1-4 for a quarter, 1-12 for a month. Periods are
    ordered chronologically by ``(end, start)``; periods covering the same days (``T1 2025`` and
    ``cumul à fin mars 2025``) are then ordered plain before cumulated, coarser unit first. Two
    periods are equal only when all four fields are: ``cumul à fin T1 2025`` covers the same days
    as ``cumul à fin mars 2025`` but is not equal to it.

    >>> Period(PeriodUnit.QUARTER, 2025, 1)
    Period(PeriodUnit.QUARTER, 2025, 1)
    >>> Period("month", 2025, 13)
    Traceback (most recent call last):
    ...
    cpog.periods.PeriodError: Période invalide. Le mois doit être compris entre 1 et 12 (reçu : 13).
    """

    unit: PeriodUnit
    year: int
    index: int
    to_date: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.unit, PeriodUnit):
            try:
                object.__setattr__(self, "unit", PeriodUnit(self.unit))
            except ValueError:
                raise PeriodError(
                    f"Période invalide. Unité inconnue : « {self.unit} »"
                    " (attendu : year, half, quarter ou month)."
                ) from None
        for name in ("year", "index"):
            if type(getattr(self, name)) is not int:
                raise TypeError(f"Period.{name} must be an int, got {getattr(self, name)!r}")
        if type(self.to_date) is not bool:
            raise TypeError(f"Period.to_date must be a bool, got {self.to_date!r}")
        reason = _invalid_reason(self.unit, self.year, self.index, self.to_date)
        if reason is not None:
            raise PeriodError(f"Période invalide. {reason}")

    # --- constructors -------------------------------------------------------------------

    @classmethod
    def year_of(cls, year: int) -> Period:
        """The calendar year ``year``.

        >>> str(Period.year_of(2025))
        '2025'
        """
        return cls(PeriodUnit.YEAR, year, 1)

    @classmethod
    def half_of(cls, year: int, half: int, *, to_date: bool = False) -> Period:
        """Half ``half`` (1 or 2) of ``year``.

        >>> str(Period.half_of(2024, 2))
        'S2 2024'
        """
        return cls(PeriodUnit.HALF, year, half, to_date)

    @classmethod
    def quarter_of(cls, year: int, quarter: int, *, to_date: bool = False) -> Period:
        """Quarter ``quarter`` (1-4) of ``year``.

        >>> str(Period.quarter_of(2025, 1, to_date=True))
        'cumul à fin T1 2025'
        """
        return cls(PeriodUnit.QUARTER, year, quarter, to_date)

    @classmethod
    def month_of(cls, year: int, month: int, *, to_date: bool = False) -> Period:
        """Month ``month`` (1-12) of ``year``.

        >>> str(Period.month_of(2025, 3))
        'mars 2025'
        """
        return cls(PeriodUnit.MONTH, year, month, to_date)

    @classmethod
    def containing(cls, day: date, unit: PeriodUnit | str, *, to_date: bool = False) -> Period:
        """The period of ``unit`` that contains ``day`` (a datetime counts as its date).

        >>> str(Period.containing(date(2024, 8, 15), "quarter"))
        'T3 2024'
        """
        unit = PeriodUnit(unit)
        index = (day.month - 1) // _MONTHS_PER_UNIT[unit] + 1
        return cls(unit, day.year, index, to_date)

    @classmethod
    def parse(cls, text: str) -> Period:
        """Same as :func:`parse_period`."""
        return parse_period(text)

    # --- calendar -----------------------------------------------------------------------

    @property
    def first_month(self) -> int:
        """Number (1-12) of the first month covered; 1 for a year-to-date period."""
        if self.to_date:
            return 1
        return (self.index - 1) * _MONTHS_PER_UNIT[self.unit] + 1

    @property
    def last_month(self) -> int:
        """Number (1-12) of the last month covered."""
        return self.index * _MONTHS_PER_UNIT[self.unit]

    # Periods are compared and sorted constantly (series, trajectories): the dates are computed
    # once per instance. cached_property writes to the instance __dict__, which a frozen
    # dataclass allows, and leaves equality and hashing to the four fields.
    @cached_property
    def start(self) -> date:
        """First day covered.

        >>> Period.quarter_of(2025, 2).start
        datetime.date(2025, 4, 1)
        """
        return date(self.year, self.first_month, 1)

    @cached_property
    def end(self) -> date:
        """Last day covered (inclusive).

        >>> Period.month_of(2024, 2).end
        datetime.date(2024, 2, 29)
        """
        last = self.last_month
        return date(self.year, last, calendar.monthrange(self.year, last)[1])

    @property
    def months(self) -> int:
        """Number of months covered.

        >>> Period.month_of(2025, 3, to_date=True).months
        3
        """
        return self.last_month - self.first_month + 1

    def contains(self, day: date) -> bool:
        """Whether ``day`` (a datetime counts as its date) falls within the period.

        >>> Period.half_of(2024, 1).contains(date(2024, 6, 30))
        True
        """
        if isinstance(day, datetime):
            day = day.date()
        return self.start <= day <= self.end

    def next(self) -> Period:
        """The following period of the same unit (and the same ``to_date``).

        >>> str(Period.quarter_of(2025, 4).next())
        'T1 2026'
        """
        if self.index < _count(self.unit):
            return Period(self.unit, self.year, self.index + 1, self.to_date)
        return Period(self.unit, self.year + 1, 1, self.to_date)

    def previous(self) -> Period:
        """The preceding period of the same unit (and the same ``to_date``).

        >>> str(Period.month_of(2025, 1).previous())
        'décembre 2024'
        """
        if self.index > 1:
            return Period(self.unit, self.year, self.index - 1, self.to_date)
        return Period(self.unit, self.year - 1, _count(self.unit), self.to_date)

    # --- spellings ----------------------------------------------------------------------

    @cached_property
    def key(self) -> str:
        """Canonical machine key: ``2025``, ``2025-03``, ``2025-Q1``, ``2025-H2``, ``2025-03-YTD``.

        >>> Period.half_of(2025, 1, to_date=True).key
        '2025-H1-YTD'
        """
        if self.unit is PeriodUnit.YEAR:
            return f"{self.year:04d}"
        if self.unit is PeriodUnit.MONTH:
            base = f"{self.year:04d}-{self.index:02d}"
        elif self.unit is PeriodUnit.QUARTER:
            base = f"{self.year:04d}-Q{self.index}"
        else:
            base = f"{self.year:04d}-H{self.index}"
        return f"{base}-YTD" if self.to_date else base

    def __str__(self) -> str:
        return self._label

    @cached_property
    def _label(self) -> str:
        if self.unit is PeriodUnit.YEAR:
            return f"{self.year}"
        if self.unit is PeriodUnit.MONTH:
            label = f"{MONTH_NAMES[self.index - 1]} {self.year}"
        elif self.unit is PeriodUnit.QUARTER:
            label = f"T{self.index} {self.year}"
        else:
            label = f"S{self.index} {self.year}"
        return f"cumul à fin {label}" if self.to_date else label

    def __repr__(self) -> str:
        args = f"PeriodUnit.{self.unit.name}, {self.year}, {self.index}"
        return f"Period({args}, to_date=True)" if self.to_date else f"Period({args})"

    # --- ordering -----------------------------------------------------------------------

    @cached_property
    def sort_key(self) -> tuple[date, date, bool, int]:
        """The chronological order as a plain tuple: sorting with ``key=...sort_key`` compares
        tuples in C instead of calling ``__lt__`` for each pair."""
        return (self.end, self.start, self.to_date, _UNIT_RANK[self.unit])

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.sort_key < other.sort_key

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.sort_key <= other.sort_key

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.sort_key > other.sort_key

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.sort_key >= other.sort_key


def format_period(period: Period) -> str:
    """French label of ``period``, the same as ``str(period)``.

    >>> [format_period(parse_period(k)) for k in ["2025", "2025-03", "2025-Q1", "2024-H2"]]
    ['2025', 'mars 2025', 'T1 2025', 'S2 2024']
    >>> format_period(parse_period("2025-03-YTD"))
    'cumul à fin mars 2025'
    """
    return str(period)


def periods_between(first: Period, last: Period) -> Iterator[Period]:
    """Periods from ``first`` to ``last``, both included, stepping with :meth:`Period.next`.

    Both must have the same unit and the same ``to_date``. Nothing is yielded when ``last``
    comes before ``first``.

    >>> [str(p) for p in periods_between(Period.quarter_of(2024, 3), Period.quarter_of(2025, 1))]
    ['T3 2024', 'T4 2024', 'T1 2025']
    """
    if first.unit is not last.unit or first.to_date != last.to_date:
        raise PeriodError(
            f"Les bornes « {first} » et « {last} » doivent être des périodes de même nature."
        )
    current = first
    while current <= last:
        yield current
        if current == last:
            return
        current = current.next()


# --- parsing ----------------------------------------------------------------------------

_MONTH_WORDS: dict[str, int] = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "mar": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
_ORDINAL_WORDS: dict[str, int] = {
    "premier": 1,
    "premiere": 1,
    "second": 2,
    "seconde": 2,
    "deuxieme": 2,
    "troisieme": 3,
    "quatrieme": 4,
}
_FIRST_SUFFIXES = frozenset({"er", "ere", "re"})
_SECOND_SUFFIXES = frozenset({"nd", "nde", "d", "de"})
_LETTER_UNITS: dict[str, PeriodUnit] = {
    "t": PeriodUnit.QUARTER,
    "q": PeriodUnit.QUARTER,
    "s": PeriodUnit.HALF,
    "h": PeriodUnit.HALF,
}

_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")
_YTD_PREFIX = re.compile(r"^(?:cumul (?:a )?fin |cumul |a fin )")
_YTD_SUFFIX = re.compile(r"[ -]ytd$")
_YEAR = re.compile(r"^(?:annee )?([0-9]{4})$")
_YEAR_MONTH = re.compile(r"^([0-9]{4})[-/.]([0-9]{1,2})$")
_MONTH_YEAR = re.compile(r"^([0-9]{1,2})[-/.]([0-9]{4})$")
_MONTH_NAME_YEAR = re.compile(r"^([a-z]+)\.?[ -]?([0-9]{4})$")
_LETTER_YEAR = re.compile(r"^([tqsh])([0-9]{1,2})[ /-]?([0-9]{4})$")
_YEAR_LETTER = re.compile(r"^([0-9]{4})[ /-]?([tqsh])([0-9]{1,2})$")
_ORDINAL = re.compile(
    r"^(?:([0-9]{1,2}) ?(er|ere|re|nd|nde|d|de|e|eme|ieme|em)?|([a-z]+))"
    r" (trimestre|trim\.?|semestre) (?:de )?([0-9]{4})$"
)

_MAX_SHOWN = 60


def _normalise(text: str) -> str:
    """Lower case, no accents, ASCII dashes, single spaces, no spaces around ``-`` and ``/``."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _DASHES.sub("-", text)
    text = " ".join(text.split())
    return re.sub(r" ?([-/]) ?", r"\1", text)


def _shown(text: str) -> str:
    """The value as quoted in an error message."""
    shown = text.strip()
    return shown if len(shown) <= _MAX_SHOWN else shown[: _MAX_SHOWN - 1] + "…"


def _ordinal(digits: str | None, suffix: str | None, word: str | None) -> int | None:
    if digits is None:
        return _ORDINAL_WORDS.get(word or "")
    number = int(digits)
    if suffix in _FIRST_SUFFIXES and number != 1:
        return None
    if suffix in _SECOND_SUFFIXES and number != 2:
        return None
    return number


def _parse_plain(text: str) -> tuple[PeriodUnit, int, int] | None:
    """``(unit, year, index)`` read from a normalised, non-cumulated spelling; None if unknown.

    The numbers are not checked here: ``13/2025`` gives ``(MONTH, 2025, 13)``.
    """
    if m := _YEAR.match(text):
        return PeriodUnit.YEAR, int(m[1]), 1
    if m := _YEAR_MONTH.match(text):
        return PeriodUnit.MONTH, int(m[1]), int(m[2])
    if m := _MONTH_YEAR.match(text):
        return PeriodUnit.MONTH, int(m[2]), int(m[1])
    if m := _LETTER_YEAR.match(text):
        return _LETTER_UNITS[m[1]], int(m[3]), int(m[2])
    if m := _YEAR_LETTER.match(text):
        return _LETTER_UNITS[m[2]], int(m[1]), int(m[3])
    if (m := _MONTH_NAME_YEAR.match(text)) and m[1] in _MONTH_WORDS:
        return PeriodUnit.MONTH, int(m[2]), _MONTH_WORDS[m[1]]
    if m := _ORDINAL.match(text):
        index = _ordinal(m[1], m[2], m[3])
        if index is None:
            return None
        unit = PeriodUnit.HALF if m[4] == "semestre" else PeriodUnit.QUARTER
        return unit, int(m[5]), index
    return None


@functools.lru_cache(maxsize=4096)  # a file names the same few periods on thousands of lines
def parse_period(text: str) -> Period:
    """Read a period written by a person or a program.

    Case, accents and the kind of whitespace do not matter (see the module documentation for
    the full list of spellings):

    >>> parse_period("2025")
    Period(PeriodUnit.YEAR, 2025, 1)
    >>> parse_period("2025-03") == parse_period("03/2025") == parse_period("3/2025")
    True
    >>> parse_period("mars 2025") == parse_period("MARS\\u00a02025") == Period.month_of(2025, 3)
    True
    >>> [parse_period(s).index for s in ["janv. 2025", "févr. 2025", "fevr 2025", "sept. 2025"]]
    [1, 2, 2, 9]
    >>> parse_period("déc.\\u202f2025")
    Period(PeriodUnit.MONTH, 2025, 12)
    >>> {parse_period(s) for s in ["T1 2025", "T1-2025", "2025-T1", "2025 T1", "2025-Q1",
    ...                            "1er trimestre 2025"]}
    {Period(PeriodUnit.QUARTER, 2025, 1)}
    >>> {parse_period(s) for s in ["S2 2024", "2024-S2", "2024-H2", "2nd semestre 2024",
    ...                            "2e semestre 2024"]}
    {Period(PeriodUnit.HALF, 2024, 2)}
    >>> {parse_period(s) for s in ["cumul à fin mars 2025", "cumul fin mars 2025",
    ...                            "cumul 2025-03", "à fin mars 2025", "2025-03-YTD"]}
    {Period(PeriodUnit.MONTH, 2025, 3, to_date=True)}
    >>> parse_period("cumul à fin T1 2025")
    Period(PeriodUnit.QUARTER, 2025, 1, to_date=True)

    Anything else raises :class:`PeriodError`, whose French message quotes the value:

    >>> parse_period("T5 2025")
    Traceback (most recent call last):
    ...
    cpog.periods.PeriodError: Période non reconnue : « T5 2025 ». Le trimestre doit être compris entre 1 et 4 (reçu : 5).
    >>> parse_period("1850")
    Traceback (most recent call last):
    ...
    cpog.periods.PeriodError: Période non reconnue : « 1850 ». L'année doit être comprise entre 1900 et 2200 (reçu : 1850).
    >>> parse_period("bientôt")
    Traceback (most recent call last):
    ...
    cpog.periods.PeriodError: Période non reconnue : « bientôt ». Formats acceptés : 2025, 2025-03, 03/2025, mars 2025, T1 2025, S2 2024, cumul à fin mars 2025.
    """  # noqa: E501
    if not isinstance(text, str):
        raise TypeError(f"parse_period() expects a str, got {type(text).__name__}")
    head = f"Période non reconnue : « {_shown(text)} »."
    normalised = _normalise(text)
    if not normalised:
        raise PeriodError(
            f"Période non reconnue : valeur vide. Formats acceptés : {ACCEPTED_FORMATS}."
        )
    to_date = False
    if m := _YTD_PREFIX.match(normalised):
        to_date, normalised = True, normalised[m.end() :]
    if m := _YTD_SUFFIX.search(normalised):
        to_date, normalised = True, normalised[: m.start()]
    parsed = _parse_plain(normalised)
    if parsed is None:
        raise PeriodError(f"{head} Formats acceptés : {ACCEPTED_FORMATS}.")
    unit, year, index = parsed
    reason = _invalid_reason(unit, year, index, to_date)
    if reason is not None:
        raise PeriodError(f"{head} {reason}")
    return Period(unit, year, index, to_date)
