"""The annual review of the CPOG (« bilan annuel »): what the board and the Cnaf read once a year,
as one plain context that the PDF renders (cpog.reports) and the JSON serializes.

Date of situation of the review of year N: **31 March of N+1**, when the values of N are in
(the contract's availability lags are at most a quarter for the annual figures), never after
today; a review asked before that date is marked provisional. The summary compares the statuses
with those printed by the review of N−1 when it was stored (a snapshot), otherwise with the
situation recomputed one year earlier. Statuses, labels and roll-ups come from the same
functions as the web pages (status_rows, rollups, charts, Situation.challenge_subjects).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from cpog import vocabulary
from cpog.assess.policy import Policy
from cpog.assess.types import Status
from cpog.assess.wording import (
    change_text,
    display_unit,
    target_short,
    value_text,
    verdict_label,
)
from cpog.assess.years import year_value
from cpog.contexts.charts import trajectory_chart
from cpog.contexts.reader import AnalysisRecord, Reader, ValueRecord
from cpog.contexts.rollups import RollUpData, challenge_rollup, rollup_data
from cpog.contexts.serialize import record, to_json
from cpog.contexts.situation import Situation, situation
from cpog.contexts.status_rows import StatusRowData, status_row
from cpog.contract.model import MeasureKind
from cpog.formatting import fr_date, fr_number
from cpog.steering import StatusRow, action_late

UNQUANTIFIED = (MeasureKind.MILESTONE, MeasureKind.TREND)


class ReportError(ValueError):
    """A report asked for a period it cannot cover; the message is French."""


def review_date(year: int, today: date) -> date:
    """The date of situation of the review of ``year``: 31 March of the next year, never after
    today."""
    return min(date(year + 1, 3, 31), today)


def check_year(start: int, end: int, year: int, today: date) -> None:
    """A review covers a year of the contract that has begun."""
    if not start <= year <= end:
        raise ReportError(f"L'année {year} est hors du contrat ({start}-{end}).")
    if year > today.year:
        raise ReportError(f"L'année {year} n'a pas commencé : pas de bilan possible.")


# --- statuses as printed (what a snapshot keeps, what « what changed » compares) ----------


@record
class StatusEntry:
    subject_type: str
    subject_id: str
    code: str
    label: str
    status: str
    status_label: str


@record
class StatusChange:
    subject_type: str
    subject_id: str
    code: str
    label: str
    status_before: str
    status_before_label: str
    status: str
    status_label: str
    change: str  # better | worse | other
    change_label: str


def status_entries(rows: Iterable[StatusRow]) -> list[StatusEntry]:
    return [
        StatusEntry(
            r.subject_type,
            r.subject_id,
            r.code,
            r.label,
            r.assessment.status.value,
            vocabulary.STATUS[r.assessment.status],
        )
        for r in rows
    ]


def entries_from_data(data: Sequence[dict[str, Any]]) -> list[StatusEntry]:
    """Statuses as a report's JSON printed them (a snapshot's « statuts »)."""
    return [
        StatusEntry(
            e["type"], e["identifiant"], e["code"], e["libelle"], e["statut"], e["statut_libelle"]
        )
        for e in data
    ]


_RANKED = [
    Status.ATTEINT,
    Status.EN_AVANCE,
    Status.CONFORME,
    Status.A_SURVEILLER,
    Status.EN_RETARD,
    Status.NON_ATTEINT,
]


def _direction(before: str, after: str) -> str:
    ranks = {s.value: i for i, s in enumerate(_RANKED)}
    if before in ranks and after in ranks:
        return "better" if ranks[after] < ranks[before] else "worse"
    return "other"


def status_changes(
    current: Sequence[StatusEntry], previous: Sequence[StatusEntry]
) -> list[StatusChange]:
    """The subjects whose status differs from ``previous`` (a snapshot or an earlier
    situation), worse first, then in the contract's order."""
    before = {(e.subject_type, e.subject_id): e for e in previous}
    changes = []
    for entry in current:
        old = before.get((entry.subject_type, entry.subject_id))
        if old is None or old.status == entry.status:
            continue
        way = _direction(old.status, entry.status)
        changes.append(
            StatusChange(
                entry.subject_type,
                entry.subject_id,
                entry.code,
                entry.label,
                old.status,
                old.status_label,
                entry.status,
                entry.status_label,
                way,
                vocabulary.STATUS_CHANGE[way],
            )
        )
    order = {"worse": 0, "better": 1, "other": 2}
    return sorted(changes, key=lambda c: order[c.change])  # stable: the contract's order kept


