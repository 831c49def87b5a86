"""Pages read at a territory: ``?territoire=CODE`` on the dashboard, the indicator list and an
indicator's page (decision 020). The same contexts, built from the territory's situation
(:func:`cpog.contexts.territories.territory_situation`), under a banner naming the territory
with a link back to the caisse. Writes stay the caisse's: a territory's page has no form.

The situation of a territory is kept per process like the caisse's (:mod:`cpog.web.views.common`),
keyed by the state of the data *and the scope*; whole pages are cached by their path and query,
which hold the territory.
"""

from __future__ import annotations

import threading
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cpog.contexts.situation import Situation
from cpog.contexts.territories import (
    ByTerritoryData,
    TerritoryBanner,
    by_territory,
    territory_banner,
    territory_situation,
)
from cpog.scope import ScopeError, ScopeKind
from cpog.store.reader import StoreReader
from cpog.store.territories import caisse_territories
from cpog.web.page_cache import data_state
from cpog.web.views.common import steering

PARAMETER = "territoire"

_BY_SCOPE: dict[tuple[Any, ...], Situation] = {}
_LOCK = threading.Lock()


class UnknownTerritory(Http404):
    """A ``?territoire=`` that names nothing of the caisse (French message)."""


def requested(request: HttpRequest) -> str:
    """The territory a GET asks for (« » for none); a form's POST is always the caisse's."""
    if request.method != "GET":
        return ""
    return request.GET.get(PARAMETER, "").strip()[:40]


def scoped_steering(request: HttpRequest) -> Situation:
    """The situation of the territory the request asks for, else the caisse's (:func:`steering`).
    Within the request it replaces the caisse's, so that the page, its JSON and its PDF show
    the same territory."""
    base = steering(request)
    code = requested(request)
    if not code or base.territory is not None:
        return base
    territories = caisse_territories(base.contract)
    try:
        scope = territories.resolve(code)
    except ScopeError as error:
        raise UnknownTerritory(str(error)) from None
    if scope.kind in (ScopeKind.CAISSE, ScopeKind.NATIONAL):
        return base
    state = data_state(base.contract.id)
    key = (
        (state.version_id, state.content_hash, state.marker, state.today, scope.code)
        if state
        else None
    )
    with _LOCK:
        found = _BY_SCOPE.get(key) if key else None
    if found is None:
        found = territory_situation(StoreReader(), base.contract, base.as_of, territories, scope)
        if key:
            with _LOCK:
                # several caisses share the process: an older state is never asked again (the
                # marker moved), so entries are only bounded, not cleared per caisse
                if len(_BY_SCOPE) >= 64:
                    _BY_SCOPE.clear()
                _BY_SCOPE[key] = found
    request._cpog_steering = found  # type: ignore[attr-defined]
    return found


def banner(request: HttpRequest, situation: Situation) -> TerritoryBanner | None:
    """The banner of a territory's page (none for the caisse's), its link back to the caisse
    keeping the other parameters."""
    if situation.territory is None:
        return None
    query = request.GET.copy()
    query.pop(PARAMETER, None)
    query.pop("format", None)
    back = request.path + (f"?{query.urlencode()}" if query else "")
    return territory_banner(caisse_territories(situation.contract), situation.territory, back)


def unknown_territory(request: HttpRequest, error: UnknownTerritory) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {"title": "Territoire inconnu", "message": str(error)},
        status=404,
    )


def by_territory_section(
    situation: Situation, subject_type: str, subject_id: str
) -> ByTerritoryData | None:
    """The « Par territoire » section of an indicator's page: its values by EPCI."""
    territories = caisse_territories(situation.contract)
    return by_territory(StoreReader(), situation.contract, territories, (subject_type, subject_id))


__all__ = [
    "PARAMETER",
    "UnknownTerritory",
    "banner",
    "by_territory_section",
    "requested",
    "scoped_steering",
    "unknown_territory",
]
