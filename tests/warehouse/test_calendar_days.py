"""The calendar: French public holidays, day and working-day ranks, periods and month ends."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from cpog.periods import Period
from cpog.warehouse import calendar
from cpog.warehouse.definitions import Grain
from cpog.warehouse.engine import jours_sql

# The eleven holidays of metropolitan France, by name (Easter Sunday: 31/03/2024, 20/04/2025,
# 05/04/2026, 28/03/2027; Easter Monday = Easter + 1, Ascension = Easter + 39, Whit Monday =
# Easter + 50).
HOLIDAYS = {
    2024: {
        "jour de l'an": date(2024, 1, 1),
        "lundi de Pâques": date(2024, 4, 1),
        "fête du travail": date(2024, 5, 1),
        "victoire 1945": date(2024, 5, 8),
        "Ascension": date(2024, 5, 9),
        "lundi de Pentecôte": date(2024, 5, 20),
        "fête nationale": date(2024, 7, 14),
        "Assomption": date(2024, 8, 15),
        "Toussaint": date(2024, 11, 1),
        "armistice": date(2024, 11, 11),
        "Noël": date(2024, 12, 25),
    },
    2025: {
        "jour de l'an": date(2025, 1, 1),
        "lundi de Pâques": date(2025, 4, 21),
        "fête du travail": date(2025, 5, 1),
        "victoire 1945": date(2025, 5, 8),
        "Ascension": date(2025, 5, 29),
        "lundi de Pentecôte": date(2025, 6, 9),
        "fête nationale": date(2025, 7, 14),
        "Assomption": date(2025, 8, 15),
        "Toussaint": date(2025, 11, 1),
        "armistice": date(2025, 11, 11),
        "Noël": date(2025, 12, 25),
    },
    2026: {
        "jour de l'an": date(2026, 1, 1),
        "lundi de Pâques": date(2026, 4, 6),
        "fête du travail": date(2026, 5, 1),
        "victoire 1945": date(2026, 5, 8),
        "Ascension": date(2026, 5, 14),
        "lundi de Pentecôte": date(2026, 5, 25),
        "fête nationale": date(2026, 7, 14),
        "Assomption": date(2026, 8, 15),
        "Toussaint": date(2026, 11, 1),
        "armistice": date(2026, 11, 11),
        "Noël": date(2026, 12, 25),
    },
    2027: {
        "jour de l'an": date(2027, 1, 1),
        "lundi de Pâques": date(2027, 3, 29),
        "fête du travail": date(2027, 5, 1),
        "victoire 1945": date(2027, 5, 8),
        "Ascension": date(2027, 5, 6),
        "lundi de Pentecôte": date(2027, 5, 17),
        "fête nationale": date(2027, 7, 14),
        "Assomption": date(2027, 8, 15),
        "Toussaint": date(2027, 11, 1),
        "armistice": date(2027, 11, 11),
        "Noël": date(2027, 12, 25),
    },
}


@pytest.mark.parametrize("year", sorted(HOLIDAYS))
def test_french_holidays(year: int) -> None:
    assert calendar.french_holidays(year) == frozenset(HOLIDAYS[year].values())


def test_good_friday_is_a_working_day_in_the_deux_sevres() -> None:
    # Vendredi saint is a holiday in Alsace-Moselle only.
    assert date(2025, 4, 18) not in calendar.french_holidays(2025)


def _ranks(first: date, last: date) -> dict[date, tuple[int, int, bool]]:
    return {d.day: (d.rank, d.working_rank, d.working) for d in calendar.days(first, last)}


def test_ranks_over_a_weekend_easter_monday_and_14_july() -> None:
    ranks = _ranks(date(2025, 1, 1), date(2025, 12, 31))

    def delays(start: str, end: str) -> tuple[int, int]:
        a, b = ranks[date.fromisoformat(start)], ranks[date.fromisoformat(end)]
        return b[0] - a[0], b[1] - a[1]

    # Friday 07/03 → Monday 10/03: 3 calendar days; working days in (Fri, Mon]: Monday = 1.
    assert delays("2025-03-07", "2025-03-10") == (3, 1)
    # Thursday 17/04 → Tuesday 22/04: 5 days; Fri 18 and Tue 22 (Mon 21 is Easter Monday) = 2.
    assert delays("2025-04-17", "2025-04-22") == (5, 2)
    # Friday 11/07 → Tuesday 15/07: 4 days; Mon 14 is the fête nationale, Tue 15 = 1.
    assert delays("2025-07-11", "2025-07-15") == (4, 1)
    # A Saturday to the Sunday after: 1 day, no working day.
    assert delays("2025-03-08", "2025-03-09") == (1, 0)
    assert ranks[date(2025, 7, 14)][2] is False
    assert ranks[date(2025, 7, 15)][2] is True


def test_leap_year_delay() -> None:
    ranks = _ranks(date(2023, 1, 1), date(2024, 12, 31))
    # 28/02/2024 → 01/03/2024 crosses 29/02: 2 days; in 2023: 1 day.
    assert ranks[date(2024, 3, 1)][0] - ranks[date(2024, 2, 28)][0] == 2
    assert ranks[date(2023, 3, 1)][0] - ranks[date(2023, 2, 28)][0] == 1
    # Working days (Wed 28/02/2024, Fri 01/03]: Thu 29, Fri 1 = 2.
    assert ranks[date(2024, 3, 1)][1] - ranks[date(2024, 2, 28)][1] == 2
    # 2024 has 366 days: 01/01/2024 → 01/01/2025 is 366 with a longer range.
    longer = _ranks(date(2024, 1, 1), date(2025, 1, 1))
    assert longer[date(2025, 1, 1)][0] == 366


def test_working_days_of_a_year() -> None:
    ranks = _ranks(date(2024, 12, 31), date(2025, 12, 31))
    # 2025: 365 days, 104 weekend days (52 weeks + Wed 01/01: 261 weekdays); holidays falling on
    # a weekday: 01/01 Wed, 21/04 Mon, 01/05 Thu, 08/05 Thu, 29/05 Thu, 09/06 Mon, 14/07 Mon,
    # 15/08 Fri, 11/11 Tue, 25/12 Thu = 10 (01/11 is a Saturday) → 261 − 10 = 251.
    assert ranks[date(2025, 12, 31)][1] - ranks[date(2024, 12, 31)][1] == 251


def test_the_sql_calendar_is_the_python_one() -> None:
    first, last = date(2000, 1, 1), date(2029, 12, 31)
    rows = duckdb.connect().execute(jours_sql(first, last) + " ORDER BY jour").fetchall()
    expected = [
        (d.day, d.rank, d.working_rank, d.working, d.month_end) for d in calendar.days(first, last)
    ]
    assert rows == expected


def test_periods_at_each_grain() -> None:
    first, last = Period.parse("2024-11"), Period.parse("2025-02")
    months = calendar.periods(first, last, Grain.MONTH)
    assert [(p.key, p.start, p.end) for p in months] == [
        ("2024-11", date(2024, 11, 1), date(2024, 11, 30)),
        ("2024-12", date(2024, 12, 1), date(2024, 12, 31)),
        ("2025-01", date(2025, 1, 1), date(2025, 1, 31)),
        ("2025-02", date(2025, 2, 1), date(2025, 2, 28)),
    ]
    to_date = calendar.periods(first, last, Grain.YEAR_TO_DATE)
    # Year to date restarts in January.
    assert [(p.key, p.start, p.end) for p in to_date] == [
        ("2024-11", date(2024, 1, 1), date(2024, 11, 30)),
        ("2024-12", date(2024, 1, 1), date(2024, 12, 31)),
        ("2025-01", date(2025, 1, 1), date(2025, 1, 31)),
        ("2025-02", date(2025, 1, 1), date(2025, 2, 28)),
    ]
    # A year is computed only when its December is in the range.
    years = calendar.periods(first, last, Grain.YEAR)
    assert [(p.key, p.start, p.end) for p in years] == [
        ("2024", date(2024, 1, 1), date(2024, 12, 31))
    ]
    assert calendar.periods(Period.parse("2025-01"), Period.parse("2025-11"), Grain.YEAR) == []


def test_month_ends() -> None:
    (year,) = calendar.periods(Period.parse("2024-01"), Period.parse("2024-12"), Grain.YEAR)
    ends = calendar.month_ends(year)
    assert len(ends) == 12
    assert ends[1] == date(2024, 2, 29)  # leap year
    assert ends[-1] == date(2024, 12, 31)
