"""Historique: every write of the audit trail, newest first, filtered and paginated."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers

from cpog.formatting import fr_date, fr_number
from cpog.store.models import ActionState, AuditEvent, Measurement, Target
from cpog.web.action_forms import FrenchDateField, FrenchForm
from cpog.web.views.common import page

PER_PAGE = 50

ENTITY_LABELS = {
    "measurement": "valeur",
    "target": "cible",
    "contract_version": "version du contrat",
    "action_state": "état d'une action",
    "action_milestone": "jalon d'une action",
    "action_update": "point d'avancement d'une action",
    "analysis": "analyse",
    "import_batch": "import de fichier",
}
ACTION_LABELS = {
    "create": "création",
    "revise": "révision",
    "update": "modification",
    "delete": "suppression",
}
FIELD_LABELS = {
    "value": "valeur",
    "status": "statut",
    "source": "source",
    "owner": "responsable",
    "start_date": "début",
    "due_date": "échéance",
    "progress": "avancement",
    "label": "libellé",
    "text": "texte",
    "on": "date",
    "hash": "empreinte",
    "amendment_date": "date de l'avenant",
    "reason": "motif",
    "subject": "objet",
    "year": "année",
    "confirmed_unusual": "contrôle",
}
VALUE_LABELS: dict[str, str] = {
    **{str(k): str(v) for k, v in ActionState.Status.choices},
    **{str(k): str(v) for k, v in Measurement.Status.choices},
    **{str(k): str(v) for k, v in Measurement.Source.choices},
    **{str(k): str(v) for k, v in Target.Kind.choices},
}
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def shown(value: Any, key: str = "") -> str:
    """A snapshot value the French way: dates 27/11/2026, numbers 1 234,5, labels in words."""
    if value is None or value == "":
        return "—"
    if key == "progress" and isinstance(value, int):
        return f"{fr_number(value)}\u00a0%"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | float):
        return fr_number(value)
    text = str(value)
    if ISO_DAY.match(text):
        year, month, day = (int(p) for p in text.split("-"))
        try:
            return fr_date(date(year, month, day))
        except ValueError:
            return text
    if NUMBER.match(text):
        try:
            return fr_number(Decimal(text).normalize())
        except InvalidOperation:
            return text
    if text in VALUE_LABELS:
        return VALUE_LABELS[text]
    return text if len(text) <= 120 else text[:119] + "…"


@dataclass
class Change:
    field: str
    before: str | None  # None: no previous value (a creation)
    after: str | None  # None: removed


def changes(event: AuditEvent) -> list[Change]:
    """The fields that differ between before and after, compactly."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    result = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        result.append(
            Change(
                FIELD_LABELS.get(key, key),
                shown(old, key) if key in before else None,
                shown(new, key) if key in after else None,
            )
        )
    return result


def entity_url(event: AuditEvent) -> str:
    """Where the written object is shown, when it has a page."""
    parts = event.entity_id.split(":")
    try:
        if event.entity_type in ("measurement", "target") and len(parts) >= 2:
            name = "indicator" if parts[0] == "indicator" else "measure"
            return reverse(name, args=[parts[1]])
        if event.entity_type.startswith("action_"):
            return reverse("action", args=[parts[0]])
    except NoReverseMatch:  # an id the routes refuse: no link
        return ""
    return ""


@dataclass
class HistoryRow:
    event: AuditEvent
    type_label: str
    action_label: str
    changes: list[Change]
    url: str


class HistoryFilterForm(FrenchForm):
    type = forms.ChoiceField(label="Type d'objet", required=False)
    utilisateur = forms.ChoiceField(label="Utilisateur", required=False)
    du = FrenchDateField(label="Du", required=False, help_text="JJ/MM/AAAA (inclus).")
    au = FrenchDateField(label="Au", required=False, help_text="JJ/MM/AAAA (inclus).")

    def __init__(self, data: Any, types: list[str], users: list[str], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        kind = self.fields["type"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", "Tous")] + [(t, ENTITY_LABELS.get(t, t)) for t in types]
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
class HistoryContext:
    form: HistoryFilterForm
    page: Page[AuditEvent]
    rows: list[HistoryRow]
    query: str  # the filters as a query string, for the pagination links
    filtered: bool


def _filtered(form: HistoryFilterForm) -> tuple[QuerySet[AuditEvent], bool]:
    events = AuditEvent.objects.order_by("-at", "-id")
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


def build(request: HttpRequest) -> HistoryContext:
    types = sorted(
        set(AuditEvent.objects.values_list("entity_type", flat=True).distinct())
        | set(ENTITY_LABELS),
        key=lambda t: ENTITY_LABELS.get(t, t),
    )
    users = sorted(
        set(AuditEvent.objects.values_list("user", flat=True).distinct()), key=str.casefold
    )
    params = request.GET.copy()
    params.pop("page", None)
    form = HistoryFilterForm(params or None, types=types, users=users)
    events, filtered = _filtered(form)
    current = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        HistoryRow(
            e,
            ENTITY_LABELS.get(e.entity_type, e.entity_type),
            ACTION_LABELS.get(e.action, e.action),
            changes(e),
            entity_url(e),
        )
        for e in current.object_list
    ]
    return HistoryContext(form, current, rows, params.urlencode(), filtered)


@login_required
def history_page(request: HttpRequest) -> HttpResponse:
    ctx = build(request)
    response = page(request, "web/history.html", "history", "Historique", ctx=ctx)
    if ctx.form.is_bound and not ctx.form.is_valid():
        response.status_code = 400
    patch_vary_headers(response, ["HX-Request"])
    return response
