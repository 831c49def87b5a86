"""Error pages in French; never a traceback."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from cpog.logs import NO_REQUEST, current_request_id
from cpog.web.middleware import API_PREFIX
from cpog.web.scoping import UnknownCaisse


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = (
        str(exception)
        if exception and str(exception)
        else ("Votre rôle ne permet pas cette opération.")
    )
    return render(
        request, "web/error.html", {"title": "Accès refusé", "message": message}, status=403
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Only cpog's own French messages are shown (an unknown caisse), never Django's.
    message = (
        str(exception)
        if isinstance(exception, UnknownCaisse)
        else "Cette page n'existe pas ou plus."
    )
    return render(
        request, "web/error.html", {"title": "Page introuvable", "message": message}, status=404
    )


def _plain(context: dict[str, str], status: int) -> HttpResponse:
    """An error page rendered without the request: no context processor touches the database,
    which may be what failed."""
    return HttpResponse(loader.render_to_string("web/error_plain.html", context), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _plain(
        {
            "title": "Requête refusée",
            "message": "La requête n'a pas pu être traitée (formulaire trop volumineux ou adresse "
            "incorrecte). Revenez à la page précédente et réessayez.",
        },
        400,
    )


def internal_error_text(incident: str) -> str:
    """What the API answers for a 500, with the id to quote to IT."""
    return (
        "Erreur interne du serveur : elle a été consignée dans le journal du serveur avec "
        f"l'identifiant {incident}. Communiquez cet identifiant au service informatique."
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """A 500: Django has logged the traceback (logger ``django.request``) with the request id;
    the page shows that id so that a user can quote it to IT (decision 024)."""
    incident = current_request_id()
    shown = incident if incident != NO_REQUEST else ""
    if str(getattr(request, "path", "")).startswith(API_PREFIX):
        return JsonResponse(
            {
                "ok": False,
                "status": 500,
                "error": internal_error_text(shown or "inconnu"),
                "errors": [],
                "identifiant": shown,
            },
            status=500,
            json_dumps_params={"ensure_ascii": False},
        )
    return _plain(
        {
            "title": "Erreur du serveur",
            "message": "Une erreur inattendue s'est produite ; elle a été consignée dans le "
            "journal du serveur. Vérifiez dans l'historique ce qui a été enregistré avant de "
            "recommencer.",
            "incident": shown,
        },
        500,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _plain(
        {
            "title": "Accès refusé",
            "message": "Le formulaire a expiré ou ne vient pas de cette application (jeton CSRF "
            "absent ou invalide). Rechargez la page puis réessayez.",
        },
        403,
    )
