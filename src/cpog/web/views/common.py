"""What every page needs: the contract of the request's caisse, its status today, rendering."""

from __future__ import annotations

import threading
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.text import slugify

from cpog import clock
from cpog.contexts.serialize import to_data
from cpog.contexts.situation import Situation, situation
from cpog.formatting import fr_date
from cpog.reports.render import render_data
from cpog.store.reader import StoreReader
from cpog.vocabulary import field_heading
from cpog.web.page_cache import data_state
from cpog.web.scoping import contract_for, request_contract

# The status of the whole contract changes only when something is written, and every write is
# audited: the latest audit event marks the state of the data (cpog.web.page_cache.data_state,
# the same key as the cached pages). Each process keeps the status of the latest state of each
# caisse and recomputes it after any write (by any process) or when the day changes.
_LATEST: dict[str, tuple[tuple[Any, ...], Situation]] = {}
_LOCK = threading.Lock()
_KEPT_CAISSES = 128


def steering(request: HttpRequest) -> Situation:
    """The contract of the request's caisse and its status at today's date."""
    cached = getattr(request, "_cpog_steering", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    code, contract_id = request_contract(request)
    state = data_state(contract_id) if contract_id else None
    key = (state.version_id, state.content_hash, state.marker, state.today) if state else None
    with _LOCK:
        kept = _LATEST.get(code)
    result = kept[1] if kept and key and kept[0] == key else None
    if result is None:
        version, contract = contract_for(code)  # raises NoContractLoaded on an empty store
        today = state.today if state else clock.today()
        result = situation(StoreReader(), contract, today)
        # The key names the caisse's latest contract version: a version loaded meanwhile comes
        # with an audit event, hence a new key on the next call.
        if key and version.pk <= key[0]:
            with _LOCK:
                if len(_LATEST) >= _KEPT_CAISSES and code not in _LATEST:
                    _LATEST.clear()
                _LATEST[code] = (key, result)
    request._cpog_steering = result  # type: ignore[attr-defined]
    return result


# Every page that shows a context offers it as a document too: ``?format=json`` (the context as
# the API serializes it) and ``?format=pdf`` (the same JSON through the reports' generic Typst
# template): the same figures and words as the page, for a file or a meeting.
DOCUMENT_FORMATS = ("json", "pdf")


def page_document(title: str, situation: Situation, record: Any) -> dict[str, Any]:
    """A page's context as a document: its title, the date of situation, the context, and the
    headings its field names read as in print."""
    content = to_data(record)
    document = {
        "titre": title,
        "date_de_situation": situation.as_of.isoformat(),
        "date_de_situation_texte": fr_date(situation.as_of),
        "demonstration": situation.demo,
        "contenu": content,
        "intitules": {name: field_heading(name) for name in sorted(_names(content))},
    }
    if situation.territory is not None:  # a territory's page (decision 020)
        scope = situation.territory
        document["territoire"] = {"code": scope.code, "nom": scope.name, "nature": scope.kind}
    return document


def _names(data: Any) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {n for v in data.values() for n in _names(v)}
    if isinstance(data, list):
        return {n for v in data for n in _names(v)}
    return set()


def pdf_template(record: Any) -> str:
    """The reports' template that prints ``record``: the generic « page », unless its context
    type names its own (``PDF_TEMPLATE``: the map draws its chart beside its table)."""
    return str(getattr(type(record), "PDF_TEMPLATE", "page"))


def _document(request: HttpRequest, title: str, record: Any, wanted: str) -> HttpResponse:
    document = page_document(title, steering(request), record)
    name = slugify(title) or "page"
    if wanted == "json":
        response: HttpResponse = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
        response["Content-Disposition"] = f'inline; filename="{name}.json"'
        return response
    response = HttpResponse(
        render_data(document, pdf_template(record)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def _document_links(request: HttpRequest) -> list[tuple[str, str]]:
    links = []
    for wanted in DOCUMENT_FORMATS:
        query = request.GET.copy()
        query["format"] = wanted
        links.append((wanted.upper(), f"?{query.urlencode()}"))
    return links


def page(
    request: HttpRequest,
    template: str,
    section: str,
    title: str,
    *,
    record: Any = None,
    **context: Any,
) -> HttpResponse:
    """Render a page; ``record`` is its framework-free context, also given as JSON or PDF
    (``?format=json|pdf``)."""
    wanted = request.GET.get("format")
    if record is not None and wanted in DOCUMENT_FORMATS and request.method == "GET":
        return _document(request, title, record, wanted)
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
            "documents": _document_links(request) if record is not None else [],
            **context,
        },
    )
