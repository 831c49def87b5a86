"""« Réseau »: every caisse of the store side by side, and one indicator compared across them.
Network users only (:func:`cpog.web.roles.can_see_network`): the check runs before the page
cache, so that a page rendered for a network user is never served to a caisse's user."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cpog.contexts.network import NetworkError, comparison_context, network_context
from cpog.peer_groups import peer_groups
from cpog.periods import PeriodError, parse_period
from cpog.store.network import NetworkStoreReader
from cpog.web import roles
from cpog.web.page_cache import cached_page
from cpog.web.views.common import page, steering

View = Callable[..., HttpResponse]


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
    ctx = network_context(NetworkStoreReader(), steering(request).as_of, peer_groups())
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
        ctx = comparison_context(
            NetworkStoreReader(),
            subject_id,
            steering(request).as_of,
            peer_groups(),
            period=period,
            caisse=caisse,
            group=group,
        )
    except NetworkError as error:
        return _error(request, str(error), 404)
    title = f"{ctx.code} dans le réseau"
    return page(request, "web/network_indicator.html", "network", title, record=ctx, ctx=ctx)
