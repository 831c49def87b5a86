"""French display of numbers, values with units, statuses and dates in templates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from cpog.assess.types import Freshness, RollUp, Status, YearVerdict
from cpog.assess.wording import completeness_text, lateness_text, value_text, verdict_label
from cpog.contract.units import quantity_text
from cpog.formatting import fr_date, fr_month, fr_number

register = template.Library()


@register.filter
def num(value: Any, decimals: int | None = None) -> str:
    if value is None or value == "":
        return "—"
    return fr_number(value, decimals)


@register.filter
def with_unit(value: Any, unit: str | None) -> str:
    """A value rounded for reading, with its unit: « 14,2 jours », « 1 crèche »."""
    if value is None:
        return "—"
    return value_text(float(value), unit)


@register.filter
def exact_with_unit(value: Any, unit: str | None) -> str:
    """A stored value with its decimals (up to 3) and its unit: « 19,36 jours »."""
    if value is None or value == "":
        return "—"
    return quantity_text(value if isinstance(value, Decimal) else float(value), unit)


@register.filter
def pct(value: Any) -> str:
    if value is None:
        return "—"
    return f"{fr_number(round(float(value)))}\u00a0%"


@register.filter
def badge(status: Status | str | None) -> SafeString:
    if status is None:
        return format_html('<span class="badge">—</span>')
    status = Status(status)
    return format_html('<span class="badge badge-{}">{}</span>', status.value, status.label_fr)


@register.filter
def jour(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{fr_date(local.date())} {local:%H:%M}"
    return fr_date(value)


@register.filter
def mois(value: date | None) -> str:
    return "—" if value is None else fr_month(value)


@register.filter
def completeness(rollup: RollUp) -> str:
    """« 6 sur 7 renseignés »: the same words on every page (cpog.assess.wording)."""
    return completeness_text(rollup)


@register.filter
def lateness(fresh: Freshness) -> str:
    """« à jour » or « valeur de septembre 2026 attendue le 30/10/2026 : 28 jours de retard »."""
    return lateness_text(fresh)


@register.filter
def verdict(year: YearVerdict | None) -> str:
    """« objectif 2025 non atteint »."""
    return "" if year is None else verdict_label(year)
