"""The status of a territory (an EPCI, a commune, the département, a CTG), through the same
assessment as the caisse's (:func:`cpog.steering.contract_status`, no second verdict rule), and
the lists of territories and their statuses that ``cpog status --par``, ``cpog territories``
and the pages show (decision 020).

Values: the territory's own, when stored (``scope_type`` territory); otherwise the aggregate of
its children's (communes → EPCI → département or CTG) by a ratio of sums or a sum
(:func:`cpog.territories.aggregated_series`), said so (« agrégée de 38 communes sur 40 … »).
Targets: the territory's own stored targets; otherwise, for a ratio (a rate, a delay) only, the
caisse's, said « cible de la caisse »; a count has no target at a territory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date

from cpog import vocabulary
from cpog.assess import Observation
from cpog.assess.aggregate import Method, method_for
from cpog.assess.wording import value_text
from cpog.contexts.reader import Reader
from cpog.contexts.serialize import record
from cpog.contexts.situation import Situation, situation
from cpog.contexts.status_rows import StatusRowData, status_row
from cpog.contract.model import Contract
from cpog.periods import parse_period
from cpog.scope import Scope, ScopeKind
from cpog.steering import (
    StatusRow,
    StoredTarget,
    SubjectKey,
    contract_status,
    policy_of,
    restricted,
)
from cpog.territories import Territories, ValueOrigin, aggregated_series

CAISSE_TARGET_NOTE = vocabulary.TERRITORY_TARGET["caisse"]


def subject_unit(contract: Contract, subject: SubjectKey) -> str:
    """The unit of an indicator or a measure ("" when unknown): what decides how it adds up."""
    kind, subject_id = subject
    if kind == "indicator":
        indicator = contract.indicator(subject_id)
        return indicator.unit if indicator is not None else ""
    for _, _, measure in contract.measures():
        if measure.id == subject_id:
            linked = contract.indicator(measure.indicator) if measure.indicator else None
            return (linked.unit if linked else measure.unit) or ""
    return ""


def territory_situation(
    reader: Reader,
    contract: Contract,
    as_of: date,
    territories: Territories,
    scope: Scope,
    *,
    caisse_targets: dict[SubjectKey, list[StoredTarget]] | None = None,
    subjects: set[SubjectKey] | None = None,
) -> Situation:
    """The contract assessed at ``scope``: the caisse's own situation for the caisse, else the
    subjects that have values at a territory (here, its own or aggregated, or elsewhere: then
    « non renseigné » here), each with the :class:`ValueOrigin` of its latest value in
    :attr:`Situation.origins`.

    ``caisse_targets`` and ``subjects`` (the subjects with territorial values) may be given
    when several territories are assessed in a row, so that they are read once."""
    if scope.kind in (ScopeKind.CAISSE, ScopeKind.NATIONAL) and scope.code in (
        contract.organisation.code,
        territories.caisse_code,
    ):
        return situation(reader, contract, as_of)
    targets, observations = reader.steering_inputs(contract, scope.code)
    observations = dict(observations)
    origins: dict[SubjectKey, ValueOrigin] = {
        key: ValueOrigin("own") for key, series in observations.items() if series
    }
    wanted = subjects if subjects is not None else reader.subjects_with_territory_values(contract)
    descendants = territories.descendants(scope.code)
    for subject in sorted(wanted - set(origins)):
        if subject[0] not in ("indicator", "measure"):
            continue  # key figures are not assessed
        method = method_for(subject_unit(contract, subject))
        parts = reader.territory_parts(contract, subject, [scope.code, *descendants])
        series = aggregated_series(territories, scope.code, parts, method)
        built = [
            Observation(parse_period(key), part.value)
            for key, (part, _) in series.items()
            if part is not None and part.value is not None
        ]
        if series:
            origins[subject] = series[max(series, key=lambda k: parse_period(k).end)][1]
        if built:
            observations[subject] = sorted(built, key=lambda o: o.period.end)
    caisse = (
        caisse_targets
        if caisse_targets is not None
        else reader.steering_inputs(contract, territories.caisse_code)[0]
    )
    borrowed: set[SubjectKey] = set()
    merged = dict(targets)
    for key in _assessed_subjects(contract):
        if merged.get(key) or not caisse.get(key):
            continue
        if method_for(subject_unit(contract, key)) is Method.RATIO:
            merged[key] = caisse[key]
            borrowed.add(key)
    status = contract_status(contract, merged, observations, as_of, policy_of(contract))

    # Every subject with territorial values somewhere has a line, with or without a value here.
    shown = set(wanted) | set(origins)
    for _, _, measure in contract.measures():
        if measure.indicator and ("indicator", measure.indicator) in shown:
            shown.add(("measure", measure.id))

    def keep(row: StatusRow) -> StatusRow | None:
        if not row.series and (row.subject_type, row.subject_id) not in shown:
            return None
        if (row.subject_type, row.subject_id) in borrowed and row.target.origin != "none":
            note = "; ".join(n for n in (row.target.note, CAISSE_TARGET_NOTE) if n)
            return dataclasses.replace(row, target=dataclasses.replace(row.target, note=note))
        return row

    # A measure taking an indicator's values takes its origin too.
    for _, _, measure in contract.measures():
        linked = ("indicator", measure.indicator) if measure.indicator else None
        if linked in origins and ("measure", measure.id) not in origins:
            origins[("measure", measure.id)] = origins[linked]
    return Situation(
        contract=contract,
        as_of=as_of,
        scope=scope.code,
        state=reader.state(contract),
        status=restricted(contract, status, keep),
        observations=observations,
        actions=reader.actions(contract),
        analyses=[],  # analyses are written for the caisse's figures
        territory=scope,
        origins=origins,
        borrowed_targets=frozenset(borrowed),
    )


def _assessed_subjects(contract: Contract) -> Iterable[SubjectKey]:
    for indicator in contract.indicators:
        yield ("indicator", indicator.id)
    for _, _, measure in contract.measures():
        yield ("measure", measure.id)


# --- what the CLI and the API write ----------------------------------------------------------


@record
class TerritoryData:
    """A territory of the caisse, as ``cpog territories`` lists it."""

    territory_code: str
    territory_name: str
    territory_kind: str
    territory_kind_label: str
    parent_code: str | None
    parent_name: str | None
    commune_count: int
    population: int


def territory_data(territories: Territories, scope: Scope) -> TerritoryData:
    communes = territories.communes_of(scope)
    parent = scope.parent
    return TerritoryData(
        territory_code=scope.code,
        territory_name=scope.name,
        territory_kind=str(scope.kind),
        territory_kind_label=territories.kind_label(scope),
        parent_code=parent.code if parent is not None else None,
        parent_name=parent.name if parent is not None else None,
        commune_count=len(communes),
        population=territories.population(communes),
    )


@record
class TerritoryRowData:
    """The status of one subject at one territory: the territory, where its value comes from,
    where its target comes from, and the one status-row shape."""

    territory_code: str
    territory_name: str
    territory_kind: str
    value_origin: str
    value_origin_label: str
    aggregation_method: str | None
    aggregation_method_label: str | None
    complete: bool
    missing_parts: list[str]
    target_from: str
    target_from_label: str
    subject_status: StatusRowData


def territory_rows(
    situation: Situation, territories: Territories, kinds: tuple[str, ...] = ("indicator",)
) -> list[TerritoryRowData]:
    """A line per subject of ``kinds`` assessed at the situation's territory."""
    scope = situation.territory
    if scope is None:
        scope = territories.caisse
    found = []
    for row in situation.status.rows:
        if row.subject_type not in kinds:
            continue
        origin = situation.origin_of(row)
        target = situation.target_origin(row)
        method = origin.method
        found.append(
            TerritoryRowData(
                territory_code=scope.code,
                territory_name=scope.name,
                territory_kind=str(scope.kind),
                value_origin=origin.kind,
                value_origin_label=origin.text,
                aggregation_method=None if method is None else str(method),
                aggregation_method_label=(
                    None if method is None else vocabulary.AGGREGATION_METHOD[method]
                ),
                complete=origin.complete,
                missing_parts=list(origin.missing),
                target_from=target,
                target_from_label=vocabulary.TERRITORY_TARGET[target],
                subject_status=status_row(row),
            )
        )
    return found


