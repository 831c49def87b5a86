"""Serving the WSGI application: several gunicorn processes where the system can fork (Linux,
macOS), waitress's threads in one process on Windows or with ``--workers 1`` (decision 007).

The store is prepared (migrations, contract, demo data, first administrator) by ``cpog serve``
before this module is called, once, in the parent process: the workers only serve.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any

# A gunicorn worker that says nothing for this long is restarted; a web import of a large file is
# handled by a thread, so the worker's heartbeat goes on meanwhile.
WORKER_TIMEOUT = 120
GRACEFUL_TIMEOUT = 20


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


def default_workers() -> int:
    """One process per core (at least 2, at most 4) where gunicorn runs; one elsewhere."""
    if not can_fork():
        return 1
    return max(2, min(os.cpu_count() or 1, 4))


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _close_connections() -> None:
    """No database connection may cross a fork: each worker opens its own."""
    from django.db import connections

    connections.close_all()


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def stop_on_sigterm() -> None:
    """SIGTERM stops like Ctrl+C (KeyboardInterrupt), so that a stop during the preparation or
    the service ends cleanly, with exit code 0, rather than killed (« make: *** Error 143 »)."""
    signal.signal(signal.SIGTERM, _interrupt)


def serve_processes(
    application: Callable[..., Any],
    host: str,
    port: int,
    workers: int,
    threads: int,
    on_exit: Callable[[], None],
) -> None:
    """Run gunicorn's arbiter in this process: SIGTERM stops it gracefully, Ctrl+C at once; both
    end with exit code 0."""
    from gunicorn.app.base import BaseApplication

    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": True,  # the app is imported once, before the fork
        "timeout": WORKER_TIMEOUT,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "keepalive": 5,
        # gunicorn would believe X-Forwarded-Proto from 127.0.0.1 on its own; which proxy is
        # believed is decided in one place, CPOG_TRUSTED_PROXIES (cpog.web.proxy, decision 023)
        "secure_scheme_headers": {},
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",  # gunicorn's own lines are English: only its problems are shown
        "proc_name": "cpog",
        "pre_fork": lambda server, worker: _close_connections(),
        "on_exit": lambda server: on_exit(),
    }

    class Embedded(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self) -> Callable[..., Any]:
            return application

    _close_connections()
    Embedded().run()


def waitress_options(threads: int) -> dict[str, Any]:
    """waitress's settings. waitress would drop every X-Forwarded-* header itself (no
    ``trusted_proxy`` set), nginx's included: cpog.web.proxy is the one judge of which peer is
    believed (decision 023), so waitress passes them through, as gunicorn does."""
    return {"threads": threads, "ident": "cpog", "clear_untrusted_proxy_headers": False}


def serve_threads(
    application: Callable[..., Any],
    host: str,
    port: int,
    threads: int,
    on_exit: Callable[[], None],
) -> None:
    """waitress in this process; SIGTERM and Ctrl+C stop it quietly (exit code 0)."""
    from waitress import serve

    # waitress's « Task queue depth is 12 » is silenced by the logging settings (cpog.logs)
    stop_on_sigterm()
    with contextlib.suppress(KeyboardInterrupt):
        serve(application, host=host, port=port, **waitress_options(threads))
    on_exit()
