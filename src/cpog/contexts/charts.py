"""Vega-Lite chart specs, built in one place for the web pages (vega-embed) and the PDF reports
(vl-convert). French labels, number and date formats (the spec carries its own locale, so the web
page and the PDF agree); each chart carries a text description for screen readers, and pages show
the same figures in a table.

Every point sits at the end of its period: an annual value of 2025 at 31/12/2025, on the tick
labelled « fin 2025 » (the x axis ticks are the ends of the years, never 1 January, where a value
of 2025 would look like one of 2026). Only the series that have data get a layer (an empty layer
makes Vega warn of an « Infinite extent »), and the expected trajectory is drawn only when there
is one: a reference value and a target after it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from cpog.assess import Assessment, Observation, expected_value, targets_by_year
from cpog.assess.trajectory import trajectory_points, year_end
from cpog.assess.wording import value_text
from cpog.periods import MONTH_NAMES, Period, PeriodUnit

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
VALUES, EXPECTED, TARGET, PROJECTION = (
    "Valeurs",
    "Trajectoire attendue",
    "Cible annuelle",
    "Projection",
)
SERIES = [VALUES, EXPECTED, TARGET, PROJECTION]
COLOURS = ["#1f4e79", "#6b6b6b", "#a3141b", "#7a4b00"]
COLOUR = dict(zip(SERIES, COLOURS, strict=True))
FONT_SIZE = 12  # axis labels, legend, the final target's label: at least 11 px (issue 10)
TITLE_SIZE = 14
# Field names of a chart row (French: they are in the JSON of every page that has a chart).
DATE, VALUE, SERIE, PERIOD, VALUE_TEXT, LABEL, NOTE = (
    "date",
    "valeur",
    "serie",
    "periode",
    "valeur_texte",
    "libelle",
    "etiquette",
)

# The locale of numbers and dates, in the spec itself: vega-embed and vl-convert both apply it.
LOCALE = {
    "number": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"]},
    "time": {
        "dateTime": "%A %e %B %Y à %X",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": list(MONTH_NAMES),
        "shortMonths": [
            "janv.",
            "févr.",
            "mars",
            "avr.",
            "mai",
            "juin",
            "juil.",
            "août",
            "sept.",
            "oct.",
            "nov.",
            "déc.",
        ],
    },
}

_ORDINAL = {1: "1er", 2: "2e", 3: "3e", 4: "4e"}


def period_in_words(period: Period) -> str:
    """« année 2025 », « 1er trimestre 2025 », « 2e semestre 2024 », « octobre 2025 »."""
    if period.to_date or period.unit is PeriodUnit.MONTH:
        return str(period)
    if period.unit is PeriodUnit.YEAR:
        return f"année {period.year}"
    name = "trimestre" if period.unit is PeriodUnit.QUARTER else "semestre"
    return f"{_ORDINAL[period.index]} {name} {period.year}"


def day_in_words(day: date) -> str:
    """« fin 2027 » for the last day of a year, else « 30/06/2027 »."""
    if (day.month, day.day) == (12, 31):
        return f"fin {day.year}"
    return day.strftime("%d/%m/%Y")


def _point(
    day: date, value: float, series: str, period: str, unit: str | None, label: str
) -> dict[str, Any]:
    return {
        DATE: day.isoformat(),
        VALUE: round(value, 4),
        SERIE: series,
        PERIOD: period,
        VALUE_TEXT: value_text(value, unit),
        LABEL: label,
    }


def has_trajectory(assessment: Assessment) -> bool:
    """A trajectory to draw: a reference value and at least one target after its year. Without a
    reference the « expected » value of each year is that year's target, and a line through them
    is no trajectory (it drew a V when the targets went down then up)."""
    return len(trajectory_points(assessment.subject)) >= 2


def trajectory_data(
    assessment: Assessment, observations: Sequence[Observation]
) -> list[dict[str, Any]]:
    """Rows of the chart: values, the expected trajectory, annual targets, the projection; the
    final target's row carries the label drawn beside it (``etiquette``)."""
    subject = assessment.subject
    unit = subject.unit
    rows = [
        _point(
            o.period.end,
            o.value,
            VALUES,
            period_in_words(o.period),
            unit,
            f"{o.period} : {value_text(o.value, unit)}",
        )
        for o in sorted(observations, key=lambda o: o.period)
        if o.period.end <= assessment.as_of
    ]
    targets = targets_by_year(subject)
    if targets and has_trajectory(assessment):
        base = subject.baseline
        start = base.year if base is not None else subject.contract_start - 1
        for year in range(start, max(targets) + 1):
            expected = expected_value(subject, year_end(year))
            if expected is not None:
                rows.append(
                    _point(
                        year_end(year),
                        expected,
                        EXPECTED,
                        f"fin {year}",
                        unit,
                        f"attendu fin {year} : {value_text(expected, unit)}",
                    )
                )
    final_year = max(targets) if targets else None
    for year, target in sorted(targets.items()):
        row = _point(
            year_end(year),
            target.value,
            TARGET,
            f"année {year}",
            unit,
            f"cible {year} : {value_text(target.value, unit)}",
        )
        if year == final_year:
            row[NOTE] = f"cible {year} : {value_text(target.value, unit)}"
        rows.append(row)
    if assessment.projection is not None and assessment.current is not None:
        current = assessment.current
        projection = assessment.projection
        rows.append(
            _point(
                current.period.end,
                current.value,
                PROJECTION,
                period_in_words(current.period),
                unit,
                f"dernière valeur : {value_text(current.value, unit)}",
            )
        )
        rows.append(
            _point(
                projection.at,
                projection.value,
                PROJECTION,
                day_in_words(projection.at),
                unit,
                f"projection {day_in_words(projection.at)} : {value_text(projection.value, unit)}",
            )
        )
    return rows


