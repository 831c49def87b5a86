"""The network of caisses: every caisse side by side (``/reseau/``), and one indicator compared
across them (``/reseau/indicateurs/<code>/``, ``cpog compare``, the API).

Built through :class:`NetworkReader` — the store's :class:`cpog.store.network.NetworkStoreReader`,
or one in memory in the tests — which reads the caisses, their contracts, values and targets
with a constant number of queries whatever the number of caisses.

For an indicator and a period (by default the latest one with values): each caisse's value, its
rank (1 = best given the indicator's direction), the quartile it falls in, its status against its
own target on the date of situation, its peer group's median and its rank within the group
(:mod:`cpog.peer_groups`); the quartiles (:mod:`cpog.assess.compare`); and the national value:
the one stored for the nation (scope « national », code « FR ») when there is one, else computed
from the caisses' values — a ratio of the sums of numerators and denominators for a rate or a
délai, a sum for a count (:mod:`cpog.assess.aggregate`) — and said to be computed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from cpog import vocabulary
from cpog.assess import Observation, Policy
from cpog.assess.aggregate import Method, Part, aggregate, method_for
from cpog.assess.compare import favourable_quartile, quartile_of, quartiles, ranks
from cpog.assess.types import Status
from cpog.assess.wording import value_text
from cpog.contexts.charts import FONT_SIZE, SCHEMA, _config
from cpog.contexts.serialize import record
from cpog.contract.model import Contract, Direction, Indicator
from cpog.formatting import fr_date, fr_number
from cpog.peer_groups import PeerGroups
from cpog.periods import Period
from cpog.records import CaisseRecord
from cpog.steering import StoredTarget, SubjectKey, indicator_status, policy_of

Parts = tuple[float | None, float | None]

# Statuses counted as « on track » and « late » on the network page.
ON_TRACK = (Status.ATTEINT, Status.EN_AVANCE, Status.CONFORME)
LATE = (Status.EN_RETARD, Status.NON_ATTEINT)


class NetworkError(ValueError):
    """An indicator, a caisse, a group or a period that names nothing: French, names it."""


class NetworkReader(Protocol):
    """What the network contexts read of the store."""

    def caisses(self) -> list[CaisseRecord]: ...

    def contracts(self, caisses: Sequence[CaisseRecord]) -> dict[str, Contract]:
        """Each caisse's current contract, by caisse code."""
        ...

    def indicator_values(
        self, caisses: Sequence[CaisseRecord], subject_id: str | None = None
    ) -> tuple[dict[str, dict[SubjectKey, list[Observation]]], dict[tuple[str, str, str], Parts]]:
        """Current indicator values by caisse code (only ``subject_id`` when given), with the
        numerator and denominator of each, keyed (caisse code, subject id, period key)."""
        ...

    def indicator_targets(
        self, caisses: Sequence[CaisseRecord], subject_id: str | None = None
    ) -> dict[str, dict[SubjectKey, list[StoredTarget]]]: ...

    def national_values(self, subject_id: str) -> tuple[list[Observation], dict[str, Parts]]:
        """Values stored for the nation, with their numerators and denominators by period key."""
        ...

    def demo(self) -> bool: ...


# --- records ---------------------------------------------------------------------------------


@record
class QuartilesData:
    q1: float
    median: float
    q3: float
    q1_text: str
    median_text: str
    q3_text: str
    count: int


@record
class NationalValue:
    value: float | None
    value_text: str
    computed: bool  # computed from the caisses, not stored for the nation
    method: str  # « stored » | « ratio » | « sum »
    method_label: str
    parts: int  # caisses that entered the computed value
    missing: list[str]  # caisses without a value, or without numerator and denominator
    note: str  # why there is no value, or what is left out


@record
class CaisseComparison:
    code: str
    name: str
    value: float | None
    value_text: str
    numerator: float | None
    denominator: float | None
    provisional: bool
    rank: int | None
    quartile: int | None
    quartile_label: str
    status: str
    status_label: str
    target_text: str
    group: str | None
    group_median: float | None
    group_median_text: str
    group_rank: int | None
    group_size: int
    chosen: bool


@record
class GroupSummary:
    name: str
    description: str
    count: int
    median: float | None
    median_text: str


