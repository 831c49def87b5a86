"""Backing up and restoring the whole store (``cpog backup`` / ``cpog restore``).

One file holds everything: contract versions, values, targets, import batches, actions,
analyses, the audit trail, users, roles and tokens.

- SQLite: the online backup API (:meth:`sqlite3.Connection.backup`) copies the database page by
  page in one step under a read lock: the copy is consistent while the app keeps serving (WAL
  lets writers go on meanwhile). The backup is itself a SQLite database. Restoring copies it
  back the same way, replacing the store's content in one go.
- PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot too), restored with
  ``pg_restore --clean --if-exists --single-transaction``: everything or nothing.

A backup is written under a temporary name and renamed at the end, so an interrupted backup
never leaves a file that looks complete. A restore refuses to replace a store holding data
unless asked to (``replace``). After a restore, pending migrations are applied, so a backup of
an older version of cpog comes back up to date.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from cpog.errors import CpogError
from cpog.formatting import fr_number

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


class BackupError(CpogError):
    """A backup or a restore that cannot be done; nothing was changed."""


@dataclass(frozen=True)
class StoreSummary:
    contracts: int
    values: int
    targets: int
    events: int
    actions: int
    users: int

    @property
    def empty(self) -> bool:
        return not (self.contracts or self.values or self.targets or self.events or self.actions)

    def text(self) -> str:
        """« 1 version de contrat, 1 031 valeurs, 159 cibles, … »."""
        parts = [
            _count(self.contracts, "version de contrat", "versions de contrat"),
            _count(self.values, "valeur", "valeurs"),
            _count(self.targets, "cible", "cibles"),
            _count(self.actions, "action suivie", "actions suivies"),
            _count(self.events, "événement d'historique", "événements d'historique"),
            _count(self.users, "utilisateur", "utilisateurs"),
        ]
        return ", ".join(parts)


def _count(n: int, one: str, many: str) -> str:
    return f"{fr_number(n)} {one if n <= 1 else many}"


def summary() -> StoreSummary:
    from django.contrib.auth.models import User

    from cpog.store.models import ActionState, AuditEvent, ContractVersion, Measurement, Target

    return StoreSummary(
        contracts=ContractVersion.objects.count(),
        values=Measurement.objects.count(),
        targets=Target.objects.count(),
        events=AuditEvent.objects.count(),
        actions=ActionState.objects.count(),
        users=User.objects.count(),
    )


def _database() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


def _vendor() -> str:
    return connections["default"].vendor


def _size_text(path: Path) -> str:
    size = path.stat().st_size
    if size < 1024 * 1024:
        return f"{fr_number(round(size / 1024, 1))} Ko"
    return f"{fr_number(round(size / 1024 / 1024, 1))} Mo"


def backup(target: Path, *, replace: bool = False) -> str:
    """Write the whole store to ``target``; the French sentence telling what was written."""
    if target.exists() and not replace:
        raise BackupError(
            f"{target} existe déjà : choisissez un autre nom, ou relancez avec --remplacer "
            "pour l'écraser."
        )
    if target.is_dir():
        raise BackupError(f"{target} est un dossier : indiquez le nom du fichier à écrire.")
    if not target.parent.is_dir():
        raise BackupError(f"Dossier introuvable : {target.parent}.")
    partial = target.with_name(target.name + ".partiel")
    partial.unlink(missing_ok=True)
    try:
        if _vendor() == "sqlite":
            _sqlite_backup(Path(_database()["NAME"]), partial)
        elif _vendor() == "postgresql":
            _pg_dump(partial)
        else:  # pragma: no cover - cpog supports SQLite and PostgreSQL only
            raise BackupError(f"Base de données non prise en charge : {_vendor()}.")
        partial.replace(target)
    except OSError as error:
        raise BackupError(f"{target} : écriture impossible ({error.strerror}).") from error
    finally:
        partial.unlink(missing_ok=True)
    return f"Sauvegarde écrite : {target} ({_size_text(target)}) — {summary().text()}."


def restore(source: Path, *, replace: bool = False) -> str:
    """Replace the store's content with the backup ``source``; the French sentence telling what
    the store now holds."""
    if not source.is_file():
        raise BackupError(f"Sauvegarde introuvable : {source}.")
    with source.open("rb") as handle:
        header = handle.read(16)
    vendor = _vendor()
    if header.startswith(SQLITE_HEADER):
        found = "sqlite"
    elif header.startswith(PG_DUMP_HEADER):
        found = "postgresql"
    else:
        raise BackupError(
            f"{source} n'est pas une sauvegarde de cpog (ni une base SQLite, ni une archive "
            "pg_dump) : rien n'a été modifié."
        )
    if found != vendor:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"{source} est une sauvegarde {names[found]}, mais la base configurée est "
            f"{names.get(vendor, vendor)} : rien n'a été modifié. Restaurez-la dans une base "
            f"{names[found]} (variable DATABASE_URL)."
        )
    current = summary()
    if not current.empty and not replace:
        raise BackupError(
            f"La base n'est pas vide ({current.text()}) : la restauration remplacerait tout son "
            "contenu. Faites d'abord une sauvegarde (cpog backup FICHIER), puis relancez avec "
            "--remplacer pour confirmer. Rien n'a été modifié."
        )
    if vendor == "sqlite":
        _check_sqlite_backup(source)
        connections.close_all()
        _sqlite_restore(source, Path(_database()["NAME"]))
    else:
        connections.close_all()
        _pg_restore(source)
    connections.close_all()
    from cpog.store.bootstrap import pending_migrations, production, schema_behind_text

    if production():  # no implicit migration in production (decision 022)
        pending = pending_migrations()
        if pending:
            return f"Base restaurée depuis {source}. {schema_behind_text(len(pending))}"
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    return f"Base restaurée depuis {source} : {summary().text()}."


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_backup(database: Path, target: Path) -> None:
    source = sqlite3.connect(database, timeout=60)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # one step: a consistent snapshot, writers are not blocked (WAL)
    finally:
        copy.close()
        source.close()


def _check_sqlite_backup(source: Path) -> None:
    try:
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = backup_db.execute("PRAGMA quick_check").fetchone()
            tables = {
                row[0]
                for row in backup_db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        finally:
            backup_db.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(
            f"{source} : sauvegarde illisible ({error}) : rien n'a été modifié."
        ) from None
    if ok is None or ok[0] != "ok":
        raise BackupError(f"{source} : sauvegarde endommagée : rien n'a été modifié.")
    if not {"django_migrations", "store_measurement", "store_auditevent"} <= tables:
        raise BackupError(
            f"{source} est une base SQLite, mais pas une sauvegarde de cpog : rien n'a été modifié."
        )


def _sqlite_restore(source: Path, database: Path) -> None:
    backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    live = sqlite3.connect(database, timeout=60)
    try:
        # The backup API replaces the live database's content in one step, under its lock.
        backup_db.backup(live)
    finally:
        live.close()
        backup_db.close()


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} est introuvable : installez les outils clients de PostgreSQL (paquet "
            "« postgresql-client », de la version du serveur ou plus récente), puis relancez."
        )
    return found


def _pg_args_and_env() -> tuple[list[str], dict[str, str]]:
    db = _database()
    args = ["--no-password"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])  # never on the command line
    return args, env


def _run(command: list[str], env: dict[str, str], what: str, then: str = "") -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = " ".join(done.stderr.strip().splitlines()[-3:]) or f"code {done.returncode}"
        raise BackupError(f"{what} a échoué : {detail}{then}")


def _pg_dump(target: Path) -> None:
    args, env = _pg_args_and_env()
    _run(
        [_pg_tool("pg_dump"), *args, "--format=custom", f"--file={target}", _database()["NAME"]],
        env,
        "pg_dump",
    )


def _pg_restore(source: Path) -> None:
    args, env = _pg_args_and_env()
    _run(
        [
            _pg_tool("pg_restore"),
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",  # all or nothing
            f"--dbname={_database()['NAME']}",
            str(source),
        ],
        env,
        "pg_restore",
        " — rien n'a été modifié (restauration en une seule transaction).",
    )


__all__ = ["BackupError", "StoreSummary", "backup", "restore", "summary"]
