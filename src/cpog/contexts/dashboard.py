"""Tableau de bord: statuses by family and défi, what needs attention (off track, late values,
late actions, missing analyses) and the latest updates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from cpog.assess.types import Status
from cpog.contexts.actions import ActionRow, overdue_actions
from cpog.contexts.challenges import ChallengeSummary, challenge_summary
from cpog.contexts.history import EventData, event_rows
from cpog.contexts.reader import EventRecord
from cpog.contexts.rollups import RollUpData, StatusCount, rollup_data, status_counts
from cpog.contexts.serialize import record
from cpog.contexts.situation import Situation
from cpog.contexts.status_rows import StatusRowData, status_row

ATTENTION = (Status.EN_RETARD, Status.NON_ATTEINT, Status.NON_RENSEIGNE)
UPDATES = 12  # latest updates shown


@record
class FamilyData:
    id: str
    title: str
    rollup: RollUpData


@record
class DashboardContext:
    as_of: date
    contract_title: str
    organisation: str
    totals: list[StatusCount]
    families: list[FamilyData]
    challenges: list[ChallengeSummary]
    attention: list[StatusRowData]
    missing_analyses: list[StatusRowData]
    late_values: list[StatusRowData]
    overdue_actions: list[ActionRow]
    updates: list[EventData]


def dashboard_context(situation: Situation, events: Iterable[EventRecord]) -> DashboardContext:
    """``events``: the latest writes, newest first (``Reader.recent_events(UPDATES)``)."""
    contract, status = situation.contract, situation.status
    rows = status.rows
    return DashboardContext(
        as_of=situation.as_of,
        contract_title=contract.short_title,
        organisation=contract.organisation.name,
        totals=status_counts(rows),
        families=[
            FamilyData(
                f.id,
                f.title,
                rollup_data(status.families[f.id], [r for r in rows if r.family == f.id]),
            )
            for f in contract.catalogue
            if f.id in status.families
        ],
        challenges=[challenge_summary(situation, c) for c in contract.challenges],
        attention=[status_row(r) for r in rows if r.assessment.status in ATTENTION],
        missing_analyses=[status_row(r) for r in situation.missing_analyses()],
        late_values=[
            status_row(r)
            for r in rows
            if r.assessment.freshness.is_late and r.assessment.subject.assessed
        ],
        overdue_actions=overdue_actions(situation),
        updates=event_rows(events, contract),
    )
