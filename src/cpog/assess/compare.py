"""Comparing caisses on one indicator: quartiles of their values, each one's rank and quartile.

Quartiles are those of the values present (Q1, median, Q3), computed as a spreadsheet's
QUARTILE.INC does (linear interpolation between the ordered values, the smallest and the largest
included), so that a user can check them in Excel or LibreOffice. A rank counts from the best
(1) given the indicator's direction — the highest value first when it should rise, the lowest
when it should fall —, equal values share the same rank and the next rank skips (1, 2, 2, 4),
as RANG does. An indicator to maintain has no best: no rank. The quartile a value falls in is
counted from the lowest values (1: at most Q1 … 4: above Q3), whatever the direction; whether
it is the favourable end is told apart (:func:`favourable_quartile`).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cpog.contract.model import Direction

__all__ = ["Quartiles", "favourable_quartile", "quartile_of", "quartiles", "ranks"]


@dataclass(frozen=True)
class Quartiles:
    q1: float
    median: float
    q3: float
    count: int


def quartiles(values: Sequence[float]) -> Quartiles | None:
    """Q1, median and Q3 of ``values`` (None when there is none)."""
    if not values:
        return None
    if len(values) == 1:
        return Quartiles(values[0], values[0], values[0], 1)
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Quartiles(q1, median, q3, len(values))


def quartile_of(value: float, found: Quartiles) -> int:
    """1 to 4, from the lowest values: at most Q1 is 1, at most the median 2, at most Q3 3."""
    if value <= found.q1:
        return 1
    if value <= found.median:
        return 2
    if value <= found.q3:
        return 3
    return 4


def favourable_quartile(quartile: int, direction: Direction) -> bool | None:
    """Whether ``quartile`` is the best quarter (True), the worst (False), or in between or
    without a direction (None)."""
    if direction is Direction.MAINTAIN or quartile in (2, 3):
        return None
    best = 4 if direction is Direction.UP else 1
    return quartile == best


def ranks(values: Mapping[str, float], direction: Direction) -> dict[str, int]:
    """The rank of each code (1 = best given ``direction``; ties share their rank); empty for
    an indicator to maintain."""
    if direction is Direction.MAINTAIN:
        return {}
    ordered = sorted(values.items(), key=lambda item: item[1], reverse=direction is Direction.UP)
    found: dict[str, int] = {}
    previous: float | None = None
    rank = 0
    for position, (code, value) in enumerate(ordered, start=1):
        if previous is None or value != previous:
            rank = position
            previous = value
        found[code] = rank
    return found
