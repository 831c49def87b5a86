"""Contrat: the signed text as encoded (:mod:`cpog.contexts.contract_page`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from cpog.contexts.contract_page import contract_page_context
from cpog.store.reader import StoreReader
from cpog.web.page_cache import cached_page
from cpog.web.views.common import page, steering


@login_required
@cached_page
def contract_page(request: HttpRequest) -> HttpResponse:
    data = steering(request)
    figures = StoreReader().figure_values(data.contract, data.scope)
    ctx = contract_page_context(data.contract, figures)
    return page(request, "web/contract.html", "contract", "Contrat", record=ctx, ctx=ctx)
