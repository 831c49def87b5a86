"""/sante (decision 024): the database and the data folder checked, 200 or 503 in French, for
anyone, never cached, never a traceback nor a secret."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cpog.web.proxy import parse_networks


def test_a_healthy_installation_answers_200_to_anyone(
    db: None, settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    response = Client().get("/sante")
    assert response.status_code == 200, response.content
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["statut"] == "ok" and body["version"] == version("cpog")
    assert body["verifications"]["base"] == {"statut": "ok"}
    data = body["verifications"]["donnees"]
    assert data["statut"] == "ok" and data["espace_libre_octets"] > 0
    assert data["espace_libre"].endswith(" Gio") and "," in data["espace_libre"]
    assert list(tmp_path.iterdir()) == []  # the probe file is removed
    assert Client().get("/sante/").status_code == 200


def test_head_works_and_other_methods_are_refused(db: None, settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    head = Client().head("/sante")
    assert head.status_code == 200 and head.content == b""
    assert Client().post("/sante").status_code == 405


def _read_only_folder(tmp_path: Path) -> Path:
    """A folder nobody may write in: /proc under root (who ignores permissions), else a folder
    without the write permission."""
    if os.geteuid() == 0:
        return Path("/proc")
    folder = tmp_path / "lecture-seule"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


def test_a_data_folder_that_cannot_be_written_gives_503(
    db: None, settings: Any, tmp_path: Path, capsys: Any
) -> None:
    settings.DATA_DIR = _read_only_folder(tmp_path)
    settings.TRUSTED_PROXIES = parse_networks("CPOG_TRUSTED_PROXIES", "127.0.0.1")  # its id kept
    response = Client().get("/sante", HTTP_X_REQUEST_ID="sonde-1")
    assert response.status_code == 503
    body = response.json()
    assert body["statut"] == "erreur"
    assert body["verifications"]["base"] == {"statut": "ok"}
    assert body["verifications"]["donnees"] == {
        "statut": "erreur",
        "message": "Dossier des données non inscriptible.",
    }
    assert str(settings.DATA_DIR) not in response.content.decode()  # no path to a stranger
    err = capsys.readouterr().err
    assert (
        "WARNING cpog.web.views.health sonde-1 Santé : dossier des données non inscriptible" in err
    )
    assert "ERROR django.request sonde-1 Service Unavailable: /sante" in err
    assert "cpog.acces sonde-1 GET /sante 503 " in err  # a failed check is in the access log


def test_a_missing_data_folder_gives_503(db: None, settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "absent"
    response = Client().get("/sante")
    assert response.status_code == 503
    assert response.json()["verifications"]["donnees"]["message"] == "Dossier des données absent."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


PROBE = """
import django, json
django.setup()
from django.test import Client

from cpog.web.proxy import parse_networks
response = Client().get("/sante")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def _probe(tmp_path: Path, database_url: str) -> tuple[dict[str, Any], str]:
    """/sante asked in a process of its own, on a database of its own."""
    env = dict(
        os.environ,
        CPOG_DATA_DIR=str(tmp_path),
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="cpog.settings",
        CPOG_ALLOWED_HOSTS="testserver",
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def test_an_unreachable_database_gives_503_without_its_address(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens there
    result, err = _probe(tmp_path, f"postgres://cpog:motdepasse-secret@127.0.0.1:{port}/cpog")
    assert result["status"] == 503
    assert result["body"]["verifications"]["base"] == {
        "statut": "erreur",
        "message": "Base de données injoignable.",
    }
    assert result["body"]["verifications"]["donnees"]["statut"] == "ok"
    shown = json.dumps(result["body"])
    assert str(port) not in shown and "motdepasse" not in shown and "Traceback" not in err
    assert "Santé : base de données injoignable" in err  # the reason, for IT, in the log


def test_a_database_behind_the_code_gives_503(tmp_path: Path) -> None:
    result, _ = _probe(tmp_path, f"sqlite:///{tmp_path / 'vide.sqlite3'}")  # never migrated
    assert result["status"] == 503
    message = result["body"]["verifications"]["base"]["message"]
    assert message.startswith("Schéma de la base en retard : ") and "(cpog migrate)" in message


@pytest.mark.parametrize("path", ["/sante", "/sante/"])
def test_no_login_nor_caisse_is_asked(db: None, settings: Any, tmp_path: Path, path: str) -> None:
    settings.DATA_DIR = tmp_path
    response = Client().get(path + "?caisse=971")
    assert response.status_code == 200 and response.json()["statut"] == "ok"
