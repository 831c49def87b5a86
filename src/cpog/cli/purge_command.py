"""``cpog purge [--essai]``: delete the personal data kept beyond its time (expired sessions,
old login records, abandoned uploads, old revoked or expired API tokens), see
:mod:`cpog.web.retention` and docs/donnees-personnelles.md. Run daily by the systemd timer of
deploy/systemd/cpog-purge.timer."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from cpog.errors import CpogError

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def purge(
    dry_run: Annotated[
        bool,
        typer.Option("--essai", help="Compte ce qui serait supprimé, sans rien supprimer."),
    ] = False,
) -> None:
    """Delete the personal data kept beyond its retention time."""
    from cpog.store.bootstrap import setup

    setup()
    from cpog.store.bootstrap import current_user
    from cpog.web.retention import purge as run

    try:
        counts = run(current_user(), dry_run=dry_run)
    except CpogError as error:
        err.print(escape(str(error)), soft_wrap=True)
        raise typer.Exit(error.exit_code) from None
    title = "Essai de purge (rien n'a été supprimé)" if dry_run else "Purge effectuée"
    out.print(f"{title} :", soft_wrap=True)
    for line in counts.lines():
        out.print(escape(f"- {line} ;"), soft_wrap=True)
    if not dry_run:
        out.print("L'historique des modifications est conservé (il n'est jamais purgé).")
