"""Whole pages kept between requests, keyed on the state of the data and on what the viewer may do.

The heavy pages (tableau de bord, défis, indicateurs) change only when something is written, and
every write is audited: the latest audit event and the current contract version mark the state of
the data (:func:`data_state`, one small query). A page also depends on the viewer, but only
through their role, their staff flag and the défis they pilot (:func:`viewer_of`) — never
through their name or their CSRF token, which are rendered as placeholders and put back into the
stored page for each request. So a lecteur never gets a pilote's page (its forms), a token is
never served to another session, and any write — by any process — changes the key at once.

The pages live in Django's ``pages`` cache (a folder shared by the server's processes by
default; see ``CPOG_PAGE_CACHE`` in :mod:`cpog.settings` and decision 007). Keys also hold the
code that renders the pages (:data:`CODE`): the shared folder outlives an upgrade, and a page
rendered by the old templates must not be served by the new release.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cpog import clock
from cpog.store.models import AuditEvent, ContractVersion
from cpog.store.roles import Role, role_of
from cpog.web.roles import caisse_of_user, piloted_in

# Placeholders that no stored text can produce: every text from the data is HTML-escaped (and
# JSON blocks escape « < » too), so a « < » here can only come from these constants.
CSRF_PLACEHOLDER = mark_safe("<cpog:jeton-csrf>")
NAME_PLACEHOLDER = mark_safe("<cpog:nom-utilisateur>")
_RENDERING = "_cpog_page_cache_rendering"
_CACHE = "pages"
# In front of a shared folder, each process keeps the pages it served in memory too: reading a
# file costs about 0,6 ms, memory 0,03 ms. Keys hold the state of the data, so neither is stale.
_LOCAL = "pages-local"


def _code_fingerprint() -> str:
    """The package's own files (code, templates, definitions, contract), read once at start."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in {".py", ".html", ".sql", ".yaml", ".typ"} and path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


CODE = _code_fingerprint()


@dataclass(frozen=True)
class DataState:
    """What a page's content depends on in the store, and the day it is assessed at."""

    version_id: int
    contract_id: str
    content_hash: str
    # Ids alone can be reused after a rollback or a restore; with the timestamps they cannot.
    marker: tuple[int, str] | None
    today: date


def data_state() -> DataState | None:
    """The current contract version and the latest audit event, in one query (None: no contract
    loaded yet). Plain SQL: it runs on every page, and the ORM would take longer to write it
    than the database to answer it."""
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL)
        row = cursor.fetchone()
    if row is None:
        return None
    pk, contract_id, content_hash, marker_id, marker_at = row
    marker = (int(marker_id), str(marker_at)) if marker_id is not None else None
    return DataState(pk, contract_id, content_hash, marker, clock.today())


def _state_sql() -> str:
    versions, events = ContractVersion._meta.db_table, AuditEvent._meta.db_table
    latest = f"FROM {events} e ORDER BY e.id DESC LIMIT 1"
    return (
        f"SELECT v.id, v.contract_id, v.content_hash, (SELECT e.id {latest}) AS marker_id,"
        f" (SELECT e.at {latest}) AS marker_at"
        f" FROM {versions} v ORDER BY v.version DESC, v.id DESC LIMIT 1"
    )


_STATE_SQL = _state_sql()


def viewer_of(request: HttpRequest, contract_id: str) -> tuple[str, bool, tuple[int, ...], bool]:
    """Everything of the user a cached page may depend on: role, staff flag, piloted défis."""
    user = request.user
    role = role_of(user)
    pilots = tuple(sorted(piloted_in(user, contract_id))) if role == Role.PILOTE else ()
    # a network user's pages have the « Réseau » entry (decision 018)
    network = role is not None and caisse_of_user(user) is None
    return (role.value if role else "", bool(getattr(user, "is_staff", False)), pilots, network)


def rendering_for_cache(request: HttpRequest) -> bool:
    """True while a page is rendered to be stored: names and tokens must be placeholders."""
    return bool(getattr(request, _RENDERING, False))


def placeholders(request: HttpRequest) -> dict[str, SafeString]:
    """The template context of what is put back per request (see :mod:`cpog.web.context`)."""
    return {"csrf_token": CSRF_PLACEHOLDER, "user_display_name": NAME_PLACEHOLDER}


def _key(request: HttpRequest, state: DataState) -> str:
    parts = (
        CODE,
        state.version_id,
        state.content_hash,
        state.marker[0] if state.marker else None,
        state.marker[1] if state.marker else None,
        state.today.isoformat(),
        viewer_of(request, state.contract_id),
        request.get_full_path(),
        # HTMX swaps get a fragment, a history restore the whole page
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-History-Restore-Request", ""),
    )
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _personalised(request: HttpRequest, content: bytes) -> bytes:
    user = request.user
    name = escape(user.get_full_name() or user.get_username())  # type: ignore[union-attr]
    return content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode()).replace(
        NAME_PLACEHOLDER.encode(), name.encode()
    )


def _cacheable(request: HttpRequest) -> bool:
    # A page with a message to show (after a write) is rendered for this request only.
    return request.method == "GET" and not len(get_messages(request))


View = Callable[..., HttpResponse]


def cached_page(view: View) -> View:
    """Serve ``view``'s successful GET answers from the page cache (under ``login_required``)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        state = data_state()
        if state is None:
            return view(request, *args, **kwargs)
        key = _key(request, state)
        stored = _lookup(key)
        if stored is None:
            setattr(request, _RENDERING, True)
            try:
                response = view(request, *args, **kwargs)
            finally:
                setattr(request, _RENDERING, False)
            if response.status_code != 200 or response.streaming or response.cookies:
                return _finish(request, response)
            headers = [(k, v) for k, v in response.items() if k.lower() != "content-length"]
            stored = (response.status_code, headers, response.content)
            _store(key, stored)
        status, headers, content = stored
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        return _finish(request, response)

    return wrapper


def _local() -> BaseCache | None:
    """The process's own copy, when the pages are shared in a folder."""
    return caches[_LOCAL] if isinstance(caches[_CACHE], FileBasedCache) else None


def _lookup(key: str) -> Any:
    local = _local()
    stored = local.get(key) if local is not None else None
    if stored is None:
        stored = caches[_CACHE].get(key)
        if stored is not None and local is not None:
            local.set(key, stored)
    return stored


def _store(key: str, stored: Any) -> None:
    caches[_CACHE].set(key, stored)
    local = _local()
    if local is not None:
        local.set(key, stored)


def clear() -> None:
    """Forget every stored page (tests; a restore of the store)."""
    caches[_CACHE].clear()
    caches[_LOCAL].clear()


def _finish(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    # Only pages carry the placeholders; a PDF or a JSON document is served as it is.
    if not response.streaming and response.get("Content-Type", "").startswith("text/html"):
        response.content = _personalised(request, response.content)
    return response
