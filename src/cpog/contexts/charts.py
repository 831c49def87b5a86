"""Vega-Lite chart specs, built in one place for the web pages (vega-embed) and the PDF reports
(vl-convert). French labels and number formats; each chart carries a text description for
screen readers, and pages show the same figures in a table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from cpog.assess import Assessment, Observation, expected_value, targets_by_year
from cpog.assess.trajectory import year_end
from cpog.assess.wording import value_text

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
SERIES = ["Valeurs", "Trajectoire attendue", "Cible annuelle", "Projection"]
COLOURS = ["#1f4e79", "#6b6b6b", "#a3141b", "#7a4b00"]


def _point(day: date, value: float, series: str, label: str) -> dict[str, Any]:
    return {"date": day.isoformat(), "valeur": round(value, 4), "serie": series, "libelle": label}


def trajectory_data(
    assessment: Assessment, observations: Sequence[Observation]
) -> list[dict[str, Any]]:
    """Rows of the chart: values, the expected trajectory, annual targets, the projection."""
    subject = assessment.subject
    unit = subject.unit
    rows = [
        _point(o.period.end, o.value, "Valeurs", f"{o.period} : {value_text(o.value, unit)}")
        for o in sorted(observations, key=lambda o: o.period)
        if o.period.end <= assessment.as_of
    ]
    targets = targets_by_year(subject)
    if targets:
        start = subject.baseline.year if subject.baseline else subject.contract_start - 1
        for year in range(start, max(targets) + 1):
            expected = expected_value(subject, year_end(year))
            if expected is not None:
                rows.append(
                    _point(
                        year_end(year),
                        expected,
                        "Trajectoire attendue",
                        f"attendu fin {year} : {value_text(expected, unit)}",
                    )
                )
        for year, target in sorted(targets.items()):
            rows.append(
                _point(
                    year_end(year),
                    target.value,
                    "Cible annuelle",
                    f"cible {year} : {value_text(target.value, unit)}",
                )
            )
    if assessment.projection is not None and assessment.current is not None:
        current = assessment.current
        rows.append(_point(current.period.end, current.value, "Projection", "dernière valeur"))
        rows.append(
            _point(
                assessment.projection.at,
                assessment.projection.value,
                "Projection",
                f"projection {assessment.projection.at.year} : "
                f"{value_text(assessment.projection.value, unit)}",
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


def trajectory_chart(
    assessment: Assessment, observations: Sequence[Observation], title: str | None = None
) -> dict[str, Any]:
    """Values against the target trajectory, with annual targets and the projection."""
    unit = assessment.subject.unit or ""
    return {
        "$schema": SCHEMA,
        "description": description(assessment),
        "title": title or assessment.subject.label,
        "width": "container",
        "height": 260,
        "data": {"values": trajectory_data(assessment, observations)},
        "encoding": {
            "x": {
                "field": "date",
                "type": "temporal",
                "title": None,
                "axis": {"format": "%Y", "tickCount": "year"},
            },
            "y": {
                "field": "valeur",
                "type": "quantitative",
                "title": unit,
                "scale": {"zero": False},
            },
            "color": {
                "field": "serie",
                "type": "nominal",
                "title": None,
                "scale": {"domain": SERIES, "range": COLOURS},
                "legend": {"orient": "bottom"},
            },
            "tooltip": [{"field": "libelle", "type": "nominal", "title": "Détail"}],
        },
        "layer": [
            {
                "transform": [{"filter": "datum.serie === 'Valeurs'"}],
                "mark": {"type": "line", "point": {"aria": False}, "aria": False},
            },
            {
                "transform": [{"filter": "datum.serie === 'Trajectoire attendue'"}],
                "mark": {"type": "line", "strokeDash": [6, 4], "aria": False},
            },
            {
                "transform": [{"filter": "datum.serie === 'Cible annuelle'"}],
                "mark": {
                    "type": "point",
                    "shape": "diamond",
                    "size": 90,
                    "filled": True,
                    "aria": False,
                },
            },
            {
                "transform": [{"filter": "datum.serie === 'Projection'"}],
                "mark": {"type": "line", "strokeDash": [2, 3], "aria": False},
            },
        ],
        # The page's chart holder carries role="img" and the description, and a table gives the
        # figures: the SVG's own ARIA marks would only repeat them (and empty ones fail axe).
        "config": {"font": "system-ui, sans-serif", "aria": False},
    }
