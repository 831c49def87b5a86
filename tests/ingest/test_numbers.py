"""French number and date reading/writing: cpog.ingest.numbers."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpog.formatting import fr_number, fr_percent
from cpog.ingest import numbers as numbers_module
from cpog.ingest.numbers import (
    DateError,
    NumberError,
    parse_date,
    parse_number,
    parse_number_with_unit,
)

NBSP = "\u00a0"
NNBSP = "\u202f"

ACCEPTED = [
    ("1234", "1234", None),
    ("0", "0", None),
    ("007", "7", None),
    ("1 234", "1234", None),
    (f"1{NBSP}234", "1234", None),
    (f"1{NNBSP}234", "1234", None),
    ("1\u2009234", "1234", None),
    (f"1 234{NNBSP}567", "1234567", None),  # kinds of spaces may be mixed (pasted text)
    ("1.234,5", "1234.5", None),
    ("1.234.567,89", "1234567.89", None),
    ("1.234.567", "1234567", None),  # several dots can only group thousands
    ("1234,5", "1234.5", None),
    ("1234.5", "1234.5", None),
    ("1234.567", "1234.567", None),  # 4-digit integer part: the dot cannot group thousands
    ("0.125", "0.125", None),
    ("1.2345", "1.2345", None),
    ("1 234.5", "1234.5", None),  # spaces group thousands, so the dot is decimal
    ("1,234", "1.234", None),  # a single comma is always decimal
    ("0,5", "0.5", None),
    (",5", "0.5", None),
    ("93,50", "93.50", None),
    ("93,5 %", "93.5", "%"),
    ("93,5%", "93.5", "%"),
    (f"93,5{NBSP}%", "93.5", "%"),
    ("100 %", "100", "%"),
    ("-3,2", "-3.2", None),
    ("\u22123,2", "-3.2", None),
    ("+15", "15", None),
    ("-0", "0", None),
    (" 12 ", "12", None),
    ("\t12\n", "12", None),
    ("1 234 567,89 €", "1234567.89", "€"),
    ("12€", "12", "€"),
    ("-1 234,5 €", "-1234.5", "€"),
    ("-4,5 %", "-4.5", "%"),
]


@pytest.mark.parametrize(("text", "expected", "unit"), ACCEPTED)
def test_accepted_numbers(text: str, expected: str, unit: str | None) -> None:
    assert parse_number(text) == Decimal(expected)
    assert parse_number_with_unit(text) == (Decimal(expected), unit)


def test_trailing_zeros_are_kept() -> None:
    assert str(parse_number("93,50")) == "93.50"


REJECTED = [
    ("", "la valeur est vide"),
    ("   ", "la valeur est vide"),
    ("12,3,4", "plusieurs virgules"),
    ("1.234", "le point est ambigu"),
    ("-1.234", "le point est ambigu"),
    ("12.345", "le point est ambigu"),
    ("123.456 %", "le point est ambigu"),
    ("1.234,5.6", "un point ne peut pas suivre la virgule"),
    ("1 234.567,8", "séparés de deux façons"),
    ("12 34", "mal groupés"),
    ("1234 567", "mal groupés"),
    ("1.23.456", "mal groupés"),
    ("12.34,5", "mal groupés"),
    ("1  234", "mal placé"),
    ("1 ,5", "mal placé"),
    ("5,", "il manque des chiffres"),
    ("5.", "il manque des chiffres"),
    ("1,2 3", "que des chiffres"),
    ("%", "aucun chiffre"),
    ("-", "aucun chiffre"),
    ("+ %", "aucun chiffre"),
    ("- 3", "le signe doit être collé"),
    ("--3", "plusieurs signes"),
    ("3-", "au début du nombre"),
    ("12 %%", "plusieurs unités"),
    ("12 € %", "plusieurs unités"),
    ("€ 12", "après le nombre"),
    ("% 12", "après le nombre"),
    ("1e3", "« e »"),
    ("(12)", "« ( »"),
    ("12 k€", "« k »"),
    ("douze", "« d »"),
    ("\u0663", "« \u0663 »"),  # Arabic-Indic digit: only ASCII digits
    ("１２", "« １ »"),  # fullwidth digits
    ("1\n234", "espacement inattendu"),
    ("NaN", "« N »"),
    ("Infinity", "« I »"),
]


@pytest.mark.parametrize(("text", "reason"), REJECTED)
def test_rejected_numbers(text: str, reason: str) -> None:
    with pytest.raises(NumberError) as caught:
        parse_number(text)
    assert reason in caught.value.reason
    assert caught.value.value == text
    assert isinstance(caught.value, ValueError)


def test_number_error_message_names_the_value() -> None:
    with pytest.raises(NumberError) as caught:
        parse_number("12,3,4")
    assert str(caught.value) == "Nombre non reconnu : « 12,3,4 ». Il y a plusieurs virgules."
    assert caught.value.cell_message == "nombre non reconnu : il y a plusieurs virgules"


def test_ambiguous_dot_suggests_both_readings() -> None:
    with pytest.raises(NumberError) as caught:
        parse_number("1.234")
    message = str(caught.value)
    assert message.startswith("Nombre non reconnu : « 1.234 ». Le point est ambigu")
    assert "« 1 234 »" in message
    assert "« 1,234 »" in message


def test_empty_value_message() -> None:
    with pytest.raises(NumberError, match=r"^Nombre non reconnu : la valeur est vide\.$"):
        parse_number("")


def test_long_value_is_shortened_in_message() -> None:
    with pytest.raises(NumberError) as caught:
        parse_number("x" * 500)
    assert len(str(caught.value)) < 200
    assert "…" in str(caught.value)


# --- what cpog displays reads back ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals"),
    [
        (Decimal("1234"), None),
        (Decimal("1234.5"), None),
        (Decimal("-1234567.89"), 2),
        (Decimal("1E+3"), None),
        (Decimal("0.001"), None),
        (Decimal("93.5"), 1),
    ],
)
def test_displayed_numbers_read_back(value: Decimal, decimals: int | None) -> None:
    assert parse_number(fr_number(value, decimals)) == value
    assert parse_number(fr_percent(value, 3 if decimals is None else decimals)) == value


# --- properties ------------------------------------------------------------------------------

two_decimals = st.decimals(
    min_value=Decimal("-1000000000000"),
    max_value=Decimal("1000000000000"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@given(two_decimals)
def test_round_trip_two_decimals(x: Decimal) -> None:
    assert parse_number(fr_number(x, 2)) == x


@given(two_decimals, st.sampled_from([" ", NBSP, NNBSP, "\u2009"]))
def test_round_trip_with_any_thousands_space(x: Decimal, space: str) -> None:
    text = fr_number(x, 2).replace(NNBSP, space)
    assert parse_number(text) == x


@given(two_decimals, st.sampled_from([" %", f"{NBSP}%", "%"]))
def test_round_trip_percent(x: Decimal, suffix: str) -> None:
    assert parse_number_with_unit(fr_number(x, 2) + suffix) == (x, "%")
    assert parse_number(fr_percent(x, 2)) == x


@given(
    st.decimals(
        min_value=Decimal("-1E+13"),
        max_value=Decimal("1E+13"),
        places=3,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_round_trip_all_decimals(x: Decimal) -> None:
    # fr_number shows up to 3 decimals by default, so values with 3 decimals read back exactly.
    assert parse_number(fr_number(x)) == x


@given(st.text())
def test_parse_number_only_raises_number_error(text: str) -> None:
    try:
        result = parse_number(text)
    except NumberError:
        return
    assert result.is_finite()


@given(st.text(alphabet="0123456789 .,-+−%€\u00a0\u202f", max_size=20))
def test_parse_number_only_raises_number_error_on_number_like_text(text: str) -> None:
    try:
        result = parse_number(text)
    except NumberError:
        return
    assert result.is_finite()


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27/11/2026", date(2026, 11, 27)),
        (" 27/11/2026 ", date(2026, 11, 27)),
        ("1/2/2026", date(2026, 2, 1)),
        ("01/02/2026", date(2026, 2, 1)),
        ("29/02/2028", date(2028, 2, 29)),
        ("2026-11-27", date(2026, 11, 27)),
    ],
)
def test_accepted_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "la valeur est vide"),
        ("31/02/2026", "cette date n'existe pas"),
        ("29/02/2027", "cette date n'existe pas"),
        ("00/01/2026", "cette date n'existe pas"),
        ("13/13/2026", "le mois doit être compris entre 1 et 12"),
        ("2026-13-01", "le mois doit être compris entre 1 et 12"),
        ("27/11/26", "quatre chiffres, par exemple 27/11/2026"),
        ("1/2/26", "quatre chiffres, par exemple 01/02/2026"),
        ("27/11/02026", "quatre chiffres"),
        ("27-11-2026", "JJ/MM/AAAA"),
        ("27.11.2026", "JJ/MM/AAAA"),
        ("2026/11/27", "JJ/MM/AAAA"),
        ("27 novembre 2026", "JJ/MM/AAAA"),
        ("27/11/2026 10:00", "JJ/MM/AAAA"),
        ("٢٧/١١/٢٠٢٦", "JJ/MM/AAAA"),
    ],
)
def test_rejected_dates(text: str, reason: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text)
    assert reason in caught.value.reason


def test_date_error_message() -> None:
    with pytest.raises(DateError) as caught:
        parse_date("31/02/2026")
    assert str(caught.value) == "Date non reconnue : « 31/02/2026 ». Cette date n'existe pas."
    assert caught.value.cell_message == "date non reconnue : cette date n'existe pas"
    assert isinstance(caught.value, ValueError)


@given(st.text())
def test_parse_date_only_raises_date_error(text: str) -> None:
    with contextlib.suppress(DateError):
        parse_date(text)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_date_round_trip(day: date) -> None:
    assert parse_date(f"{day.day:02d}/{day.month:02d}/{day.year:04d}") == day
    assert parse_date(day.isoformat()) == day


@given(st.from_regex(numbers_module._PLAIN, fullmatch=True))
def test_the_plain_spelling_shortcut_reads_as_the_general_rules(text: str) -> None:
    """parse_number_with_unit reads the common spellings by a shortcut; on every text the
    shortcut accepts, the general rules give the same number."""
    assert numbers_module.parse_number_with_unit(text) == numbers_module._parse_general(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1\u202f234,5", Decimal("1234.5")), ("-0,25", Decimal("-0.25")), ("007", Decimal("7"))],
)
def test_the_plain_spellings(text: str, expected: Decimal) -> None:
    assert parse_number(text) == expected
