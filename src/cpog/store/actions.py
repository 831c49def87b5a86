"""Writing an action's follow-up: its state, a new milestone, a dated comment — in one
transaction, every change audited, writers of one action serialised, stale edits refused.

Two people may edit one action at once. Without care, two first edits would both try to create
the action's state (a duplicate key, a 500, a lost comment) and the last writer of an edit would
silently erase the other's. So:

- the action's lock (:func:`cpog.store.locks.lock_action`) is the transaction's first statement:
  the second writer waits, then sees the first one's state;
- optimistic locking: an edit form carries the version of the action it was shown with
  (``based_on``); when the action has changed since, :class:`StaleAction` refuses the edit,
  naming who changed it and when, and nothing is written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from cpog.formatting import fr_date
from cpog.store import audit
from cpog.store.locks import lock_action
from cpog.store.models import ActionMilestone, ActionState, ActionUpdate

PAGE_CONTEXT = "page de l'action"

UNTOUCHED = {
    "owner": "",
    "start_date": None,
    "due_date": None,
    "status": ActionState.Status.NOT_STARTED.value,
    "progress": 0,
}


class StaleAction(Exception):
    """The action changed after the edit form was shown: nothing was written."""

    def __init__(self, action_id: str, state: ActionState) -> None:
        self.action_id = action_id
        self.state = state
        at = timezone.localtime(state.updated_at)
        super().__init__(
            f"Cette action a été modifiée par {state.updated_by} le {fr_date(at.date())} "
            f"à {at:%H:%M} pendant votre saisie : vos changements n'ont pas été enregistrés. "
            "Son état actuel est affiché ; votre saisie est conservée dans le formulaire : "
            "vérifiez-la, puis enregistrez à nouveau (ou rechargez la page pour l'abandonner)."
        )


def current_version(state: ActionState | None) -> int:
    """The version an edit form is based on: 0 for an action never followed up."""
    return state.version if state is not None else 0


def save_update(
    contract_id: str,
    action_id: str,
    data: dict[str, Any],
    user: str,
    today: date,
    *,
    based_on: int | None = None,
    context: str = PAGE_CONTEXT,
) -> list[str]:
    """Write a validated update in one transaction, every change audited; what was done.

    ``based_on``: the action's version the edit was made from; when the action has changed
    since, raise :class:`StaleAction` and write nothing. ``None`` skips the check (last writer
    wins: for callers that read and write in one go)."""
    done: list[str] = []
    now = timezone.now()
    with transaction.atomic():
        lock_action(contract_id, action_id)  # first: before reading the state
        caisse = audit.caisse_of(contract_id)
        state = (
            ActionState.objects.select_for_update()
            .filter(contract_id=contract_id, action_id=action_id)
            .first()
        )
        if based_on is not None and current_version(state) != based_on and state is not None:
            raise StaleAction(action_id, state)
        before = state.audit_snapshot() if state is not None else None
        if state is None:
            state = ActionState(contract_id=contract_id, action_id=action_id)
        state.owner = (data.get("owner") or "").strip()
        state.start_date = data.get("start_date")
        state.due_date = data.get("due_date")
        state.status = data["status"]
        state.progress = data["progress"]
        after = state.audit_snapshot()
        label = (data.get("milestone_label") or "").strip()
        comment = (data.get("comment") or "").strip()
        changed = after != (before or UNTOUCHED)
        if changed or label or comment:
            # Any write moves the version on, so that a form shown before it is stale.
            state.updated_by = user
            state.updated_at = now
            state.version = current_version(state) + 1
            state.save()
        if changed or (before is None and (label or comment)):
            audit.record(
                "action_state",
                action_id,
                "create" if before is None else "update",
                user,
                before=before,
                after=after,
                context=context,
                caisse=caisse,
            )
        if changed:
            done.append("état mis à jour")
        if label:
            milestone = ActionMilestone.objects.create(
                state=state,
                label=label,
                due_date=data["milestone_due"],
                done_on=data.get("milestone_done_on"),  # a milestone recorded as already met
            )
            recorded = {"label": label, "due_date": milestone.due_date.isoformat()}
            if milestone.done_on is not None:
                recorded["done_on"] = milestone.done_on.isoformat()
            audit.record(
                "action_milestone",
                f"{action_id}:{milestone.pk}",
                "create",
                user,
                after=recorded,
                context=context,
                caisse=caisse,
            )
            done.append(f"jalon « {label} » ajouté")
        if comment:
            update = ActionUpdate.objects.create(
                state=state,
                on=data.get("comment_on") or today,
                text=comment,
                progress=state.progress,
                author=user,
                created_at=now,
            )
            audit.record(
                "action_update",
                f"{action_id}:{update.pk}",
                "create",
                user,
                after={"on": update.on.isoformat(), "text": comment, "progress": update.progress},
                context=context,
                caisse=caisse,
            )
            done.append("point d'avancement enregistré")
    return done


__all__ = ["PAGE_CONTEXT", "UNTOUCHED", "StaleAction", "current_version", "save_update"]
