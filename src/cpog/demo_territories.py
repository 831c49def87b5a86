"""Demonstration values by commune: the caisse's demo series of a few computed indicators split
over its communes, so that a fresh install shows statuses by EPCI and the map (issue 12).

Each commune gets a volume (its denominator: items handled) in proportion to its population and
a value drawn around the caisse's — an EPCI effect shared by its communes and a commune's own,
both from ``sha256`` of the seed, subject and code: deterministic. The values are then scaled so
that the **ratio of sums over the communes is the caisse's value** of the period (for a
share above 50 %, its complement to 100 is scaled, so that no commune passes 100 %): the map and the
statuses by territory add up to what the caisse's pages show, to the rounding. Numerators are
whole (days, items) and each value is numerator ÷ denominator, as a computation would store it.
Every value is labelled « données de démonstration » by its source and comment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from cpog.demo import DEMO_LABEL, DemoValue
from cpog.geography import Geography
from cpog.periods import Period

# Monthly indicators that `cpog compute` also gives by commune (src/cpog/warehouse/definitions)
SUBJECTS: tuple[str, ...] = ("cog-08-25", "cog-08-29", "cog-08-32", "cog-08-33")
FIRST_YEAR = 2025  # periods from January of this year: enough for a year's comparison
ITEMS_PER_INHABITANT = 0.08  # a month's items handled per inhabitant (a demo order of size)
SPREAD_EPCI = 0.12
SPREAD_COMMUNE = 0.10

COMMENT = f"Valeur par commune : {DEMO_LABEL}"


@dataclass(frozen=True)
class TerritoryDemoValue:
    code: str  # INSEE code of the commune
    subject_type: str
    subject_id: str
    period: Period
    value: Decimal
    numerator: Decimal
    denominator: Decimal


def _draw(seed: str, *parts: str) -> float:
    """A number in [-1, 1) from the seed and ``parts``."""
    digest = hashlib.sha256("|".join((seed, *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**63 - 1.0


def _whole(exact: dict[str, float]) -> dict[str, int]:
    """Whole numerators whose total is the rounded total of ``exact`` (largest remainders), so
    that rounding each commune does not move the caisse's ratio of sums."""
    floors = {code: int(amount) for code, amount in exact.items()}
    missing = round(sum(exact.values())) - sum(floors.values())
    by_remainder = sorted(exact, key=lambda code: (floors[code] - exact[code], code))
    for code in by_remainder[: max(0, missing)]:
        floors[code] += 1
    return floors


def split_by_commune(
    values: Iterable[DemoValue], geography: Geography, units: dict[str, str], seed: str
) -> list[TerritoryDemoValue]:
    """The demo values of :data:`SUBJECTS` (``units``: subject id → unit) from
    :data:`FIRST_YEAR` on, split over the communes of ``geography``."""
    communes = [c for c in geography.communes if c.population > 0]
    volumes = {
        c.code: max(1, round(c.population * ITEMS_PER_INHABITANT)) for c in geography.communes
    }
    found: list[TerritoryDemoValue] = []
    for value in values:
        if value.subject_id not in SUBJECTS or value.period.start.year < FIRST_YEAR:
            continue
        percent = units.get(value.subject_id) == "%"
        level = float(value.value)
        # the part that varies between communes: a share above 50 % varies by its complement,
        # so that no commune passes 100 % and none falls below 0
        complement = percent and level > 50.0
        base = 100.0 - level if complement else level
        factors = {
            c.code: max(
                0.05,
                1.0
                + SPREAD_EPCI * _draw(seed, value.subject_id, c.epci)
                + SPREAD_COMMUNE * _draw(seed, value.subject_id, c.code),
            )
            for c in communes
        }
        total = sum(volumes[code] for code in factors)
        weighted = sum(factors[code] * volumes[code] for code in factors) / total
        scale = 100.0 if percent else 1.0
        exact = {}
        for commune in communes:
            varying = base * factors[commune.code] / weighted
            share = 100.0 - varying if complement else varying
            exact[commune.code] = share * volumes[commune.code] / scale
        for code, numerator in _whole(exact).items():
            denominator = volumes[code]
            found.append(
                TerritoryDemoValue(
                    code,
                    value.subject_type,
                    value.subject_id,
                    value.period,
                    Decimal(str(round(numerator / denominator * scale, 4))),
                    Decimal(numerator),
                    Decimal(denominator),
                )
            )
    return found