@record
class ComparisonContext:
    as_of: date
    indicator_id: str
    code: str
    label: str
    unit: str
    direction: str
    direction_label: str
    period: str | None
    period_label: str
    national: NationalValue
    quartiles: QuartilesData | None
    rows: list[CaisseComparison]
    count: int  # caisses with a value
    total: int  # caisses compared
    peer_groups: list[GroupSummary]
    group: str | None  # the group the comparison is limited to
    chosen: str | None  # the caisse highlighted
    groups_source: str
    demo: bool
    chart: dict[str, Any]


@record
class CaisseSummary:
    code: str
    name: str
    contract_id: str
    group: str | None
    indicators: int
    on_track: int
    watch: int
    late: int
    missing: int
    last_value: date | None
    last_value_text: str


@record
class IndicatorLink:
    indicator_id: str
    code: str
    label: str


@record
class NetworkContext:
    as_of: date
    rows: list[CaisseSummary]
    total: int
    indicators: list[IndicatorLink]
    groups_source: str
    demo: bool


# --- building ------------------------------------------------------------------------------


def _by_code(reader: NetworkReader) -> list[CaisseRecord]:
    found = reader.caisses()
    if not found:
        raise NetworkError("Aucune caisse dans la base : chargez d'abord un contrat (cpog load).")
    return found


def find_indicator(contract: Contract, key: str) -> Indicator:
    found = contract.indicator(key)
    if found is None:
        raise NetworkError(
            f"Indicateur inconnu : « {key} » (un code comme « COG 08-29 » ou un identifiant "
            "comme « cog-08-29 »)."
        )
    return found


def _same_period(period: Period, other: Period) -> bool:
    return (period.unit, period.year, period.index) == (other.unit, other.year, other.index)


def _value_at(series: Sequence[Observation], period: Period) -> Observation | None:
    return next((o for o in series if _same_period(o.period, period)), None)


