"""What every page needs: the current contract, its status today, and rendering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cpog.contract.model import Contract
from cpog.steering import ContractStatus
from cpog.store.contracts import current_contract
from cpog.store.models import ContractVersion, Measurement
from cpog.store.status import status_at


@dataclass
class Steering:
    version: ContractVersion
    contract: Contract
    status: ContractStatus
    today: date
    demo: bool


def steering(request: HttpRequest) -> Steering:
    """The contract and its status at today's date, computed once per request."""
    cached = getattr(request, "_cpog_steering", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    version, contract = current_contract()
    today = timezone.localdate()
    demo = Measurement.objects.filter(
        contract_id=contract.id, source=Measurement.Source.DEMO
    ).exists()
    result = Steering(version, contract, status_at(contract, today), today, demo)
    request._cpog_steering = result  # type: ignore[attr-defined]
    return result


def page(
    request: HttpRequest, template: str, section: str, title: str, **context: Any
) -> HttpResponse:
    data = steering(request)
    return render(
        request,
        template,
        {
            "section": section,
            "page_title": title,
            "contract": data.contract,
            "demo": data.demo,
            "today": data.today,
            **context,
        },
    )
