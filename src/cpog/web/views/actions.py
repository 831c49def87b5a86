"""Actions: every action of every défi with its state, and the page of one action where its
pilot records owner, dates, status, progress, milestones and dated comments (all audited)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from cpog.contract.model import Action, ChallengeFile, Contract
from cpog.steering import action_late
from cpog.store.actions import StaleAction, save_update
from cpog.store.models import ActionMilestone, ActionState, ActionUpdate
from cpog.web import roles
from cpog.web.action_forms import NO_OWNER, ActionFilterForm, ActionUpdateForm
from cpog.web.views.common import page, steering

NOT_STARTED_LABEL = ActionState.Status.NOT_STARTED.label


def is_overdue(state: ActionState | None, today: date) -> bool:
    """Late, by the steering core's one definition (:func:`cpog.steering.action_late`)."""
    return state is not None and action_late(state.status, state.due_date, today)


@dataclass
class ActionRow:
    challenge: ChallengeFile
    action: Action
    state: ActionState | None
    overdue: bool

    @property
    def status(self) -> str:
        return self.state.status if self.state else ActionState.Status.NOT_STARTED.value

    @property
    def status_label(self) -> str:
        return self.state.get_status_display() if self.state else NOT_STARTED_LABEL

    @property
    def owner(self) -> str:
        return self.state.owner if self.state else ""

    @property
    def start_date(self) -> date | None:
        return self.state.start_date if self.state else None

    @property
    def due_date(self) -> date | None:
        return self.state.due_date if self.state else None

    @property
    def progress(self) -> int:
        return self.state.progress if self.state else 0


@dataclass
class ActionListContext:
    form: ActionFilterForm
    rows: list[ActionRow]
    total: int
    filtered: bool
    n_overdue: int = 0


def _states(contract: Contract) -> dict[str, ActionState]:
    return {s.action_id: s for s in ActionState.objects.filter(contract_id=contract.id)}


def build_list(request: HttpRequest) -> ActionListContext:
    data = steering(request)
    contract, today = data.contract, data.as_of
    states = _states(contract)
    owners = sorted({s.owner for s in states.values() if s.owner}, key=str.casefold)
    form = ActionFilterForm(
        request.GET or None,
        challenges=[(c.number, c.title) for c in contract.challenges],
        owners=owners,
    )
    rows = [
        ActionRow(c, a, states.get(a.id), is_overdue(states.get(a.id), today))
        for c in contract.challenges
        for a in c.actions
    ]
    total = len(rows)
    filters: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if filters.get("defi") is not None:
        rows = [r for r in rows if r.challenge.number == filters["defi"]]
    if filters.get("statut") == ActionState.Status.LATE:
        rows = [r for r in rows if r.overdue]  # marked late, or past its due date
    elif filters.get("statut"):
        rows = [r for r in rows if r.status == filters["statut"]]
    if filters.get("responsable") == NO_OWNER:
        rows = [r for r in rows if not r.owner]
    elif filters.get("responsable"):
        rows = [r for r in rows if r.owner == filters["responsable"]]
    if filters.get("echeance") is not None:
        limit = filters["echeance"]
        rows = [r for r in rows if r.due_date is not None and r.due_date <= limit]
    return ActionListContext(
        form=form,
        rows=rows,
        total=total,
        filtered=any(v not in (None, "") for v in filters.values()),
        n_overdue=sum(r.overdue for r in rows),
    )


def _wants_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    ctx = build_list(request)
    status = 400 if ctx.form.is_bound and not ctx.form.is_valid() else 200
    if _wants_fragment(request):
        response = render(
            request,
            "web/partials/action_table.html",
            {"ctx": ctx, "today": steering(request).as_of},
            status=status,
        )
    else:
        response = page(request, "web/actions.html", "actions", "Actions", ctx=ctx)
        response.status_code = status
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- one action -----------------------------------------------------------------------------


@dataclass
class ActionContext:
    challenge: ChallengeFile
    action: Action
    state: ActionState | None
    overdue: bool
    can_write: bool
    form: ActionUpdateForm | None
    milestones: list[ActionMilestone] = field(default_factory=list)
    updates: list[ActionUpdate] = field(default_factory=list)
    saved: str = ""

    @property
    def status_label(self) -> str:
        return self.state.get_status_display() if self.state else NOT_STARTED_LABEL

    @property
    def status(self) -> str:
        return self.state.status if self.state else ActionState.Status.NOT_STARTED.value


