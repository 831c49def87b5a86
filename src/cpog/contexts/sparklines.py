"""Sparklines: a tiny Vega-Lite line of a défi's average progress over time, for the tiles of
the dashboard. No axes (a sparkline is read against its own start and end); each spec carries a
French text description for screen readers, and the page shows the same figures in words.

Nothing is drawn with fewer than two points: one point is not a line."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from cpog.contexts.serialize import record
from cpog.formatting import fr_percent

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
COLOUR = "#1f4e79"
WIDTH, HEIGHT = 140, 36


@record
class ProgressPoint:
    """The average progress (0-100) of a défi at ``on``, labelled « fin 2024 » or a date."""

    on: date
    label: str
    progress: float


def progress_description(title: str, points: Sequence[ProgressPoint]) -> str:
    """« Avancement moyen du défi n°1 : 12,0 % fin 2023, 35,5 % fin 2024, 74,4 % au 27/11/2026. »"""
    steps = ", ".join(f"{fr_percent(p.progress)} {p.label}" for p in points)
    return f"Avancement moyen {title} : {steps}."


def progress_sparkline(title: str, points: Sequence[ProgressPoint]) -> dict[str, Any] | None:
    """The spec of the sparkline, or None with fewer than two points."""
    if len(points) < 2:
        return None
    values = [
        {
            "date": p.on.isoformat(),
            "avancement": round(p.progress, 2),
            "libelle": f"{p.label} : {fr_percent(p.progress)}",
        }
        for p in points
    ]
    low = min(0.0, *(p.progress for p in points))
    high = max(100.0, *(p.progress for p in points))
    return {
        "$schema": SCHEMA,
        "description": progress_description(title, points),
        "width": WIDTH,
        "height": HEIGHT,
        "padding": 2,
        "data": {"values": values},
        "encoding": {
            "x": {"field": "date", "type": "temporal", "axis": None},
            "y": {
                "field": "avancement",
                "type": "quantitative",
                "axis": None,
                "scale": {"domain": [low, high]},
            },
            "tooltip": [{"field": "libelle", "type": "nominal", "title": "Avancement"}],
        },
        "layer": [
            {"mark": {"type": "line", "color": COLOUR, "strokeWidth": 2}},
            {"mark": {"type": "point", "color": COLOUR, "filled": True, "size": 24}},
        ],
        "config": {"view": {"stroke": None}},
    }
