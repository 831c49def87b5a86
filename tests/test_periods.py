"""Tests of cpog.periods: parsing, display, calendar arithmetic and ordering of periods."""

from __future__ import annotations

import doctest
import random
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cpog.periods
from cpog.periods import (
    MAX_YEAR,
    MIN_YEAR,
    Period,
    PeriodError,
    PeriodUnit,
    format_period,
    parse_period,
    periods_between,
)

Y = PeriodUnit.YEAR
H = PeriodUnit.HALF
Q = PeriodUnit.QUARTER
M = PeriodUnit.MONTH

NBSP = "\u00a0"
NNBSP = "\u202f"

COUNT = {Y: 1, H: 2, Q: 4, M: 12}


@st.composite
def periods(draw: st.DrawFn, *, years: st.SearchStrategy[int] | None = None) -> Period:
    unit = draw(st.sampled_from(list(PeriodUnit)))
    year = draw(years if years is not None else st.integers(MIN_YEAR, MAX_YEAR))
    index = draw(st.integers(1, COUNT[unit]))
    to_date = unit is not Y and draw(st.booleans())
    return Period(unit, year, index, to_date)


# --- doctests -----------------------------------------------------------------------------


def test_doctests_pass() -> None:
    result = doctest.testmod(cpog.periods)
    assert result.failed == 0
    assert result.attempted > 20


# --- parsing: accepted spellings ------------------------------------------------------------

