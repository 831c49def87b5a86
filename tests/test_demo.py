"""Tests of cpog.demo: deterministic, labelled demo data that respects the signed text."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from functools import cache

import pytest

from cpog import demo
from cpog.assess import Observation
from cpog.contract import default_contract_path
from cpog.contract.loader import load_contract
from cpog.contract.model import (
    Contract,
    Cumulation,
    IndicatorType,
    MeasureKind,
    Periodicity,
    TargetKind,
)
from cpog.demo import DEMO_LABEL, DemoData, DemoValue, generate, scenario_of
from cpog.periods import Period, PeriodUnit, periods_between
from cpog.steering import ContractStatus, StoredTarget, contract_status, signed_targets

AS_OF = date(2026, 7, 15)


@cache
def contract() -> Contract:
    return load_contract(default_contract_path())


@cache
def data(as_of: date = AS_OF, seed: str = demo.DEFAULT_SEED) -> DemoData:
    return generate(contract(), as_of, seed)


def series(d: DemoData, subject_id: str) -> list[DemoValue]:
    return sorted((v for v in d.values if v.subject_id == subject_id), key=lambda v: v.period)


def value_of(d: DemoData, subject_id: str, key: str) -> Decimal:
    found: list[Decimal] = [
        v.value for v in d.values if v.subject_id == subject_id and v.period.key == key
    ]
    assert len(found) == 1, (subject_id, key, found)
    return found[0]


def measure_id(predicate: str) -> str:
    """The id of the one measure whose id contains ``predicate``."""
    ids: list[str] = [m.id for _, _, m in contract().measures() if predicate in m.id]
    assert len(ids) == 1, ids
    return ids[0]


# --- determinism -----------------------------------------------------------------------------


def test_same_inputs_give_identical_output() -> None:
    first = generate(contract(), AS_OF)
    second = generate(load_contract(default_contract_path()), AS_OF, "cpog-demo")
    assert first == second
    assert first.values and first.targets and first.baselines


def test_another_seed_gives_other_values_but_the_same_story() -> None:
    default, other = data(), data(AS_OF, "une autre graine")
    assert default.values != other.values
    assert [(v.subject_id, v.period) for v in default.values] == [
        (v.subject_id, v.period) for v in other.values
    ]
    assert default.targets == other.targets
    # the figures of the signed text do not depend on the seed
    assert value_of(other, "iql0", "2022-12") == Decimal("93.5")
    assert value_of(other, "monenfant-assistants-maternels", "2022") == 70


def test_generation_does_not_touch_the_global_random_state() -> None:
    import random

    random.seed(12345)
    expected = random.random()
    random.seed(12345)
    generate(contract(), AS_OF, "état global")
    assert random.random() == expected


def test_a_later_date_only_adds_values() -> None:
    early = {(v.subject_id, v.period): v.value for v in data(date(2025, 3, 10)).values}
    late = {(v.subject_id, v.period): v.value for v in data(date(2026, 11, 27)).values}
    late_ids = {sid for sid in {k[0] for k in late} if scenario_of(sid, contract()) == "late"}
    kept = {k: v for k, v in early.items() if k[0] not in late_ids}
    assert kept.items() <= late.items()
    assert len(late) > len(early)


# --- periods and statuses --------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of",
    [date(2022, 1, 31), date(2022, 2, 1), date(2024, 1, 1), AS_OF, date(2026, 11, 27)],
)
def test_no_value_for_a_period_not_yet_ended(as_of: date) -> None:
    d = generate(contract(), as_of)
    assert all(v.period.end < as_of for v in d.values)
    assert all(v.period.start >= date(2022, 1, 1) or v.period.year == 2021 for v in d.values)


def test_nothing_before_2022_but_the_bsi_baseline() -> None:
    d = data()
    early = {(v.subject_id, v.period.key) for v in d.values if v.period.year < 2022}
    assert early == {(measure_id("satisfaction-bsi"), "2021")}


def test_no_value_after_the_contract() -> None:
    d = generate(contract(), date(2031, 5, 1))
    assert max(v.period.year for v in d.values) == contract().period.end


def test_values_follow_each_indicator_periodicity() -> None:
    d = data()
    units = {
        Periodicity.MONTHLY: PeriodUnit.MONTH,
        Periodicity.QUARTERLY: PeriodUnit.QUARTER,
        Periodicity.HALF_YEARLY: PeriodUnit.HALF,
        Periodicity.ANNUAL: PeriodUnit.YEAR,
    }
    wanted = {i.id: units[i.periodicity] for i in contract().indicators}
    for v in d.values:
        assert not v.period.to_date
        if v.subject_type == "indicator":
            assert v.period.unit is wanted[v.subject_id], v
        else:
            assert v.subject_type == "measure"
            assert v.period.unit is PeriodUnit.YEAR, v


@pytest.mark.parametrize(
    ("as_of", "last"),
    [
        (date(2026, 11, 27), "2026-10"),
        (date(2026, 11, 1), "2026-10"),
        (date(2026, 10, 31), "2026-09"),
        (date(2024, 1, 1), "2023-12"),
        (date(2022, 2, 1), "2022-01"),
    ],
)
def test_monthly_series_run_from_january_2022_to_the_last_ended_month(
    as_of: date, last: str
) -> None:
    d = generate(contract(), as_of)
    expected = [p.key for p in periods_between(Period.month_of(2022, 1), Period.parse(last))]
    monthly = [
        i
        for i in contract().indicators
        if i.periodicity is Periodicity.MONTHLY and scenario_of(i.id, contract()) != "late"
    ]
    assert len(monthly) >= 10
    for indicator in monthly:
        assert [v.period.key for v in series(d, indicator.id)] == expected, indicator.id


def test_annual_series_stop_at_the_last_ended_year() -> None:
    d = data(date(2026, 11, 27))
    assert [v.period.key for v in series(d, "monenfant-assistants-maternels")] == [
        "2022",
        "2023",
        "2024",
        "2025",
    ]
    assert [v.period.key for v in series(d, measure_id("pass-colo"))][-1] == "2025"


def test_late_indicators_miss_their_last_four_to_six_months() -> None:
    as_of = date(2026, 11, 27)
    d = data(as_of)
    late = [i for i in contract().indicators if scenario_of(i.id, contract()) == "late"]
    assert 2 <= len(late) <= 3
    for indicator in late:
        assert indicator.periodicity is Periodicity.MONTHLY
        last = series(d, indicator.id)[-1].period
        missing = len(list(periods_between(last, Period.month_of(2026, 10)))) - 1
        assert 4 <= missing <= 6, (indicator.id, last)


def test_values_are_definitive_six_months_after_their_period() -> None:
    d = data(date(2026, 7, 15))
    by_key = {(v.subject_id, v.period.key): v.status for v in d.values}
    assert by_key[("iql0", "2025-12")] == "definitive"  # ended 31/12, 6 months on 30/06
    assert by_key[("iql0", "2026-01")] == "provisional"
    assert by_key[("iql0", "2026-06")] == "provisional"
    assert by_key[("monenfant-assistants-maternels", "2025")] == "definitive"
    assert {v.status for v in d.values} == {"definitive", "provisional"}
    early = generate(contract(), date(2026, 3, 1))
    assert {v.status for v in early.values if v.period == Period.year_of(2025)} == {"provisional"}


# --- labels --------------------------------------------------------------------------------


def test_every_value_and_target_is_labelled_as_demo() -> None:
    d = data()
    assert all(DEMO_LABEL in v.comment for v in d.values)
    assert all(DEMO_LABEL in t.reason for t in d.targets)
    assert {t.provenance for t in d.targets} == {"demo"}
    assert {t.kind for t in d.targets} == {"national", "individualised", "fixed", "trajectory"}
    assert {t.comparator for t in d.targets} <= {"", "lt", "le", "ge", "gt"}
    assert {v.status for v in d.values} <= {"provisional", "definitive"}
    assert {v.subject_type for v in d.values} == {"indicator", "measure"}
    assert all(isinstance(v.value, Decimal) for v in d.values)
    assert all(isinstance(t.value, Decimal) for t in d.targets)


def test_values_are_frozen() -> None:
    value = data().values[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, "value", Decimal(0))  # noqa: B010


# --- figures of the signed text --------------------------------------------------------------


def test_iql0_is_93_5_percent_in_2022() -> None:
    d = data()
    values = [v.value for v in series(d, "iql0") if v.period.year == 2022]
    assert len(values) == 12
    assert values[-1] == Decimal("93.5")  # year to date at December: the 2022 figure
    assert abs(sum(values) / 12 - Decimal("93.5")) < Decimal("0.3")


def test_assistants_maternels_on_monenfant_are_70_percent_in_2022() -> None:
    assert value_of(data(), "monenfant-assistants-maternels", "2022") == 70


def test_one_avip_creche_in_2022() -> None:
    assert value_of(data(), "d01-r3-creches-avip", "2022") == 1
    assert all(v.value >= 1 for v in series(data(), "d01-r3-creches-avip"))


def test_pass_colo_departures_are_300_in_2022() -> None:
    [measure] = [
        m
        for c, _, m in contract().measures()
        if c.number == 2 and m.baseline is not None and m.baseline.value == 300
    ]
    assert value_of(data(), measure.id, "2022") == 300


def test_eaje_places_and_mam_are_counted_from_zero_in_2022() -> None:
    d = data()
    for subject_id in (measure_id("places-eaje"), measure_id("r1-mam")):
        values = [v.value for v in series(d, subject_id)]
        assert values[0] == 0
        assert values == sorted(values)  # cumulative: never decreasing
        assert values[-1] > 0


def test_delai_measures_start_at_the_national_2022_figures() -> None:
    d = data()
    prestations, minima = measure_id("delai-prestations"), measure_id("delai-minima")
    # the measures take their indicators' values: they have none of their own
    assert series(d, prestations) == [] and series(d, minima) == []
    assert d.baselines[prestations] == (Decimal("16.5"), 2022)
    assert d.baselines[minima] == (Decimal("14"), 2022)
    # the indicators they read hold the December figure, and head for 13 and 11 jours
    assert value_of(d, "cog-08-29", "2022-12") == Decimal("16.5")
    assert value_of(d, "cog-08-30", "2022-12") == Decimal("14")
    final = {
        t.subject_id: t.value for t in d.targets if t.year == 2027 and t.subject_type == "indicator"
    }
    assert final["cog-08-29"] == 13
    assert final["cog-08-30"] == 11


def test_animation_vie_sociale_departures_and_bsi() -> None:
    d = data()
    assert value_of(d, measure_id("equipements-avs"), "2022") == 25
    assert value_of(d, measure_id("departs-volontaires"), "2022") == Decimal("3.55")
    assert value_of(d, measure_id("satisfaction-bsi"), "2021") == 50


def test_every_stated_baseline_holds() -> None:
    d = data()
    for _, _, measure in contract().measures():
        if measure.baseline is None or scenario_of(measure.id, contract()) == "empty":
            continue
        key = str(measure.baseline.year)
        if measure.baseline.year > AS_OF.year - 1:
            continue
        assert value_of(d, measure.id, key) == Decimal(str(measure.baseline.value)), measure.id


# --- scenarios and coverage ------------------------------------------------------------------


def test_every_scenario_appears_at_least_twice_among_the_indicators() -> None:
    indicators = contract().indicators
    assert len(indicators) == 36
    counts = Counter(scenario_of(i.id) for i in indicators)
    assert counts == Counter(scenario_of(i.id, contract()) for i in indicators)
    for scenario in demo.INDICATOR_SCENARIOS:
        assert counts[scenario] >= 2, (scenario, counts)
    assert set(counts) <= set(demo.INDICATOR_SCENARIOS)


def test_monitoring_indicators_have_the_monitoring_scenario_and_no_target() -> None:
    d = data()
    targeted = {t.subject_id for t in d.targets}
    for indicator in contract().indicators:
        monitored = indicator.type is IndicatorType.MONITORING
        if monitored or indicator.target.kind is TargetKind.NONE:
            assert scenario_of(indicator.id, contract()) == "monitoring"
            assert indicator.id not in targeted
            assert indicator.id not in d.baselines
        else:
            assert indicator.id in targeted


def test_scenario_of_unknown_subjects_is_stable_and_valid() -> None:
    assert scenario_of("indicateur-inconnu") == scenario_of("indicateur-inconnu")
    assert scenario_of("indicateur-inconnu") in demo.SCENARIOS
    assert scenario_of(measure_id("parcours-handicap")) == "not_started"


def test_every_subject_has_values_unless_deliberately_empty() -> None:
    d = data()
    with_values = {v.subject_id for v in d.values}
    subjects = [i.id for i in contract().indicators] + [m.id for _, _, m in contract().measures()]
    empty = [s for s in subjects if scenario_of(s, contract()) == "empty"]
    assert 2 <= len([s for s in empty if contract().indicator(s)]) <= 3
    # a measure linked to an indicator takes the indicator's values and has none of its own
    linked = [m.id for _, _, m in contract().measures() if m.indicator]
    assert len(linked) == 4
    for subject_id in subjects:
        if subject_id in empty or subject_id in linked:
            assert subject_id not in with_values, subject_id
        else:
            assert subject_id in with_values, subject_id
    assert with_values <= set(subjects)
    assert len(set(subjects)) == len(subjects)  # baselines are keyed by id alone


def test_year_to_date_amounts_never_decrease_within_a_year() -> None:
    d = data(date(2026, 11, 27))
    additive = [i for i in contract().indicators if demo.is_additive(i)]
    assert {i.id for i in additive} == {
        "cog-10-41",
        "controle-donnees-entrantes",
        "datamining-metier",  # controls done since 1 January, toward the yearly quota of 250
    }
    for indicator in additive:
        by_year: dict[int, list[Decimal]] = defaultdict(list)
        for v in series(d, indicator.id):
            by_year[v.period.year].append(v.value)
        for year, values in by_year.items():
            assert values == sorted(values), (indicator.id, year)
            if len(values) == 12:
                assert values[0] < values[-1] / 5  # January holds about a twelfth of the year
        assert by_year[2022][-1] == d.baselines[indicator.id][0]  # the year's total


def test_year_to_date_rates_stay_rates() -> None:
    d = data()
    for indicator in contract().indicators:
        if indicator.cumulation is not Cumulation.YEAR_TO_DATE or demo.is_additive(indicator):
            continue
        values = [v.value for v in series(d, indicator.id)]
        if not values:
            continue
        assert max(values) < 2 * min(values), indicator.id
        if indicator.unit.startswith("%"):
            assert all(0 <= v <= 100 for v in values), indicator.id


def test_targets_by_kind_and_direction() -> None:
    d = data()
    targets: dict[str, dict[int, tuple[str, str]]] = defaultdict(dict)
    for t in d.targets:
        if t.subject_type == "indicator":
            targets[t.subject_id][t.year] = (t.kind, t.comparator)
    for indicator in contract().indicators:
        kind = indicator.target.kind
        if indicator.type is IndicatorType.MONITORING or kind is TargetKind.NONE:
            continue
        years = targets[indicator.id]
        if kind is TargetKind.FIXED:
            assert years == {2027: ("fixed", "ge")}
            continue
        assert sorted(years) == [2024, 2025, 2026, 2027], indicator.id
        expected = "national" if kind in (TargetKind.COG, TargetKind.NATIONAL) else None
        for target_kind, comparator in years.values():
            if expected:
                assert target_kind == expected
            elif kind is not TargetKind.FROM_YEAR:
                assert target_kind == "individualised", indicator.id
            assert comparator == {"up": "ge", "down": "le"}[indicator.direction.value]
    fixed = [t for t in d.targets if t.subject_id == "ctg-schema-accueil-jeune-enfant"]
    assert [(t.year, t.value) for t in fixed] == [(2027, Decimal(100))]


def test_trajectory_targets_for_level_measures() -> None:
    d = data()
    trajectory = [t for t in d.targets if t.kind == "trajectory"]
    measures = {m.id: m for _, _, m in contract().measures()}
    assert {t.subject_type for t in trajectory} == {"measure"}
    levels = {t.subject_id for t in trajectory if measures[t.subject_id].kind is MeasureKind.LEVEL}
    assert {
        measure_id("creches-avip"),
        measure_id("pass-colo"),
        measure_id("equipements-avs"),
    } <= levels
    for t in trajectory:
        assert 2023 <= t.year <= 2026


def test_baselines_for_measures_without_one() -> None:
    d = data()
    for _, _, measure in contract().measures():
        needs = measure.baseline is None and measure.kind not in (
            MeasureKind.MILESTONE,
            MeasureKind.CUMULATIVE_COUNT,
        )
        if needs and scenario_of(measure.id, contract()) != "empty":
            value, year = d.baselines[measure.id]
            assert year == 2022
            if measure.indicator:  # its values are the indicator's: December 2022's
                assert value_of(d, measure.indicator, "2022-12") == value, measure.id
            else:
                assert value_of(d, measure.id, "2022") == value, measure.id
        elif measure.baseline is not None:
            assert measure.id not in d.baselines


def test_milestones_are_percent_done() -> None:
    d = data(date(2026, 11, 27))
    latest: dict[str, Decimal] = {}
    for _, _, measure in contract().measures():
        if measure.kind is not MeasureKind.MILESTONE:
            continue
        values = [v.value for v in series(d, measure.id)]
        assert all(0 <= v <= 100 for v in values)
        assert values == sorted(values)
        latest[measure.id] = values[-1]
    assert sum(v == 100 for v in latest.values()) >= 2
    assert sum(0 < v < 100 for v in latest.values()) >= 2
    assert sum(v == 0 for v in latest.values()) == 1


# --- what the assessment makes of it ---------------------------------------------------------


def status_of(as_of: date) -> ContractStatus:
    """The demo data as the store holds it — the signed text's targets, the demo targets and
    values — assessed through cpog.steering."""
    d = data(as_of)
    targets: dict[tuple[str, str], list[StoredTarget]] = defaultdict(list)
    for subject_type, subject_id, year, value, comparator in signed_targets(contract()):
        targets[(subject_type, subject_id)].append(
            StoredTarget(year, float(value), "fixed", comparator, "cpog")
        )
    for t in d.targets:
        targets[(t.subject_type, t.subject_id)].append(
            StoredTarget(t.year, float(t.value), t.kind, t.comparator, "demo")
        )
    observations: dict[tuple[str, str], list[Observation]] = defaultdict(list)
    for v in d.values:
        observations[(v.subject_type, v.subject_id)].append(
            Observation(v.period, float(v.value), provisional=v.status == "provisional")
        )
    return contract_status(contract(), targets, observations, as_of)


@pytest.mark.parametrize(
    "as_of", [date(2025, 1, 20), date(2025, 9, 30), AS_OF, date(2026, 11, 27), date(2027, 3, 5)]
)
def test_indicators_cover_every_status_as_their_scenario_says(as_of: date) -> None:
    status = status_of(as_of)
    statuses: Counter[str] = Counter()
    for row in status.rows:
        if row.subject_type != "indicator":
            continue
        result = row.assessment
        scenario = scenario_of(row.subject_id, contract())
        assert result.status.value == demo.EXPECTED_STATUS[scenario], (row.subject_id, scenario)
        if scenario != "empty":
            assert result.freshness.is_late == (scenario == "late"), row.subject_id
        assert result.to_check is None, (row.subject_id, result.to_check)
        statuses[result.status.value] += 1
    assert set(statuses) == {
        "conforme",
        "en_avance",
        "a_surveiller",
        "en_retard",
        "atteint",
        "non_renseigne",
        "sans_cible",
    }
    assert min(statuses.values()) >= 2


@pytest.mark.parametrize("as_of", [date(2026, 2, 1), AS_OF, date(2026, 11, 27)])
def test_measures_get_the_status_of_their_scenario(as_of: date) -> None:
    status = status_of(as_of)
    for row in status.rows:
        if row.subject_type != "measure":
            continue
        scenario = scenario_of(row.subject_id, contract())
        assert row.assessment.status.value == demo.EXPECTED_STATUS[scenario], (
            row.subject_id,
            scenario,
        )
        assert row.assessment.to_check is None, row.subject_id
        assert not any(v.to_check for v in row.assessment.years), row.subject_id


@pytest.mark.parametrize("as_of", [date(2028, 1, 20), date(2028, 6, 1)])
def test_after_the_contract_every_subject_gets_a_closing_verdict(as_of: date) -> None:
    rows = status_of(as_of).rows
    closing = {"atteint", "non_atteint", "non_renseigne", "sans_cible"}
    assert {r.assessment.status.value for r in rows} <= closing
    by_scenario: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_scenario[scenario_of(r.subject_id, contract())].add(r.assessment.status.value)
    assert by_scenario["met"] == {"atteint"}
    assert by_scenario["behind"] == {"non_atteint"}
    assert by_scenario["monitoring"] == {"sans_cible"}
