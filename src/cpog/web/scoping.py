"""Which caisse a request is about: the one place that decides it (decision 017).

- A user of a caisse (``UserScope.caisse_code``, or no row: the installation's caisse) always
  reads and writes their caisse. Asking another one with ``?caisse=CODE`` is refused (403, in
  French): never another caisse's figures, never a silent fallback to their own.
- A network user (``UserScope.network``) reads the caisse named by ``?caisse=CODE``; on the pages
  the choice is kept in the session (the « Caisse : … » selector of the header), and the API
  takes it on each call. Without a choice: the installation's caisse.
- An unknown code asked by a network user is « introuvable » (404).

Pages get it through :class:`CaisseMiddleware` (which checks ``?caisse=`` on every page, before
any view, and keeps the network user's choice) and :func:`request_caisse`; the API calls
:func:`caisse_for` with the token's user.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from cpog.contract.model import Contract
from cpog.store.contracts import (
    caisses,
    contract_id_of_caisse,
    contract_of_caisse,
    current_contract,
    default_caisse_code,
)
from cpog.store.models import ContractVersion
from cpog.web.middleware import API_PREFIX
from cpog.web.roles import caisse_of_user

PARAMETER = "caisse"
SESSION_KEY = "cpog_caisse"
_RESOLVED = "_cpog_caisse_code"
_CONTRACT = "_cpog_caisse_contract"


class CaisseRefused(PermissionDenied):
    """A caisse user asked for another caisse's figures."""


class UnknownCaisse(Http404):
    """No contract of this caisse in the store."""


def refusal(mine: str, asked: str) -> str:
    return (
        f"Accès refusé à la caisse « {asked} » : votre compte est limité à la caisse « {mine} ». "
        "Seuls les comptes du réseau voient les autres caisses."
    )


def unknown(asked: str) -> str:
    return f"Caisse inconnue : « {asked} » (aucun contrat de cette caisse dans la base)."


def caisse_for(user: Any, asked: str | None, remembered: str | None = None) -> str:
    """The caisse ``user`` reads when asking ``asked`` (``?caisse=``), ``remembered`` being a
    network user's earlier choice. Raises :class:`CaisseRefused` or :class:`UnknownCaisse`."""
    asked = (asked or "").strip()
    mine = caisse_of_user(user)
    if mine is not None:  # a caisse user: their caisse, whatever else is asked
        if asked and asked != mine:
            raise CaisseRefused(refusal(mine, asked))
        return mine
    if asked:
        if asked not in known_codes():
            raise UnknownCaisse(unknown(asked))
        return asked
    if remembered and remembered in known_codes():
        return remembered
    return default_caisse_code()


def contract_for(code: str) -> tuple[ContractVersion, Contract]:
    """The current contract of the caisse ``code`` (no code: the store's default, whose absence
    is told as « no contract loaded »)."""
    return contract_of_caisse(code) if code else current_contract()


def known_codes() -> set[str]:
    return {entry.code for entry in caisses()}


def request_caisse(request: HttpRequest) -> str:
    """The caisse of this page request (resolved once per request)."""
    found = getattr(request, _RESOLVED, None)
    if found is None:
        session = getattr(request, "session", None)
        remembered = session.get(SESSION_KEY) if session is not None else None
        found = caisse_for(request.user, request.GET.get(PARAMETER), remembered)
        if (
            session is not None
            and request.GET.get(PARAMETER)
            and caisse_of_user(request.user) is None
        ):
            session[SESSION_KEY] = found
        setattr(request, _RESOLVED, found)
    return str(found)


def request_contract(request: HttpRequest) -> tuple[str, str | None]:
    """The caisse of the request and the id of its current contract (None: none loaded)."""
    found = getattr(request, _CONTRACT, None)
    if found is None:
        code = request_caisse(request)
        found = (code, contract_id_of_caisse(code))
        setattr(request, _CONTRACT, found)
    return found


def resolved_caisse(request: HttpRequest) -> str | None:
    """The caisse already resolved for this request, if any (error pages must not resolve)."""
    return getattr(request, _RESOLVED, None)


class CaisseMiddleware:
    """Checks ``?caisse=`` on every page of a signed-in user before any view runs, so that no
    route, even one that shows no figure, answers a caisse user asking another caisse with
    anything but 403. The API resolves its own (its user is the token's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            PARAMETER in request.GET
            and not request.path.startswith(API_PREFIX)
            and getattr(request.user, "is_authenticated", False)
        ):
            request_caisse(request)
        return self.get_response(request)
