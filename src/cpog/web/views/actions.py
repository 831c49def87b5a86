"""Actions: every action of every défi with its state, and the page of one action where its
pilot records owner, dates, status, progress, milestones and dated comments (all audited).
Contexts: :mod:`cpog.contexts.actions`; writes: :mod:`cpog.store.actions`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from cpog.contexts.actions import (
    ActionContext,
    ActionFilters,
    ActionListContext,
    action_context,
    action_list_context,
    find_action,
    owners,
)
from cpog.contexts.situation import Situation
from cpog.store.actions import StaleAction, save_update
from cpog.store.reader import StoreReader
from cpog.web import roles
from cpog.web.action_forms import NO_OWNER, ActionFilterForm, ActionUpdateForm
from cpog.web.views.common import page, steering


@dataclass
class ActionListPage:
    form: ActionFilterForm
    data: ActionListContext


def _filters(form: ActionFilterForm) -> ActionFilters:
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    owner = data.get("responsable") or None
    return ActionFilters(
        challenge=data.get("defi"),
        status=data.get("statut") or None,
        owner=None if owner == NO_OWNER else owner,
        no_owner=owner == NO_OWNER,
        due_by=data.get("echeance"),
    )


def build_list(request: HttpRequest) -> ActionListPage:
    situation = steering(request)
    form = ActionFilterForm(
        request.GET or None,
        challenges=[(c.number, c.title) for c in situation.contract.challenges],
        owners=owners(situation),
    )
    return ActionListPage(form, action_list_context(situation, _filters(form)))


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
        response = page(request, "web/actions.html", "actions", "Actions", record=ctx.data, ctx=ctx)
        response.status_code = status
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- one action -----------------------------------------------------------------------------


@dataclass
class ActionPage:
    data: ActionContext
    can_write: bool
    form: ActionUpdateForm | None
    saved: str = ""


def build_action(
    request: HttpRequest,
    situation: Situation,
    action_id: str,
    form: ActionUpdateForm | None = None,
    saved: str = "",
    *,
    fresh: bool = False,
) -> ActionPage:
    """``fresh``: the action's follow-up read again from the store (after a write, or a write by
    someone else found during this request), not the situation's."""
    if fresh:
        state = StoreReader().action(situation.contract, action_id)
    else:
        state = situation.actions.get(action_id)
    data = action_context(situation, action_id, state)
    can_write = roles.can_write_challenge(request.user, situation.contract, data.row.challenge)
    if can_write and form is None:
        form = ActionUpdateForm.for_state(state)
    return ActionPage(data, can_write, form if can_write else None, saved)


def _stale(
    request: HttpRequest,
    situation: Situation,
    action_id: str,
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
    ctx = build_action(request, situation, action_id, kept, fresh=True)
    return _refused(request, ctx, title, fragment=fragment, status=409)


def _refused(
    request: HttpRequest, ctx: ActionPage, title: str, *, fragment: bool, status: int
) -> HttpResponse:
    """The action's page (or its live fragment) again, with the form's errors and the input."""
    if fragment:
        return render(request, "web/partials/action_live.html", {"ctx": ctx}, status=status)
    response = page(request, "web/action.html", "actions", title, record=ctx.data, ctx=ctx)
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
    situation = steering(request)
    contract = situation.contract
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
            ctx = build_action(request, situation, action.id, form)
            return _refused(request, ctx, title, fragment=fragment, status=400)
        try:
            done = save_update(
                contract.id,
                action.id,
                form.cleaned_data,
                request.user.get_username(),
                situation.as_of,
                based_on=form.cleaned_data.get("version"),
            )
        except StaleAction as stale:
            return _stale(request, situation, action.id, title, stale, fragment)
        saved = ("Enregistré : " + ", ".join(done) + ".") if done else "Aucune modification."
        if fragment:
            ctx = build_action(request, situation, action.id, saved=saved, fresh=True)
            return render(request, "web/partials/action_live.html", {"ctx": ctx})
        messages.success(request, saved)
        return redirect(reverse("action", args=[action.id]))
    ctx = build_action(request, situation, action.id)
    return page(request, "web/action.html", "actions", title, record=ctx.data, ctx=ctx)
