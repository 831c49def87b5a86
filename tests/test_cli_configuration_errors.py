"""A bad setting or an unreachable database stops a command with one French line (exit code 2
or 1), never a Python traceback, and never the database password."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path


def _cpog(tmp_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CPOG_", "DATABASE_URL"))}
    env.update(CPOG_DATA_DIR=str(tmp_path / "data"), CPOG_TODAY="27/11/2026", **environment)
    return subprocess.run(
        [sys.executable, "-m", "cpog.cli.main", "status"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_bad_setting_is_one_french_line(tmp_path: Path) -> None:
    done = _cpog(tmp_path, CPOG_LOG_LEVEL="BAVARD")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "Configuration : CPOG_LOG_LEVEL='BAVARD' : valeur inconnue ; valeurs possibles : DEBUG,"
        " INFO, WARNING, ERROR, CRITICAL (par défaut INFO)."
    ]


def test_an_unreachable_database_is_named_without_its_password(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = _cpog(tmp_path, DATABASE_URL=f"postgres://cpog:motdepasse@127.0.0.1:{port}/cpog")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"Base de données injoignable (PostgreSQL 127.0.0.1:{port}/cpog)" in done.stderr
    assert "motdepasse" not in done.stderr + done.stdout


def test_a_flag_is_zero_or_one(tmp_path: Path) -> None:
    """« CPOG_EMAIL_TLS=1   # STARTTLS » pasted into a systemd environment file is the value
    « 1   # STARTTLS »: refused, rather than silently read as off."""
    done = _cpog(tmp_path, CPOG_EMAIL_TLS="1   # STARTTLS")
    assert done.returncode == 2
    assert "CPOG_EMAIL_TLS='1   # STARTTLS' : 0 ou 1 attendu" in done.stderr


def test_production_refuses_the_example_secret_key(tmp_path: Path) -> None:
    for key in ("A_REMPLACER_PAR_UNE_VALEUR_ALEATOIRE", "courte"):
        done = _cpog(tmp_path, CPOG_PRODUCTION="1", CPOG_SECRET_KEY=key)
        assert done.returncode == 2
        assert "CPOG_SECRET_KEY est trop courte ou est celle de l'exemple" in done.stderr
