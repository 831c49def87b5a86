"""The indicators list: the contract's indicators by family and group, in the order of the
signed tables, each with its status row, its nature and type, its final target and its trend;
and the filters of the page as plain choices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from cpog.assess import Observation
from cpog.assess.types import Status
from cpog.assess.wording import bounded_target_text
from cpog.contexts.serialize import record
from cpog.contexts.situation import Situation
from cpog.contexts.status_rows import StatusRowData, status_row
from cpog.contract.model import Indicator, IndicatorType, Nature
from cpog.formatting import capitalised
from cpog.steering import StatusRow
from cpog.vocabulary import INDICATOR_TYPE, NATURE, STATUS

FILTERS = ("famille", "statut", "nature", "type")  # the query parameters of the page


@record
class Trend:
    arrow: str
    text: str


def trend_of(series: Sequence[Observation]) -> Trend | None:
    """From the last two values: « en hausse », « en baisse » or « stable »."""
    if len(series) < 2:
        return None
    previous, last = sorted(series, key=lambda o: o.period)[-2:]
    if last.value > previous.value:
        return Trend("↗", "en hausse")
    if last.value < previous.value:
        return Trend("↘", "en baisse")
    return Trend("→", "stable")


@record
class IndicatorRow:
    row: StatusRowData
    nature_label: str
    type_label: str
    target_text: str  # the final target, « 86 en 2027 », or what the contract says of it
    trend: Trend | None


@record
class IndicatorGroup:
    id: str
    title: str | None
    rows: list[IndicatorRow]


@record
class IndicatorFamily:
    id: str
    title: str
    groups: list[IndicatorGroup]
    count: int


@record
class Choice:
    value: str
    label: str
    selected: bool


@record
class Filter:
    name: str
    label: str
    choices: list[Choice]


@record
class IndicatorsContext:
    as_of: date
    families: list[IndicatorFamily]
    filters: list[Filter]
    shown: int
    total: int
    active: bool  # a filter is set


def _filter(name: str, label: str, options: list[tuple[str, str]], current: str) -> Filter:
    return Filter(
        name,
        label,
        [Choice("", "Tous", current == "")] + [Choice(v, t, v == current) for v, t in options],
    )


def indicator_row(row: StatusRow, indicator: Indicator) -> IndicatorRow:
    data = status_row(row)
    final = row.assessment.final_target
    if final is not None:
        target = bounded_target_text(row.assessment.subject, final)
    elif indicator.type == IndicatorType.MONITORING:
        target = "—"
    else:
        target = f"{indicator.target.as_written or 'non fixée'} (valeur non fixée)"
    return IndicatorRow(
        row=data,
        nature_label=capitalised(NATURE[indicator.nature]),
        type_label=capitalised(INDICATOR_TYPE[indicator.type]),
        target_text=target,
        trend=trend_of(row.series),
    )


def indicators_context(
    situation: Situation,
    *,
    famille: str = "",
    statut: str = "",
    nature: str = "",
    type: str = "",
) -> IndicatorsContext:
    """The list, filtered by family, status, nature and type; an unknown filter value is
    ignored (the filter shows « Tous »)."""
    contract = situation.contract

    def allowed(value: str, values: set[str]) -> str:
        return value if value in values else ""

    famille = allowed(famille, {f.id for f in contract.catalogue})
    statut = allowed(statut, {s.value for s in Status})
    nature = allowed(nature, {n.value for n in Nature})
    kind = allowed(type, {t.value for t in IndicatorType})
    indicators = {i.id: i for i in contract.indicators}
    rows = {r.subject_id: r for r in situation.status.rows if r.subject_type == "indicator"}

    def keep(row: StatusRow, indicator: Indicator) -> bool:
        return (
            (not statut or row.assessment.status.value == statut)
            and (not nature or indicator.nature.value == nature)
            and (not kind or indicator.type.value == kind)
        )

    families: list[IndicatorFamily] = []
    shown = 0
    for family in contract.catalogue:
        if famille and family.id != famille:
            continue
        groups = []
        for group in family.groups:
            kept = [
                indicator_row(rows[i], indicators[i])
                for i in group.indicators
                if i in rows and i in indicators and keep(rows[i], indicators[i])
            ]
            if kept:
                groups.append(IndicatorGroup(group.id, group.title, kept))
                shown += len(kept)
        if groups:
            count = sum(len(g.rows) for g in groups)
            families.append(IndicatorFamily(family.id, family.title, groups, count))
    filters = [
        _filter("famille", "Famille", [(f.id, f.title) for f in contract.catalogue], famille),
        _filter("statut", "Statut", [(s.value, STATUS[s]) for s in Status], statut),
        _filter("nature", "Nature", [(n.value, capitalised(NATURE[n])) for n in Nature], nature),
        _filter(
            "type", "Type", [(t.value, capitalised(INDICATOR_TYPE[t])) for t in IndicatorType], kind
        ),
    ]
    return IndicatorsContext(
        as_of=situation.as_of,
        families=families,
        filters=filters,
        shown=shown,
        total=len(rows),
        active=bool(famille or statut or nature or kind),
    )