# --- the review ----------------------------------------------------------------------------


@record
class LabelCount:
    label: str
    count: int


@record
class GroupSummary:
    key: str
    number: int | None
    title: str
    rollup: RollUpData
    verdicts: list[LabelCount]


@record
class ResultLine:
    row: StatusRowData
    kind_label: str
    baseline_text: str
    target_text: str
    progress_text: str
    chart_file: str | None
    chart: dict[str, Any] | None


@record
class TargetedResultData:
    key: str
    text: str
    lines: list[ResultLine]


@record
class ActionLine:
    key: str
    challenge: int
    text: str
    status: str
    status_label: str
    progress: int
    owner: str
    due_text: str
    late: bool
    latest_update: str


@record
class AnalysisLine:
    code: str
    label: str
    period_label: str
    analysis: str
    risks: str
    corrective_action: str
    author: str
    written_on: str


@record
class ChallengeSheet:
    number: int
    title: str
    rollup: RollUpData
    results: list[TargetedResultData]
    indicators: list[StatusRowData]
    actions: list[ActionLine]
    analyses: list[AnalysisLine]
    analyses_missing: list[str]
    partners: list[str]


@record
class AnnexYear:
    year: int
    target_text: str
    value_text: str
    gap_text: str
    verdict_text: str
    source_text: str
    comment: str


@record
class AnnexIndicator:
    code: str
    label: str
    family: str
    unit: str
    calculation: str
    data_source: str
    status_label: str
    year_rows: list[AnnexYear]


@record
class Reading:
    code: str
    field_name: str
    confidence_label: str
    note: str


@record
class SourceCount:
    label: str
    count: int


@record
class BatchLine:
    file_name: str
    kind_label: str
    loaded_on: str
    loaded_by: str
    row_count: int


@record
class StatusRule:
    label: str
    text: str


@record
class Method:
    date_rule: str
    comparison_rule: str
    status_rules: list[StatusRule]
    value_sources: list[SourceCount]
    batches: list[BatchLine]
    readings: list[Reading]


@record
class AnnualReviewContext:
    kind: str  # "bilan-annuel"
    title: str
    contract_title: str
    organisation: str
    counterpart: str
    contract_period: str
    year: int
    as_of: date
    as_of_text: str
    provisional: bool
    demo: bool
    summary_groups: list[GroupSummary]
    family_groups: list[GroupSummary]
    overall: list[LabelCount]
    compared_with: str
    changes: list[StatusChange]
    challenges: list[ChallengeSheet]
    annex: list[AnnexIndicator]
    method: Method
    statuses: list[StatusEntry]
    contract_version: int
    source_note: str
    fingerprint: str


def one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def fingerprint(context: Any) -> str:
    """sha256 of the context's JSON with an empty fingerprint: the same data give the same
    fingerprint (and, the templates being the same, the same PDF)."""
    blank = dataclasses.replace(context, fingerprint="")
    return hashlib.sha256(to_json(blank).encode("utf-8")).hexdigest()


def verdict_counts(rows: Iterable[StatusRow], year: int) -> list[LabelCount]:
    labels = Counter(verdict_label(v) for r in rows for v in r.assessment.years if v.year == year)
    return [LabelCount(label, n) for label, n in sorted(labels.items())]


