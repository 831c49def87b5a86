"""Content-Security-Policy: scripts and styles only from this server, no inline script."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


API_PREFIX = "/api/"
_API_PROBLEMS = {
    # Django answers these before the API sees the request (a body too big to read…).
    400: "Requête invalide : corps illisible ou trop volumineux.",
    413: "Corps de la requête trop volumineux.",
    404: "Adresse inconnue dans l'API : voyez /api/v1/docs.",
    405: "Méthode non permise pour cette adresse de l'API.",
}


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code in _API_PROBLEMS
            and ("json" not in response.get("Content-Type", ""))
        ):
            # The API answers with its JSON error shape, even where Django or ninja answer first.
            status = response.status_code
            allowed = response.get("Allow")
            response = JsonResponse(
                {"ok": False, "status": status, "error": _API_PROBLEMS[status], "errors": []},
                status=status,
            )
            if allowed:
                response["Allow"] = allowed
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class HeadWithoutBody:
    """A HEAD answer carries its GET's headers, Content-Length included, and no body (RFC 9110):
    Django leaves the body in, and gunicorn then warns on every HEAD of a supervision tool."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method == "HEAD" and not response.streaming:
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response
