"""A production install step by step (decision 022) on a store of its own, in a process started with
``CPOG_PRODUCTION=1`` (settings are read once per process): no command but ``cpog migrate``
migrates, a worker refuses a schema behind, ``cpog init`` makes the first administrator without
ever printing the password, demo data is refused, and ``cpog serve`` refuses a store that is not
ready. The steps run in one process (the command line in-process, :meth:`IsolatedStore.python`),
as an IT engineer runs them one after the other."""

from __future__ import annotations

import dataclasses
import gzip
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from isolated_store import IsolatedStore, free_port, isolated_store

PASSWORD = "Pilotage-des-objectifs-2026"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[IsolatedStore]:
    """A new, unmigrated store whose code runs in production."""
    with isolated_store(tmp_path, "production", load=False) as new:
        yield dataclasses.replace(
            new, env={**new.env, "CPOG_PRODUCTION": "1", "CPOG_USER": "dsi:installation"}
        )


_HELPERS = """
import io, re, sys
from django.db import connection

def flat(text):
    return " ".join(text.split())

def tables():
    return connection.introspection.table_names()

def counts():
    from django.contrib.auth.models import User
    from cpog.store.models import AuditEvent, ContractVersion, Measurement
    return {
        "contracts": ContractVersion.objects.count(),
        "users": User.objects.count(),
        "values": Measurement.objects.count(),
        "events": AuditEvent.objects.count(),
    }

def piped(text, *args):
    # the command with standard input from a pipe, not a terminal
    sys.stdin = io.StringIO(text)
    try:
        return cli(*args)
    finally:
        sys.stdin = sys.__stdin__

steps = {}
"""

NOTHING = {"contracts": 0, "users": 0, "values": 0, "events": 0}


def _steps(store: IsolatedStore, code: str) -> dict[str, Any]:
    return dict(store.python(_HELPERS + code + "\nresult = steps\n", timeout=240))


def test_an_install_step_by_step(store: IsolatedStore, tmp_path: Path) -> None:
    secret = tmp_path / "mot-de-passe"
    secret.write_text(f"  {PASSWORD}  \nseconde ligne ignorée\n", encoding="utf-8")
    weak = tmp_path / "faible"
    weak.write_text("12345678\n", encoding="utf-8")
    port = free_port()
    steps = _steps(
        store,
        f"""
from cpog.store.bootstrap import SchemaBehind
try:
    import cpog.web.wsgi  # a worker starting on the schema behind
    steps["wsgi"] = "started"
except SchemaBehind as error:
    steps["wsgi"] = str(error)
steps["status"] = cli("status")
steps["tables after status"] = tables()
steps["verifier behind"] = cli("migrate", "--verifier")
steps["tables after verifier"] = tables()
steps["serve behind"] = cli("serve", "--port", "{port}", "--workers", "1")
steps["migrate"] = cli("migrate")
steps["verifier"] = cli("migrate", "--verifier")
steps["migrate again"] = cli("migrate")
steps["serve new"] = cli("serve", "--port", "{port}", "--workers", "1")
steps["demo"] = cli("demo")
steps["network demo"] = cli("demo", "--caisses", "3")
steps["init piped"] = piped("{PASSWORD}\\n{PASSWORD}\\n", "init")
steps["init weak"] = cli("init", "--admin", "dsi", "--mot-de-passe-fichier", {str(weak)!r})
steps["after refusals"] = counts()
steps["init"] = cli("init", "--mot-de-passe-fichier", {str(secret)!r})
from django.contrib.auth.models import Group, User
from cpog.store.models import AuditEvent
admin = User.objects.get(username="admin")
event = AuditEvent.objects.get(entity_type="user_account", entity_id="admin")
steps["account"] = {{
    "superuser": admin.is_superuser,
    "password": admin.check_password({PASSWORD!r}),
    "groups": sorted(Group.objects.values_list("name", flat=True)),
    "audited by": event.user,
    "password in the audit": {PASSWORD!r} in str(event.after),
    "values": counts()["values"],
}}
before = fingerprint()
steps["init again"] = cli("init", "--mot-de-passe-fichier", {str(secret)!r})
steps["unchanged"] = fingerprint() == before
steps["serve without static"] = cli("serve", "--port", "{port}", "--workers", "1")
# an upgrade installed, its migration not yet applied: a backup is still allowed
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.loader import MigrationLoader
recorder = MigrationRecorder(connection)
[latest] = MigrationLoader(connection).graph.leaf_nodes("web")  # the newest of the app
recorder.record_unapplied(*latest)
steps["latest"] = ".".join(latest)
steps["status behind by one"] = cli("status")
steps["backup behind"] = cli("backup", {str(tmp_path / "sauvegarde")!r})
steps["verifier behind by one"] = cli("migrate", "--verifier")
recorder.record_applied(*latest)
# that backup restored: the restore does not migrate it either
steps["restore behind"] = cli("restore", {str(tmp_path / "sauvegarde")!r}, "--remplacer")
steps["verifier after restore"] = cli("migrate", "--verifier")
recorder.record_applied(*latest)
""",
    )
    # a worker refuses a schema behind; no command migrates it, and nothing is written
    assert "migration(s) en retard : lancez « cpog migrate »" in steps["wsgi"]
    code, out, err = steps["status"]
    assert code == 1
    message = " ".join(err.split())
    assert re.search(r"Le schéma de la base a \d+ migration\(s\) en retard", message), message
    assert "lancez « cpog migrate » (voir docs/deploy.md)" in message
    assert "Traceback" not in err
    assert steps["tables after status"] == []
    code, _, err = steps["verifier behind"]
    assert code == 1 and "store.0001_initial" in err
    assert steps["tables after verifier"] == []
    code, _, err = steps["serve behind"]
    assert code == 1 and "lancez « cpog migrate »" in " ".join(err.split())
    # cpog migrate applies and tells; then the check and a second run say it is up to date
    code, out, _ = steps["migrate"]
    assert code == 0
    assert "migration(s) appliquée(s) :" in out
    assert "store.0001_initial" in out and "web.0004_user_scope" in out
    code, out, _ = steps["verifier"]
    assert code == 0 and "Le schéma de la base est à jour" in out
    code, out, _ = steps["migrate again"]
    assert code == 0 and "aucune migration à appliquer" in out
    # a new store is neither served nor filled with demo data
    code, out, err = steps["serve new"]
    assert code == 1
    assert "Base non initialisée : lancez « cpog init » (voir docs/deploy.md)." in " ".join(
        err.split()
    )
    assert "mot de passe" not in out
    for name in ("demo", "network demo"):
        code, _, err = steps[name]
        assert code == 1
        assert "ne sont jamais chargées en production" in " ".join(err.split())
    # init: no terminal without a file, a weak password: refused in French, nothing written
    code, out, err = steps["init piped"]
    assert code == 1
    assert "Pas de terminal" in err and "--mot-de-passe-fichier" in err
    code, out, err = steps["init weak"]
    assert code == 1
    assert "Mot de passe refusé" in err
    assert "trop court" in err and "entièrement numérique" in err
    assert "12345678" not in out + err
    assert steps["after refusals"] == NOTHING
    # init from a file: contract, roles, administrator; the password never printed
    code, out, err = steps["init"]
    assert code == 0, err
    assert PASSWORD not in out + err
    said = " ".join(out.split())
    assert "Contrat « caf-deux-sevres-2023-2027 » chargé (version 1)." in said
    assert "Rôles créés : controle_gestion, pilote, lecteur." in said
    assert "Compte administrateur « admin » créé" in said
    assert steps["account"] == {
        "superuser": True,
        "password": True,  # the file's first line, spaces around it dropped
        "groups": ["controle_gestion", "lecteur", "pilote"],
        "audited by": "dsi:installation",
        "password in the audit": False,
        "values": 0,  # no demonstration data
    }
    # a second run changes nothing and says what is there
    code, out, _ = steps["init again"]
    assert code == 0
    said = " ".join(out.split())
    assert "Contrat déjà chargé" in said and "Rôles déjà présents." in said
    assert "Le compte « admin » existe déjà : inchangé." in said
    assert "Base déjà initialisée : rien n'a été changé." in said
    assert steps["unchanged"] is True
    # initialised, but the static files are not collected: still not served
    code, _, err = steps["serve without static"]
    assert code == 1 and "lancez « cpog static »" in " ".join(err.split())
    # one migration behind (an upgrade installed): refused, but a backup is allowed
    code, _, err = steps["status behind by one"]
    assert code == 1
    assert "Le schéma de la base a 1 migration(s) en retard" in " ".join(err.split())
    code, _, err = steps["backup behind"]
    assert code == 0, err
    assert (tmp_path / "sauvegarde").is_file()
    code, _, err = steps["verifier behind by one"]
    assert code == 1 and steps["latest"] in err
    code, out, err = steps["restore behind"]
    assert code == 0, err
    assert "Le schéma de la base a 1 migration(s) en retard" in " ".join(out.split())
    code, _, err = steps["verifier after restore"]
    assert code == 1 and steps["latest"] in err


