"""What every page needs: the current contract, its status today, and rendering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cpog.assess import Observation
from cpog.contract.model import Contract
from cpog.steering import ContractStatus, StatusRow, SubjectKey, contract_status
from cpog.store.contracts import current_contract
from cpog.store.models import ContractVersion, Measurement
from cpog.store.status import steering_inputs


@dataclass
class Steering:
    version: ContractVersion
    contract: Contract
    status: ContractStatus
    today: date
    demo: bool
    observations: dict[SubjectKey, list[Observation]]

    def row(self, subject_type: str, subject_id: str) -> StatusRow | None:
        return next(
            (
                r
                for r in self.status.rows
                if r.subject_type == subject_type and r.subject_id == subject_id
            ),
            None,
        )



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
    targets, observations = steering_inputs(contract, contract.organisation.code)
    status = contract_status(contract, targets, observations, today)
    result = Steering(version, contract, status, today, demo, observations)
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