def comparison_context(
    reader: NetworkReader,
    indicator_key: str,
    as_of: date,
    groups: PeerGroups,
    *,
    period: Period | None = None,
    caisse: str | None = None,
    group: str | None = None,
) -> ComparisonContext:
    """``indicator_key`` (code or id) compared across the caisses for ``period`` (by default
    the latest one with values ended by ``as_of``); ``caisse`` is highlighted; ``group`` limits
    the comparison to a peer group. Raises :class:`NetworkError` (French) for a name that
    names nothing."""
    every = _by_code(reader)
    if caisse is not None and caisse not in {c.code for c in every}:
        raise NetworkError(f"Caisse inconnue dans la base : « {caisse} ».")
    chosen_group = None
    if group is not None:
        chosen_group = groups.named(group)
        if chosen_group is None:
            names = ", ".join(f"« {g.name} »" for g in groups.groups)
            raise NetworkError(f"Groupe de caisses inconnu : « {group} » (groupes : {names}).")
    contracts = reader.contracts(every)
    if not contracts:
        raise NetworkError("Aucun contrat chargé dans la base : lancez d'abord « cpog load ».")
    indicator = next(
        (known for c in contracts.values() if (known := c.indicator(indicator_key)) is not None),
        None,
    )
    if indicator is None:
        find_indicator(next(iter(contracts.values())), indicator_key)  # raises, in French
    assert indicator is not None
    members = groups.members({c.code: c.population for c in every})
    compared = [
        c
        for c in every
        if c.code in contracts
        and contracts[c.code].indicator(indicator.id) is not None
        and (chosen_group is None or members.get(c.code) == chosen_group.name)
    ]
    observations, parts = reader.indicator_values(compared, indicator.id)
    targets = reader.indicator_targets(compared, indicator.id)
    key = ("indicator", indicator.id)
    series = {c.code: observations.get(c.code, {}).get(key, []) for c in compared}
    if period is None:
        ended = [o.period for s in series.values() for o in s if o.period.end <= as_of]
        period = max(ended) if ended else None
    elif not any(_value_at(s, period) for s in series.values()):
        raise NetworkError(
            f"Aucune valeur de « {indicator.code or indicator.id} » pour {period} dans le réseau."
        )
    unit = indicator.unit
    at: dict[str, Observation] = {}
    if period is not None:
        for code, own_series in series.items():
            found = _value_at(own_series, period)
            if found is not None:
                at[code] = found
    period = next(iter(at.values())).period if at else period
    values = {code: o.value for code, o in at.items()}
    rank_of = ranks(values, indicator.direction)
    spread = quartiles(list(values.values()))
    group_values: dict[str, dict[str, float]] = {}
    for code, number in values.items():
        if code in members:
            group_values.setdefault(members[code], {})[code] = number
    group_ranks = {name: ranks(v, indicator.direction) for name, v in group_values.items()}
    group_medians = {name: quartiles(list(v.values())) for name, v in group_values.items()}
    policies: dict[str, Policy] = {}
    rows: list[CaisseComparison] = []
    for entry in compared:
        contract = contracts[entry.code]
        own = contract.indicator(indicator.id)
        assert own is not None
        policy = policies.get(contract.id)
        if policy is None:
            policy = policies[contract.id] = policy_of(contract)
        status_row = indicator_status(
            contract,
            own,
            targets.get(entry.code, {}).get(key, ()),
            series[entry.code],
            as_of,
            policy,
        )
        assessment = status_row.assessment
        target = assessment.annual_target or assessment.final_target
        observation = at.get(entry.code)
        value: float | None = observation.value if observation is not None else None
        numerator, denominator = (
            parts.get((entry.code, indicator.id, observation.period.key), (None, None))
            if observation is not None
            else (None, None)
        )
        group_name = members.get(entry.code)
        median = group_medians.get(group_name) if group_name else None
        quartile = quartile_of(value, spread) if value is not None and spread else None
        rows.append(
            CaisseComparison(
                code=entry.code,
                name=contract.organisation.short_name or entry.name,
                value=value,
                value_text="—" if value is None else value_text(value, unit),
                numerator=numerator,
                denominator=denominator,
                provisional=bool(observation and observation.provisional),
                rank=rank_of.get(entry.code),
                quartile=quartile,
                quartile_label=_quartile_label(quartile, indicator.direction),
                status=assessment.status.value,
                status_label=assessment.status.label_fr,
                target_text=(
                    f"{value_text(target.value, unit)} en {target.year}" if target else "—"
                ),
                group=group_name,
                group_median=median.median if median else None,
                group_median_text=value_text(median.median, unit) if median else "—",
                group_rank=group_ranks.get(group_name or "", {}).get(entry.code),
                group_size=len(group_values.get(group_name or "", {})),
                chosen=entry.code == caisse,
            )
        )
    rows.sort(key=lambda r: (r.rank is None and r.value is None, r.rank or 0, _order(r)))
    national = _national(reader, indicator, period, compared, at, parts, chosen_group is None)
    summaries = [
        GroupSummary(
            g.name,
            g.description,
            len(group_values.get(g.name, {})),
            group_medians[g.name].median if group_medians.get(g.name) else None,  # type: ignore[union-attr]
            value_text(group_medians[g.name].median, unit) if group_medians.get(g.name) else "—",  # type: ignore[union-attr]
        )
        for g in groups.groups
        if chosen_group is None or g.name == chosen_group.name
    ]
    context = ComparisonContext(
        as_of=as_of,
        indicator_id=indicator.id,
        code=indicator.code or indicator.id,
        label=indicator.label,
        unit=unit,
        direction=indicator.direction.value,
        direction_label=vocabulary.DIRECTION[indicator.direction],
        period=period.key if period is not None else None,
        period_label=str(period) if period is not None else "aucune valeur",
        national=national,
        quartiles=_quartiles_data(spread, unit),
        rows=rows,
        count=len(values),
        total=len(compared),
        peer_groups=summaries,
        group=chosen_group.name if chosen_group else None,
        chosen=caisse,
        groups_source=groups.source,
        demo=reader.demo(),
        chart={},
    )
    object.__setattr__(context, "chart", comparison_chart(context))
    return context


def _order(row: CaisseComparison) -> tuple[int, str]:
    digits = "".join(ch for ch in row.code if ch.isdigit())
    return (int(digits) if digits else 10**6, row.code)


def _quartile_label(quartile: int | None, direction: Direction) -> str:
    if quartile is None:
        return "—"
    ordinal = "1er" if quartile == 1 else f"{quartile}e"
    favourable = favourable_quartile(quartile, direction)
    if favourable is True:
        return f"{ordinal} quartile (le plus favorable)"
    if favourable is False:
        return f"{ordinal} quartile (le moins favorable)"
    return f"{ordinal} quartile"


def _quartiles_data(found: Any, unit: str) -> QuartilesData | None:
    if found is None:
        return None
    return QuartilesData(
        found.q1,
        found.median,
        found.q3,
        value_text(found.q1, unit),
        value_text(found.median, unit),
        value_text(found.q3, unit),
        found.count,
    )


