"""Error pages in French; never a traceback."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


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
    return render(
        request,
        "web/error.html",
        {"title": "Page introuvable", "message": "Cette page n'existe pas ou plus."},
        status=404,
    )
