"""Données ouvertes: the diagnosis's key figures beside the Cnaf's open data, by territory
(:mod:`cpog.contexts.opendata`, decision 019)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from cpog.contexts.opendata import TO_CONFIRM, open_data_context
from cpog.geography import geography_of
from cpog.store.opendata import OpenDataStoreReader, department_of
from cpog.web.page_cache import cached_page
from cpog.web.views.common import page, steering


@login_required
@cached_page
def open_data_page(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("par", "epci")
    if by not in ("epci", "commune"):
        by = "epci"
    year_text = request.GET.get("annee", "")
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    contract = steering(request).contract
    geography = geography_of(department_of(contract))
    ctx = open_data_context(OpenDataStoreReader(), contract, geography, by=by, year=year)
    return page(
        request,
        "web/opendata.html",
        "contract",
        "Diagnostic et données ouvertes par territoire",
        record=ctx,
        ctx=ctx,
        to_confirm=TO_CONFIRM,
    )
