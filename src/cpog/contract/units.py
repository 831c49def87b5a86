"""Units cpog knows. A contract may declare more in contract.yaml (``units:``)."""

from __future__ import annotations

from cpog.contract.model import ValueRange

# Generic units of public-sector steering. Counting nouns specific to one contract ("crèches",
# "MAM") belong in that contract's own ``units:`` list, not here.
BUILTIN_UNITS: dict[str, str] = {
    "%": "pourcentage",
    "points": "points de pourcentage",
    "jours": "jours",
    "heures": "heures",
    "€": "euros",
    "k€": "milliers d'euros",
    "ETP": "équivalents temps plein",
    "nombre": "nombre",
    "allocataires": "allocataires",
    "bénéficiaires": "bénéficiaires",
    "familles": "familles",
    "enfants": "enfants",
    "personnes": "personnes",
    "places": "places d'accueil",
    "structures": "structures",
    "équipements": "équipements",
    "actions": "actions",
    "agents": "agents",
    "communes": "communes",
    "dossiers": "dossiers",
    "kWh": "kilowattheures",
    "t CO2e": "tonnes équivalent CO2",
}


def known_units(declared: list[str]) -> set[str]:
    return set(BUILTIN_UNITS) | set(declared)


def adds_up(unit: str) -> bool:
    """Whether values in ``unit`` add up over time (counts, amounts) rather than being levels
    (rates, délais, ratios): a year-to-date total is then compared with a share of the year."""
    text = unit.lower()
    levels = {"%", "points", "jours", "indice"}
    return not (text in levels or " par " in text or text.startswith("%"))


RATE_UNITS = frozenset({"%"})


def default_range(unit: str | None) -> ValueRange:
    """What values of ``unit`` can be: a rate 0 to 100, points any sign, anything else 0 or
    more (counts, délais, amounts, ratios, indices). A contract widens it with ``value_range``."""
    if unit in RATE_UNITS:
        return ValueRange(min=0, max=100)
    if unit == "points":
        return ValueRange()
    return ValueRange(min=0)


def value_range(unit: str | None, declared: ValueRange | None) -> ValueRange:
    """The range that applies: the one the contract declares, else the unit's."""
    return declared if declared is not None else default_range(unit)
