"""Calculs: the SQL of a computed indicator's definition (:mod:`cpog.contexts.computation`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cpog.contexts.computation import computation_context
from cpog.warehouse.definitions import DefinitionError, definition_for
from cpog.web.page_cache import cached_page
from cpog.web.views.common import page, steering


@login_required
@cached_page
def computation_page(request: HttpRequest, definition: str) -> HttpResponse:
    try:
        found = definition_for(definition)
    except DefinitionError:
        return render(
            request,
            "web/error.html",
            {
                "title": "Page introuvable",
                "message": f"Aucune définition de calcul « {definition} ».",
            },
            status=404,
        )
    overrides = {
        name: str(request.GET.get(name, ""))
        for name in request.GET
        if name not in ("format", "page")
    }
    ctx = computation_context(steering(request).contract, found, overrides)
    return page(
        request,
        "web/computation.html",
        "indicators",
        f"Calcul {ctx.code} — {ctx.label}",
        record=ctx,
        ctx=ctx,
    )
