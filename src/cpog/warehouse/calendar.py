"""The calendar tables every definition may read: days with their (working-)day ranks, periods.

Delays are differences of ranks, so that the same SQL runs on every engine without date
arithmetic: a démarche received on day r and processed on day t took ``rang(t) − rang(r)``
calendar days and ``rang_ouvre(t) − rang_ouvre(r)`` working days, i.e. the working days in
(r, t] — the day of receipt does not count, the day of processing does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from cpog.periods import Period, PeriodUnit
from cpog.warehouse.definitions import Grain

__all__ = ["Day", "PeriodRow", "days", "french_holidays", "month_ends", "periods"]


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (Meeus/Jones/Butcher algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def french_holidays(year: int) -> frozenset[date]:
    """The eleven public holidays of metropolitan France (Alsace-Moselle's two extra days are
    not counted: the Deux-Sèvres does not have them)."""
    easter = _easter(year)
    return frozenset(
        {
            date(year, 1, 1),
            easter + timedelta(days=1),  # lundi de Pâques
            date(year, 5, 1),
            date(year, 5, 8),
            easter + timedelta(days=39),  # Ascension
            easter + timedelta(days=50),  # lundi de Pentecôte
            date(year, 7, 14),
            date(year, 8, 15),
            date(year, 11, 1),
            date(year, 11, 11),
            date(year, 12, 25),
        }
    )


@dataclass(frozen=True)
class Day:
    day: date
    rank: int
    working_rank: int
    working: bool
    month_end: date  # the last day of the day's month (``jours.fin_mois``)


def _month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def days(first: date, last: date) -> Iterator[Day]:
    """Every day from ``first`` to ``last`` with its ranks (both start at 0 on ``first``)."""
    holidays: dict[int, frozenset[date]] = {}
    rank = working_rank = 0
    day = first
    while day <= last:
        if day.year not in holidays:
            holidays[day.year] = french_holidays(day.year)
        working = day.weekday() < 5 and day not in holidays[day.year]
        if working and day != first:
            working_rank += 1
        yield Day(day, rank, working_rank, working, _month_end(day))
        rank += 1
        day += timedelta(days=1)


@dataclass(frozen=True)
class PeriodRow:
    key: str  # the store's period key: « 2025-03 », « 2025 »
    start: date
    end: date


def periods(first: Period, last: Period, grain: Grain) -> list[PeriodRow]:
    """The periods from month ``first`` to month ``last`` at ``grain``.

    A year-to-date value is keyed by its month, as the store keeps it (a year-to-date indicator's
    value of « mars 2025 » is its cumulation from 1 January). A year is computed only when
    December is within the range.
    """
    rows: list[PeriodRow] = []
    month = Period(PeriodUnit.MONTH, first.year, first.index)
    while month.end <= last.end:
        if grain is Grain.MONTH:
            rows.append(PeriodRow(month.key, month.start, month.end))
        elif grain is Grain.YEAR_TO_DATE:
            rows.append(PeriodRow(month.key, date(month.year, 1, 1), month.end))
        elif month.index == 12:
            rows.append(PeriodRow(str(month.year), date(month.year, 1, 1), month.end))
        month = (
            Period(PeriodUnit.MONTH, month.year + 1, 1)
            if month.index == 12
            else Period(PeriodUnit.MONTH, month.year, month.index + 1)
        )
    return rows


def month_ends(row: PeriodRow) -> list[date]:
    """The last day of each month within the period (a month's: its own end)."""
    ends = []
    year, month = row.start.year, row.start.month
    while True:
        following = date(year + (month == 12), month % 12 + 1, 1)
        end = following - timedelta(days=1)
        if end > row.end:
            break
        ends.append(end)
        year, month = following.year, following.month
    return ends