def description(assessment: Assessment) -> str:
    subject = assessment.subject
    parts = [f"Évolution de « {subject.label} »"]
    if assessment.current:
        parts.append(
            f"dernière valeur {value_text(assessment.current.value, subject.unit)} "
            f"({assessment.current.period})"
        )
    if assessment.final_target:
        parts.append(
            f"cible {assessment.final_target.year} : "
            f"{value_text(assessment.final_target.value, subject.unit)}"
        )
    parts.append(f"statut : {assessment.status.label_fr}")
    return ", ".join(parts) + "."


def _year_ticks(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ends of the years the chart spans (UTC dates, as the data's ISO dates are read)."""
    years = [int(str(r[DATE])[:4]) for r in rows]
    first, last = min(years), max(years)
    # a value at the end of a period within a year sits before that year's end: the tick after
    # it is the one of its year; the first tick is the end of the first year shown
    return [{"year": y, "month": 12, "date": 31, "utc": True} for y in range(first, last + 1)]


def _label_below(rows: list[dict[str, Any]]) -> bool:
    """Whether the final target's label goes under it: when it is the lowest point (the line
    that leads to it comes from above, and the room under it is empty)."""
    final = next(r for r in rows if NOTE in r)
    return all(r[VALUE] >= final[VALUE] for r in rows)


def _layers(present: set[str], steps: bool, label_below: bool) -> list[dict[str, Any]]:
    def only(series: str) -> list[dict[str, Any]]:
        return [{"filter": f"datum.{SERIE} === '{series}'"}]

    layers: list[dict[str, Any]] = []
    if VALUES in present:
        layers.append(
            {
                "transform": only(VALUES),
                "mark": {"type": "line", "point": {"aria": False, "size": 40}, "aria": False},
            }
        )
    if EXPECTED in present:
        mark: dict[str, Any] = {"type": "line", "strokeDash": [6, 4], "aria": False}
        if steps:
            mark["interpolate"] = "step-before"
        layers.append({"transform": only(EXPECTED), "mark": mark})
    if TARGET in present:
        layers.append(
            {
                "transform": only(TARGET),
                "mark": {
                    "type": "point",
                    "shape": "diamond",
                    "size": 90,
                    "filled": True,
                    "aria": False,
                },
            }
        )
        # the final target's label, over a white halo so that a line under it does not hide it
        for halo in (True, False):
            text_mark: dict[str, Any] = {
                "type": "text",
                "align": "right",
                "baseline": "top" if label_below else "bottom",
                "dx": -4,
                "dy": 9 if label_below else -9,
                "fontSize": FONT_SIZE,
                "fontWeight": "bold",
                "aria": False,
            }
            if halo:
                text_mark |= {"stroke": "#ffffff", "strokeWidth": 4, "strokeJoin": "round"}
            layers.append(
                {
                    "transform": [{"filter": f"isValid(datum.{NOTE})"}],
                    "mark": text_mark,
                    "encoding": {
                        "text": {"field": NOTE, "type": "nominal"},
                        "color": {"value": "#ffffff" if halo else COLOUR[TARGET]},
                    },
                }
            )
    if PROJECTION in present:
        layers.append(
            {
                "transform": only(PROJECTION),
                "mark": {"type": "line", "strokeDash": [2, 3], "aria": False},
            }
        )
    return layers


def _config() -> dict[str, Any]:
    # The page's chart holder carries role="img" and the description, and a table gives the
    # figures: the SVG's own ARIA marks would only repeat them (and empty ones fail axe).
    return {
        "font": "system-ui, sans-serif",
        "aria": False,
        "locale": LOCALE,
        "axis": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE},
        "legend": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE},
        "title": {"fontSize": TITLE_SIZE},
        "text": {"fontSize": FONT_SIZE},
    }


