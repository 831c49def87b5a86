"""Units cpog knows, and how a unit reads after a number.

A contract may declare more units in contract.yaml (``units:``), each with its singular.

French puts the unit in the singular below 2 in absolute value (« 0 place », « 1,5 jour »,
« −1 jour ») and in the plural from 2 on (« 2 jours »). Unit ids are plural nouns; the singular
comes from, in order: the contract's declaration (``singular``), the built-in table below, or
:func:`singular_by_rule`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from cpog.contract.model import ValueRange
from cpog.formatting import NBSP, fr_number


class UnitWords(NamedTuple):
    label: str
    singular: str


# Generic units of public-sector steering. Counting nouns specific to one contract ("crèches",
# "MAM") belong in that contract's own ``units:`` list, not here.
BUILTIN_UNITS: dict[str, UnitWords] = {
    "%": UnitWords("pourcentage", "%"),
    "points": UnitWords("points de pourcentage", "point"),
    "jours": UnitWords("jours", "jour"),
    "heures": UnitWords("heures", "heure"),
    "€": UnitWords("euros", "€"),
    "k€": UnitWords("milliers d'euros", "k€"),
    "ETP": UnitWords("équivalents temps plein", "ETP"),
    "nombre": UnitWords("nombre", "nombre"),
    "allocataires": UnitWords("allocataires", "allocataire"),
    "bénéficiaires": UnitWords("bénéficiaires", "bénéficiaire"),
    "familles": UnitWords("familles", "famille"),
    "enfants": UnitWords("enfants", "enfant"),
    "personnes": UnitWords("personnes", "personne"),
    "places": UnitWords("places d'accueil", "place"),
    "structures": UnitWords("structures", "structure"),
    "équipements": UnitWords("équipements", "équipement"),
    "actions": UnitWords("actions", "action"),
    "agents": UnitWords("agents", "agent"),
    "communes": UnitWords("communes", "commune"),
    "dossiers": UnitWords("dossiers", "dossier"),
    "kWh": UnitWords("kilowattheures", "kWh"),
    "t CO2e": UnitWords("tonnes équivalent CO2", "t CO2e"),
}


def known_units(declared: list[str]) -> set[str]:
    return set(BUILTIN_UNITS) | set(declared)


# --- singular and plural ---------------------------------------------------------------------

# Units written before the number: « indice 98,3 », not « 98,3 indice ».
UNITS_BEFORE_NUMBER = frozenset({"indice"})

# Nouns that end in s or x in the singular too.
INVARIABLE_WORDS = frozenset({"indice", "taux", "prix", "mois", "fois", "cas", "poids"})

# Words after which a unit no longer agrees with the number: « unités d'œuvre par ETP ».
_COMPLEMENT_WORDS = frozenset({"par", "de", "du", "des"})
_ELIDED_DE = re.compile(r"^d['’]", re.IGNORECASE)

# Singulars declared by the contracts read in this process (see declare_singular).
_declared_singulars: dict[str, str] = {}


def declare_singular(unit: str, singular: str) -> None:
    """Remember the singular a contract gives one of its units (contract.yaml, ``units:``).

    :class:`~cpog.contract.model.UnitDefinition` calls it when a contract is read: values are
    worded deep inside the assessment (``value_text(value, unit)``), where no contract is at hand.
    """
    _declared_singulars[unit] = singular


def _stays(word: str) -> bool:
    """Symbols (%, €, m², CO2e), acronyms (ETP, MAM) and invariable nouns keep their form."""
    if not word.replace("-", "").replace("'", "").replace("’", "").isalpha():
        return True
    if len(word) > 1 and word.isupper():
        return True
    return word.lower() in INVARIABLE_WORDS


def singular_by_rule(unit: str) -> str:
    """The French rule for a unit nobody gave a singular: each word before the first « par »
    or « de » (« d' », « du », « des ») loses a final s or x, except symbols, acronyms and
    invariable nouns. « assistants maternels par ETP » → « assistant maternel par ETP »,
    « unités d'œuvre par ETP » → « unité d'œuvre par ETP », « lieux » → « lieu »."""
    words = unit.split(" ")
    for n, word in enumerate(words):
        if word.lower() in _COMPLEMENT_WORDS or _ELIDED_DE.match(word):
            break
        if not _stays(word) and word[-1:] in ("s", "x") and len(word) > 1:
            words[n] = word[:-1]
    return " ".join(words)


def singular(unit: str) -> str:
    """The unit after 0 or 1: the contract's declaration, else the built-in one, else the rule."""
    if unit in _declared_singulars:
        return _declared_singulars[unit]
    if unit in BUILTIN_UNITS:
        return BUILTIN_UNITS[unit].singular
    return singular_by_rule(unit)


def is_singular(count: float) -> bool:
    """French: singular below 2 in absolute value (« 1,5 jour », « 0 place », « −1 jour »)."""
    return abs(count) < 2


def with_number(number: str, count: float, unit: str | None) -> str:
    """A number already written, with its unit in the right form and place.

    ``count`` is the value ``number`` shows (after rounding), which decides singular or plural:
    ``with_number("5", 5, "crèches")`` → « 5 crèches », ``with_number("1", 1, "crèches")`` →
    « 1 crèche », ``with_number("98,3", 98.3, "indice")`` → « indice 98,3 ». The one place that
    puts a unit beside a number.
    """
    if not unit:
        return number
    if unit in UNITS_BEFORE_NUMBER:
        return f"{unit}{NBSP}{number}"
    form = singular(unit) if is_singular(count) else unit
    return f"{number}{NBSP}{form}"


def quantity_text(value: float | Decimal, unit: str | None) -> str:
    """A stored value with the decimals it has (up to 3) and its unit: « 19,36 jours »,
    « 1 crèche », « −2 % » — for revisions and the audit trail, where rounding would hide a
    correction. Pages that summarise round instead (``value_text``)."""
    return with_number(fr_number(value), float(value), unit)


def change_text(before: float | Decimal, after: float | Decimal, unit: str | None) -> str:
    """Two stored values and their unit, written once: « 19,36 → 13,5 jours »,
    « indice 98 → 97 »; the unit agrees with the value it follows."""
    if unit in UNITS_BEFORE_NUMBER:
        return f"{unit}{NBSP}{fr_number(before)} → {fr_number(after)}"
    return f"{fr_number(before)} → {quantity_text(after, unit)}"


# --- what values of a unit can be ------------------------------------------------------------


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
