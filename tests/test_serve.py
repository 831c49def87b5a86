"""``cpog serve`` as it runs in production: several processes, prepared once, stopped cleanly,
and a write made through one process shown by every process at once."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

if sys.platform == "win32":  # pragma: no cover - gunicorn needs fork
    pytest.skip("plusieurs processus : Linux et macOS seulement", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(tmp_path: Path, *options: str) -> tuple[subprocess.Popen[str], int]:
    port = _free_port()
    env = dict(
        os.environ,
        CPOG_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'cpog.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "cpog.cli.main", "serve", "--port", str(port), *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 90  # a new store is migrated first
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/connexion/", timeout=5) as r:
                assert r.status == 200
                return server, port
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise AssertionError("le serveur ne répond pas")


def _stop(server: subprocess.Popen[str]) -> tuple[str, str]:
    server.send_signal(signal.SIGTERM)
    out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert "Traceback" not in err and "Traceback" not in out
    assert out.rstrip().endswith("cpog arrêté.")
    return out, err


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


class Browser:
    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return str(response.read().decode())

    def post(self, path: str, form: dict[str, str]) -> str:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path))
        assert token is not None
        data = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": token.group(1)}).encode()
        request = urllib.request.Request(self.base + path, data, headers={"Referer": self.base})
        with self.opener.open(request, timeout=60) as response:
            return str(response.read().decode())


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="/proc nécessaire (Linux)")
def test_two_processes_prepared_once_share_every_write_and_stop_cleanly(tmp_path: Path) -> None:
    server, port = _start(tmp_path, "--workers", "2", "--threads", "2", "--sans-demo")
    try:
        assert len(_children(server.pid)) == 2  # the workers, forked after the preparation
        browser = Browser(port)
        # the first administrator's password is printed once, by the parent, before serving
        out_so_far = ""
        while "cpog est servi" not in out_so_far:
            out_so_far += server.stdout.readline()  # type: ignore[union-attr]
        # alone on its line, so that no terminal cuts it, then how to change it
        password = re.search(r"mot de passe :\n\n    (\S+)\n\n", out_so_far)
        assert password is not None, out_so_far
        assert "Pour le changer : cpog user password admin" in out_so_far
        browser.post("/connexion/", {"username": "admin", "password": password.group(1)})
        page = "/indicateurs/cog-01-11/"
        # every worker builds and keeps the page before the write (new connection each time)
        for _ in range(12):
            assert "98,5" not in browser.get(page)
        browser.post(
            page,
            {"action": "value", "periode": "2025", "valeur": "98,5"} | {"statut": "provisional"},
        )
        for _ in range(12):
            assert "98,5" in browser.get(page)
            assert "98,5" in browser.get("/")  # the dashboard's latest updates
    finally:
        if server.poll() is None:
            out, _ = _stop(server)
        else:  # pragma: no cover - shown when the server died
            raise AssertionError(server.communicate())
    out = out_so_far + out
    assert out.count("Contrat des Deux-Sèvres chargé.") == 1
    assert out.count("Compte administrateur créé") == 1
    assert "2 processus de 2 fils" in out
    with sqlite3.connect(tmp_path / "cpog.sqlite3") as db:
        assert db.execute("select count(*) from store_contractversion").fetchone() == (1,)
        assert db.execute("select count(*) from auth_user where is_superuser").fetchone() == (1,)


def test_one_process_is_served_by_waitress_and_stops_cleanly(tmp_path: Path) -> None:
    server, _ = _start(tmp_path, "--workers", "1", "--sans-demo")
    out, _ = _stop(server)
    assert "1 processus de 8 fils" in out


def test_a_port_in_use_is_told_in_french(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "cpog.cli.main", "serve", "--port", str(port)],
            env=dict(os.environ, CPOG_DATA_DIR=str(tmp_path)),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"Le port {port} de 127.0.0.1 est déjà utilisé" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_stop_during_the_first_preparation_ends_cleanly(tmp_path: Path) -> None:
    """Ctrl+C or SIGTERM while a new store is prepared (migrations, demo data): exit code 0, no
    traceback, so that ``make run`` stopped early says no « Error 143 »."""
    env = dict(
        os.environ,
        CPOG_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'cpog.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "cpog.cli.main", "serve", "--port", str(_free_port())],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    assert server.stdout.readline().strip() == "Préparation de la base…"
    server.send_signal(signal.SIGTERM)
    out, err = server.communicate(timeout=60)
    assert server.returncode == 0, (out, err)
    assert "Traceback" not in err
    assert out.rstrip().endswith(("cpog arrêté avant d'être servi.", "cpog arrêté."))
