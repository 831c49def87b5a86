"""Start Django for the command line: settings, then the schema of the store.

Outside production, pending migrations are applied silently, so that a first ``cpog serve`` (or
``make run``) is one command. In production (``CPOG_PRODUCTION=1``, decision 022) nothing
migrates implicitly: only ``cpog migrate`` applies migrations, and every other command — and the
WSGI application at start — stops with a French error while the schema is behind, writing
nothing.
"""

from __future__ import annotations

import getpass
import os

from cpog.errors import CpogError

DEPLOY_DOC = "docs/deploy.md"


class SchemaBehind(CpogError):
    """The store's schema lacks migrations of the installed release (production only)."""


def setup(migrate: bool = True, *, any_schema: bool = False) -> None:
    """Django set up; with ``migrate``, the schema brought up to date (outside production) or
    checked (production). ``migrate=False``: the database is not touched at all.
    ``any_schema``: in production, not even checked — for a command that copies the store as it
    is (``cpog backup``, which must work before an upgrade's ``cpog migrate``)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpog.settings")
    import django

    django.setup()
    if not migrate:
        return
    if production():
        if not any_schema:
            check_schema()
        return
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def production() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "PRODUCTION", False))


def pending_migrations() -> list[str]:
    """The migrations of the installed release not applied to the store (« store.0010_… »), in
    the order they would run; reads the database, writes nothing."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, backwards in plan]


def schema_behind_text(count: int) -> str:
    return (
        f"Le schéma de la base a {count} migration(s) en retard : lancez « cpog migrate » "
        f"(voir {DEPLOY_DOC})."
    )


def check_schema() -> None:
    """Raise :class:`SchemaBehind` when migrations are pending."""
    pending = pending_migrations()
    if pending:
        raise SchemaBehind(schema_behind_text(len(pending)))


def database_problem(error: Exception) -> str:
    """A French line for a database that cannot be reached or opened: which database (engine,
    host, port, name — never the user or the password) and the driver's first line."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if "sqlite" in database["ENGINE"]:
        where = f"SQLite {database['NAME']}"
    else:
        host = database.get("HOST") or "socket locale"
        port = f":{database['PORT']}" if database.get("PORT") else ""
        where = f"PostgreSQL {host}{port}/{database.get('NAME', '')}"
    detail = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return (
        f"Base de données injoignable ({where}) : {detail}. Vérifiez DATABASE_URL (ou "
        f"CPOG_DATA_DIR) et que le serveur de base de données tourne (voir {DEPLOY_DOC})."
    )


def current_user() -> str:
    """Who writes from the command line, as recorded in the audit trail."""
    return os.environ.get("CPOG_USER") or f"cli:{getpass.getuser()}"
