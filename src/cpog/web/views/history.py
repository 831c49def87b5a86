"""Historique: every write of the audit trail, newest first, filtered and paginated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from cpog.contexts.history import HistoryContext, history_context
from cpog.formatting import capitalised, fr_date
from cpog.store import audit
from cpog.store.models import AuditEvent
from cpog.store.reader import records
from cpog.vocabulary import AUDIT_ENTITY
from cpog.web.action_forms import FrenchDateField, FrenchForm
from cpog.web.views.common import page, steering

PER_PAGE = 50


class HistoryFilterForm(FrenchForm):
    type = forms.ChoiceField(label="Type d'objet", required=False)
    utilisateur = forms.ChoiceField(label="Utilisateur", required=False)
    du = FrenchDateField(label="Du", required=False, help_text="JJ/MM/AAAA (inclus).")
    au = FrenchDateField(label="Au", required=False, help_text="JJ/MM/AAAA (inclus).")

    def __init__(self, data: Any, types: list[str], users: list[str], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        kind = self.fields["type"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", "Tous")] + [(t, capitalised(AUDIT_ENTITY.get(t, t))) for t in types]
        who = self.fields["utilisateur"]
        assert isinstance(who, forms.ChoiceField)
        who.choices = [("", "Tous")] + [(u, u) for u in users]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("du"), data.get("au")
        if start and end and end < start:
            self.add_error("au", f"Au : le {fr_date(end)} est antérieur au {fr_date(start)} (du).")
        return data


@dataclass
class HistoryPage:
    """The history page: its filter form and paginator (Django), and the page's rows as plain
    records (:class:`cpog.contexts.history.HistoryContext`)."""

    form: HistoryFilterForm
    page: Page[AuditEvent]
    data: HistoryContext
    query: str  # the filters as a query string, for the pagination links


def _filtered(
    form: HistoryFilterForm, events: QuerySet[AuditEvent]
) -> tuple[QuerySet[AuditEvent], bool]:
    events = events.order_by("-at", "-id")
    if not form.is_bound or not form.is_valid():
        return events, False
    data = form.cleaned_data
    if data.get("type"):
        events = events.filter(entity_type=data["type"])
    if data.get("utilisateur"):
        events = events.filter(user=data["utilisateur"])
    if data.get("du"):
        events = events.filter(at__date__gte=data["du"])
    if data.get("au"):
        events = events.filter(at__date__lte=data["au"])
    return events, any(v not in (None, "") for v in data.values())


def build(request: HttpRequest) -> HistoryPage:
    contract = steering(request).contract
    # the events of the request's caisse only (decision 017)
    mine = audit.of_caisse(AuditEvent.objects.all(), contract.organisation.code)
    types = sorted(
        set(mine.values_list("entity_type", flat=True).distinct()) | set(AUDIT_ENTITY),
        key=lambda t: AUDIT_ENTITY.get(t, t),
    )
    users = sorted(set(mine.values_list("user", flat=True).distinct()), key=str.casefold)
    params = request.GET.copy()
    params.pop("page", None)
    form = HistoryFilterForm(params or None, types=types, users=users)
    events, filtered = _filtered(form, mine)
    current = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    data = history_context(
        contract,
        records(current.object_list),
        total=current.paginator.count,
        page=current.number,
        pages=current.paginator.num_pages,
        filtered=filtered,
    )
    return HistoryPage(form, current, data, params.urlencode())


@login_required
def history_page(request: HttpRequest) -> HttpResponse:
    ctx = build(request)
    response = page(request, "web/history.html", "history", "Historique", record=ctx.data, ctx=ctx)
    if ctx.form.is_bound and not ctx.form.is_valid():
        response.status_code = 400
    patch_vary_headers(response, ["HX-Request"])
    return response
