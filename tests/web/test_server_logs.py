"""The logs of the real servers of ``cpog serve`` (decision 024): under gunicorn's processes a
500's traceback reaches stderr with its request id; under waitress's single thread, fifty
requests at once write their fifty access lines (JSON lines here) and no « Task queue depth »
warning (issue 13 counted 39 000 of them in ten minutes)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO

import pytest
from obs_failing_urls import MARKER

if sys.platform == "win32":  # pragma: no cover - gunicorn needs fork
    pytest.skip("plusieurs processus : Linux et macOS seulement", allow_module_level=True)

HERE = Path(__file__).parent
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store for the module: migrated by the first server, reused by the next."""
    return tmp_path_factory.mktemp("serveur")


class Server:
    def __init__(self, data_dir: Path, *options: str, log_format: str = "texte") -> None:
        self.port = _free_port()
        self.err_path = data_dir / f"stderr-{self.port}.txt"
        env = dict(
            os.environ,
            CPOG_DATA_DIR=str(data_dir),
            DATABASE_URL=f"sqlite:///{data_dir / 'cpog.sqlite3'}",
            DJANGO_SETTINGS_MODULE="obs_server_settings",
            PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
            PYTHONUNBUFFERED="1",
            CPOG_LOG_FORMAT=log_format,
            CPOG_TRUSTED_PROXIES="127.0.0.1",  # the test plays the proxy: its X-Request-ID kept
        )
        self.out: IO[str] = (data_dir / f"stdout-{self.port}.txt").open("w")
        self.err: IO[str] = self.err_path.open("w")
        command = [sys.executable, "-m", "cpog.cli.main", "serve", "--sans-demo"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port), *options],
            env=env,
            stdout=self.out,
            stderr=self.err,
        )
        self._wait_ready()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 120  # a new store is migrated first
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.err_path.read_text()
            try:
                with urllib.request.urlopen(self.url("/sante"), timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.process.kill()
        raise AssertionError("le serveur ne répond pas")

    def get(self, path: str, request_id: str = "") -> tuple[int, str, str]:
        headers = {"X-Request-ID": request_id} if request_id else {}
        request = urllib.request.Request(self.url(path), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, answer.headers["X-Request-ID"], answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["X-Request-ID"], error.read().decode()

    def stop(self) -> str:
        """Stops the server (SIGTERM: exit code 0); its whole stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        self.out.close()
        self.err.close()
        assert self.process.returncode == 0, self.err_path.read_text()
        return self.err_path.read_text()


@pytest.fixture
def start(data_dir: Path) -> Iterator[type[Server]]:
    started: list[Server] = []

    class Started(Server):
        def __init__(self, *options: str, log_format: str = "texte") -> None:
            super().__init__(data_dir, *options, log_format=log_format)
            started.append(self)

    yield Started  # type: ignore[misc]
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()


def test_fifty_requests_on_one_thread_write_fifty_lines_and_no_queue_warning(
    start: type[Server],
) -> None:
    server = start("--workers", "1", "--threads", "1", log_format="json")  # waitress
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda n: server.get("/connexion/", f"charge-{n}"), range(50)))
    assert [status for status, _, _ in answers] == [200] * 50
    err = server.stop()
    assert "Task queue depth" not in err and "queue" not in err.lower()
    # every line is one JSON object (CPOG_LOG_FORMAT=json)
    entries = [json.loads(line) for line in err.splitlines()]
    access = [entry for entry in entries if entry["logger"] == "cpog.acces"]
    assert sorted(entry["request_id"] for entry in access) == sorted(
        f"charge-{n}" for n in range(50)
    )
    for entry in access:
        assert re.fullmatch(ISO, entry["time"]) and entry["level"] == "INFO"
        assert entry["http"]["path"] == "/connexion/" and entry["http"]["status"] == 200
        assert entry["http"]["user"] == "-" and entry["http"]["client"] == "127.0.0.1"
    # beyond the access lines, a handful at most
    assert len(entries) <= len(access) + 5, err


def test_a_500_under_gunicorns_processes_reaches_stderr_with_its_id(
    start: type[Server],
) -> None:
    server = start("--workers", "2", "--threads", "2")  # gunicorn
    status, given, page = server.get("/panne/", "incident-gunicorn-1")
    assert status == 500 and given == "incident-gunicorn-1"
    assert "Identifiant de l'incident : <strong><code>incident-gunicorn-1</code></strong>" in page
    status, made, body = server.get("/api/panne/")
    assert (
        status == 500 and f'"identifiant": "{made}"' in body and re.fullmatch(r"[0-9a-f]{32}", made)
    )
    err = server.stop()
    for incident, path in (("incident-gunicorn-1", "/panne/"), (made, "/api/panne/")):
        logged = re.search(
            ISO + rf" ERROR django\.request {incident} Internal Server Error: {path}\n"
            r"Traceback \(most recent call last\):\n(.*\n)+?RuntimeError: " + MARKER,
            err,
        )
        assert logged is not None, err
        assert err.count(f"cpog.acces {incident} GET {path} 500 ") == 1  # once, not gunicorn's too
