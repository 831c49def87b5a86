"""Demonstration data: fictitious values and targets for a contract, labelled as such.

:func:`generate` gives, for every indicator and every measure of targeted result of a contract, a
history of values from January 2022 up to the last period ended before a date, the targets they
are assessed against and the baselines the contract does not state. Nothing here is a real figure,
except the figures of the signed text that the history reproduces (IQL0 of 93,5 % in 2022, 70 %
of assistants maternels on monenfant.fr, 300 pass colo departures…); every value and every target
says so in its comment (:data:`DEMO_LABEL`).

The output is deterministic: the same contract, date and seed give the same data. Each subject
draws its noise from its own :class:`random.Random`, seeded with ``sha256(seed + subject_id)``,
over the whole contract, so that a later date only adds values and never changes earlier ones
(their status, provisional or definitive, excepted).

Each subject follows a *scenario* (:func:`scenario_of`), chosen so that on a date within the
contract the indicators cover every status of the assessment (cpog.assess):

===================  ===================================================================
scenario             values, and the status they lead to (:data:`EXPECTED_STATUS`)
===================  ===================================================================
``on_track``         on the trajectory from the baseline to the final target, at or just beyond
                     each year's objective → conforme
``ahead``            about 30 % more progress than expected, short of the final target (but in
                     the contract's last year, where a cumulated value cannot reach it)
                     → en avance
``slightly_behind``  about 90 % of the expected progress → à surveiller
``behind``           moving away from the target (wrong direction), beyond the tolerance
                     → en retard
``met``              final target met from the end of 2023 (the year after the baseline)
                     → atteint
``empty``            no value at all → non renseigné
``late``             on the trajectory, but the last 4 to 6 months are missing → conforme,
                     reported late by the freshness check
``monitoring``       monitoring indicator (« suivi ») or no target: a plain series
                     → sans cible
``not_started``      (milestones only) still 0 % done → en retard
===================  ===================================================================

Values are read the way the assessment reads them: the baseline is the 2022 value, read on
31 December 2022 (:attr:`DemoData.baselines` gives it for every indicator with a target, since
the contract states none), and the trajectory goes through each year's target. A value cumulated
since 1 January estimates its year, so it follows the level of the year's end. A year-to-date
yearly total (:func:`is_additive`, the assessment's ``yearly_total``: a count, an amount, a share
of a yearly quota) is cumulated from 1 January, each month holding the elapsed share of the
year's level; a year-to-date rate or délai stays a rate or a délai. A « par an » measure meets
its commitment every year it is on track; a measure linked to an indicator has no values of its
own (it takes the indicator's). No value is unusual (cpog.assess.outliers): the demo never asks
for a confirmation.

:func:`generate_actions` gives the follow-up of every action of the contract's défis, as known on
the date of situation: a fictitious owner (« … (démo) »), start and due dates, a status and a
progress consistent with that date — most in progress, some done, some late (marked so, or past
their due date), some not started, postponed or abandoned, a few without owner —, a few milestones
and dated updates, so that every filter of the actions page has something to show.
"""

from __future__ import annotations

import calendar
import hashlib
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from cpog import vocabulary
from cpog.contract.model import (
    Contract,
    Cumulation,
    Direction,
    Indicator,
    IndicatorType,
    Measure,
    MeasureKind,
    Periodicity,
    TargetKind,
)
from cpog.periods import Period, PeriodUnit, periods_between
from cpog.steering import yearly_total

__all__ = [
    "AHEAD",
    "BEHIND",
    "DEFAULT_SEED",
    "DEMO_LABEL",
    "EMPTY",
    "EXPECTED_STATUS",
    "HISTORY_START",
    "INDICATOR_SCENARIOS",
    "LATE",
    "MET",
    "MONITORING",
    "NOT_STARTED",
    "ON_TRACK",
    "SCENARIOS",
    "SLIGHTLY_BEHIND",
    "DemoAction",
    "DemoActionUpdate",
    "DemoData",
    "DemoMilestone",
    "DemoTarget",
    "DemoValue",
    "generate",
    "generate_actions",
    "is_additive",
    "scenario_of",
]

DEMO_LABEL = "données de démonstration"
DEFAULT_SEED = "cpog-demo"
HISTORY_START = 2022
"""First year of the history; also the year of the baselines the demo provides."""

ON_TRACK = "on_track"
AHEAD = "ahead"
SLIGHTLY_BEHIND = "slightly_behind"
BEHIND = "behind"
MET = "met"
EMPTY = "empty"
LATE = "late"
MONITORING = "monitoring"
NOT_STARTED = "not_started"

SCENARIOS = (ON_TRACK, AHEAD, SLIGHTLY_BEHIND, BEHIND, MET, EMPTY, LATE, MONITORING, NOT_STARTED)
INDICATOR_SCENARIOS = SCENARIOS[:-1]
"""The scenarios of indicators; ``not_started`` is for milestones only."""

EXPECTED_STATUS: dict[str, str] = {
    ON_TRACK: "conforme",
    AHEAD: "en_avance",
    SLIGHTLY_BEHIND: "a_surveiller",
    BEHIND: "en_retard",
    MET: "atteint",
    EMPTY: "non_renseigne",
    LATE: "conforme",
    MONITORING: "sans_cible",
    NOT_STARTED: "en_retard",
}
"""Status value (cpog.assess.Status) each scenario leads to on a date from 2025 to mid-2027 (in
the contract's last months an « ahead » value may fall back to « conforme »); ``late`` is also
reported late by the freshness check."""

_SCENARIO_TEXT = {
    ON_TRACK: "trajectoire tenue",
    AHEAD: "en avance sur la trajectoire",
    SLIGHTLY_BEHIND: "léger retard sur la trajectoire",
    BEHIND: "évolution contraire au sens attendu",
    MET: "cible finale déjà atteinte",
    EMPTY: "aucune valeur",
    LATE: "dernières valeurs non transmises",
    MONITORING: "indicateur suivi sans cible",
    NOT_STARTED: "jalon non engagé",
}


# --- public values -------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoValue:
    """A fictitious value of an indicator or a measure for one period."""

    subject_type: str  # 'indicator' | 'measure'
    subject_id: str
    period: Period
    value: Decimal
    status: str  # 'provisional' | 'definitive'
    comment: str


@dataclass(frozen=True)
class DemoTarget:
    """A fictitious target of a subject for one year."""

    subject_type: str  # 'indicator' | 'measure'
    subject_id: str
    year: int
    value: Decimal
    kind: str  # 'national' | 'individualised' | 'fixed' | 'trajectory'
    provenance: str  # always 'demo'
    comparator: str  # '' | 'lt' | 'le' | 'ge' | 'gt'
    reason: str