def baseline_text(row: StatusRow) -> str:
    base = row.assessment.subject.baseline
    if base is None:
        return "—"
    return f"{value_text(base.value, display_unit(row.assessment.subject))} ({base.year})"


def final_target_text(row: StatusRow) -> str:
    final = row.assessment.final_target
    if final is None:
        return "—"
    return f"{target_short(row.assessment.subject, final)} en {final.year}"


def progress_text(row: StatusRow) -> str:
    """« 62 % » as the pages show it (the ``pct`` filter)."""
    progress = row.assessment.progress_global
    return "—" if progress is None else f"{fr_number(round(progress))}\u00a0%"


def _chart_name(row: StatusRow) -> str:
    return f"graphique-{row.subject_type}-{row.subject_id}.svg"


def _result_line(data: Situation, row: StatusRow) -> ResultLine:
    kind = row.assessment.subject.kind
    chart = None
    if kind not in UNQUANTIFIED and row.assessment.subject.targets:
        chart = trajectory_chart(row.assessment, row.series)
    return ResultLine(
        row=status_row(row),
        kind_label=vocabulary.MEASURE_KIND[kind],
        baseline_text=baseline_text(row),
        target_text=final_target_text(row),
        progress_text=progress_text(row),
        chart_file=_chart_name(row) if chart else None,
        chart=chart,
    )


def action_lines(data: Situation, action_ids: Iterable[tuple[int, str, str]]) -> list[ActionLine]:
    lines = []
    for number, key, text in action_ids:
        state = data.actions.get(key)
        status = state.status if state else "not_started"
        due = state.due_date if state else None
        latest = state.updates[0] if state and state.updates else None
        lines.append(
            ActionLine(
                key=key,
                challenge=number,
                text=text,
                status=status,
                status_label=vocabulary.ACTION_STATUS[status],
                progress=state.progress if state else 0,
                owner=state.owner if state else "",
                due_text=fr_date(due) if due else "—",
                late=action_late(status, due, data.as_of),
                latest_update=f"{fr_date(latest.on)} : {latest.text}" if latest else "",
            )
        )
    return lines


def analysis_line(row: StatusRow, found: AnalysisRecord) -> AnalysisLine:
    return AnalysisLine(
        code=row.code,
        label=row.label,
        period_label=_period_label(found.period_key, row),
        analysis=found.analysis,
        risks=found.risks,
        corrective_action=found.corrective_action,
        author=found.author,
        written_on=fr_date(found.created_at.date()),
    )


def _period_label(key: str, row: StatusRow) -> str:
    current = row.assessment.current
    if current is not None and current.period.key == key:
        return str(current.period)
    return key


def _sheet(data: Situation, number: int) -> ChallengeSheet:
    challenge = data.challenge_of(number)
    assert challenge is not None
    subjects = [row for row, _ in data.challenge_subjects(number)]
    by_id = {r.subject_id: r for r in subjects if r.subject_type == "measure"}
    results = [
        TargetedResultData(
            key=result.id,
            text=result.text,
            lines=[_result_line(data, by_id[m.id]) for m in result.measures if m.id in by_id],
        )
        for result in challenge.targeted_results
    ]
    indicators = [
        status_row(r)
        for r, item in data.challenge_subjects(number)
        if r.subject_type == "indicator" and item.counted_with is None
    ]
    analyses = []
    for row in subjects:
        found = data.analysis_of(row)
        if found is not None:
            analyses.append(analysis_line(row, found))
    missing = {(r.subject_type, r.subject_id) for r in data.missing_analyses()}
    return ChallengeSheet(
        number=number,
        title=challenge.title,
        rollup=challenge_rollup(data, number),
        results=results,
        indicators=indicators,
        actions=action_lines(data, [(number, a.id, a.text) for a in challenge.actions]),
        analyses=analyses,
        analyses_missing=[
            f"{r.code} — {r.label}" for r in subjects if (r.subject_type, r.subject_id) in missing
        ],
        partners=[p.name for p in challenge.partners],
    )


