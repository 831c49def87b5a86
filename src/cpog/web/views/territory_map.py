"""Carte: an indicator or key figure by EPCI or commune (:mod:`cpog.contexts.territory_map`).
Its PDF (``?format=pdf``) draws the same spec with vl-convert in the context's own « carte »
template (``TerritoryMapContext.PDF_TEMPLATE``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from cpog.contexts.charts import MAP_MISSING_COLOUR
from cpog.contexts.territory_map import territory_map_context
from cpog.store.reader import StoreReader
from cpog.web.page_cache import cached_page
from cpog.web.views.common import page, steering


@login_required
@cached_page
def territory_map_page(request: HttpRequest) -> HttpResponse:
    contract = steering(request).contract
    ctx = territory_map_context(
        contract,
        StoreReader(),
        subject_id=str(request.GET.get("sujet", "")),
        level=str(request.GET.get("par", "epci")),
        period_key=str(request.GET.get("periode", "")),
    )
    title = f"Carte — {ctx.code} {ctx.level_label}" if ctx.code else "Carte des territoires"
    return page(
        request,
        "web/territory_map.html",
        "map",
        title,
        record=ctx,
        ctx=ctx,
        missing_colour=MAP_MISSING_COLOUR,
    )
