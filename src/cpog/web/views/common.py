"""What every page needs: the current contract, its status today, and rendering."""

from __future__ import annotations

import threading
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cpog import clock
from cpog.contexts.situation import Situation, situation
from cpog.store.contracts import current_contract
from cpog.store.reader import StoreReader
from cpog.web.page_cache import data_state

# The status of the whole contract changes only when something is written, and every write is
# audited: the latest audit event marks the state of the data (cpog.web.page_cache.data_state,
# the same key as the cached pages). Each process keeps the status of the latest state and
# recomputes it after any write (by any process) or when the day changes.
_LATEST: dict[tuple[Any, ...], Situation] = {}
_LOCK = threading.Lock()


def steering(request: HttpRequest) -> Situation:
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
        result = situation(StoreReader(), contract, today)
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
            "today": data.as_of,
            **context,
        },
    )