def _national(
    reader: NetworkReader,
    indicator: Indicator,
    period: Period | None,
    compared: Sequence[CaisseRecord],
    at: Mapping[str, Observation],
    parts: Mapping[tuple[str, str, str], Parts],
    whole_network: bool,
) -> NationalValue:
    unit = indicator.unit
    if period is None:
        return NationalValue(None, "—", True, "", "", 0, [], "aucune valeur dans le réseau")
    if whole_network:
        stored, _ = reader.national_values(indicator.id)
        found = _value_at(stored, period)
        if found is not None:
            return NationalValue(
                found.value,
                value_text(found.value, unit),
                False,
                "stored",
                "valeur nationale enregistrée",
                0,
                [],
                "",
            )
    method = method_for(unit)
    missing = sorted(c.code for c in compared if c.code not in at)
    pieces = []
    lacking = []
    for code, observation in at.items():
        numerator, denominator = parts.get(
            (code, indicator.id, observation.period.key), (None, None)
        )
        if method is Method.RATIO and (numerator is None or denominator is None):
            lacking.append(code)
            continue
        pieces.append(Part(code, observation.value, numerator, denominator))
    result = aggregate(
        pieces, method, expected=None if method is Method.RATIO else [c.code for c in compared]
    )
    scope = "des caisses" if whole_network else "des caisses du groupe"
    if method is Method.RATIO:
        label = f"calculée : rapport des sommes des numérateurs et dénominateurs {scope}"
    else:
        label = f"calculée : somme {scope}"
    if result.value is not None and (lacking or missing):
        # partial: the value covers only some of the caisses compared, and says so up front
        label += f", sur {fr_number(result.parts)} caisses de {fr_number(len(compared))}"
    notes = []
    if result.value is None and result.reason:
        notes.append(result.reason)
    if lacking:
        notes.append(
            f"{fr_number(len(lacking))} caisse(s) sans numérateur ni dénominateur, "
            "non comprise(s) : "
            + ", ".join(sorted(lacking)[:10])
            + (" …" if len(lacking) > 10 else "")
        )
    if missing and method is Method.RATIO:
        notes.append(f"{fr_number(len(missing))} caisse(s) sans valeur pour {period}")
    return NationalValue(
        result.value,
        "—" if result.value is None else value_text(result.value, unit),
        True,
        method.value,
        label,
        result.parts,
        sorted(set(missing) | set(lacking)),
        " ; ".join(notes),
    )


# --- the chart ---------------------------------------------------------------------------------

CAISSE, VALUE, TEXT, RANK, CHOSEN, RULE = (
    "caisse",
    "valeur",
    "valeur_texte",
    "rang",
    "choisie",
    "repere",
)