def _family_titles(data: Situation) -> dict[str, str]:
    return {f.id: f.title for f in data.contract.catalogue}


def _year_values(values: Sequence[ValueRecord]) -> dict[tuple[str, str], list[ValueRecord]]:
    grouped: dict[tuple[str, str], list[ValueRecord]] = defaultdict(list)
    for v in values:
        if v.current:
            grouped[(v.subject_type, v.subject_id)].append(v)
    return grouped


def value_source(record_: ValueRecord) -> str:
    label = vocabulary.VALUE_SOURCE.get(record_.source, record_.source)
    if record_.batch_file:
        label = f"{label} « {record_.batch_file} »"
    return f"{label}, {vocabulary.VALUE_STATUS.get(record_.status, record_.status)}"


def _annex(
    data: Situation, year: int, values: dict[tuple[str, str], list[ValueRecord]]
) -> list[AnnexIndicator]:
    policy = Policy()  # the value of a year does not depend on thresholds
    families = _family_titles(data)
    start = data.contract.period.start
    result = []
    for indicator in data.contract.indicators:
        row = data.row("indicator", indicator.id)
        if row is None:
            continue
        subject = row.assessment.subject
        unit = display_unit(subject)
        known = sorted(
            (o for o in row.series if o.period.end <= data.as_of), key=lambda o: o.period
        )
        verdicts = {v.year: v for v in row.assessment.years}
        stored = values.get(("indicator", indicator.id), [])
        years = []
        for y in range(start, year + 1):
            found = year_value(subject, known, y, policy)
            verdict = verdicts.get(y)
            target = next((t for t in subject.targets if t.year == y), None)
            from_period = [
                v for v in stored if found is not None and v.period_key == found.period.key
            ]
            source = value_source(from_period[0]) if from_period else ""
            comment = "; ".join(v.comment for v in from_period if v.comment)
            if found is not None and found.to_check:
                comment = "; ".join(p for p in (comment, "valeur à vérifier") if p)
            gap = ""
            if found is not None and verdict is not None:
                gap = change_text(found.value - verdict.target.value, unit)
            years.append(
                AnnexYear(
                    year=y,
                    target_text=target_short(subject, verdict.target)
                    if verdict is not None
                    else (value_text(target.value, unit) if target is not None else "—"),
                    value_text="—" if found is None else value_text(found.value, unit),
                    gap_text=gap or "—",
                    verdict_text=verdict_label(verdict) if verdict is not None else "—",
                    source_text=source or ("—" if found is None else "valeurs mensuelles"),
                    comment=comment,
                )
            )
        result.append(
            AnnexIndicator(
                code=indicator.code or indicator.id,
                label=indicator.label,
                family=families.get(indicator.family or "", ""),
                unit=indicator.unit,
                calculation=indicator.calculation_method,
                data_source=indicator.data_source,
                status_label=vocabulary.STATUS[row.assessment.status],
                year_rows=years,
            )
        )
    return result


