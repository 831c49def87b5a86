"""The request id and the access log (decision 024).

:class:`RequestLogMiddleware` comes first: it takes the proxy's ``X-Request-ID`` when it is a sane
token, or makes one, keeps it in :data:`cpog.logs.request_id` for every log line of the request,
echoes it in the answer's ``X-Request-ID``, and writes one line per request on the logger
``cpog.acces`` (``CPOG_ACCESS_LOG=0`` turns it off). Static files and successful health checks are
written at DEBUG only, so that they do not flood the log.

The proxy's id is believed only from a trusted proxy (``CPOG_TRUSTED_PROXIES``, decision 023).
The path is written without its query string, and with the token of a password-reset link
(``/reinitialiser/<uidb64>/<token>/``, valid one hour) masked: whoever reads the log must not be
able to reset the account.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.encoding import escape_uri_path
from django.utils.log import log_response

from cpog.logs import ACCESS_LOGGER, mask_reset_token, request_id
from cpog.web import proxy

HEADER = "X-Request-ID"
_META = "HTTP_X_REQUEST_ID"
_SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_BLANK = re.compile(r"[\s\x00-\x1f\x7f]")
HEALTH_PATHS = ("/sante", "/sante/")

access_log = logging.getLogger(ACCESS_LOGGER)


def client_address(request: HttpRequest) -> str:
    """The client's address as logged: the trusted proxy's X-Forwarded-For, or the peer's
    (decision 023: the same address the login lockout uses)."""
    return proxy.client_address(request) or "-"


def incoming_id(request: HttpRequest) -> str:
    """The proxy's request id when the peer is a trusted proxy and the id a sane token (≤ 64 of
    ``A-Z a-z 0-9 . _ -``), else a new one: nothing a client sends can break a log line, nor pass
    its request for another one."""
    given = str(request.META.get(_META, ""))
    if _SANE.fullmatch(given) and proxy.peer_is_trusted(request):
        return given
    return uuid.uuid4().hex


def logged_path(path: str) -> str:
    """The path as logged: the token of a password-reset link masked
    (``/reinitialiser/MQ/…/``); the log's handler masks any other line too
    (:class:`cpog.logs.WithoutResetToken`)."""
    return mask_reset_token(path)


def _user_name(request: HttpRequest) -> str:
    # request.user is the session's (AuthenticationMiddleware) or the API token's (TokenAuth)
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        # one token on the line: no space, no line break from an identity provider's name
        return _BLANK.sub("_", str(user.get_username())) or "-"
    return "-"


def _size(response: HttpResponse) -> int | None:
    """The body's size in bytes; a streamed body's only when it declares it."""
    if getattr(response, "streaming", False):
        declared = str(response.get("Content-Length", ""))
        return int(declared) if declared.isdigit() else None
    return len(response.content)


def _quiet(request: HttpRequest, status: int) -> bool:
    """Static files and successful health checks: written at DEBUG only."""
    static = str(settings.STATIC_URL or "/static/")
    return request.path.startswith(static) or (request.path in HEALTH_PATHS and status < 400)


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.enabled = bool(getattr(settings, "ACCESS_LOG", True))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_id.set(incoming_id(request))
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id.get()
            if response.status_code >= 400:
                # what Django's handler would log once this middleware has returned, without
                # the request id: logged here, within the request (a 503 of /sante…)
                log_response(
                    "%s: %s",
                    response.reason_phrase,
                    logged_path(request.path),
                    response=response,
                    request=request,
                )
            if self.enabled:
                self._log(request, response, started)
            return response
        finally:
            request_id.reset(token)

    def _log(self, request: HttpRequest, response: HttpResponse, started: float) -> None:
        status = response.status_code
        level = logging.DEBUG if _quiet(request, status) else logging.INFO
        if not access_log.isEnabledFor(level):
            return
        duration = round((time.perf_counter() - started) * 1000)
        # no space nor line break can split the line; no reset token
        path = logged_path(escape_uri_path(request.path))
        size = _size(response)
        user = _user_name(request)
        client = client_address(request)
        # the path only: a query string may hold a token or a personal value
        access_log.log(
            level,
            "%s %s %s %s ms %s octets utilisateur=%s client=%s",
            request.method,
            path,
            status,
            duration,
            "-" if size is None else size,
            user,
            client,
            extra={
                "http": {
                    "method": request.method,
                    "path": path,
                    "status": status,
                    "duration_ms": duration,
                    "size": size,
                    "user": user,
                    "client": client,
                }
            },
        )
