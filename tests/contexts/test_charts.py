"""The trajectory charts' Vega-Lite specs, without a database (issue 10): each value at its own
period, the final target labelled, text of at least 11 px, French tooltips, no empty layer and
no trajectory where there is none to draw."""

from __future__ import annotations

from typing import Any

import pytest
from memory_reader import demo_reader

from cpog.assess.trajectory import trajectory_points
from cpog.contexts.charts import (
    EXPECTED,
    TARGET,
    VALUES,
    nothing_to_draw,
    period_in_words,
    trajectory_chart,
)
from cpog.periods import parse_period
from cpog.steering import StatusRow

MONTHLY = "cog-08-32"  # monthly, with a reference value and targets
ANNUAL = "d01-r1-places-eaje"  # a measure with annual values 2022-2025 and targets to 2027
NO_REFERENCE = "cog-01-03"  # annual targets 2024-2027 but no reference value, no value


def _row(subject_id: str) -> StatusRow:
    row = next(r for r in demo_reader().situation().status.rows if r.subject_id == subject_id)
    return row


def _spec(subject_id: str) -> dict[str, Any]:
    row = _row(subject_id)
    return trajectory_chart(row.assessment, row.series)


def _rows(spec: dict[str, Any], series: str) -> list[dict[str, Any]]:
    return [r for r in spec["data"]["values"] if r["serie"] == series]


def _filters(spec: dict[str, Any]) -> list[str]:
    return [t["filter"] for layer in spec["layer"] for t in layer.get("transform", [])]


def test_an_annual_value_sits_at_the_end_of_its_year_on_the_tick_of_its_year() -> None:
    spec = _spec(ANNUAL)
    values = _rows(spec, VALUES)
    assert [(r["date"], r["periode"]) for r in values] == [
        (f"{year}-12-31", f"année {year}") for year in (2022, 2023, 2024, 2025)
    ]
    x = spec["encoding"]["x"]
    # the ticks are the ends of the years, labelled « fin 2025 »: a value of 2025 is on the tick
    # of 2025, not on the one of 2026 (1 January)
    ticks = x["axis"]["values"]
    assert {(t["month"], t["date"]) for t in ticks} == {(12, 31)}
    assert all(t["utc"] for t in ticks) and x["scale"]["type"] == "utc"
    assert [t["year"] for t in ticks] == list(range(2022, 2028))
    assert x["axis"]["format"] == "fin %Y"
    # the 2025 target sits on the same date as the 2025 value
    assert "2025-12-31" in {r["date"] for r in _rows(spec, TARGET)}


def test_a_monthly_value_sits_at_the_end_of_its_month() -> None:
    values = _rows(_spec(MONTHLY), VALUES)
    october = next(r for r in values if r["periode"] == "octobre 2026")
    assert october["date"] == "2026-10-31"


def test_the_final_target_is_labelled_and_only_it() -> None:
    spec = _spec(MONTHLY)
    labelled = [r for r in spec["data"]["values"] if "etiquette" in r]
    assert len(labelled) == 1
    assert labelled[0]["serie"] == TARGET and labelled[0]["date"] == "2027-12-31"
    assert labelled[0]["etiquette"] == "cible 2027 : 14\u00a0jours"
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert texts and all(t["encoding"]["text"]["field"] == "etiquette" for t in texts)


def test_text_is_at_least_11_px() -> None:
    spec = _spec(MONTHLY)
    config = spec["config"]
    sizes = [
        config["axis"]["labelFontSize"],
        config["axis"]["titleFontSize"],
        config["legend"]["labelFontSize"],
        config["text"]["fontSize"],
    ] + [layer["mark"]["fontSize"] for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert min(sizes) >= 11


def test_tooltips_are_french_with_formatted_values_and_periods_in_words() -> None:
    spec = _spec(MONTHLY)
    assert [t["title"] for t in spec["encoding"]["tooltip"]] == ["Série", "Période", "Valeur"]
    assert [t["field"] for t in spec["encoding"]["tooltip"]] == [
        "serie",
        "periode",
        "valeur_texte",
    ]
    values = _rows(spec, VALUES)
    assert any(r["valeur_texte"] == "17,6\u00a0jours" for r in values)  # 17,63 to one decimal
    expected = _rows(spec, EXPECTED)
    assert expected[0]["periode"].startswith("fin ")
    # the spec carries the French locale: the web page and the PDF format numbers alike
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["locale"]["time"]["months"][2] == "mars"


def test_no_trajectory_without_a_reference_value() -> None:
    row = _row(NO_REFERENCE)
    assert (
        row.assessment.subject.baseline is None and trajectory_points(row.assessment.subject) == []
    )
    spec = trajectory_chart(row.assessment, row.series)
    assert _rows(spec, EXPECTED) == []  # it drew a V through the annual targets
    assert [r["valeur"] for r in _rows(spec, TARGET)] == [40.0, 41.0, 42.0, 43.0]
    assert spec["encoding"]["color"]["scale"]["domain"] == [TARGET]


@pytest.mark.parametrize("row", demo_reader().situation().status.rows, ids=lambda r: r.subject_id)
def test_no_layer_without_data(row: StatusRow) -> None:
    """An empty layer is what made Vega warn of an « Infinite extent »."""
    spec = trajectory_chart(row.assessment, row.series)
    if nothing_to_draw(spec):
        assert spec["encoding"]["text"]["value"] == "Ni valeur ni cible à représenter."
        assert "x" not in spec["encoding"]
        return
    present = {r["serie"] for r in spec["data"]["values"]}
    for wanted in _filters(spec):
        if wanted.startswith("datum.serie === "):
            assert wanted.split("'")[1] in present, wanted
        else:
            assert any("etiquette" in r for r in spec["data"]["values"]), wanted
    assert spec["encoding"]["color"]["scale"]["domain"] == [
        s
        for s in ("Valeurs", "Trajectoire attendue", "Cible annuelle", "Projection")
        if s in present
    ]
    assert "title" not in spec  # the page, the défi's figure or the PDF's caption names it


def test_a_subject_with_neither_value_nor_target_draws_nothing() -> None:
    empty = [
        r
        for r in demo_reader().situation().status.rows
        if nothing_to_draw(trajectory_chart(r.assessment, r.series))
    ]
    assert empty, "the demo has a measure with neither value nor target"
    assert all(not r.series and not r.assessment.subject.targets for r in empty)


def test_periods_in_words() -> None:
    assert period_in_words(parse_period("2025")) == "année 2025"
    assert period_in_words(parse_period("2025-10")) == "octobre 2025"
    assert period_in_words(parse_period("T1 2025")) == "1er trimestre 2025"
    assert period_in_words(parse_period("S2 2024")) == "2e semestre 2024"