@dataclass(frozen=True)
class DemoData:
    """Everything :func:`generate` gives.

    ``baselines`` maps a subject id to the (value, year) the demo uses as its baseline, for the
    indicators with a target (the contract gives none) and the measures whose contract states
    none (milestones and counts from 0 excepted).
    """

    values: list[DemoValue]
    targets: list[DemoTarget]
    baselines: dict[str, tuple[Decimal, int]]


# --- profiles: realistic levels of the Caf des Deux-Sèvres ------------------------------------


@dataclass(frozen=True)
class _Profile:
    """Realistic level of a quantity: its 2022 value and where the contract takes it."""

    base: float
    final: float | None = None  # level aimed at for the contract's last year
    noise: float = 0.0  # absolute spread of a value around its level, in the baseline year
    growth: float = 0.0  # yearly relative change of a monitored or trend quantity
    season: tuple[float, ...] = ()  # 12 monthly weights (0-1) of a seasonal setback
    season_size: float = 0.0  # size of the setback, in the unit, when moving the wrong way
    quantum: float | None = None  # values are multiples of it (e.g. 25 % for 4 communes)


_SUMMER_DIP = (0.0, 0.0, 0.0, 0.0, 0.0, 0.2, 0.8, 1.0, 0.5, 0.0, 0.0, 0.0)
_WINTER_PEAK = (1.0, 1.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.2, 0.6)

_INDICATORS: dict[str, _Profile] = {
    # Relation de service: rates and délais (national 2022 délais: 16,5 and 14 jours).
    "cog-08-25": _Profile(86.0, 92.0, noise=0.8),
    "cog-08-27": _Profile(78.0, 90.0, noise=1.2),
    "cog-08-28": _Profile(84.0, 89.3, noise=0.4, season=_SUMMER_DIP),
    "cog-08-29": _Profile(16.5, 13.0, noise=0.4),
    "cog-08-30": _Profile(14.0, 11.0, noise=0.4),
    "cog-08-31": _Profile(15.0, 12.0, noise=0.4),
    "cog-08-32": _Profile(18.0, 14.0, noise=0.5, season=_SUMMER_DIP, season_size=2.5),
    "cog-08-33": _Profile(12.0, 6.0, noise=0.6),
    # Petite enfance.
    "cog-01-11": _Profile(75.0, 100.0, quantum=25.0),  # 3 of the 4 communes over 10 000
    "monenfant-assistants-maternels": _Profile(70.0, 80.0, noise=1.0),
    "cog-01-02": _Profile(62.0, 65.0, noise=0.5),
    "ctg-schema-accueil-jeune-enfant": _Profile(25.0, 100.0),
    "cog-01-03": _Profile(38.0, 43.0, noise=0.5),
    "cog-01-05": _Profile(180.0, growth=0.04, noise=8.0),
    "cog-01-07": _Profile(72.0, 90.0, noise=1.0),
    "cog-01-06": _Profile(12.0, growth=0.05, noise=2.0),
    "cog-01-10": _Profile(95.0, growth=-0.02, noise=2.0),
    # Enfance, jeunesse, parentalité (monitoring).
    "cog-02-12": _Profile(24000.0, growth=0.08, noise=900.0),
    "cog-02-13": _Profile(2300000.0, growth=0.01, noise=30000.0),
    "cog-02-14": _Profile(1800.0, growth=0.02, noise=40.0),
    "cog-04-18": _Profile(3500.0, growth=0.03, noise=120.0),
    "lieux-ressources-parentalite": _Profile(6.0, growth=0.12),
    # Ressources humaines, coûts, immobilier.
    "cog-12-26": _Profile(72.0, 80.0, noise=1.0),
    "cog-12-47": _Profile(1050.0, 1150.0, noise=10.0),
    "cog-12-48": _Profile(92.0, 86.0, noise=0.8),
    "cog-12-49": _Profile(1.6, 1.3, noise=0.08, season=_WINTER_PEAK, season_size=0.3),
    "cog-12-51": _Profile(14.0, 12.0, noise=0.2),
    "cog-12-53": _Profile(-4.0, -20.0, noise=0.5),
    # Lutte contre la fraude, recouvrement, qualité.
    "cog-10-41": _Profile(1400000.0, 1420000.0, noise=40000.0),
    "cog-10-42": _Profile(62.0, 70.0, noise=1.0),
    "cog-10-43": _Profile(88.0, 91.0, noise=0.5),
    "iql0": _Profile(93.5, 96.0, noise=0.5),
    "iql6": _Profile(96.2, 97.5, noise=0.3),
    "datamining-metier": _Profile(92.0, 100.0, noise=2.0),
    "controle-donnees-entrantes": _Profile(250000.0, 320000.0, noise=10000.0),
    "eaje-controles-5-ans": _Profile(68.0, 100.0, noise=1.0),
}

_MEASURES: dict[str, _Profile] = {
    # Baselines (2022) of the measures whose contract states none, and trend growth rates.
    "d02-r2-alsh-fonds-investissement": _Profile(2.0),
    "d03-r2-actions-arrivee-enfant": _Profile(6.0),
    "d04-r1-allocataires-al": _Profile(24500.0, growth=0.015),
    "d04-r2-signalements-impayes": _Profile(980.0),
    "d04-r3-conservations-al": _Profile(310.0),
    "d04-r4-demandes-ideal": _Profile(1150.0),
    "d05-r1-ateliers-arrivee-enfant": _Profile(6.0),
    "d05-r4-allocataires-ajpa": _Profile(95.0, growth=0.12),
    "d06-r1-allocataires": _Profile(64500.0, growth=0.008),
    "d06-r3-indus-ppa-rsa-aah": _Profile(5200.0),
    "d07-r1-taux-erreur-impact-financier": _Profile(8.4),
    "d07-r3-taux-recouvrement-proactif": _Profile(42.0),
    "d10-r2-csc-evs-transition-ecologique": _Profile(4.0, growth=0.4),
    "d10-r3-personnels-formes": _Profile(120.0, growth=0.06),
    "d10-r4-actions-innovation-territoriale": _Profile(5.0, growth=0.25),
    "d10-r4-etudes-territoriales": _Profile(3.0, growth=0.3),
}

_NATIONAL_MEANS: dict[str, dict[int, float]] = {
    # « sous la moyenne nationale »: a fictitious national mean per year.
    "d07-r1-taux-erreur-impact-financier": {2024: 7.8, 2025: 7.6, 2026: 7.4, 2027: 7.2},
}

