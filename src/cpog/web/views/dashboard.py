"""Tableau de bord, for the board: where the contract stands, the défis, what to deal with, the
latest updates (:mod:`cpog.contexts.dashboard`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from cpog.contexts.dashboard import UPDATES, dashboard_context
from cpog.store.reader import StoreReader
from cpog.web.models import ChallengePilot
from cpog.web.page_cache import cached_page
from cpog.web.views.common import page
from cpog.web.views.territory import UnknownTerritory, banner, scoped_steering, unknown_territory


def challenge_pilots(contract_id: str) -> dict[int, list[str]]:
    """The names of each défi's pilots (active users), in name order: what « À traiter » shows
    beside a subject (the contexts read no web model, so the view passes them)."""
    found: dict[int, list[str]] = {}
    pilots = (
        ChallengePilot.objects.filter(contract_id=contract_id, user__is_active=True)
        .select_related("user")
        .order_by("challenge_number", "user__last_name", "user__first_name", "user__username")
    )
    for pilot in pilots:
        user = pilot.user
        found.setdefault(pilot.challenge_number, []).append(
            user.get_full_name() or user.get_username()
        )
    return found


@login_required
@cached_page
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        situation = scoped_steering(request)
    except UnknownTerritory as error:
        return unknown_territory(request, error)
    ctx = dashboard_context(
        situation,
        StoreReader().recent_events(UPDATES, caisse=situation.contract.organisation.code),
        challenge_pilots(situation.contract.id),
    )
    return page(
        request,
        "web/dashboard.html",
        "dashboard",
        "Tableau de bord",
        record=ctx,
        ctx=ctx,
        territory=banner(request, situation),
    )