def _method(data: Situation, reader: Reader, year: int, compared: str) -> Method:
    values = reader.values(data.contract, data.scope)
    counts = Counter(vocabulary.VALUE_SOURCE.get(v.source, v.source) for v in values if v.current)
    batches = [
        BatchLine(
            file_name=b.file_name,
            kind_label=vocabulary.BATCH_KIND.get(b.kind, b.kind),
            loaded_on=fr_date(b.created_at.date()),
            loaded_by=b.created_by,
            row_count=b.row_count,
        )
        for b in sorted(reader.batches(data.contract), key=lambda b: (b.created_at, b.id))
        if b.created_at.date() <= data.as_of
    ]
    readings = []
    for indicator in data.contract.indicators:
        for item in indicator.to_confirm:
            readings.append(
                Reading(
                    indicator.code or indicator.id,
                    item.field,
                    vocabulary.CONFIDENCE[item.confidence],
                    item.note,
                )
            )
    for _, _, measure in data.contract.measures():
        for item in measure.to_confirm:
            readings.append(
                Reading(measure.id, item.field, vocabulary.CONFIDENCE[item.confidence], item.note)
            )
    return Method(
        date_rule=(
            f"Situation au {fr_date(data.as_of)} : le bilan de l'année {year} est arrêté au "
            f"31 mars {year + 1}, quand les valeurs de {year} sont connues, et jamais après le "
            "jour où il est produit ; avant cette date, il est provisoire."
        ),
        comparison_rule=compared,
        status_rules=[
            StatusRule(vocabulary.STATUS[s], vocabulary.STATUS_MEANING[s]) for s in Status
        ],
        value_sources=[SourceCount(label, n) for label, n in sorted(counts.items())],
        batches=batches,
        readings=readings,
    )


def challenge_groups(data: Situation, year: int | None) -> list[GroupSummary]:
    """Each défi's roll-up, with the counts of its subjects' verdicts of ``year`` when given."""
    return [
        GroupSummary(
            key=f"defi-{c.number}",
            number=c.number,
            title=c.title,
            rollup=challenge_rollup(data, c.number),
            verdicts=[]
            if year is None
            else verdict_counts([r for r, _ in data.challenge_subjects(c.number)], year),
        )
        for c in data.contract.challenges
    ]


def annual_review(
    data: Situation,
    reader: Reader,
    year: int,
    previous: tuple[str, Sequence[StatusEntry]] | None = None,
) -> AnnualReviewContext:
    """The review of ``year`` from ``data`` (the situation at :func:`review_date`).
    ``previous``: the statuses printed by the review of ``year - 1`` and where they come from
    (a stored snapshot); without it, the situation one year earlier is recomputed."""
    contract = data.contract
    rows = data.status.rows
    entries = status_entries(rows)
    if previous is None:
        earlier_day = one_year_before(data.as_of)
        earlier = situation(reader, contract, earlier_day, data.scope)
        previous = (
            f"situation recalculée au {fr_date(earlier_day)} avec les données actuelles",
            status_entries(earlier.status.rows),
        )
    compared, previous_entries = previous
    summary = challenge_groups(data, year)
    family_rows: dict[str, list[StatusRow]] = defaultdict(list)
    for r in rows:
        if r.family is not None:
            family_rows[r.family].append(r)
    family_summary = [
        GroupSummary(
            key=f.id,
            number=None,
            title=f.title,
            rollup=rollup_data(data.status.families[f.id], family_rows[f.id]),
            verdicts=verdict_counts(family_rows[f.id], year),
        )
        for f in contract.catalogue
        if f.id in data.status.families
    ]
    values = _year_values(reader.values(contract, data.scope))
    provisional = data.as_of < date(year + 1, 3, 31)
    context = AnnualReviewContext(
        kind="bilan-annuel",
        title=f"Bilan annuel {year} du CPOG",
        contract_title=contract.title,
        organisation=contract.organisation.name,
        counterpart=contract.counterpart.name,
        contract_period=f"{contract.period.start}-{contract.period.end}",
        year=year,
        as_of=data.as_of,
        as_of_text=fr_date(data.as_of),
        provisional=provisional,
        demo=data.demo,
        summary_groups=summary,
        family_groups=family_summary,
        overall=verdict_counts(rows, year),
        compared_with=compared,
        changes=status_changes(entries, previous_entries),
        challenges=[_sheet(data, c.number) for c in contract.challenges],
        annex=_annex(data, year, values),
        method=_method(data, reader, year, compared),
        statuses=entries,
        contract_version=data.state.contract_version,
        source_note="données actuelles de cpog",
        fingerprint="",
    )
    return dataclasses.replace(context, fingerprint=fingerprint(context))