_SCENARIO_TABLE: dict[str, str] = {
    # Indicators with a target: each scenario at least twice.
    "cog-08-25": ON_TRACK,
    "cog-08-27": LATE,
    "cog-08-28": AHEAD,
    "cog-08-29": ON_TRACK,
    "cog-08-30": SLIGHTLY_BEHIND,
    "cog-08-31": SLIGHTLY_BEHIND,
    "cog-08-32": BEHIND,
    "cog-08-33": SLIGHTLY_BEHIND,
    "cog-01-11": MET,
    "monenfant-assistants-maternels": ON_TRACK,
    "cog-01-02": AHEAD,
    "ctg-schema-accueil-jeune-enfant": ON_TRACK,
    "cog-01-03": EMPTY,
    "cog-01-07": AHEAD,
    "cog-12-26": SLIGHTLY_BEHIND,
    "cog-12-47": ON_TRACK,
    "cog-12-48": BEHIND,
    "cog-12-49": BEHIND,
    "cog-12-51": EMPTY,
    "cog-12-53": AHEAD,
    "cog-10-41": ON_TRACK,
    "cog-10-42": SLIGHTLY_BEHIND,
    "cog-10-43": MET,
    "iql0": ON_TRACK,
    "iql6": ON_TRACK,
    "datamining-metier": ON_TRACK,
    "controle-donnees-entrantes": LATE,
    "eaje-controles-5-ans": ON_TRACK,
    # Monitoring indicators.
    "cog-01-05": MONITORING,
    "cog-01-06": MONITORING,
    "cog-01-10": MONITORING,
    "cog-02-12": MONITORING,
    "cog-02-13": MONITORING,
    "cog-02-14": MONITORING,
    "cog-04-18": MONITORING,
    "lieux-ressources-parentalite": MONITORING,
    # Measures of targeted results (those read from an indicator follow it).
    "d01-r1-places-eaje": ON_TRACK,
    "d01-r1-mam": AHEAD,
    "d01-r2-structures-innovantes": MET,
    "d01-r3-creches-avip": ON_TRACK,
    "d02-r1-services-logement-jeunes": BEHIND,
    "d02-r2-alsh-fonds-investissement": SLIGHTLY_BEHIND,
    "d02-r3-departs-pass-colo": ON_TRACK,
    "d03-r1-espaces-ressources": ON_TRACK,
    "d03-r2-actions-arrivee-enfant": ON_TRACK,
    "d03-r3-offre-accompagnement-individuel": ON_TRACK,
    "d04-r1-allocataires-al": ON_TRACK,
    "d04-r2-signalements-impayes": SLIGHTLY_BEHIND,
    "d04-r3-conservations-al": ON_TRACK,
    "d04-r4-demandes-ideal": MET,
    "d04-r5-teleprocedures-logement": AHEAD,
    "d05-r1-ateliers-arrivee-enfant": ON_TRACK,
    "d05-r2-delai-prestations": ON_TRACK,
    "d05-r2-delai-minima": SLIGHTLY_BEHIND,
    "d05-r3-taux-erreur-aah": ON_TRACK,
    "d05-r4-allocataires-ajpa": ON_TRACK,
    "d06-r1-allocataires": SLIGHTLY_BEHIND,
    "d06-r2-parcours-jeunes": MET,
    "d06-r2-parcours-arrivee-enfant": MET,
    "d06-r2-parcours-separation": ON_TRACK,
    "d06-r2-parcours-handicap": NOT_STARTED,
    "d06-r3-indus-ppa-rsa-aah": BEHIND,
    "d06-r4-taux-teleservices": AHEAD,
    "d07-r1-taux-erreur-impact-financier": ON_TRACK,
    "d07-r2-fraude-detectee": ON_TRACK,
    "d07-r3-taux-recouvrement-proactif": SLIGHTLY_BEHIND,
    "d08-r1-taux-departs-volontaires": ON_TRACK,
    "d08-r2-satisfaction-bsi": ON_TRACK,
    "d08-r3-bilan-carbone": MET,
    "d08-r3-emissions-ges": ON_TRACK,
    "d09-r1-jumelage-production": MET,
    "d09-r2-laboratoire-ajpp-ajpa": ON_TRACK,
    "d09-r3-equipe-controle-as": SLIGHTLY_BEHIND,
    "d10-r1-equipements-avs": ON_TRACK,
    "d10-r2-csc-evs-transition-ecologique": ON_TRACK,
    "d10-r3-personnels-formes": BEHIND,
    "d10-r4-actions-innovation-territoriale": ON_TRACK,
    "d10-r4-etudes-territoriales": EMPTY,
}

_FALLBACK = (ON_TRACK, AHEAD, SLIGHTLY_BEHIND, BEHIND, MET)
_MILESTONE_FALLBACK = (ON_TRACK, MET, SLIGHTLY_BEHIND)

_UNITS: dict[Periodicity, PeriodUnit] = {
    Periodicity.MONTHLY: PeriodUnit.MONTH,
    Periodicity.QUARTERLY: PeriodUnit.QUARTER,
    Periodicity.HALF_YEARLY: PeriodUnit.HALF,
    Periodicity.ANNUAL: PeriodUnit.YEAR,
}

# (centre, spread) of the share of the expected progress made, by scenario.
_PROGRESS: dict[str, tuple[float, float]] = {
    # on the trajectory, and at least at each year's objective (which the trajectory crosses)
    ON_TRACK: (1.02, 0.015),
    LATE: (1.02, 0.015),
    AHEAD: (1.3, 0.08),
    SLIGHTLY_BEHIND: (0.9, 0.03),
    BEHIND: (-1.2, 0.1),
}
_AHEAD_CAP = 0.97  # an « ahead » value stays short of the final target
_MET_SHARE = 1.06  # a « met » value goes 6 % (of the way) beyond the final target
_MET_YEARS = 1  # … from the end of the year after the baseline
_AHEAD_SEASON = 0.1  # seasonal setback of an « ahead » value, as a share of expected progress

_TREND_RATE: dict[str, float] = {  # yearly change, + in the expected direction
    AHEAD: 1.5,
    MET: 1.0,
    ON_TRACK: 1.0,
    LATE: 1.0,
    SLIGHTLY_BEHIND: -0.01,
    BEHIND: -0.06,
}

_MILESTONE_SHARE: dict[str, float] = {  # % done per year since the baseline year
    ON_TRACK: 20.0,
    LATE: 20.0,
    AHEAD: 26.0,
    SLIGHTLY_BEHIND: 18.0,
    BEHIND: 8.0,
    NOT_STARTED: 0.0,
}


# --- scenarios -----------------------------------------------------------------------------