def test_served_in_production_with_hashed_compressed_static_files(
    store: IsolatedStore, tmp_path: Path
) -> None:
    """After ``cpog migrate``, ``cpog static`` and ``cpog init``, ``cpog serve`` starts without
    printing a password or loading demo data; pages name the static files by their hash, served
    with a far-future Cache-Control, gzip-compressed when asked."""
    secret = tmp_path / "mot-de-passe"
    secret.write_text(PASSWORD, encoding="utf-8")
    steps = _steps(
        store,
        f"""
for name, args in (
    ("migrate", ["migrate"]),
    ("static", ["static"]),
    ("init", ["init", "--mot-de-passe-fichier", {str(secret)!r}]),
):
    steps[name] = cli(*args)
""",
    )
    for name in ("migrate", "static", "init"):
        assert steps[name][0] == 0, steps[name]
    assert "fichiers statiques collectés dans" in steps["static"][1]
    assert (store.data_dir / "static" / "staticfiles.json").is_file()  # CPOG_DATA_DIR/static
    port = free_port()
    env = {**store.env, "CPOG_SSL_REDIRECT": "0", "PYTHONUNBUFFERED": "1"}  # no TLS proxy here
    server = subprocess.Popen(
        [sys.executable, "-m", "cpog.cli.main", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, server.communicate()
            try:
                with urllib.request.urlopen(f"{base}/connexion/", timeout=10) as response:
                    page = response.read().decode()
                    break
            except OSError:
                assert time.monotonic() < deadline, "le serveur ne répond pas"
                time.sleep(0.3)
        css = re.search(r'href="(/static/cpog/cpog\.[0-9a-f]{12}\.css)"', page)
        assert css is not None, page[:2000]
        request = urllib.request.Request(base + css.group(1), headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=10) as response:
            cache = response.headers["Cache-Control"]
            encoding = response.headers.get("Content-Encoding")
            body = gzip.decompress(response.read()).decode()
        max_age = re.search(r"max-age=(\d+)", cache)
        assert max_age is not None and int(max_age.group(1)) >= 31536000, cache
        assert "immutable" in cache
        assert encoding == "gzip"
        assert body.lstrip().startswith(("/*", ":root"))  # the style sheet itself
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=60)
    assert "Traceback" not in err
    assert PASSWORD not in out + err
    assert "mot de passe" not in out and "démonstration" not in out
    assert "cpog est servi sur" in out
