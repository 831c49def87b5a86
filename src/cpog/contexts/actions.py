"""The actions of the défis: the list (with its filters) and the page of one action — its
state, milestones and dated updates. An action without a follow-up is « non démarrée »; late
is :func:`cpog.steering.action_late`, the one rule."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from cpog import vocabulary
from cpog.contexts.reader import ActionRecord
from cpog.contexts.serialize import record
from cpog.contexts.situation import Situation
from cpog.contract.model import Action, ChallengeFile, Contract
from cpog.steering import action_late

NOT_STARTED = "not_started"


@record
class ActionRow:
    """An action with its state, the same on the actions list, a défi and the reports."""

    challenge: int
    challenge_title: str
    id: str
    text: str
    followed: bool  # a follow-up was recorded (otherwise: not started, nothing written)
    status: str  # ActionState.Status values
    status_label: str
    owner: str
    start_date: date | None
    due_date: date | None
    progress: int
    overdue: bool


def action_row(
    challenge: ChallengeFile, action: Action, state: ActionRecord | None, today: date
) -> ActionRow:
    status = state.status if state else NOT_STARTED
    return ActionRow(
        challenge=challenge.number,
        challenge_title=challenge.title,
        id=action.id,
        text=action.text,
        followed=state is not None,
        status=status,
        status_label=vocabulary.ACTION_STATUS.get(status, status),
        owner=state.owner if state else "",
        start_date=state.start_date if state else None,
        due_date=state.due_date if state else None,
        progress=state.progress if state else 0,
        overdue=state is not None and action_late(state.status, state.due_date, today),
    )


def action_rows(
    situation: Situation, challenges: Iterable[ChallengeFile] | None = None
) -> list[ActionRow]:
    """The actions of ``challenges`` (every défi by default), in the contract's order."""
    chosen = situation.contract.challenges if challenges is None else challenges
    return [
        action_row(c, a, situation.actions.get(a.id), situation.as_of)
        for c in chosen
        for a in c.actions
    ]


def overdue_actions(situation: Situation) -> list[ActionRow]:
    """The late actions, earliest due date first."""
    late = [r for r in action_rows(situation) if r.overdue]
    return sorted(late, key=lambda r: (r.due_date is None, r.due_date or situation.as_of, r.id))


def owners(situation: Situation) -> list[str]:
    """The owners named on the actions, in alphabetical order (the list's filter)."""
    return sorted({s.owner for s in situation.actions.values() if s.owner}, key=str.casefold)


# --- the list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionFilters:
    """What the list is filtered on (the web form's, the CLI's options)."""

    challenge: int | None = None
    status: str | None = None  # « late »: marked late or past its due date
    owner: str | None = None
    no_owner: bool = False
    due_by: date | None = None

    @property
    def any(self) -> bool:
        return any(
            (
                self.challenge is not None,
                bool(self.status),
                bool(self.owner),
                self.no_owner,
                self.due_by is not None,
            )
        )


@record
class ActionListContext:
    as_of: date
    rows: list[ActionRow]
    total: int
    filtered: bool
    n_overdue: int


def action_list_context(
    situation: Situation, filters: ActionFilters = ActionFilters()
) -> ActionListContext:
    rows = action_rows(situation)
    total = len(rows)
    if filters.challenge is not None:
        rows = [r for r in rows if r.challenge == filters.challenge]
    if filters.status == "late":
        rows = [r for r in rows if r.overdue]
    elif filters.status:
        rows = [r for r in rows if r.status == filters.status]
    if filters.no_owner:
        rows = [r for r in rows if not r.owner]
    elif filters.owner:
        rows = [r for r in rows if r.owner == filters.owner]
    if filters.due_by is not None:
        limit = filters.due_by
        rows = [r for r in rows if r.due_date is not None and r.due_date <= limit]
    return ActionListContext(
        as_of=situation.as_of,
        rows=rows,
        total=total,
        filtered=filters.any,
        n_overdue=sum(r.overdue for r in rows),
    )


# --- one action -----------------------------------------------------------------------------


@record
class MilestoneData:
    label: str
    due_date: date
    done_on: date | None


@record
class ActionUpdateData:
    on: date
    text: str
    progress: int | None
    author: str


@record
class ActionContext:
    as_of: date
    row: ActionRow
    version: int  # what an edit is based on (optimistic locking)
    updated_by: str
    updated_at: datetime | None
    milestones: list[MilestoneData]
    updates: list[ActionUpdateData]  # newest first


def find_action(contract: Contract, action_id: str) -> tuple[ChallengeFile, Action] | None:
    for challenge in contract.challenges:
        for action in challenge.actions:
            if action.id == action_id:
                return challenge, action
    return None


def action_context(
    situation: Situation, action_id: str, state: ActionRecord | None = None
) -> ActionContext:
    """The page of one action (:class:`KeyError` when the contract has none). ``state``: the
    action's follow-up read after the situation (a page answering its own write); the
    situation's by default."""
    found = find_action(situation.contract, action_id)
    if found is None:
        raise KeyError(action_id)
    challenge, action = found
    if state is None:
        state = situation.actions.get(action_id)
    return ActionContext(
        as_of=situation.as_of,
        row=action_row(challenge, action, state, situation.as_of),
        version=state.version if state else 0,
        updated_by=state.updated_by if state else "",
        updated_at=state.updated_at if state else None,
        milestones=[MilestoneData(m.label, m.due_date, m.done_on) for m in state.milestones]
        if state
        else [],
        updates=[ActionUpdateData(u.on, u.text, u.progress, u.author) for u in state.updates]
        if state
        else [],
    )
