"""The ``cpog`` command: a thin shell over the domain packages. Messages are French."""

from __future__ import annotations

import sys

import typer

from cpog.cli import contract_commands, status_command, store_commands

app = typer.Typer(
    name="cpog",
    help="cpog — piloter le contrat pluriannuel d'objectifs et de gestion (CPOG) d'une Caf.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
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
app.command("load", help="Charge un contrat dans la base (une nouvelle version par avenant).")(
    store_commands.load
)
app.add_typer(store_commands.import_app, name="import")
app.command("status", help="Situation de chaque indicateur et résultat visé à une date.")(
    status_command.status
)
app.command("demo", help="Remplit la base de données de démonstration (2022 à aujourd'hui).")(
    store_commands.demo
)
app.command("serve", help="Lance l'application web (premier lancement : contrat et démo chargés).")(
    store_commands.serve
)
app.command("template", help="Écrit un modèle d'import (XLSX ou CSV) prêt à remplir.")(
    store_commands.template
)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
