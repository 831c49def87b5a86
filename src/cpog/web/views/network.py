"""« Réseau »: every caisse of the store side by side, and one indicator compared across them.
Network users only (:func:`cpog.web.roles.can_see_network`): the check runs before the page
cache, so that a page rendered for a network user is never served to a caisse's user."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cpog.contexts.network import (
    ComparisonContext,
    NetworkContext,
    NetworkError,
    comparison_context,
    network_context,
)
from cpog.peer_groups import peer_groups
from cpog.periods import Period, PeriodError, parse_period
from cpog.store.contracts import default_contract_id
from cpog.store.network import NetworkStoreReader
from cpog.web import roles
from cpog.web.page_cache import cached_page, data_state
from cpog.web.views.common import page, steering

View = Callable[..., HttpResponse]

# The contexts of the latest state of the data, per process, as views.common keeps the
# situation: building the network page assesses 101 × 36 indicators (seconds), and it changes
# only with a write (every write is audited: data_state) or the day. One build at a time.
_MEMO: dict[tuple[Any, ...], Any] = {}
_LOCK = threading.Lock()


def _remembered(parts: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    # Any write of any caisse moves the store's marker (the latest audit event), which is part
    # of every caisse's state: the installation's caisse's state keys the whole network.
    contract_id = default_contract_id()
    state = data_state(contract_id) if contract_id else None
    if state is None:
        return build()
    key = (state.version_id, state.content_hash, state.marker, state.today, *parts)
    with _LOCK:
        found = _MEMO.get(key)
        if found is None:
            found = build()
            if len(_MEMO) >= 64 or any(k[:4] != key[:4] for k in _MEMO):
                _MEMO.clear()  # an older state of the data: never served again
            _MEMO[key] = found
    return found


def network_of(today: date) -> NetworkContext:
    """The « Réseau » page's context on ``today`` (kept for the state of the data)."""
    return _remembered(  # type: ignore[no-any-return]
        ("network", today),
        lambda: network_context(NetworkStoreReader(), today, peer_groups()),
    )


def comparison_of(
    key: str, today: date, period: Period | None, caisse: str | None, group: str | None
) -> ComparisonContext:
    """An indicator compared across the caisses (kept for the state of the data)."""
    return _remembered(  # type: ignore[no-any-return]
        ("comparison", key, today, period, caisse, group),
        lambda: comparison_context(
            NetworkStoreReader(),
            key,
            today,
            peer_groups(),
            period=period,
            caisse=caisse,
            group=group,
        ),
    )


def network_only(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        roles.require(roles.can_see_network(request.user), "voir le réseau des caisses")
        return view(request, *args, **kwargs)

    return wrapper


def _error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(
        request, "web/error.html", {"title": "Page introuvable", "message": message}, status=status
    )


@login_required
@network_only
@cached_page
def network_page(request: HttpRequest) -> HttpResponse:
    ctx = network_of(steering(request).as_of)
    return page(request, "web/network.html", "network", "Réseau des caisses", record=ctx, ctx=ctx)


@login_required
@network_only
@cached_page
def network_indicator_page(request: HttpRequest, subject_id: str) -> HttpResponse:
    text = request.GET.get("periode", "").strip()
    try:
        period = parse_period(text) if text else None
    except PeriodError as error:
        return _error(request, f"Période « {text} » : {error}", 400)
    caisse = request.GET.get("caisse", "").strip() or None
    group = request.GET.get("groupe", "").strip() or None
    try:
        ctx = comparison_of(subject_id, steering(request).as_of, period, caisse, group)
    except NetworkError as error:
        return _error(request, str(error), 404)
    title = f"{ctx.code} dans le réseau"
    return page(request, "web/network_indicator.html", "network", title, record=ctx, ctx=ctx)