@record
class TerritoryStatusData:
    """What ``cpog status --territoire`` and ``--par`` write as JSON."""

    as_of: date
    contract_id: str
    rows: list[TerritoryRowData]


# --- pages: the banner of a territory's page, an indicator's values by territory --------------


@record
class TerritoryBanner:
    """« Territoire : Communauté de communes du Thouarsais (EPCI) », with the way back."""

    territory_code: str
    territory_name: str
    territory_kind_label: str
    text: str
    caisse_url: str
    caisse: str


def territory_banner(territories: Territories, scope: Scope, caisse_url: str) -> TerritoryBanner:
    kind = territories.kind_label(scope)
    return TerritoryBanner(
        territory_code=scope.code,
        territory_name=scope.name,
        territory_kind_label=kind,
        text=f"Territoire : {scope.name} ({kind})",
        caisse_url=caisse_url,
        caisse=territories.caisse_name or territories.caisse_code,
    )


@record
class TerritoryValueData:
    """One territory's value of a period, and where it comes from."""

    territory_code: str
    territory_name: str
    value: float | None
    value_text: str
    value_origin: str
    value_origin_label: str


@record
class ByTerritoryData:
    """An indicator's values by EPCI for its latest period with territorial values (the
    « Par territoire » section of its page)."""

    period: str
    period_label: str
    aggregation_method: str
    aggregation_method_label: str
    rows: list[TerritoryValueData]


def by_territory(
    reader: Reader, contract: Contract, territories: Territories, subject: SubjectKey
) -> ByTerritoryData | None:
    """The values of ``subject`` at each EPCI for the latest period any territory has one
    (each the EPCI's own value or its communes' aggregate); None without territorial values."""
    if subject[0] == "measure":
        for _, _, measure in contract.measures():
            if measure.id == subject[1] and measure.indicator:
                subject = ("indicator", measure.indicator)
    unit = subject_unit(contract, subject)
    parts = reader.territory_parts(contract, subject)
    if not parts:
        return None
    latest = max(
        (key for periods in parts.values() for key in periods), key=lambda k: parse_period(k).end
    )
    method = method_for(unit)
    rows = []
    for scope in territories.epcis():
        series = aggregated_series(territories, scope.code, parts, method)
        part, origin = series.get(latest, (None, ValueOrigin("none")))
        value = part.value if part is not None else None
        rows.append(
            TerritoryValueData(
                territory_code=scope.code,
                territory_name=scope.name,
                value=value,
                value_text="—" if value is None else value_text(value, unit),
                value_origin=origin.kind,
                value_origin_label=origin.text,
            )
        )
    period = parse_period(latest)
    return ByTerritoryData(
        period=period.key,
        period_label=str(period),
        aggregation_method=str(method),
        aggregation_method_label=vocabulary.AGGREGATION_METHOD[method],
        rows=rows,
    )
