"""HEAD answers its GET's status and headers without a body (a supervision tool's HEAD must not
make gunicorn warn « WSGI app sent body bytes on a no-body response » on every call). Called
through the WSGI application itself: Django's test client strips HEAD bodies on its own."""

from __future__ import annotations

from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler


def _call(method: str, path: str) -> tuple[str, dict[str, str], bytes]:
    environ: dict[str, Any] = {"REQUEST_METHOD": method, "PATH_INFO": path}
    setup_testing_defaults(environ)
    environ["HTTP_HOST"] = "localhost"
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(WSGIHandler()(environ, start_response))
    return answer["status"], answer["headers"], body


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/connexion/", "/sante"])
def test_head_has_the_headers_of_get_and_no_body(path: str) -> None:
    status, headers, body = _call("GET", path)
    head_status, head_headers, head_body = _call("HEAD", path)
    assert body and head_body == b""
    assert head_status == status
    assert head_headers["Content-Length"] == str(len(body))
    assert head_headers["Content-Type"] == headers["Content-Type"]
