"""A database connection dropped between two requests (a restart of PostgreSQL, a firewall) is
replaced at the next request instead of giving 500s until the process recycles it: connections
are kept a minute and checked before reuse (``CONN_HEALTH_CHECKS``, issue 13).

The connection is dropped for real, by PostgreSQL (``pg_terminate_backend``), between requests
served by Django's WSGI handler as a server calls it. PostgreSQL only (``DATABASE_URL``)."""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

pytestmark = pytest.mark.postgres
on_postgres = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="PostgreSQL seulement : lancez avec DATABASE_URL=postgres://…",
)


def test_connections_are_kept_and_checked() -> None:
    database = settings.DATABASES["default"]
    assert database["CONN_HEALTH_CHECKS"] is True and database["CONN_MAX_AGE"] > 0


def _serve(path: str, **headers: str) -> tuple[int, bytes]:
    """One request through Django's WSGI handler, as gunicorn or waitress make it."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()},
    }
    statuses: list[str] = []

    def start_response(
        status: str, response_headers: Any, exc_info: Any = None
    ) -> Callable[..., Any]:
        statuses.append(status)
        return lambda data: None

    result = WSGIHandler()(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()  # request_finished: the connection is kept, or closed if obsolete
    return int(statuses[0].split()[0]), body


def _terminate(pid: int) -> None:
    """Drops the backend ``pid`` from another connection, as a restart of PostgreSQL would."""
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
        deadline = time.monotonic() + 10
        while other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            assert time.monotonic() < deadline, "connexion non terminée"
            time.sleep(0.05)


def _backend_pid() -> int:
    assert connection.connection is not None, "la connexion n'a pas été gardée"
    return int(connection.connection.info.backend_pid)


@on_postgres
def test_a_connection_dropped_by_the_server_is_replaced_at_the_next_request(
    transactional_db: None,
) -> None:
    status, body = _serve("/sante")
    assert status == 200, body
    first = _backend_pid()  # kept after the request (CONN_MAX_AGE)
    _terminate(first)
    # a page reading the database (an API token looked up): refused, not a 500
    status, body = _serve("/api/v1/contract", Authorization="Bearer cpog_inconnu")
    assert status == 401, body
    second = _backend_pid()
    assert second != first
    _terminate(second)
    status, body = _serve("/sante")
    assert status == 200, body
    assert _backend_pid() not in (first, second)