def nothing_to_draw(spec: dict[str, Any]) -> bool:
    """Whether a spec of :func:`trajectory_chart` has neither value nor target to show."""
    return "layer" not in spec


def trajectory_chart(
    assessment: Assessment, observations: Sequence[Observation], title: str | None = None
) -> dict[str, Any]:
    """Values against the target trajectory, with annual targets and the projection. Without
    any value or target, a chart that says so in words (and draws no axis)."""
    unit = assessment.subject.unit or ""
    rows = trajectory_data(assessment, observations)
    # No title by default: the page's heading, the défi's figure caption or the PDF's caption
    # names the subject (a long label as a title made the chart wider than a phone).
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "description": description(assessment),
        "width": "container",
        "height": 260,
    }
    if title:
        spec["title"] = title
    if not rows:
        return spec | {
            "data": {"values": [{}]},
            "mark": {"type": "text", "fontSize": FONT_SIZE, "aria": False},
            "encoding": {"text": {"value": "Ni valeur ni cible à représenter."}},
            "config": _config() | {"view": {"stroke": None}},
        }
    present = {str(r[SERIE]) for r in rows}
    domain = [s for s in SERIES if s in present]
    return spec | {
        "data": {"values": rows},
        "encoding": {
            "x": {
                "field": DATE,
                "type": "temporal",
                "title": None,
                "scale": {"type": "utc", "nice": False, "padding": 14},
                "axis": {
                    "values": _year_ticks(rows),
                    "format": "fin %Y",
                    "labelOverlap": "parity",
                    "grid": True,
                },
            },
            "y": {
                "field": VALUE,
                "type": "quantitative",
                "title": unit or None,
                # room above and below the points for the final target's label and the diamonds
                "scale": {"zero": False, "padding": 24},
            },
            "color": {
                "field": SERIE,
                "type": "nominal",
                "title": None,
                "scale": {"domain": domain, "range": [COLOUR[s] for s in domain]},
                "legend": {"orient": "bottom"},
            },
            "tooltip": [
                {"field": SERIE, "type": "nominal", "title": "Série"},
                {"field": PERIOD, "type": "nominal", "title": "Période"},
                {"field": VALUE_TEXT, "type": "nominal", "title": "Valeur"},
            ],
        },
        "layer": _layers(
            present,
            steps=assessment.subject.trajectory == "steps",
            label_below=TARGET in present and _label_below(rows),
        ),
        "config": _config(),
    }


