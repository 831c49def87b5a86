"""``cpog backup`` / ``cpog restore``: the whole store to one file and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from cpog.errors import CpogError

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

Replace = Annotated[bool, typer.Option("--remplacer", help="Écrase ce qui existe déjà.")]


def backup(
    file: Annotated[Path, typer.Argument(help="Fichier de sauvegarde à écrire.")],
    replace: Replace = False,
) -> None:
    """Write the whole store to FILE (SQLite online backup, or pg_dump for PostgreSQL)."""
    from cpog.store.bootstrap import setup

    setup(any_schema=True)  # in production, a backup before « cpog migrate » is allowed
    from cpog.store.backup import backup as run_backup

    try:
        out.print(escape(run_backup(file, replace=replace)), soft_wrap=True)
    except CpogError as error:
        err.print(escape(str(error)), soft_wrap=True)
        raise typer.Exit(error.exit_code) from None


def restore(
    file: Annotated[Path, typer.Argument(help="Fichier de sauvegarde à restaurer.")],
    replace: Annotated[
        bool,
        typer.Option(
            "--remplacer", help="Remplace le contenu d'une base qui n'est pas vide (irréversible)."
        ),
    ] = False,
) -> None:
    """Replace the store's content with the backup FILE (refused on a non-empty store unless
    --remplacer)."""
    from cpog.store.bootstrap import setup

    setup()
    from cpog.store.backup import restore as run_restore
    from cpog.web import page_cache

    try:
        out.print(escape(run_restore(file, replace=replace)), soft_wrap=True)
        page_cache.clear()  # pages of the store as it was must not be served again
    except CpogError as error:
        err.print(escape(str(error)), soft_wrap=True)
        raise typer.Exit(error.exit_code) from None