ACCEPTED: list[tuple[str, Period]] = [
    # years
    ("2025", Period(Y, 2025, 1)),
    (" 2025 ", Period(Y, 2025, 1)),
    ("année 2025", Period(Y, 2025, 1)),
    ("Annee 2025", Period(Y, 2025, 1)),
    ("1900", Period(Y, 1900, 1)),
    ("2200", Period(Y, 2200, 1)),
    # months, numeric
    ("2025-03", Period(M, 2025, 3)),
    ("2025-3", Period(M, 2025, 3)),
    ("2025/03", Period(M, 2025, 3)),
    ("03/2025", Period(M, 2025, 3)),
    ("3/2025", Period(M, 2025, 3)),
    ("03-2025", Period(M, 2025, 3)),
    ("03 / 2025", Period(M, 2025, 3)),
    ("12/2024", Period(M, 2024, 12)),
    ("2025–03", Period(M, 2025, 3)),  # en dash
    # months, by name
    ("mars 2025", Period(M, 2025, 3)),
    ("Mars 2025", Period(M, 2025, 3)),
    ("MARS 2025", Period(M, 2025, 3)),
    (f"mars{NBSP}2025", Period(M, 2025, 3)),
    (f"mars{NNBSP}2025", Period(M, 2025, 3)),
    ("  mars \t 2025\n", Period(M, 2025, 3)),
    ("mars2025", Period(M, 2025, 3)),
    ("janvier 2025", Period(M, 2025, 1)),
    ("janv. 2025", Period(M, 2025, 1)),
    ("janv 2025", Period(M, 2025, 1)),
    ("février 2025", Period(M, 2025, 2)),
    ("fevrier 2025", Period(M, 2025, 2)),
    ("févr. 2025", Period(M, 2025, 2)),
    ("fevr 2025", Period(M, 2025, 2)),
    ("FÉVR. 2025", Period(M, 2025, 2)),
    ("avril 2025", Period(M, 2025, 4)),
    ("avr. 2025", Period(M, 2025, 4)),
    ("mai 2025", Period(M, 2025, 5)),
    ("juin 2025", Period(M, 2025, 6)),
    ("juillet 2025", Period(M, 2025, 7)),
    ("juil. 2025", Period(M, 2025, 7)),
    ("août 2025", Period(M, 2025, 8)),
    ("aout 2025", Period(M, 2025, 8)),
    ("septembre 2025", Period(M, 2025, 9)),
    ("sept. 2025", Period(M, 2025, 9)),
    ("octobre 2025", Period(M, 2025, 10)),
    ("oct. 2025", Period(M, 2025, 10)),
    ("novembre 2025", Period(M, 2025, 11)),
    ("nov. 2025", Period(M, 2025, 11)),
    ("décembre 2025", Period(M, 2025, 12)),
    ("decembre 2025", Period(M, 2025, 12)),
    ("déc. 2025", Period(M, 2025, 12)),
    ("dec 2025", Period(M, 2025, 12)),
    # quarters
    ("T1 2025", Period(Q, 2025, 1)),
    ("t1 2025", Period(Q, 2025, 1)),
    ("T1-2025", Period(Q, 2025, 1)),
    ("T1 - 2025", Period(Q, 2025, 1)),
    ("2025-T1", Period(Q, 2025, 1)),
    ("2025 T1", Period(Q, 2025, 1)),
    ("2025T4", Period(Q, 2025, 4)),
    (f"T3{NBSP}2024", Period(Q, 2024, 3)),
    ("2025-Q1", Period(Q, 2025, 1)),
    ("2025-q2", Period(Q, 2025, 2)),
    ("Q3 2025", Period(Q, 2025, 3)),
    ("1er trimestre 2025", Period(Q, 2025, 1)),
    ("1ᵉʳ trimestre 2025", Period(Q, 2025, 1)),
    ("premier trimestre 2025", Period(Q, 2025, 1)),
    ("2e trimestre 2025", Period(Q, 2025, 2)),
    ("2ème trimestre 2025", Period(Q, 2025, 2)),
    ("3e trimestre 2025", Period(Q, 2025, 3)),
    ("troisième trimestre 2025", Period(Q, 2025, 3)),
    ("4e trimestre de 2025", Period(Q, 2025, 4)),
    # halves
    ("S2 2024", Period(H, 2024, 2)),
    ("s1 2024", Period(H, 2024, 1)),
    ("S2-2024", Period(H, 2024, 2)),
    ("2024-S2", Period(H, 2024, 2)),
    ("2024 S1", Period(H, 2024, 1)),
    ("2024-H2", Period(H, 2024, 2)),
    ("2024-h1", Period(H, 2024, 1)),
    ("1er semestre 2024", Period(H, 2024, 1)),
    ("2nd semestre 2024", Period(H, 2024, 2)),
    ("2nde semestre 2024", Period(H, 2024, 2)),
    ("2e semestre 2024", Period(H, 2024, 2)),
    ("second semestre 2024", Period(H, 2024, 2)),
    ("deuxième semestre 2024", Period(H, 2024, 2)),
    # year-to-date
    ("cumul à fin mars 2025", Period(M, 2025, 3, True)),
    ("Cumul à fin mars 2025", Period(M, 2025, 3, True)),
    ("cumul a fin mars 2025", Period(M, 2025, 3, True)),
    (f"cumul{NBSP}à{NNBSP}fin mars{NBSP}2025", Period(M, 2025, 3, True)),
    ("cumul fin mars 2025", Period(M, 2025, 3, True)),
    ("à fin mars 2025", Period(M, 2025, 3, True)),
    ("A fin mars 2025", Period(M, 2025, 3, True)),
    ("cumul 2025-03", Period(M, 2025, 3, True)),
    ("cumul à fin 03/2025", Period(M, 2025, 3, True)),
    ("cumul à fin décembre 2025", Period(M, 2025, 12, True)),
    ("cumul à fin T1 2025", Period(Q, 2025, 1, True)),
    ("cumul T3 2025", Period(Q, 2025, 3, True)),
    ("cumul à fin S1 2025", Period(H, 2025, 1, True)),
    ("à fin 1er semestre 2025", Period(H, 2025, 1, True)),
    ("2025-03-YTD", Period(M, 2025, 3, True)),
    ("2025-03-ytd", Period(M, 2025, 3, True)),
    ("2025-Q1-YTD", Period(Q, 2025, 1, True)),
    ("2025-H1-YTD", Period(H, 2025, 1, True)),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_parse_accepted(text: str, expected: Period) -> None:
    assert parse_period(text) == expected


def test_period_parse_is_parse_period() -> None:
    assert Period.parse("T2 2025") == Period.quarter_of(2025, 2)


# --- parsing: rejected spellings ------------------------------------------------------------

REJECTED: list[tuple[str, str]] = [
    # (text, part of the reason)
    ("13/2025", "Le mois doit être compris entre 1 et 12 (reçu : 13)"),
    ("0/2025", "Le mois doit être compris entre 1 et 12 (reçu : 0)"),
    ("2025-13", "Le mois doit être compris entre 1 et 12"),
    ("2025-00", "Le mois doit être compris entre 1 et 12"),
    ("T5 2025", "Le trimestre doit être compris entre 1 et 4 (reçu : 5)"),
    ("2025-Q0", "Le trimestre doit être compris entre 1 et 4"),
    ("S3 2024", "Le semestre doit être 1 ou 2 (reçu : 3)"),
    ("5e trimestre 2025", "Le trimestre doit être compris entre 1 et 4"),
    ("1850", "L'année doit être comprise entre 1900 et 2200 (reçu : 1850)"),
    ("2201", "L'année doit être comprise entre 1900 et 2200"),
    ("mars 1899", "L'année doit être comprise entre 1900 et 2200"),
    ("T1 2300", "L'année doit être comprise entre 1900 et 2200"),
    ("cumul à fin 2025", "pas sur une année entière"),
    ("2025-YTD", "pas sur une année entière"),
    ("cumul à fin 13/2025", "Le mois doit être compris entre 1 et 12"),
    ("marz 2025", "Formats acceptés"),
    ("bientôt", "Formats acceptés"),
    ("25", "Formats acceptés"),
    ("03/25", "Formats acceptés"),
    ("20250", "Formats acceptés"),
    ("T1", "Formats acceptés"),
    ("mars", "Formats acceptés"),
    ("3er trimestre 2025", "Formats acceptés"),
    ("1nd semestre 2025", "Formats acceptés"),
    ("cumul", "Formats acceptés"),
    ("2025-03-YTD-YTD", "Formats acceptés"),
    ("2025-03-01", "Formats acceptés"),
    ("٢٠٢٥", "Formats acceptés"),  # non-ASCII digits are not years
]


@pytest.mark.parametrize(("text", "reason"), REJECTED)
def test_parse_rejected(text: str, reason: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    message = str(caught.value)
    assert message.startswith(f"Période non reconnue : « {text} ».")
    assert reason in message


def test_rejected_message_lists_formats() -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period("n'importe quoi")
    assert str(caught.value) == (
        "Période non reconnue : « n'importe quoi ». Formats acceptés : 2025, 2025-03, 03/2025,"
        " mars 2025, T1 2025, S2 2024, cumul à fin mars 2025."
    )


@pytest.mark.parametrize("text", ["", "   ", NBSP, "\n\t"])
def test_parse_empty(text: str) -> None:
    with pytest.raises(PeriodError, match="valeur vide"):
        parse_period(text)


def test_long_value_is_shortened_in_message() -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period("x" * 500)
    assert "x" * 59 + "…" in str(caught.value)
    assert len(str(caught.value)) < 250


def test_period_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_period("13/2025")


def test_parse_rejects_non_text() -> None:
    with pytest.raises(TypeError):
        parse_period(2025)  # type: ignore[arg-type]


# --- parsing: properties --------------------------------------------------------------------


@given(periods())
def test_round_trip_key(period: Period) -> None:
    assert parse_period(period.key) == period


@given(periods())
def test_round_trip_label(period: Period) -> None:
    assert parse_period(str(period)) == period
    assert format_period(period) == str(period)


@given(periods(), st.sampled_from([" ", NBSP, NNBSP, "  ", "\t"]), st.booleans())
def test_round_trip_label_any_spacing_and_case(period: Period, space: str, upper: bool) -> None:
    text = str(period).replace(" ", space)
    assert parse_period(text.upper() if upper else text) == period


@given(st.text())
def test_parse_arbitrary_text_raises_only_period_error(text: str) -> None:
    try:
        period = parse_period(text)
    except PeriodError as error:
        assert str(error).startswith("Période non reconnue")
    else:
        assert parse_period(period.key) == period


TOKENS = [
    "2025", "1850", "99999", "03", "3", "13", "0", "00", "/", "-", "–", ".", " ", NBSP, NNBSP,
    "T", "t1", "Q", "S", "H2", "mars", "févr.", "déc", "cumul", "à", "a", "fin", "YTD", "-ytd",
    "1er", "2e", "2nd", "trimestre", "semestre", "de", "année", "premier", "ᵉʳ", "٣", "２０２５",
]  # fmt: skip


@given(st.lists(st.sampled_from(TOKENS), max_size=8).map("".join))
def test_parse_near_miss_text_raises_only_period_error(text: str) -> None:
    try:
        period = parse_period(text)
    except PeriodError as error:
        assert text.strip()[:20] in str(error) or not text.strip()
    else:
        assert parse_period(period.key) == period


# --- construction ---------------------------------------------------------------------------


def test_constructors() -> None:
    assert Period.year_of(2025) == Period(Y, 2025, 1)
    assert Period.half_of(2025, 2) == Period(H, 2025, 2)
    assert Period.quarter_of(2025, 3, to_date=True) == Period(Q, 2025, 3, True)
    assert Period.month_of(2025, 12) == Period(M, 2025, 12)


def test_unit_given_as_string() -> None:
    period = Period("quarter", 2025, 1)  # type: ignore[arg-type]
    assert period.unit is Q
    assert period == Period.quarter_of(2025, 1)


@pytest.mark.parametrize(
    ("unit", "year", "index", "to_date", "reason"),
    [
        (M, 2025, 13, False, "mois"),
        (M, 2025, 0, False, "mois"),
        (Q, 2025, 5, False, "trimestre"),
        (H, 2025, 3, False, "semestre"),
        (Y, 2025, 2, False, "indice 1"),
        (Y, 1899, 1, False, "année"),
        (M, 2201, 1, False, "année"),
        (Y, 2025, 1, True, "année entière"),
    ],
)
def test_invalid_periods(
    unit: PeriodUnit, year: int, index: int, to_date: bool, reason: str
) -> None:
    with pytest.raises(PeriodError, match=f"^Période invalide\\. .*{reason}"):
        Period(unit, year, index, to_date)


def test_invalid_unit() -> None:
    with pytest.raises(PeriodError, match="Unité inconnue : « week »"):
        Period("week", 2025, 1)  # type: ignore[arg-type]


def test_field_types_are_checked() -> None:
    with pytest.raises(TypeError):
        Period(M, "2025", 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Period(M, 2025, True)
    with pytest.raises(TypeError):
        Period(M, 2025, 1, 1)  # type: ignore[arg-type]


def test_period_is_frozen_and_hashable() -> None:
    period = Period.month_of(2025, 3)
    with pytest.raises(AttributeError):
        period.year = 2026  # type: ignore[misc]
    assert {period, Period.month_of(2025, 3)} == {period}


def test_same_days_but_different_periods_are_not_equal() -> None:
    quarter_ytd = Period.quarter_of(2025, 1, to_date=True)
    month_ytd = Period.month_of(2025, 3, to_date=True)
    quarter = Period.quarter_of(2025, 1)
    assert (quarter_ytd.start, quarter_ytd.end) == (month_ytd.start, month_ytd.end)
    assert (quarter.start, quarter.end) == (month_ytd.start, month_ytd.end)
    assert len({quarter_ytd, month_ytd, quarter}) == 3


# --- display --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "label", "key"),
    [
        (Period.year_of(2025), "2025", "2025"),
        (Period.month_of(2025, 3), "mars 2025", "2025-03"),
        (Period.month_of(2025, 2), "février 2025", "2025-02"),
        (Period.month_of(2025, 8), "août 2025", "2025-08"),
        (Period.month_of(2025, 12), "décembre 2025", "2025-12"),
        (Period.quarter_of(2025, 1), "T1 2025", "2025-Q1"),
        (Period.half_of(2024, 2), "S2 2024", "2024-H2"),
        (Period.month_of(2025, 3, to_date=True), "cumul à fin mars 2025", "2025-03-YTD"),
        (Period.quarter_of(2025, 1, to_date=True), "cumul à fin T1 2025", "2025-Q1-YTD"),
        (Period.half_of(2025, 1, to_date=True), "cumul à fin S1 2025", "2025-H1-YTD"),
    ],
)
def test_label_and_key(period: Period, label: str, key: str) -> None:
    assert str(period) == label
    assert format_period(period) == label
    assert period.key == key


def test_repr() -> None:
    assert repr(Period.month_of(2025, 3)) == "Period(PeriodUnit.MONTH, 2025, 3)"
    assert repr(Period.half_of(2025, 1, to_date=True)) == (
        "Period(PeriodUnit.HALF, 2025, 1, to_date=True)"
    )


# --- calendar -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "start", "end", "months"),
    [
        (Period.year_of(2025), date(2025, 1, 1), date(2025, 12, 31), 12),
        (Period.half_of(2025, 1), date(2025, 1, 1), date(2025, 6, 30), 6),
        (Period.half_of(2025, 2), date(2025, 7, 1), date(2025, 12, 31), 6),
        (Period.quarter_of(2025, 1), date(2025, 1, 1), date(2025, 3, 31), 3),
        (Period.quarter_of(2025, 2), date(2025, 4, 1), date(2025, 6, 30), 3),
        (Period.quarter_of(2025, 3), date(2025, 7, 1), date(2025, 9, 30), 3),
        (Period.quarter_of(2025, 4), date(2025, 10, 1), date(2025, 12, 31), 3),
        (Period.month_of(2025, 4), date(2025, 4, 1), date(2025, 4, 30), 1),
        (Period.month_of(2025, 2), date(2025, 2, 1), date(2025, 2, 28), 1),
        (Period.month_of(2024, 2), date(2024, 2, 1), date(2024, 2, 29), 1),  # leap year
        (Period.month_of(2000, 2), date(2000, 2, 1), date(2000, 2, 29), 1),  # leap (÷400)
        (Period.month_of(1900, 2), date(1900, 2, 1), date(1900, 2, 28), 1),  # not leap (÷100)
        (Period.month_of(2100, 2), date(2100, 2, 1), date(2100, 2, 28), 1),
        (Period.month_of(2025, 3, to_date=True), date(2025, 1, 1), date(2025, 3, 31), 3),
        (Period.month_of(2024, 2, to_date=True), date(2024, 1, 1), date(2024, 2, 29), 2),
        (Period.quarter_of(2025, 3, to_date=True), date(2025, 1, 1), date(2025, 9, 30), 9),
        (Period.half_of(2025, 2, to_date=True), date(2025, 1, 1), date(2025, 12, 31), 12),
        (Period.year_of(MIN_YEAR), date(MIN_YEAR, 1, 1), date(MIN_YEAR, 12, 31), 12),
        (Period.year_of(MAX_YEAR), date(MAX_YEAR, 1, 1), date(MAX_YEAR, 12, 31), 12),
    ],
)
def test_start_end_months(period: Period, start: date, end: date, months: int) -> None:
    assert period.start == start
    assert period.end == end
    assert period.months == months


def test_contains() -> None:
    q1 = Period.quarter_of(2024, 1)
    assert q1.contains(date(2024, 1, 1))
    assert q1.contains(date(2024, 2, 29))
    assert q1.contains(date(2024, 3, 31))
    assert not q1.contains(date(2023, 12, 31))
    assert not q1.contains(date(2024, 4, 1))
    assert q1.contains(datetime(2024, 3, 31, 23, 59))
    ytd = Period.month_of(2025, 5, to_date=True)
    assert ytd.contains(date(2025, 1, 1))
    assert ytd.contains(date(2025, 5, 31))
    assert not ytd.contains(date(2025, 6, 1))
    assert not ytd.contains(date(2024, 12, 31))


@pytest.mark.parametrize(
    ("day", "unit", "expected"),
    [
        (date(2024, 2, 29), Y, Period.year_of(2024)),
        (date(2024, 2, 29), H, Period.half_of(2024, 1)),
        (date(2024, 7, 1), H, Period.half_of(2024, 2)),
        (date(2024, 2, 29), Q, Period.quarter_of(2024, 1)),
        (date(2024, 12, 31), Q, Period.quarter_of(2024, 4)),
        (date(2024, 2, 29), M, Period.month_of(2024, 2)),
        (datetime(2024, 6, 30, 12), "quarter", Period.quarter_of(2024, 2)),
    ],
)
def test_containing(day: date, unit: PeriodUnit | str, expected: Period) -> None:
    assert Period.containing(day, unit) == expected
    assert expected.contains(day)


@pytest.mark.parametrize(
    ("period", "following"),
    [
        (Period.year_of(2024), Period.year_of(2025)),
        (Period.half_of(2024, 1), Period.half_of(2024, 2)),
        (Period.half_of(2024, 2), Period.half_of(2025, 1)),
        (Period.quarter_of(2024, 3), Period.quarter_of(2024, 4)),
        (Period.quarter_of(2024, 4), Period.quarter_of(2025, 1)),
        (Period.month_of(2024, 1), Period.month_of(2024, 2)),
        (Period.month_of(2024, 12), Period.month_of(2025, 1)),
        (Period.month_of(2024, 12, to_date=True), Period.month_of(2025, 1, to_date=True)),
        (Period.quarter_of(2024, 2, to_date=True), Period.quarter_of(2024, 3, to_date=True)),
    ],
)
def test_next_and_previous(period: Period, following: Period) -> None:
    assert period.next() == following
    assert following.previous() == period


def test_next_and_previous_stop_at_the_bounds() -> None:
    with pytest.raises(PeriodError, match="année"):
        Period.month_of(MAX_YEAR, 12).next()
    with pytest.raises(PeriodError, match="année"):
        Period.year_of(MIN_YEAR).previous()


@given(periods())
def test_calendar_properties(period: Period) -> None:
    assert period.start <= period.end
    assert period.start.day == 1
    assert (period.end + timedelta(days=1)).day == 1
    assert period.contains(period.start)
    assert period.contains(period.end)
    assert not period.contains(period.start - timedelta(days=1))
    assert not period.contains(period.end + timedelta(days=1))
    span = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1
    assert period.months == span
    if period.to_date:
        assert period.start == date(period.year, 1, 1)
    else:
        assert Period.containing(period.start, period.unit) == period
        assert Period.containing(period.end, period.unit) == period


@given(periods(years=st.integers(MIN_YEAR + 1, MAX_YEAR - 1)))
def test_next_previous_properties(period: Period) -> None:
    following, preceding = period.next(), period.previous()
    assert following.previous() == period
    assert preceding.next() == period
    assert following.unit is period.unit and following.to_date == period.to_date
    assert preceding < period < following
    assert following.end > period.end
    if not period.to_date:
        assert following.start == period.end + timedelta(days=1)
        assert preceding.end == period.start - timedelta(days=1)


# --- ordering -------------------------------------------------------------------------------


def test_sorting_is_chronological() -> None:
    expected = [
        Period.month_of(2024, 12),
        Period.month_of(2025, 1),
        # same end (31 March): the earlier start first, then plain before cumulated
        Period.quarter_of(2025, 1),
        Period.quarter_of(2025, 1, to_date=True),
        Period.month_of(2025, 3, to_date=True),
        Period.month_of(2025, 3),
        Period.month_of(2025, 4),
        Period.half_of(2025, 1),
        Period.month_of(2025, 6, to_date=True),
        Period.quarter_of(2025, 2),
        Period.year_of(2025),
        Period.half_of(2025, 2, to_date=True),
        Period.quarter_of(2025, 4),
        Period.year_of(2026),
    ]
    shuffled = expected[:]
    random.Random(2025).shuffle(shuffled)
    assert shuffled != expected
    assert sorted(shuffled) == expected
    assert sorted(expected[::2] + expected[1::2]) == expected


def test_comparison_with_other_types() -> None:
    assert Period.year_of(2025) != "2025"
    with pytest.raises(TypeError):
        _ = Period.year_of(2025) < "2026"  # type: ignore[operator]


@given(periods(), periods())
def test_ordering_is_total_and_consistent(a: Period, b: Period) -> None:
    assert (a < b) + (a == b) + (a > b) == 1
    assert (a <= b) == (a < b or a == b)
    assert (a >= b) == (a > b or a == b)
    if a.end != b.end:
        assert (a < b) == (a.end < b.end)
    elif a.start != b.start:
        assert (a < b) == (a.start < b.start)


@given(st.lists(periods(), max_size=20))
def test_sorted_by_end_then_start(items: list[Period]) -> None:
    ordered = sorted(items)
    pairs = [(p.end, p.start) for p in ordered]
    assert pairs == sorted(pairs)


# --- periods_between ------------------------------------------------------------------------


def test_periods_between() -> None:
    assert list(periods_between(Period.month_of(2024, 11), Period.month_of(2025, 2))) == [
        Period.month_of(2024, 11),
        Period.month_of(2024, 12),
        Period.month_of(2025, 1),
        Period.month_of(2025, 2),
    ]
    q = Period.quarter_of(2025, 2)
    assert list(periods_between(q, q)) == [q]
    assert list(periods_between(q, q.previous())) == []
    ytd = [
        str(p) for p in periods_between(parse_period("2025-Q3-YTD"), parse_period("2026-Q1-YTD"))
    ]
    assert ytd == ["cumul à fin T3 2025", "cumul à fin T4 2025", "cumul à fin T1 2026"]


def test_periods_between_is_lazy_and_reaches_max_year() -> None:
    last = Period.year_of(MAX_YEAR)
    assert list(periods_between(Period.year_of(MAX_YEAR - 1), last)) == [last.previous(), last]


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (Period.month_of(2025, 1), Period.quarter_of(2025, 2)),
        (Period.month_of(2025, 1), Period.month_of(2025, 3, to_date=True)),
    ],
)
def test_periods_between_needs_same_kind(first: Period, last: Period) -> None:
    with pytest.raises(PeriodError, match="même nature"):
        list(periods_between(first, last))


@given(periods(), st.integers(0, 30))
def test_periods_between_counts(first: Period, steps: int) -> None:
    last = first
    for _ in range(steps):
        if last.year == MAX_YEAR and last.index == COUNT[last.unit]:
            break
        last = last.next()
    items = list(periods_between(first, last))
    assert items[0] == first
    assert items[-1] == last
    assert items == sorted(items)
    assert len(set(items)) == len(items)
