"""/sante: is this cpog able to serve? For a supervisor (decision 024).

Checks the database (it answers, its schema has no pending migration) and the data folder (it
exists, a file can be written and removed in it; its free space is reported). 200 with
``{"statut": "ok", …}`` or 503 naming, in French, the check that failed. No login, never cached,
no page computed, never a traceback nor a secret in the answer: the reason of a failure goes to
the log, with the request id.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from functools import cache
from importlib.metadata import version
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cpog.formatting import fr_number

OK = "ok"
FAILED = "erreur"
_log = logging.getLogger(__name__)


@cache
def _migrations_on_disk() -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
    """Every migration of the code, with those it replaces (a squashed one): read once per
    process, the code does not change under it."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {
        key: tuple(tuple(pair) for pair in (loader.graph.nodes[key].replaces or ()))
        for key in loader.graph.nodes
    }


def pending_migrations() -> list[str]:
    """The migrations of the code not yet applied to the database (``app.name``)."""
    applied = set(MigrationRecorder(connection).applied_migrations())
    return sorted(
        f"{app}.{name}"
        for (app, name), replaced in _migrations_on_disk().items()
        if (app, name) not in applied and not (replaced and set(replaced) <= applied)
    )


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        pending = pending_migrations()
    except DatabaseError as error:
        # the driver's text may name the host or the account: in the log only
        _log.warning("Santé : base de données injoignable (%s).", error)
        return {"statut": FAILED, "message": "Base de données injoignable."}
    if pending:
        return {
            "statut": FAILED,
            "message": f"Schéma de la base en retard : {len(pending)} migration(s) à appliquer"
            " (cpog migrate).",
        }
    return {"statut": OK}


def _data_folder() -> dict[str, Any]:
    folder = settings.DATA_DIR
    if not folder.is_dir():
        _log.warning("Santé : dossier des données absent (%s).", folder)
        return {"statut": FAILED, "message": "Dossier des données absent."}
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".sante-"):
            pass
    except OSError as error:
        _log.warning("Santé : dossier des données non inscriptible (%s).", error)
        return {"statut": FAILED, "message": "Dossier des données non inscriptible."}
    free = shutil.disk_usage(folder).free
    return {
        "statut": OK,
        "espace_libre_octets": free,
        "espace_libre": f"{fr_number(free / 1024**3, 1)} Gio",
    }


@never_cache
@require_safe  # GET and HEAD
def health(request: HttpRequest) -> JsonResponse:
    checks = {"base": _database(), "donnees": _data_folder()}
    healthy = all(check["statut"] == OK for check in checks.values())
    return JsonResponse(
        {
            "statut": OK if healthy else FAILED,
            "verifications": checks,
            "version": version("cpog"),  # the installed release, as « cpog --version »
        },
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )
