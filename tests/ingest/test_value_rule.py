"""The value rule of every door (cpog.ingest.value_rule), tested without a database on the
shipped contract's real subjects."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpog.contract import default_contract_path
from cpog.contract.loader import load_contract
from cpog.contract.model import Contract, Cumulation, MeasureKind, ValueRange
from cpog.ingest.value_rule import (
    Cell,
    Entry,
    Problem,
    RawEntry,
    Subject,
    check_target_value,
    check_values,
    read_status,
    subjects_of,
)
from cpog.periods import Period, PeriodUnit

TODAY = date(2026, 11, 27)
CONTRACT: Contract = load_contract(default_contract_path())
SUBJECTS = subjects_of(CONTRACT)


def subject(key: str) -> Subject:
    return SUBJECTS[key.lower()]


class FakeSeries:
    """A subject's stored values, and an « unusual » answer for one value."""

    def __init__(
        self, values: Mapping[str, Mapping[Period, Decimal]], unusual_at: Decimal | None = None
    ) -> None:
        self._values = values
        self.unusual_at = unusual_at
        self.asked: list[tuple[Period, Decimal, dict[Period, Decimal]]] = []

    def values(self, subject: Subject) -> Mapping[Period, Decimal]:
        return self._values.get(subject.subject_id, {})

    def unusual(
        self, subject: Subject, series: Mapping[Period, Decimal], period: Period, value: Decimal
    ) -> str | None:
        self.asked.append((period, value, dict(series)))
        return (
            "13,5 jours après 19,36 jours en octobre 2026 (écart de 30 %)"
            if (value == self.unusual_at)
            else None
        )


def one(
    key: str,
    period: str,
    value: Cell | str,
    *,
    numerator: str = "",
    denominator: str = "",
    status: str = "",
    series: FakeSeries | None = None,
) -> tuple[Entry | None, list[Problem]]:
    cell = value if isinstance(value, Cell) else Cell(value)
    raw = RawEntry(period, cell, Cell(numerator), Cell(denominator), status)
    [result] = check_values([(subject(key), raw)], TODAY, series)
    return result


def refused(result: tuple[Entry | None, list[Problem]]) -> dict[str, str]:
    entry, problems = result
    assert entry is None and problems
    return {p.field: p.message for p in problems}


def accepted(result: tuple[Entry | None, list[Problem]]) -> Entry:
    entry, problems = result
    assert problems == [] and entry is not None
    return entry


# --- statut ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "status"),
    [
        ("", "provisional"),
        ("provisoire", "provisional"),
        ("Prov.", "provisional"),
        ("PROV", "provisional"),
        ("définitive", "definitive"),
        ("définitif", "definitive"),
        ("Definitif", "definitive"),
        ("déf.", "definitive"),
        ("DEF", "definitive"),
        (" définitive ", "definitive"),
    ],
)
def test_status_words_people_write(written: str, status: str) -> None:
    assert read_status(written) == status
    assert accepted(one("cog-01-11", "2025", "98", status=written)).status == status


def test_unknown_status_lists_the_words() -> None:
    message = refused(one("cog-01-11", "2025", "98", status="peut-être"))["statut"]
    assert "provisoire" in message and "définitif" in message and "déf." in message


# --- grain ----------------------------------------------------------------------------------


def test_quarter_for_a_monthly_year_to_date_indicator_lists_the_forms() -> None:
    message = refused(one("COG 08-29", "T1 2025", "14"))["période"]
    assert message == (
        "période d'un autre grain ; COG 08-29 se saisit par mois (valeurs cumulées depuis le"
        " 1er janvier) : « mars 2025 » ou « cumul à fin mars 2025 »"
    )


def test_month_for_an_annual_indicator_is_refused() -> None:
    message = refused(one("COG 01-11", "mars 2024", "98"))["période"]
    assert message.endswith("COG 01-11 se saisit par année : « 2025 »")


def test_cumulated_period_is_the_month_of_a_year_to_date_indicator() -> None:
    entry = accepted(one("COG 08-29", "cumul à fin mars 2025", "14,5"))
    assert entry.period == Period.month_of(2025, 3)


def test_cumulated_period_is_refused_for_a_plain_indicator() -> None:
    message = refused(one("COG 12-48", "cumul à fin mars 2025", "80"))["période"]
    assert "ne sont pas cumulées" in message and "se saisit par année" in message


def test_a_measure_is_annual_and_a_period_must_be_closed() -> None:
    assert "se saisit par année" in refused(one("d01-r1-mam", "T1 2025", "3"))["période"]
    assert "pas encore terminée au 27/11/2026" in refused(one("COG 01-11", "2026", "98"))["période"]


def _any_period(unit: PeriodUnit) -> st.SearchStrategy[Period]:
    counts = {PeriodUnit.YEAR: 1, PeriodUnit.HALF: 2, PeriodUnit.QUARTER: 4, PeriodUnit.MONTH: 12}
    return st.builds(
        Period,
        st.just(unit),
        st.integers(2000, 2025),
        st.integers(1, counts[unit]),
    )


GRAINS = list(PeriodUnit)


@given(
    grain=st.sampled_from(GRAINS),
    other=st.sampled_from(GRAINS),
    cumulated=st.booleans(),
    data=st.data(),
)
def test_every_period_of_the_grain_round_trips_and_others_are_refused(
    grain: PeriodUnit, other: PeriodUnit, cumulated: bool, data: st.DataObject
) -> None:
    cumulation = Cumulation.YEAR_TO_DATE if cumulated else Cumulation.NONE
    made = Subject("indicator", "x", "X 01", "x", "jours", grain, cumulation, ValueRange(min=0))
    period = data.draw(_any_period(grain))
    [(entry, problems)] = check_values([(made, RawEntry(str(period), Cell("3")))], TODAY)
    assert problems == [] and entry is not None and entry.period == period
    if cumulated and grain != PeriodUnit.YEAR:
        written = str(Period(grain, period.year, period.index, to_date=True))
        [(entry, _)] = check_values([(made, RawEntry(written, Cell("3")))], TODAY)
        assert entry is not None and entry.period == period
    wrong = data.draw(_any_period(other))
    [(entry, problems)] = check_values([(made, RawEntry(str(wrong), Cell("3")))], TODAY)
    assert (entry is None) == (other != grain)
    if other != grain:
        assert problems[0].field == "période" and made.accepted_periods in problems[0].message


# --- a measure linked to an indicator --------------------------------------------------------


def test_a_measure_linked_to_an_indicator_names_the_indicator_to_enter() -> None:
    message = refused(one("d05-r2-delai-prestations", "2025", "14"))["identifiant"]
    assert message == (
        "d05-r2-delai-prestations prend les valeurs de l'indicateur COG 08-29 : saisissez la"
        " valeur sur COG 08-29"
    )


# --- bounds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "period", "value", "expected"),
    [
        (
            "COG 01-11",
            "2025",
            "135",
            "135 hors des valeurs possibles pour COG 01-11 : de 0 à 100\u00a0%",
        ),
        ("COG 01-11", "2025", "1 234 %", "1\u202f234 hors des valeurs possibles pour COG 01-11"),
        (
            "COG 08-29",
            "mars 2025",
            "−30",
            "\u221230 hors des valeurs possibles pour COG 08-29 : 0 ou plus",
        ),
        ("COG 10-41", "mars 2025", "-1", "hors des valeurs possibles pour COG 10-41 : 0 ou plus"),
        (
            "d09-r1-jumelage-production",
            "2025",
            "150",
            "un jalon s'exprime en % réalisé, de 0 à 100",
        ),
    ],
)
def test_values_outside_the_range_of_their_unit(
    key: str, period: str, value: str, expected: str
) -> None:
    assert expected in refused(one(key, period, value))["valeur"]


def test_edges_of_the_range_are_accepted() -> None:
    assert accepted(one("COG 01-11", "2025", "100")).value == Decimal(100)
    assert accepted(one("COG 08-29", "mars 2025", "0")).value == Decimal(0)


