"""Tableau de bord: statuses by family and défi, what needs attention, the latest updates
(:mod:`cpog.contexts.dashboard`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from cpog.contexts.dashboard import UPDATES, dashboard_context
from cpog.store.reader import StoreReader
from cpog.web.page_cache import cached_page
from cpog.web.views.common import page, steering


@login_required
@cached_page
def dashboard(request: HttpRequest) -> HttpResponse:
    ctx = dashboard_context(steering(request), StoreReader().recent_events(UPDATES))
    return page(request, "web/dashboard.html", "dashboard", "Tableau de bord", record=ctx, ctx=ctx)
