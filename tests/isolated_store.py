"""A store of its own, outside pytest-django's test database, for tests that need other processes
on the same data: a multi-process server (concurrency), a killed import (crash safety), a backup
restored elsewhere.

The store is a SQLite file in the test's tmp folder, or, when ``DATABASE_URL`` names PostgreSQL
(``make test``'s second run), a fresh database named after it (``<name>_<suffix>``), dropped at
the end. Code runs against it in subprocesses (:meth:`IsolatedStore.python`,
:meth:`IsolatedStore.cpog`), never in the test process, whose Django is bound to the test
database.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

CPOG = [sys.executable, "-m", "cpog.cli.main"]

_PRELUDE = """\
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpog.settings")
django.setup()

def cli(*args):
    # the command line, run in this process: [exit code, stdout, stderr]
    import contextlib, io
    from cpog.cli.main import run
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(list(args))
    return [code, out.getvalue(), err.getvalue()]

def fingerprint():
    # every row of every table of the app, sorted by key
    from django.apps import apps
    from django.core import serializers
    found = {}
    for model in apps.get_models():
        rows = serializers.serialize("python", model.objects.order_by("pk"))
        found[model._meta.label] = json.loads(json.dumps(rows, default=str))
    return found
"""


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _admin_connect(url: str) -> Any:
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


@dataclass
class IsolatedStore:
    env: dict[str, str]
    vendor: str  # "sqlite" or "postgresql"
    data_dir: Path
    database: str  # SQLite file path or PostgreSQL database name

    def python(self, code: str, timeout: float = 120) -> Any:
        """Run ``code`` with Django set up on this store; return the JSON of its ``result``.
        The code may call ``cli(*args)`` (the command line in the same process: exit code,
        stdout, stderr) and ``fingerprint()`` (see :meth:`fingerprint`)."""
        script = _PRELUDE + textwrap.dedent(code) + "\nprint(json.dumps(result, default=str))\n"
        done = subprocess.run(
            [sys.executable, "-c", script],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def cpog(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CPOG, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def fingerprint(self, before: str = "") -> dict[str, Any]:
        """Every row of every table of the app, sorted: two stores with the same fingerprint hold
        the same data (values, targets, audit trail, actions, users, tokens, sessions).
        ``before``: code run first in the same process (a subprocess costs seconds)."""
        return self.python(textwrap.dedent(before) + "\nresult = fingerprint()\n")


def _env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "DJANGO")) and k != "DATABASE_URL"
    }
    # CPOG_TODAY comes from the environment, pinned for every test by tests/conftest.py.
    env.update(
        DATABASE_URL=database_url,
        CPOG_DATA_DIR=str(data_dir),
        CPOG_SECRET_KEY="cle-de-test-des-stores-isoles-" + "x" * 30,
        DJANGO_SETTINGS_MODULE="cpog.settings",
        CPOG_USER="test:isole",
    )
    return env


@contextmanager
def isolated_store(tmp_path: Path, suffix: str, *, load: bool = True) -> Iterator[IsolatedStore]:
    """An empty store (migrated, the shipped contract loaded when ``load``)."""
    data_dir = tmp_path / f"data-{suffix}"
    data_dir.mkdir()
    pg = postgres_url()
    if pg is None:
        path = data_dir / "cpog.sqlite3"
        store = IsolatedStore(_env(f"sqlite:///{path}", data_dir), "sqlite", data_dir, str(path))
        if load:
            _load(store)
        yield store
        return
    parts = urlsplit(pg)
    # the worker's name too: two test processes (pytest-xdist) never share a database
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = "_".join(filter(None, [parts.path.lstrip("/") or "cpog", suffix, worker]))
    with _admin_connect(pg) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    store = IsolatedStore(
        _env(urlunsplit(parts._replace(path=f"/{name}")), data_dir), "postgresql", data_dir, name
    )
    try:
        if load:
            _load(store)
        yield store
    finally:
        with _admin_connect(pg) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _load(store: IsolatedStore) -> None:
    done = store.cpog("load")
    assert done.returncode == 0, done.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(store: IsolatedStore, workers: int = 2, threads: int = 4) -> Iterator[str]:
    """The app behind gunicorn, several processes on this store; yields its base URL."""
    port = free_port()
    log = (store.data_dir / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cpog.web.wsgi:application",
            f"--workers={workers}",
            f"--threads={threads}",
            f"--bind=127.0.0.1:{port}",
            "--timeout=60",
        ],
        env=store.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (store.data_dir / "gunicorn.log").read_text()
            try:
                with urllib.request.urlopen(f"{base}/connexion/", timeout=30) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            assert time.monotonic() < deadline, "le serveur ne démarre pas"
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