def test_points_can_be_negative_and_a_declared_range_wins() -> None:
    points = Subject("measure", "p", "p", "p", "points", range=ValueRange())
    [(entry, _)] = check_values([(points, RawEntry("2025", Cell("-3,5")))], TODAY)
    assert entry is not None and entry.value == Decimal("-3.5")
    change = Subject("indicator", "e", "E", "e", "%", range=ValueRange(min=-100, max=100))
    [(entry, _)] = check_values([(change, RawEntry("2025", Cell("-5 %")))], TODAY)
    assert entry is not None and entry.value == Decimal(-5)


def test_a_sign_that_does_not_fit_the_unit_is_refused() -> None:
    assert (
        "le symbole % ne convient pas" in refused(one("COG 08-29", "mars 2025", "15 %"))["valeur"]
    )


def test_targets_keep_to_the_range_except_changes() -> None:
    assert check_target_value(subject("COG 08-29"), Decimal(-2)) == (
        "cible hors des valeurs possibles pour COG 08-29 : 0 ou plus"
    )
    assert "de 0 à 100" in str(check_target_value(subject("COG 01-11"), Decimal(120)))
    assert check_target_value(subject("COG 08-29"), Decimal(13)) is None
    relative = subject("d04-r2-signalements-impayes")
    assert relative.measure_kind == MeasureKind.RELATIVE_CHANGE
    assert check_target_value(relative, Decimal(-10)) is None
    assert check_target_value(subject("d04-r5-teleprocedures-logement"), Decimal(-5)) is None


# --- numérateur / dénominateur ------------------------------------------------------------


def test_a_value_contradicting_its_numerator_and_denominator_names_both() -> None:
    message = refused(one("COG 08-29", "mars 2025", "10", numerator="900", denominator="100"))
    assert message["valeur"] == (
        "10 ne correspond pas au numérateur et au dénominateur : 900 / 100 = 9"
    )
    rate = refused(one("COG 01-11", "2025", "10", numerator="900", denominator="1000"))
    assert rate["valeur"].endswith("900 / 1\u202f000 × 100 = 90")


def test_agreement_within_the_precision_written() -> None:
    assert accepted(one("COG 01-11", "2025", "66,7", numerator="2", denominator="3"))
    assert accepted(one("COG 01-11", "2025", "66,67", numerator="2", denominator="3"))
    assert refused(one("COG 01-11", "2025", "66,6", numerator="2", denominator="3"))
    # at least 0,05 % of the value: a large count rounded to the unit
    assert accepted(one("COG 01-11", "2025", "67", numerator="2", denominator="3"))


def test_a_blank_value_is_computed_from_numerator_and_denominator() -> None:
    entry = accepted(one("COG 01-11", "2025", "", numerator="1 225", denominator="2 000"))
    assert entry.value == Decimal("61.25") and entry.computed
    assert (entry.numerator, entry.denominator) == (Decimal(1225), Decimal(2000))
    days = accepted(one("COG 08-29", "mars 2025", "", numerator="27 000", denominator="2 000"))
    assert days.value == Decimal("13.5")


def test_numerator_and_denominator_go_together_are_positive_and_not_zero() -> None:
    assert (
        "un numérateur va avec un dénominateur"
        in refused(one("COG 01-11", "2025", "61", numerator="12"))["dénominateur"]
    )
    assert refused(one("COG 01-11", "2025", "", denominator="12"))["valeur"].startswith(
        "valeur manquante"
    )
    assert refused(one("COG 01-11", "2025", "61", numerator="-1", denominator="2"))[
        "numérateur"
    ] == ("le numérateur ne peut pas être négatif")
    assert refused(one("COG 01-11", "2025", "61", numerator="1", denominator="0"))[
        "dénominateur"
    ] == ("dénominateur nul")


# --- rates written as fractions -----------------------------------------------------------

IQL0_2025 = {Period.month_of(2025, 2): Decimal("93.1")}