def scenario_of(subject_id: str, contract: Contract | None = None) -> str:
    """The scenario a subject's demo values follow (one of :data:`SCENARIOS`).

    The scenarios of the Deux-Sèvres contract are set by hand so that each status appears at least
    twice among its indicators. Any other subject gets one from the hash of its id; given the
    contract, a monitoring indicator is ``monitoring``, a measure read from an indicator follows
    it and a milestone gets a milestone scenario. Scenarios do not depend on the seed.
    """
    indicator = _indicator(contract, subject_id)
    measure = _measure(contract, subject_id)
    if indicator is not None and not _assessed(indicator):
        return EMPTY if _SCENARIO_TABLE.get(subject_id) == EMPTY else MONITORING
    if measure is not None and measure.indicator and _indicator(contract, measure.indicator):
        return scenario_of(measure.indicator, contract)  # its values are the indicator's
    if subject_id in _SCENARIO_TABLE:
        return _SCENARIO_TABLE[subject_id]
    choices = (
        _MILESTONE_FALLBACK
        if measure is not None and measure.kind is MeasureKind.MILESTONE
        else _FALLBACK
    )
    return choices[_hash_int(subject_id) % len(choices)]


def _indicator(contract: Contract | None, subject_id: str) -> Indicator | None:
    if contract is None:
        return None
    return next((i for i in contract.indicators if i.id == subject_id), None)


def _measure(contract: Contract | None, subject_id: str) -> Measure | None:
    if contract is None:
        return None
    return next((m for _, _, m in contract.measures() if m.id == subject_id), None)


def _assessed(indicator: Indicator) -> bool:
    return indicator.type is IndicatorType.RESULT and indicator.target.kind is not TargetKind.NONE


# --- small helpers -------------------------------------------------------------------------


