"""cpog's URL configuration plus routes that fail on purpose: tests only, never in production."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from cpog.web import urls

MARKER = "panne volontaire de test 7f3a"


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(MARKER)


urlpatterns = [
    path("panne/", broken),
    path("api/panne/", broken),
    *urls.urlpatterns,
]
handler400 = urls.handler400
handler403 = urls.handler403
handler404 = urls.handler404
handler500 = urls.handler500