def test_a_fraction_with_no_history_is_converted_only_after_confirmation() -> None:
    entry = accepted(one("COG 01-11", "2025", "0,861"))
    assert entry.value == Decimal("86.1")
    assert entry.conversion is not None and entry.conversion.startswith("0,861 → 86,1\u00a0%")
    assert "aucune valeur antérieure" in entry.conversion
    assert entry.to_confirm == [entry.conversion]


def test_a_fraction_after_a_value_above_one_is_converted() -> None:
    series = FakeSeries({"iql0": IQL0_2025})
    entry = accepted(one("iql0", "mars 2025", "0,935", series=series))
    assert entry.value == Decimal("93.5") and entry.to_confirm
    assert "la valeur précédente est 93,1\u00a0%" in str(entry.conversion)


def test_a_small_rate_after_small_values_stays_as_written() -> None:
    series = FakeSeries({"cog-12-49": {Period.month_of(2025, 2): Decimal("0.8")}})
    entry = accepted(one("COG 12-49", "mars 2025", "0,86", series=series))
    assert entry.value == Decimal("0.86") and not entry.to_confirm


def test_a_percent_sign_or_agreeing_counts_keep_the_value_as_written() -> None:
    assert accepted(one("COG 01-11", "2025", "0,861 %")).value == Decimal("0.861")
    entry = accepted(one("COG 01-11", "2025", "0,5", numerator="5", denominator="1 000"))
    assert entry.value == Decimal("0.5") and not entry.to_confirm
    fraction = accepted(one("COG 01-11", "2025", "0,861", numerator="861", denominator="1 000"))
    assert fraction.value == Decimal("86.1") and fraction.conversion


def test_a_cell_formatted_as_percent_is_converted_and_must_be_confirmed() -> None:
    cell = Cell("0.935", Decimal("0.935"), percent_format=True)
    entry = accepted(one("iql0", "mars 2025", cell))
    assert entry.value == Decimal("93.5")
    assert str(entry.conversion).startswith("0,935 → 93,5\u00a0% : cellule au format pourcentage")
    too_big = Cell("1.35", Decimal("1.35"), percent_format=True)
    assert "135 hors des valeurs possibles" in refused(one("iql0", "mars 2025", too_big))["valeur"]
    days = Cell("0.135", Decimal("0.135"), percent_format=True)
    assert "retirez le format pourcentage" in refused(one("COG 08-29", "mars 2025", days))["valeur"]


def test_a_file_of_monthly_fractions_is_recognised_in_period_order() -> None:
    series = FakeSeries({"iql0": IQL0_2025})
    iql0 = subject("iql0")
    items = [(iql0, RawEntry(f"{m:02d}/2025", Cell(f"0,9{m}"))) for m in (5, 3, 4)]
    results = check_values(items, TODAY, series)
    assert [e.value for e, _ in results if e] == [Decimal(95), Decimal(93), Decimal(94)]
    assert all(e and e.conversion for e, _ in results)


# --- unusual values -------------------------------------------------------------------------


def test_an_unusual_value_needs_confirmation_and_the_series_grows_with_the_batch() -> None:
    series = FakeSeries(
        {"cog-08-29": {Period.month_of(2026, 9): Decimal("19.36")}}, Decimal("13.5")
    )
    cog = subject("COG 08-29")
    items = [
        (cog, RawEntry("novembre 2026", Cell("13,5"))),  # not closed yet on 27/11/2026
        (cog, RawEntry("octobre 2026", Cell("13,5"))),
    ]
    [(late, problems), (entry, _)] = check_values(items, TODAY, series)
    assert late is None and problems[0].field == "période"
    assert entry is not None and entry.unusual is not None
    assert entry.to_confirm == [
        "13,5 jours après 19,36 jours en octobre 2026 (écart de 30 %) : confirmez la valeur"
    ]
    [(period, value, known)] = series.asked
    assert (period, value) == (Period.month_of(2026, 10), Decimal("13.5"))
    assert known == {Period.month_of(2026, 9): Decimal("19.36")}
