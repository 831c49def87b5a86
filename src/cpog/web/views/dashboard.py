"""Tableau de bord: statuses by family and défi, what needs attention, the latest updates."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from cpog.assess.types import RollUp, Status
from cpog.steering import StatusRow, action_late
from cpog.store.models import ActionState, AuditEvent
from cpog.web.offtrack import missing_analyses
from cpog.web.page_cache import cached_page
from cpog.web.views.common import page, steering
from cpog.web.views.history import HistoryRow, history_rows

ATTENTION = (Status.EN_RETARD, Status.NON_ATTEINT, Status.NON_RENSEIGNE)


@dataclass
class Group:
    id: str
    title: str
    rollup: RollUp
    counts: list[tuple[Status, int]]
    url: str = ""


@dataclass
class DashboardContext:
    families: list[Group]
    challenges: list[Group]
    attention: list[StatusRow]
    late_values: list[StatusRow]
    overdue_actions: list[ActionState]
    missing_analyses: list[StatusRow]
    updates: list[HistoryRow]
    totals: list[tuple[Status, int]] = field(default_factory=list)


def _counts(rows: list[StatusRow]) -> list[tuple[Status, int]]:
    counter = Counter(r.assessment.status for r in rows)
    return [(s, counter[s]) for s in Status if counter[s]]


def build(request: HttpRequest) -> DashboardContext:
    data = steering(request)
    contract, status = data.contract, data.status
    rows = status.rows
    families = [
        Group(
            f.id,
            f.title,
            status.families[f.id],
            _counts([r for r in rows if r.family == f.id]),
            f"/indicateurs/?famille={f.id}",
        )
        for f in contract.catalogue
        if f.id in status.families
    ]
    challenges = [
        Group(
            str(c.number),
            f"Défi n°{c.number} — {c.title}",
            status.challenges[c.number],
            _counts([r for r in rows if r.challenge == c.number]),
            f"/defis/{c.number}/",
        )
        for c in contract.challenges
    ]
    overdue = sorted(
        (
            state
            for state in ActionState.objects.filter(contract_id=contract.id)
            if action_late(state.status, state.due_date, data.as_of)
        ),
        key=lambda s: (s.due_date is None, s.due_date or data.as_of, s.action_id),
    )
    return DashboardContext(
        families=families,
        challenges=challenges,
        attention=[r for r in rows if r.assessment.status in ATTENTION],
        late_values=[
            r for r in rows if r.assessment.freshness.is_late and r.assessment.subject.assessed
        ],
        overdue_actions=overdue,
        missing_analyses=missing_analyses(contract, rows),
        # The steering data's latest updates: API tokens are in the history, not here.
        updates=history_rows(
            AuditEvent.objects.exclude(entity_type="api_token").order_by("-at", "-id")[:12],
            contract,
        ),
        totals=_counts(rows),
    )


@login_required
@cached_page
def dashboard(request: HttpRequest) -> HttpResponse:
    return page(request, "web/dashboard.html", "dashboard", "Tableau de bord", ctx=build(request))