# --- the map of territories (cpog.contexts.territory_map; decision 021) ----------------------

# Five classes, light to dark (ColorBrewer YlGnBu: colour-blind safe, and ordered in lightness,
# so that a grey print keeps the order); territories without a value in light grey.
MAP_COLOURS = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
MAP_MISSING_COLOUR = "#d9d9d9"
MAP_HEIGHT = 460
MAP_PRINT_SIZE = (440, 500)
# Field names of a territory in the map's data (in its GeoJSON ``properties``).
MAP_NAME, MAP_CLASS, MAP_LETTER, MAP_VALUE_TEXT = "nom", "classe", "lettre", "valeur_texte"
MAP_LETTER_COLOUR = "couleur_lettre"


def map_chart(
    collection: dict[str, Any],
    territories: dict[str, dict[str, str]],
    classes: Sequence[tuple[str, str]],
    description: str,
    letter_size: int,
) -> dict[str, Any]:
    """A choropleth: ``collection`` (GeoJSON, d3-geo ring order) with, per territory code, its
    ``territories`` fields (name, class text, letter and its colour, value text: pre-formatted
    in French, as the spec needs no number format), coloured by class — ``classes`` lists each
    class text with its colour, in order — and each territory's class letter drawn at its label
    point, so that the map reads without colour. The projection is fitted to the shapes."""
    features = []
    for feature in collection["features"]:
        code = feature["properties"]["code"]
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": feature["properties"] | territories.get(code, {}),
            }
        )

    def field(name: str) -> str:
        return f"properties.{name}"

    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": MAP_HEIGHT,
        "autosize": {"type": "fit", "contains": "padding"},
        "usermeta": {"impression": {"largeur": MAP_PRINT_SIZE[0], "hauteur": MAP_PRINT_SIZE[1]}},
        "data": {"values": features},
        "projection": {"type": "mercator"},
        "layer": [
            {
                # grey borders: the lightest class stays outlined on white paper
                "mark": {
                    "type": "geoshape",
                    "stroke": "#6f6f6f",
                    "strokeWidth": 0.5,
                    "aria": False,
                },
                "encoding": {
                    "color": {
                        "field": field(MAP_CLASS),
                        "type": "ordinal",
                        "title": None,
                        "scale": {
                            "domain": [text for text, _ in classes],
                            "range": [colour for _, colour in classes],
                        },
                        "legend": {
                            "orient": "bottom",
                            "direction": "vertical",
                            "symbolType": "square",
                            "symbolSize": 160,
                            "symbolStrokeColor": "#6f6f6f",
                            "symbolStrokeWidth": 0.5,
                        },
                    },
                    "tooltip": [
                        {"field": field(MAP_NAME), "type": "nominal", "title": "Territoire"},
                        {"field": field(MAP_VALUE_TEXT), "type": "nominal", "title": "Valeur"},
                        {"field": field(MAP_CLASS), "type": "nominal", "title": "Classe"},
                    ],
                },
            },
            {
                "mark": {
                    "type": "text",
                    "fontSize": letter_size,
                    "fontWeight": "bold",
                    "aria": False,
                },
                "encoding": {
                    "longitude": {"field": field("lon"), "type": "quantitative"},
                    "latitude": {"field": field("lat"), "type": "quantitative"},
                    "text": {"field": field(MAP_LETTER), "type": "nominal"},
                    # white on the two darkest classes, near black elsewhere
                    "color": {"field": field(MAP_LETTER_COLOUR), "type": "nominal", "scale": None},
                },
            },
        ],
        "config": _config() | {"view": {"stroke": None}},
    }
