"""The API's network routes, ``/api/v1/reseau/…``: the caisses of the store and one indicator
compared across them — the contexts of the « Réseau » pages (:mod:`cpog.contexts.network`).
Network users only: anyone else gets 403."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import P, QueryEx, Router

from cpog import clock
from cpog.contexts.network import ComparisonContext, NetworkContext, NetworkError
from cpog.periods import PeriodError, parse_period
from cpog.web import roles
from cpog.web.api import ERRORS, RESPONSES_FR, ApiProblem
from cpog.web.views.network import comparison_of, network_of

router = Router(tags=["Réseau"])

REFUSED = "Vous n'avez pas le droit de voir le réseau des caisses."


def _network_user(request: HttpRequest) -> None:
    user = request.auth  # type: ignore[attr-defined]
    if not roles.can_see_network(user):
        raise ApiProblem(403, REFUSED)


@router.get(
    "/caisses",
    response={200: NetworkContext, **ERRORS},
    by_alias=True,
    openapi_extra=RESPONSES_FR,
    summary="Les caisses du réseau",
    description="Chaque caisse de la base avec la synthèse de ses indicateurs à la date du "
    "jour : dans la trajectoire, à surveiller, en retard, sans valeur, date de la dernière "
    "valeur, groupe de pairs. Réservé aux utilisateurs du réseau (sinon 403).",
)
def list_caisses(request: HttpRequest) -> Any:
    _network_user(request)
    return network_of(clock.today())


@router.get(
    "/indicateurs/{indicator_id}",
    response={200: ComparisonContext, **ERRORS},
    by_alias=True,
    openapi_extra=RESPONSES_FR,
    summary="Un indicateur comparé entre les caisses",
    description="Pour l'indicateur (« COG 08-29 » ou « cog-08-29 ») et la période "
    "(« periode », la dernière renseignée par défaut) : la valeur de chaque caisse, son rang, "
    "son quartile, son statut, son groupe de pairs ; la valeur nationale (enregistrée, ou "
    "calculée par rapport des sommes) et les quartiles. Réservé aux utilisateurs du réseau.",
)
def compare_indicator(
    request: HttpRequest,
    indicator_id: str,
    periode: QueryEx[
        str | None, P(description="AAAA-MM, « mars 2025 », « 2025 »…", max_length=60)
    ] = None,
    caisse: QueryEx[str | None, P(description="Caisse mise en évidence.", max_length=20)] = None,
    groupe: QueryEx[
        str | None, P(description="Seulement ce groupe de pairs.", max_length=100)
    ] = None,
) -> Any:
    _network_user(request)
    try:
        period = parse_period(periode) if periode else None
    except PeriodError as error:
        raise ApiProblem(400, str(error)) from None
    try:
        return comparison_of(indicator_id, clock.today(), period, caisse, groupe)
    except NetworkError as error:
        raise ApiProblem(404, str(error)) from None
