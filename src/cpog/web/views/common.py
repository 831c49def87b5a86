"""What every page needs: the current contract, its status today, and rendering."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cpog import clock
from cpog.assess import Observation
from cpog.contract.model import Contract
from cpog.steering import ContractStatus, StatusRow, SubjectKey, contract_status, policy_of
from cpog.store.contracts import current_contract
from cpog.store.models import ContractVersion, Measurement
from cpog.store.status import steering_inputs
from cpog.web.page_cache import data_state


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


# The status of the whole contract changes only when something is written, and every write is
# audited: the latest audit event marks the state of the data (cpog.web.page_cache.data_state,
# the same key as the cached pages). Each process keeps the status of the latest state and
# recomputes it after any write (by any process) or when the day changes.
_LATEST: dict[tuple[Any, ...], Steering] = {}
_LOCK = threading.Lock()


def steering(request: HttpRequest) -> Steering:
    """The contract and its status at today's date."""
    cached = getattr(request, "_cpog_steering", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    state = data_state()
    key = (state.version_id, state.content_hash, state.marker, state.today) if state else None
    with _LOCK:
        result = _LATEST.get(key) if key else None
    if result is None:
        version, contract = current_contract()  # raises NoContractLoaded on an empty store
        today = state.today if state else clock.today()
        demo = Measurement.objects.filter(
            contract_id=contract.id, source=Measurement.Source.DEMO
        ).exists()
        targets, observations = steering_inputs(contract, contract.organisation.code)
        status = contract_status(contract, targets, observations, today, policy_of(contract))
        result = Steering(version, contract, status, today, demo, observations)
        if key and version.pk == key[0]:  # a version loaded meanwhile is read on the next call
            with _LOCK:
                _LATEST.clear()
                _LATEST[key] = result
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
