"""The monthly report of the comité de direction (« tableau de bord du comité »): two to four
pages — what is late and why, what moved this month, the analyses awaited.

Date of situation of month M: the last day of M, never after today. « What moved »: the statuses
at that date against those at the last day of the previous month, with the same data.
"""

from __future__ import annotations

import calendar
import dataclasses
from datetime import date

from cpog.contexts.annual import (
    ActionLine,
    AnalysisLine,
    GroupSummary,
    ReportError,
    StatusChange,
    StatusEntry,
    action_lines,
    analysis_line,
    challenge_groups,
    fingerprint,
    status_changes,
    status_entries,
)
from cpog.contexts.reader import Reader
from cpog.contexts.rollups import StatusCount, status_counts
from cpog.contexts.serialize import record
from cpog.contexts.situation import OFF_TRACK, Situation, situation
from cpog.contexts.status_rows import StatusRowData, status_row
from cpog.formatting import fr_date, fr_month


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_month(text: str) -> tuple[int, int]:
    """« 2026-11 » → (2026, 11); a French error otherwise."""
    try:
        year_text, month_text = text.strip().split("-")
        year, month = int(year_text), int(month_text)
        date(year, month, 1)
    except ValueError:
        raise ReportError(
            f"Mois « {text} » illisible : écrire l'année et le mois, par exemple 2026-11."
        ) from None
    return year, month


def board_date(year: int, month: int, start: int, end: int, today: date) -> date:
    """The date of situation of the month: its last day, never after today."""
    first = date(year, month, 1)
    if first > today:
        raise ReportError(f"Le mois de {fr_month(first)} n'a pas commencé : pas de rapport.")
    if not start <= year <= end + 1:
        raise ReportError(f"Le mois de {fr_month(first)} est hors du contrat ({start}-{end}).")
    return min(month_end(year, month), today)


@record
class LateLine:
    row: StatusRowData
    challenge_title: str
    analysis: AnalysisLine | None
    analysis_awaited: bool


@record
class AwaitedLine:
    code: str
    label: str
    status_label: str
    period_label: str
    challenge: int | None


@record
class BoardContext:
    kind: str  # "comite"
    title: str
    contract_title: str
    organisation: str
    month: str
    month_label: str
    as_of: date
    as_of_text: str
    previous_as_of_text: str
    demo: bool
    counts: list[StatusCount]
    challenges: list[GroupSummary]
    late: list[LateLine]
    late_entries: list[StatusRowData]
    late_actions: list[ActionLine]
    changes: list[StatusChange]
    analyses_awaited: list[AwaitedLine]
    statuses: list[StatusEntry]
    contract_version: int
    source_note: str
    fingerprint: str


def board_report(data: Situation, reader: Reader, year: int, month: int) -> BoardContext:
    """The comité's report of ``month`` from ``data`` (the situation at :func:`board_date`)."""
    contract = data.contract
    previous_day = date(year, month, 1).replace(day=1)
    previous_day = date.fromordinal(previous_day.toordinal() - 1)
    earlier = situation(reader, contract, previous_day, data.scope)
    rows = data.status.rows
    titles = {c.number: c.title for c in contract.challenges}
    challenge_of_row = {
        (r.subject_type, r.subject_id): c.number
        for c in contract.challenges
        for r, _ in data.challenge_subjects(c.number)
    }
    late = []
    awaited = {(r.subject_type, r.subject_id) for r in data.missing_analyses()}
    for row in rows:
        if row.assessment.status not in OFF_TRACK:
            continue
        number = challenge_of_row.get((row.subject_type, row.subject_id))
        found = data.analysis_of(row)
        late.append(
            LateLine(
                row=status_row(row),
                challenge_title=f"Défi {number} — {titles[number]}" if number else "",
                analysis=None if found is None else analysis_line(row, found),
                analysis_awaited=(row.subject_type, row.subject_id) in awaited,
            )
        )
    actions = action_lines(
        data, [(c.number, a.id, a.text) for c in contract.challenges for a in c.actions]
    )
    first = date(year, month, 1)
    context = BoardContext(
        kind="comite",
        title=f"Tableau de bord du comité de direction — {fr_month(first)}",
        contract_title=contract.title,
        organisation=contract.organisation.name,
        month=f"{year:04d}-{month:02d}",
        month_label=fr_month(first),
        as_of=data.as_of,
        as_of_text=fr_date(data.as_of),
        previous_as_of_text=fr_date(previous_day),
        demo=data.demo,
        counts=status_counts(rows),
        challenges=challenge_groups(data, None),
        late=late,
        late_entries=[status_row(r) for r in rows if r.assessment.freshness.is_late],
        late_actions=[a for a in actions if a.late],
        changes=status_changes(status_entries(rows), status_entries(earlier.status.rows)),
        analyses_awaited=[
            AwaitedLine(
                code=r.code,
                label=r.label,
                status_label=status_row(r).status_label,
                period_label=str(r.assessment.current.period) if r.assessment.current else "",
                challenge=challenge_of_row.get((r.subject_type, r.subject_id)),
            )
            for r in data.missing_analyses()
        ],
        statuses=status_entries(rows),
        contract_version=data.state.contract_version,
        source_note="données actuelles de cpog",
        fingerprint="",
    )
    return dataclasses.replace(context, fingerprint=fingerprint(context))
