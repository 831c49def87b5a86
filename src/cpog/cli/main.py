"""The ``cpog`` command: a thin shell over the domain packages. Messages are French."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cpog.cli import contract_commands

app = typer.Typer(
    name="cpog",
    help="cpog — piloter le contrat pluriannuel d'objectifs et de gestion (CPOG) d'une Caf.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

ContractPath = Annotated[
    Path | None,
    typer.Argument(help="Dossier du contrat (par défaut : $CPOG_CONTRACT ou le contrat livré)."),
]

app.command("check", help="Vérifie un dossier de contrat et liste tous les problèmes.")(
    contract_commands.check
)
app.command("show", help="Affiche le contrat, un défi ou un indicateur.")(contract_commands.show)
app.command("export", help="Exporte le contrat normalisé (JSON) pour d'autres programmes.")(
    contract_commands.export
)
app.command("schema", help="Affiche le schéma JSON de l'export ou d'un type de fichier.")(
    contract_commands.schema
)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