def _hash_int(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def _rng(seed: str, subject_id: str) -> random.Random:
    """The subject's own generator; never the module-level one."""
    return random.Random(_hash_int(seed + subject_id))


def _year_end(year: int) -> date:
    return date(year, 12, 31)


def _year_fraction(day: date) -> float:
    """Share of ``day``'s year elapsed at the end of ``day`` (as the assessment computes it)."""
    days = 366 if calendar.isleap(day.year) else 365
    return ((day - date(day.year, 1, 1)).days + 1) / days


def _plus_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _sign(direction: Direction) -> int:
    return {Direction.UP: 1, Direction.DOWN: -1, Direction.MAINTAIN: 0}[direction]


def _default_comparator(direction: Direction) -> str:
    return {Direction.UP: "ge", Direction.DOWN: "le", Direction.MAINTAIN: ""}[direction]


def _meets(value: float, level: float, comparator: str) -> bool:
    if comparator == "ge":
        return value >= level
    if comparator == "gt":
        return value > level
    if comparator == "le":
        return value <= level
    if comparator == "lt":
        return value < level
    return math.isclose(value, level)


def _places(unit: str | None) -> int:
    """Decimals a value of ``unit`` is written with."""
    if unit is None:  # a milestone, in % done
        return 0
    text = unit.lower()
    if text.startswith("%") or text == "jours" or " par " in text or text == "indice":
        return 2
    return 0  # counts and amounts


def _is_rate(unit: str | None) -> bool:
    return unit is not None and unit.strip().startswith("%")


def is_additive(indicator: Indicator) -> bool:
    """Whether a year-to-date indicator cumulates toward a yearly total (a count, an amount, a
    share of a yearly quota), not a rate or a délai: the assessment's own rule."""
    return yearly_total(indicator)


def _decimal(value: float, places: int) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    result = Decimal(value).quantize(quantum, rounding=ROUND_HALF_EVEN)
    return result if result != 0 else Decimal(0).quantize(quantum)


def _to_quantum(value: float, quantum: float, sign: int) -> float:
    """A multiple of ``quantum``, rounded towards less progress."""
    steps = value / quantum
    return (math.floor(steps + 1e-9) if sign >= 0 else math.ceil(steps - 1e-9)) * quantum


def _clamped(value: float, unit: str | None, base: float) -> float:
    if _is_rate(unit):
        value = min(value, 100.0)
    if base >= 0:
        value = max(value, 0.0)
    return value


def _status(period: Period, as_of: date) -> str:
    return "definitive" if _plus_months(period.end, 6) < as_of else "provisional"


def _last_ended(unit: PeriodUnit, as_of: date, last_year: int) -> Period:
    """The last period of ``unit`` that ended before ``as_of``, not after ``last_year``."""
    last = Period.containing(as_of, unit).previous()
    cap = Period.containing(_year_end(last_year), unit)
    return min(last, cap)


def _horizon(unit: PeriodUnit, first_year: int, last_year: int) -> list[Period]:
    first = Period.containing(date(first_year, 1, 1), unit)
    return list(periods_between(first, Period.containing(_year_end(last_year), unit)))


class _Trajectory:
    """The expected value at a date: linear from the baseline through each year's target."""

    def __init__(self, base: float, base_year: int, levels: dict[int, float]) -> None:
        self.base = base
        self.base_year = base_year
        self.points = [(_year_end(base_year), base)] + [
            (_year_end(year), level) for year, level in sorted(levels.items()) if year > base_year
        ]
        self.final = self.points[-1][1]

    def at(self, day: date) -> float:
        (d0, v0), *rest = self.points
        if day <= d0 or not rest:
            return v0 if day <= d0 else self.final
        for d1, v1 in rest:
            if day <= d1:
                return v0 + (v1 - v0) * (day - d0).days / (d1 - d0).days
            d0, v0 = d1, v1
        return self.final


def _level(
    scenario: str,
    trajectory: _Trajectory,
    day: date,
    noise: float,
    setback: float = 0.0,
    capped: bool = True,
) -> float:
    """The value of a scenario on ``day``; ``noise`` is a draw in [-1, 1].

    ``setback`` is a share of the expected progress lost to the season (ahead scenario only).
    ``capped``: an « ahead » value stays short of the final target (a value that cannot make the
    subject « Atteint » — cumulated within the contract's last year — need not).
    """
    base, final = trajectory.base, trajectory.final
    if scenario == MET:
        start = _year_end(trajectory.base_year)
        reached = _year_end(trajectory.base_year + _MET_YEARS)
        elapsed = min(1.0, max(0.0, (day - start).days / (reached - start).days))
        share = elapsed * (_MET_SHARE + 0.02 * (noise + 1))
        return base + share * (final - base)
    centre, spread = _PROGRESS.get(scenario, _PROGRESS[ON_TRACK])
    value = base + (centre + spread * noise) * (trajectory.at(day) - base)
    if (
        capped
        and scenario == AHEAD
        and final != base
        and (value - base) / (final - base) > _AHEAD_CAP
    ):
        value = base + _AHEAD_CAP * (final - base)
    return value - setback * (trajectory.at(day) - base)


def _short_of_final(
    value: float, scenario: str, final: float, comparator: str, places: int, sign: int
) -> float:
    """A value of a scenario other than ``met`` kept short of the final target."""
    if scenario == MET or sign == 0 or not _meets(value, final, comparator):
        return value
    return final - sign * 10.0**-places


# --- indicators ----------------------------------------------------------------------------


def _indicator_profile(indicator: Indicator) -> _Profile:
    known = _INDICATORS.get(indicator.id)
    if known is not None:
        return known
    sign = _sign(indicator.direction)
    unit = indicator.unit.lower()
    if _is_rate(unit):
        base = 80.0 if sign >= 0 else 10.0
        return _Profile(base, base + 8.0 * sign, noise=0.8)
    if unit == "jours":
        return _Profile(15.0, 12.0 if sign < 0 else 18.0, noise=0.4)
    base = 100000.0 if "€" in unit else 100.0
    return _Profile(base, base * (1 + 0.1 * sign), noise=base * 0.02, growth=0.02)


def _target_kind(indicator: Indicator, year: int) -> str:
    kind = indicator.target.kind
    if kind in (TargetKind.COG, TargetKind.NATIONAL, TargetKind.FROM_YEAR):
        return "national"
    if kind is TargetKind.FIXED:
        return "fixed"
    from_year = indicator.target.from_year
    if kind is TargetKind.INDIVIDUALISED or from_year is None or year >= from_year:
        return "individualised"
    return "national"


def _indicator_targets(
    indicator: Indicator, profile: _Profile, contract: Contract
) -> dict[int, tuple[float, str]]:
    """Year → (level, kind) of the demo targets of an assessed indicator."""
    if not _assessed(indicator):
        return {}
    end = contract.period.end
    stated = indicator.target
    places = _places(indicator.unit)
    if stated.kind is TargetKind.FIXED:
        if stated.value is None:
            return {}
        return {stated.year or end: (stated.value, "fixed")}
    final = profile.final if profile.final is not None else profile.base
    first = max(contract.period.start + 1, stated.from_year or 0)
    targets: dict[int, tuple[float, str]] = {}
    for year in range(first, end + 1):
        share = (year - HISTORY_START) / (end - HISTORY_START)
        level = round(profile.base + share * (final - profile.base), places)
        targets[year] = (level, _target_kind(indicator, year))
    return targets


def _indicator_series(
    indicator: Indicator,
    profile: _Profile,
    scenario: str,
    targets: dict[int, tuple[float, str]],
    rng: random.Random,
    last_year: int,
) -> list[tuple[Period, float]]:
    """Values of every period from January 2022 to the contract's end."""
    unit = _UNITS[indicator.periodicity]
    periods = _horizon(unit, HISTORY_START, last_year)
    sign = _sign(indicator.direction)
    comparator = _default_comparator(indicator.direction)
    places = _places(indicator.unit)
    additive = is_additive(indicator)
    ytd = indicator.cumulation is Cumulation.YEAR_TO_DATE
    trajectory = _Trajectory(
        profile.base, HISTORY_START, {year: level for year, (level, _) in targets.items()}
    )
    baseline_period = Period.containing(_year_end(HISTORY_START), unit)
    final_year = max(targets, default=last_year)
    seasonal = bool(profile.season) and unit is PeriodUnit.MONTH
    series: list[tuple[Period, float]] = []
    previous: float | None = None
    for period in periods:
        noise = 2 * rng.random() - 1
        # A value cumulated since 1 January estimates its year: it follows the year's level.
        day = _year_end(period.year) if ytd else period.end
        if scenario == MONITORING:
            years = (period.end - _year_end(HISTORY_START)).days / 365.25
            level = profile.base * (1 + profile.growth) ** years + profile.noise * noise
            if period == baseline_period:
                level = profile.base
        elif period.year <= HISTORY_START:
            ytd = indicator.cumulation is Cumulation.YEAR_TO_DATE
            ytd_spread = 1.5 - period.last_month / 12 if ytd else 1.0
            level = profile.base + profile.noise * ytd_spread * noise
            if period == baseline_period:
                level = profile.base
        else:
            weight = profile.season[period.index - 1] if seasonal else 0.0
            setback = _AHEAD_SEASON * weight if scenario == AHEAD else 0.0
            in_last_year = ytd and period.year >= final_year and period.index < 12
            level = _level(scenario, trajectory, day, noise, setback, capped=not in_last_year)
            if scenario == BEHIND:
                level -= sign * profile.season_size * weight
            if period.year < final_year:
                level = _short_of_final(
                    level, scenario, trajectory.final, comparator, places, sign or 1
                )
        level = _clamped(level, indicator.unit, profile.base)
        if profile.quantum:
            level = _to_quantum(level, profile.quantum, sign)
        if additive and unit is not PeriodUnit.YEAR:
            level *= _year_fraction(period.end)
            # written to its decimals in the good direction, so that a cumulated value on the
            # trajectory meets the elapsed share of the year's objective despite rounding
            scale = 10.0**places
            rounded = math.ceil if sign >= 0 else math.floor
            level = rounded(level * scale - 1e-9 * sign) / scale
            if previous is not None and period.index > 1:
                level = max(level, previous)
        previous = level
        series.append((period, level))
    return series


# --- measures ------------------------------------------------------------------------------


def _measure_level(measure: Measure, base: float, value: float) -> float:
    """The level a measure's target value stands for (see cpog.assess.targets.derive_level)."""
    if measure.kind is MeasureKind.RELATIVE_CHANGE:
        return base * (1 + value / 100)
    if measure.kind is MeasureKind.POINT_CHANGE:
        return base + value
    return value


def _is_change(measure: Measure) -> bool:
    return measure.kind in (MeasureKind.RELATIVE_CHANGE, MeasureKind.POINT_CHANGE)


def _measure_baseline(measure: Measure, linked: dict[str, float]) -> tuple[float, int]:
    if measure.baseline is not None:
        return measure.baseline.value, measure.baseline.year
    if measure.kind in (MeasureKind.MILESTONE, MeasureKind.CUMULATIVE_COUNT):
        return 0.0, HISTORY_START
    if measure.indicator in linked:
        return linked[measure.indicator], HISTORY_START
    profile = _MEASURES.get(measure.id)
    if profile is not None:
        return profile.base, HISTORY_START
    if _is_rate(measure.unit):
        return (60.0 if _sign(measure.direction) >= 0 else 10.0), HISTORY_START
    return 100.0, HISTORY_START


def _measure_targets(
    measure: Measure, base: tuple[float, int], contract: Contract
) -> tuple[dict[int, float], dict[int, tuple[float, str, str]]]:
    """(year → level of every target, year → (value, kind, comparator) of the demo targets)."""
    end = contract.period.end
    levels: dict[int, float] = {}
    demo: dict[int, tuple[float, str, str]] = {}
    comparator = measure.comparator.value if measure.comparator else ""
    comparator = comparator or _default_comparator(measure.direction)
    stated = measure.target
    if measure.per_year and stated is not None and stated.value is not None:
        # « par an »: every year of the contract after the baseline has the same commitment,
        # a change compounding (as cpog.assess.targets reads it); no trajectory point needed.
        for year in range(max(base[1] + 1, contract.period.start), end + 1):
            years = year - base[1]
            if measure.kind is MeasureKind.RELATIVE_CHANGE:
                levels[year] = base[0] * (1 + stated.value / 100) ** years
            elif measure.kind is MeasureKind.POINT_CHANGE:
                levels[year] = base[0] + stated.value * years
            else:
                levels[year] = stated.value
        return levels, demo
    if stated is not None and stated.value is not None:
        year = stated.year or end
        final = _measure_level(measure, base[0], stated.value)
        levels[year] = final
        places = _places(measure.unit)
        if measure.kind in (MeasureKind.LEVEL, MeasureKind.CUMULATIVE_COUNT):
            for step in range(max(base[1] + 1, contract.period.start), year):
                share = (step - base[1]) / (year - base[1])
                point = round(base[0] + share * (final - base[0]), places)
                if point != base[0]:  # a count rounded back to the baseline says nothing
                    levels[step] = point
                    demo[step] = (point, "trajectory", comparator)
        elif _is_change(measure) and base[1] >= contract.period.start:
            for step in range(base[1], year):  # a change counted from a baseline in the contract
                written = round((step - base[1]) / (year - base[1]) * stated.value, 2)
                levels[step] = _measure_level(measure, base[0], written)
                demo[step] = (written, "trajectory", comparator)
    for year, value in _NATIONAL_MEANS.get(measure.id, {}).items():
        levels[year] = value
        demo[year] = (value, "national", comparator)
    return levels, demo


def _measure_series(
    measure: Measure,
    scenario: str,
    base: tuple[float, int],
    levels: dict[int, float],
    rng: random.Random,
    last_year: int,
) -> list[tuple[int, float]]:
    """Yearly values of a measure, from its baseline year (or 2022) to the contract's end."""
    sign = _sign(measure.direction)
    places = _places(measure.unit)
    base_value, base_year = base
    first = min(base_year, HISTORY_START)
    kind = measure.kind
    comparator = measure.comparator.value if measure.comparator else ""
    comparator = comparator or _default_comparator(measure.direction)
    trajectory = _Trajectory(base_value, base_year, levels) if levels else None
    profile = _MEASURES.get(measure.id, _Profile(base_value))
    final_year = max(levels, default=last_year)
    series: list[tuple[int, float]] = []
    previous: float | None = None
    for year in range(first, last_year + 1):
        noise = 2 * rng.random() - 1
        if year == base_year:
            value = base_value
        elif kind is MeasureKind.MILESTONE:
            if scenario == MET:
                done = base_year + _MET_YEARS + _hash_int(measure.id) % 2
                value = 100.0 if year >= done else 55.0 + 10 * noise
            else:
                share = _MILESTONE_SHARE.get(scenario, _MILESTONE_SHARE[ON_TRACK])
                value = min(95.0, share * (year - base_year) * (1 + 0.03 * noise))
        elif kind is MeasureKind.TREND or trajectory is None:
            rate = _TREND_RATE.get(scenario, 1.0)
            if rate >= 1.0:  # progress: the profile's growth, faster when ahead
                rate *= profile.growth or 0.03
            years = year - base_year
            value = base_value * (1 + sign * rate * years) * (1 + 0.004 * noise)
            if sign == 0:
                value = base_value * (1 + 0.006 * noise)
            step = 10.0**-places
            if rate > 0 and years > 0 and sign and (value - base_value) * sign < step:
                value = base_value + sign * step * years  # a visible rise despite rounding
        elif year < base_year:  # before a later baseline: the trend went the expected way
            slope = (trajectory.final - base_value) / max(1, max(levels) - base_year)
            value = base_value - slope * (base_year - year) * (1 + 0.1 * noise)
        elif sign and (trajectory.final - base_value) * sign < 0:
            # the baseline already beats every target (« rester sous la moyenne nationale »):
            # the value holds around it
            value = base_value * (1 + 0.01 * noise)
        else:
            value = _level(scenario, trajectory, _year_end(year), noise)
        value = _clamped(value, measure.unit, base_value)
        if places == 0:  # a count
            value = float(round(value))
        if trajectory is not None and base_year < year < final_year and not measure.per_year:
            value = _short_of_final(
                value, scenario, trajectory.final, comparator, places, sign or 1
            )
        if kind in (MeasureKind.CUMULATIVE_COUNT, MeasureKind.MILESTONE) and previous is not None:
            value = max(value, previous)
        previous = value
        series.append((year, value))
    return series


# --- generation ----------------------------------------------------------------------------


def generate(contract: Contract, as_of: date, seed: str = DEFAULT_SEED) -> DemoData:
    """Demo values, targets and baselines of every subject of ``contract``, as known on ``as_of``.

    Values cover January 2022 up to the last period of each subject's periodicity that ended
    before ``as_of`` (indicators by their periodicity, measures by year), and never go beyond the
    contract's last year. A value is ``definitive`` once six months have passed since the end of
    its period, ``provisional`` before.
    """
    end = contract.period.end
    values: list[DemoValue] = []
    targets: list[DemoTarget] = []
    baselines: dict[str, tuple[Decimal, int]] = {}
    indicator_values: dict[str, list[tuple[Period, Decimal]]] = {}
    indicator_bases: dict[str, float] = {}

    for indicator in contract.indicators:
        scenario = scenario_of(indicator.id, contract)
        profile = _indicator_profile(indicator)
        places = _places(indicator.unit)
        planned = _indicator_targets(indicator, profile, contract)
        comparator = _default_comparator(indicator.direction)
        for year, (level, kind) in sorted(planned.items()):
            targets.append(
                DemoTarget(
                    subject_type="indicator",
                    subject_id=indicator.id,
                    year=year,
                    value=_decimal(level, places),
                    kind=kind,
                    provenance="demo",
                    comparator=comparator,
                    reason=_target_reason(kind, indicator.target.as_written),
                )
            )
        if scenario == EMPTY:
            continue
        if planned:
            baselines[indicator.id] = (_decimal(profile.base, places), HISTORY_START)
            indicator_bases[indicator.id] = float(_decimal(profile.base, places))
        rng = _rng(seed, indicator.id)
        series = _indicator_series(indicator, profile, scenario, planned, rng, end)
        unit = _UNITS[indicator.periodicity]
        last = _last_ended(unit, as_of, end)
        if scenario == LATE:
            missing = 4 + _hash_int(indicator.id + "late") % 3  # part of the scenario
            for _ in range(missing if unit is PeriodUnit.MONTH else 1):
                last = last.previous()
        kept = [(p, _decimal(v, places)) for p, v in series if p <= last]
        indicator_values[indicator.id] = kept
        comment = _value_comment(scenario)
        values.extend(
            DemoValue("indicator", indicator.id, p, v, _status(p, as_of), comment) for p, v in kept
        )

    last_year = _last_ended(PeriodUnit.YEAR, as_of, end).year
    for _, _, measure in contract.measures():
        scenario = scenario_of(measure.id, contract)
        linked = contract.indicator(measure.indicator) if measure.indicator else None
        base = _measure_baseline(measure, indicator_bases)
        places = _places(measure.unit)
        levels, demo_targets = _measure_targets(measure, base, contract)
        for year, (value, kind, comparator) in sorted(demo_targets.items()):
            targets.append(
                DemoTarget(
                    subject_type="measure",
                    subject_id=measure.id,
                    year=year,
                    value=_decimal(value, 2 if _is_change(measure) else places),
                    kind=kind,
                    provenance="demo",
                    comparator=comparator,
                    reason=_target_reason(kind, None),
                )
            )
        if scenario == EMPTY or (linked is not None and linked.id not in indicator_values):
            continue
        if measure.baseline is None and measure.kind not in (
            MeasureKind.MILESTONE,
            MeasureKind.CUMULATIVE_COUNT,
        ):
            baselines[measure.id] = (_decimal(base[0], places), base[1])
        if linked is not None:
            continue  # the measure takes the indicator's values: nothing of its own
        rng = _rng(seed, measure.id)
        comment = _value_comment(scenario)
        for year, value in _measure_series(measure, scenario, base, levels, rng, end):
            if year > last_year:
                break
            period = Period.year_of(year)
            values.append(
                DemoValue(
                    "measure",
                    measure.id,
                    period,
                    _decimal(value, places),
                    _status(period, as_of),
                    comment,
                )
            )
    return DemoData(values=values, targets=targets, baselines=baselines)


def _value_comment(scenario: str, detail: str | None = None) -> str:
    extra = f" ; {detail}" if detail else ""
    return f"Valeur fictive ({DEMO_LABEL}) — scénario : {_SCENARIO_TEXT[scenario]}{extra}."


def _target_reason(kind: str, as_written: str | None) -> str:
    written = f" ; le contrat indique « {as_written} »" if as_written else ""
    return f"Cible fictive ({DEMO_LABEL}) : {vocabulary.TARGET_SOURCE[kind]}{written}."


# --- actions ------------------------------------------------------------------------------------

# Fictitious owners; each défi's actions are shared by two of them.
DEMO_OWNERS = (
    "Camille Moreau (démo)",
    "Julien Bernard (démo)",
    "Sophie Lefèvre (démo)",
    "Karim Benali (démo)",
    "Isabelle Girard (démo)",
    "Thomas Rousseau (démo)",
    "Nadia Chevalier (démo)",
    "Olivier Fontaine (démo)",
    "Claire Mercier (démo)",
    "Hugo Lambert (démo)",
    "Élodie Faure (démo)",
    "Marc Perrin (démo)",
)

# What happens to an action by the date of situation, and the share of actions it happens to.
_DONE = "done"
_IN_PROGRESS = "in_progress"
_PAST_DUE = "past_due"  # still « en cours » after its due date: late by its date
_LATE = "late"  # marked « en retard »
_PLANNED = "planned"  # « non démarrée », dated, to start later
_POSTPONED = "postponed"
_CANCELLED = "cancelled"
_UNTOUCHED = "untouched"  # never followed up: « non démarrée », no owner, no date
ACTION_FATES = {
    _DONE: 14,
    _IN_PROGRESS: 26,
    _PAST_DUE: 5,
    _LATE: 7,
    _PLANNED: 9,
    _POSTPONED: 4,
    _CANCELLED: 2,
    _UNTOUCHED: 2,
}
_STATUS_OF_FATE = {
    _DONE: "done",
    _IN_PROGRESS: "in_progress",
    _PAST_DUE: "in_progress",
    _LATE: "late",
    _PLANNED: "not_started",
    _POSTPONED: "postponed",
    _CANCELLED: "cancelled",
    _UNTOUCHED: "not_started",
}
_NO_OWNER_PLANNED = 3  # planned actions without an owner yet (« Sans responsable »)

_MILESTONES = (
    "Réunion de cadrage avec les partenaires",
    "Comité de pilotage de lancement",
    "Bilan intermédiaire",
    "Déploiement sur tout le département",
    "Bilan final en comité de direction",
)
_UPDATE_TEXT = {
    "first": "Lancement : réunion de cadrage tenue avec les partenaires, calendrier arrêté.",
    "middle": "Point d'étape en comité de pilotage : déploiement poursuivi sur les territoires.",
    _DONE: "Action réalisée ; son bilan a été présenté en comité de direction.",
    _LATE: "Retard pris : le recrutement du chargé de mission est décalé ; nouveau calendrier "
    "proposé au comité de pilotage.",
    _PAST_DUE: "Échéance dépassée : les derniers ateliers restent à tenir.",
    _POSTPONED: "Action reportée à la demande des partenaires ; reprise au {start}.",
    _CANCELLED: "Action abandonnée : remplacée par une action menée avec le Département.",
}
_DEMO_NOTE = " (point d'avancement de démonstration)"


@dataclass(frozen=True)
class DemoMilestone:
    label: str
    due_date: date
    done_on: date | None


@dataclass(frozen=True)
class DemoActionUpdate:
    """A dated update and the progress the action had reached then."""

    on: date
    text: str
    progress: int


@dataclass(frozen=True)
class DemoAction:
    """The fictitious follow-up of one action on the date of situation."""

    challenge: int
    action_id: str
    owner: str  # '' when nobody is named yet
    start_date: date | None
    due_date: date | None
    status: str  # a key of vocabulary.ACTION_STATUS
    progress: int  # 0 to 100
    milestones: tuple[DemoMilestone, ...]
    updates: tuple[DemoActionUpdate, ...]  # oldest first

    @property
    def followed(self) -> bool:
        """Whether the action has a follow-up to write (an untouched one has none)."""
        return bool(self.owner or self.start_date or self.updates or self.milestones)


def _fates(count: int, rng: random.Random) -> list[str]:
    """``count`` fates in the shares of :data:`ACTION_FATES` (each at least once from 8 actions
    on), shuffled."""
    total = sum(ACTION_FATES.values())
    shares = {fate: count * weight / total for fate, weight in ACTION_FATES.items()}
    counts = {fate: int(share) for fate, share in shares.items()}
    by_remainder = sorted(shares, key=lambda fate: (counts[fate] - shares[fate], fate))
    for fate in by_remainder[: count - sum(counts.values())]:
        counts[fate] += 1
    if count >= len(ACTION_FATES):
        for fate in ACTION_FATES:
            while counts[fate] == 0:
                richest = max(counts, key=lambda f: (counts[f], f))
                counts[richest] -= 1
                counts[fate] += 1
    fates = [fate for fate in ACTION_FATES for _ in range(counts[fate])]
    rng.shuffle(fates)
    return fates


def _rounded(progress: float) -> int:
    """To the nearest 5 %, as people report an action's progress."""
    return int(max(0, min(100, 5 * round(progress / 5))))


def _spread(first: date, last: date, count: int) -> list[date]:
    """``count`` dates evenly spread from ``first`` to ``last``."""
    if count <= 1 or last <= first:
        return [last] * max(count, 0) if count else []
    step = (last - first).days / (count - 1)
    return [date.fromordinal(first.toordinal() + round(i * step)) for i in range(count)]


def _action_dates(fate: str, as_of: date, rng: random.Random) -> tuple[date, date]:
    """Start and due dates of an action with this fate on ``as_of``."""
    months = rng.randint
    if fate == _DONE:
        start = _plus_months(as_of, -months(14, 30))
        return start, min(_plus_months(start, months(8, 16)), _plus_months(as_of, -1))
    if fate == _PAST_DUE:
        return _plus_months(as_of, -months(12, 24)), _plus_months(as_of, -months(1, 4))
    if fate == _LATE:
        return _plus_months(as_of, -months(6, 18)), _plus_months(as_of, months(-2, 6))
    if fate in (_PLANNED, _POSTPONED):
        start = _plus_months(as_of, months(2, 12))
        return start, _plus_months(start, months(6, 18))
    if fate == _CANCELLED:
        start = _plus_months(as_of, -months(8, 20))
        return start, _plus_months(start, months(12, 24))
    return _plus_months(as_of, -months(3, 20)), _plus_months(as_of, months(3, 14))


def _action_progress(fate: str, start: date, due: date, as_of: date, rng: random.Random) -> int:
    if fate == _DONE:
        return 100
    if fate in (_PLANNED, _UNTOUCHED):
        return 0
    if fate == _POSTPONED:
        return _rounded(rng.uniform(0, 20))
    if fate == _CANCELLED:
        return _rounded(rng.uniform(10, 40))
    if fate == _PAST_DUE:
        return _rounded(rng.uniform(70, 90))
    elapsed = (as_of - start).days / max((due - start).days, 1)
    if fate == _LATE:
        return max(5, _rounded(100 * elapsed * rng.uniform(0.3, 0.6)))
    return min(90, max(10, _rounded(100 * elapsed * rng.uniform(0.85, 1.1))))


def _action_milestones(
    fate: str, start: date, due: date, as_of: date, rng: random.Random
) -> tuple[DemoMilestone, ...]:
    """Two or three milestones for about a third of the actions under way or done."""
    if fate not in (_DONE, _IN_PROGRESS, _PAST_DUE, _LATE) or rng.random() > 0.35:
        return ()
    count = rng.randint(2, 3)
    labels = [_MILESTONES[0], *rng.sample(_MILESTONES[1:-1], count - 2), _MILESTONES[-1]]
    milestones = []
    for label, day in zip(labels, _spread(_plus_months(start, 1), due, count), strict=True):
        done = day <= as_of and (fate == _DONE or label != labels[-1])  # the last: the end
        done_on = min(as_of, day + timedelta(days=rng.randint(-10, 10))) if done else None
        milestones.append(DemoMilestone(label, day, done_on))
    return tuple(milestones)


def _action_updates(
    fate: str, start: date, due: date, progress: int, as_of: date, rng: random.Random
) -> tuple[DemoActionUpdate, ...]:
    """One to three dated updates of an action begun by ``as_of``, progress rising to the
    action's."""
    if fate in (_PLANNED, _UNTOUCHED) or start > as_of:
        if fate == _POSTPONED:
            text = _UPDATE_TEXT[_POSTPONED].format(start=_fr_day(start))
            return (DemoActionUpdate(_plus_months(as_of, -1), text + _DEMO_NOTE, progress),)
        return ()
    last = min(as_of, due) if fate == _DONE else as_of
    first = min(_plus_months(start, 1), last)
    count = rng.randint(1, 3)
    days = _spread(first, last - timedelta(days=rng.randint(0, 20)), count)
    updates = []
    for i, day in enumerate(days):
        final = i == count - 1
        if final and fate in _UPDATE_TEXT:
            text, reached = _UPDATE_TEXT[fate], progress
        else:
            text = _UPDATE_TEXT["first" if i == 0 else "middle"]
            reached = _rounded(progress * (i + 1) / (count + (0 if final else 1)))
        updates.append(DemoActionUpdate(max(day, start), text + _DEMO_NOTE, reached))
    return tuple(updates)


def _fr_day(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def generate_actions(contract: Contract, as_of: date, seed: str = DEFAULT_SEED) -> list[DemoAction]:
    """The fictitious follow-up of every action of ``contract``'s défis on ``as_of``.

    Deterministic: the same contract, date and seed give the same follow-ups. Dates are read from
    ``as_of`` (a done action ended before it, one in progress started before it and is due
    after it…) and kept within the contract's years where they can be.
    """
    actions = [(c.number, a.id) for c in contract.challenges for a in c.actions]
    fates = _fates(len(actions), _rng(seed, "actions"))
    first_day = date(contract.period.start, 1, 1)
    last_day = date(contract.period.end, 12, 31)
    latest_start = _plus_months(last_day, -3)
    planned_seen = 0
    result = []
    for (number, action_id), fate in zip(actions, fates, strict=True):
        rng = _rng(seed, action_id)
        if fate == _UNTOUCHED:
            result.append(DemoAction(number, action_id, "", None, None, "not_started", 0, (), ()))
            continue
        start, due = _action_dates(fate, as_of, rng)
        start = max(start, first_day)
        if fate in (_PLANNED, _POSTPONED):
            if as_of >= latest_start:  # the contract ends: what has not begun never will
                start, due = _plus_months(as_of, -rng.randint(6, 12)), last_day
            start = min(start, latest_start)
        due = min(max(due, _plus_months(start, 3)), max(last_day, _plus_months(start, 3)))
        if start > as_of and fate not in (_PLANNED, _POSTPONED):
            fate = _PLANNED  # a date of situation before the contract: nothing has begun
        progress = _action_progress(fate, start, due, as_of, rng)
        pair = (
            DEMO_OWNERS[(2 * number) % len(DEMO_OWNERS)],
            DEMO_OWNERS[(2 * number + 1) % len(DEMO_OWNERS)],
        )
        owner = rng.choice(pair)
        if fate == _PLANNED:
            planned_seen += 1
            if planned_seen <= _NO_OWNER_PLANNED:
                owner = ""
        result.append(
            DemoAction(
                challenge=number,
                action_id=action_id,
                owner=owner,
                start_date=start,
                due_date=due,
                status=_STATUS_OF_FATE[fate],
                progress=progress,
                milestones=_action_milestones(fate, start, due, as_of, rng),
                updates=_action_updates(fate, start, due, progress, as_of, rng),
            )
        )
    return result