def comparison_chart(context: ComparisonContext) -> dict[str, Any]:
    """A strip of the caisses' values (one tick each, the chosen caisse larger and darker), with
    the national value and the quartiles as vertical rules, labelled."""
    points = [
        {
            CAISSE: f"{r.name} ({r.code})",
            VALUE: round(r.value, 4),
            TEXT: r.value_text,
            RANK: r.rank if r.rank is not None else "—",
            CHOSEN: "caisse choisie" if r.chosen else "autres caisses",
        }
        for r in context.rows
        if r.value is not None
    ]
    description = (
        f"{context.code} — {context.label}, {context.period_label} : valeurs de "
        f"{context.count} caisses"
    )
    rules = []
    if context.national.value is not None:
        rules.append(
            {
                RULE: "Valeur nationale",
                VALUE: round(context.national.value, 4),
                TEXT: context.national.value_text,
            }
        )
        description += f", valeur nationale {context.national.value_text}"
    if context.quartiles is not None:
        q = context.quartiles
        rules += [
            {RULE: "1er quartile", VALUE: round(q.q1, 4), TEXT: q.q1_text},
            {RULE: "Médiane", VALUE: round(q.median, 4), TEXT: q.median_text},
            {RULE: "3e quartile", VALUE: round(q.q3, 4), TEXT: q.q3_text},
        ]
        description += f", quartiles {q.q1_text}, {q.median_text}, {q.q3_text}"
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "description": description + ".",
        "width": "container",
        "height": 140,
        "config": _config(),
    }
    if not points:
        return spec | {
            "data": {"values": [{}]},
            "mark": {"type": "text", "fontSize": FONT_SIZE, "aria": False},
            "encoding": {"text": {"value": "Aucune valeur à représenter."}},
        }
    x = {
        "field": VALUE,
        "type": "quantitative",
        "title": context.unit or None,
        "scale": {"zero": False, "nice": True},
    }
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": points},
            "mark": {"type": "tick", "thickness": 2, "aria": False},
            "encoding": {
                "x": x,
                "size": {
                    "field": CHOSEN,
                    "type": "nominal",
                    "scale": {"domain": ["autres caisses", "caisse choisie"], "range": [18, 40]},
                    "legend": None,
                },
                "color": {
                    "field": CHOSEN,
                    "type": "nominal",
                    "title": None,
                    "scale": {
                        "domain": ["autres caisses", "caisse choisie"],
                        "range": ["#7a9cc6", "#a3141b"],
                    },
                    "legend": {"orient": "bottom"},
                },
                "tooltip": [
                    {"field": CAISSE, "type": "nominal", "title": "Caisse"},
                    {"field": TEXT, "type": "nominal", "title": "Valeur"},
                    {"field": RANK, "type": "nominal", "title": "Rang"},
                ],
            },
        }
    ]
    if rules:
        layers += [
            {
                "data": {"values": rules},
                "mark": {"type": "rule", "strokeDash": [4, 3], "aria": False},
                "encoding": {
                    "x": {"field": VALUE, "type": "quantitative"},
                    "strokeDash": {
                        "field": RULE,
                        "type": "nominal",
                        "title": None,
                        "legend": {"orient": "bottom"},
                    },
                    "color": {"value": "#333333"},
                },
            },
            {
                "data": {"values": rules},
                "mark": {
                    "type": "text",
                    "angle": 0,
                    "dy": -62,
                    "fontSize": FONT_SIZE - 1,
                    "aria": False,
                },
                "encoding": {
                    "x": {"field": VALUE, "type": "quantitative"},
                    "text": {"field": RULE, "type": "nominal"},
                    "color": {"value": "#333333"},
                },
            },
        ]
    return spec | {"layer": layers}


# --- the network page -----------------------------------------------------------------------


def network_context(reader: NetworkReader, as_of: date, groups: PeerGroups) -> NetworkContext:
    """Every caisse with a summary of its indicators on ``as_of``: how many on track, to watch,
    late, without value, and the date of its latest value."""
    every = _by_code(reader)
    contracts = reader.contracts(every)
    observations, _ = reader.indicator_values(every)
    targets = reader.indicator_targets(every)
    members = groups.members({c.code: c.population for c in every})
    policies: dict[str, Policy] = {}
    rows = []
    for entry in every:
        contract = contracts.get(entry.code)
        if contract is None:
            continue
        policy = policies.get(contract.id)
        if policy is None:
            policy = policies[contract.id] = policy_of(contract)
        counts = {"on_track": 0, "watch": 0, "late": 0, "missing": 0}
        last: date | None = None
        own_values = observations.get(entry.code, {})
        own_targets = targets.get(entry.code, {})
        for indicator in contract.indicators:
            key = ("indicator", indicator.id)
            series = own_values.get(key, [])
            ended = [o.period.end for o in series if o.period.end <= as_of]
            if ended:
                last = max(ended) if last is None else max(last, *ended)
            status = indicator_status(
                contract, indicator, own_targets.get(key, ()), series, as_of, policy
            ).assessment.status
            if status in ON_TRACK:
                counts["on_track"] += 1
            elif status is Status.A_SURVEILLER:
                counts["watch"] += 1
            elif status in LATE:
                counts["late"] += 1
            elif status is Status.NON_RENSEIGNE:
                counts["missing"] += 1
        rows.append(
            CaisseSummary(
                code=entry.code,
                name=contract.organisation.short_name or entry.name,
                contract_id=contract.id,
                group=members.get(entry.code),
                indicators=len(contract.indicators),
                last_value=last,
                last_value_text=fr_date(last) if last else "—",
                **counts,
            )
        )
    first = contracts.get(every[0].code)
    links = (
        [IndicatorLink(i.id, i.code or i.id, i.label) for i in first.indicators] if first else []
    )
    return NetworkContext(as_of, rows, len(rows), links, groups.source, reader.demo())