def find_action(contract: Contract, action_id: str) -> tuple[ChallengeFile, Action] | None:
    for challenge in contract.challenges:
        for action in challenge.actions:
            if action.id == action_id:
                return challenge, action
    return None


def _state(contract: Contract, action_id: str) -> ActionState | None:
    return ActionState.objects.filter(contract_id=contract.id, action_id=action_id).first()


def build_action(
    request: HttpRequest,
    challenge: ChallengeFile,
    action: Action,
    form: ActionUpdateForm | None = None,
    saved: str = "",
) -> ActionContext:
    data = steering(request)
    state = _state(data.contract, action.id)
    can_write = roles.can_write_challenge(request.user, data.contract, challenge.number)
    if can_write and form is None:
        form = ActionUpdateForm.for_state(state)
    return ActionContext(
        challenge=challenge,
        action=action,
        state=state,
        overdue=is_overdue(state, data.as_of),
        can_write=can_write,
        form=form if can_write else None,
        milestones=list(state.milestones.order_by("due_date", "id")) if state else [],
        updates=list(state.updates.order_by("-on", "-created_at", "-id")) if state else [],
        saved=saved,
    )


def _stale(
    request: HttpRequest,
    challenge: ChallengeFile,
    action: Action,
    title: str,
    stale: StaleAction,
    fragment: bool,
) -> HttpResponse:
    """409: the action changed during the user's edit. The page shows its current state and the
    form keeps what the user typed, now based on the current version: saving again is a
    deliberate choice made after seeing the other change."""
    posted = request.POST.copy()
    posted["version"] = str(stale.state.version)
    kept = ActionUpdateForm(posted)
    kept.is_valid()
    kept.add_error(None, str(stale))
    ctx = build_action(request, challenge, action, kept)
    return _refused(request, ctx, title, fragment=fragment, status=409)


def _refused(
    request: HttpRequest, ctx: ActionContext, title: str, *, fragment: bool, status: int
) -> HttpResponse:
    """The action's page (or its live fragment) again, with the form's errors and the input."""
    if fragment:
        return render(request, "web/partials/action_live.html", {"ctx": ctx}, status=status)
    response = page(request, "web/action.html", "actions", title, ctx=ctx)
    response.status_code = status
    return response


def _not_found(request: HttpRequest, action_id: str) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {
            "title": "Action introuvable",
            "message": f"L'action « {action_id} » n'existe pas dans ce contrat.",
        },
        status=404,
    )


@login_required
def action_page(request: HttpRequest, action_id: str) -> HttpResponse:
    data = steering(request)
    contract = data.contract
    found = find_action(contract, action_id)
    if found is None:
        return _not_found(request, action_id)
    challenge, action = found
    title = f"Action {action.id} — défi n°{challenge.number}"
    fragment = _wants_fragment(request)
    if request.method == "POST":
        roles.require(
            roles.can_write_challenge(request.user, contract, challenge.number),
            f"modifier les actions du défi n°{challenge.number}",
        )
        form = ActionUpdateForm(request.POST)
        if not form.is_valid():
            ctx = build_action(request, challenge, action, form)
            return _refused(request, ctx, title, fragment=fragment, status=400)
        try:
            done = save_update(
                contract.id,
                action.id,
                form.cleaned_data,
                request.user.get_username(),
                data.as_of,
                based_on=form.cleaned_data.get("version"),
            )
        except StaleAction as stale:
            return _stale(request, challenge, action, title, stale, fragment)
        saved = ("Enregistré : " + ", ".join(done) + ".") if done else "Aucune modification."
        if fragment:
            ctx = build_action(request, challenge, action, saved=saved)
            return render(request, "web/partials/action_live.html", {"ctx": ctx})
        messages.success(request, saved)
        return redirect(reverse("action", args=[action.id]))
    ctx = build_action(request, challenge, action)
    return page(request, "web/action.html", "actions", title, ctx=ctx)
