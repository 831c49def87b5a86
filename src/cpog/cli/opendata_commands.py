"""``cpog import opendata FICHIER`` and ``cpog opendata comparer``: the Cnaf's open data
(data.caf.fr) imported as published, and the diagnosis's key figures beside it (decision 019)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from cpog.errors import CpogError
from cpog.formatting import fr_number
from cpog.ingest.bounds import fr_count
from cpog.ingest.tables import ImportValidationError
from cpog.vocabulary import OPEN_DATA_CELL_DROPPED, OPEN_DATA_DROPPED, OPEN_DATASET

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

opendata_app = typer.Typer(
    help="Données ouvertes de la Cnaf (data.caf.fr) : comparer au diagnostic du contrat.",
    no_args_is_help=True,
)

_DATASETS = ", ".join(OPEN_DATASET)


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{fr_count(count)} {word if count <= 1 else (plural or word + 's')}"


def import_opendata(
    file: Annotated[
        Path, typer.Argument(help="Fichier exporté de data.caf.fr (CSV « ; » ou XLSX).")
    ],
    dataset: Annotated[
        str | None,
        typer.Option("--jeu", help=f"Jeu de données, s'il n'est pas reconnu : {_DATASETS}."),
    ] = None,
    keep_all: Annotated[
        bool,
        typer.Option(
            "--tout", help="Garde tous les territoires, pas seulement ceux du département."
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Montre ce qui serait importé, sans rien écrire.")
    ] = False,
    errors_file: Annotated[
        Path | None,
        typer.Option(
            "--erreurs", help="Écrit la liste complète des erreurs dans ce fichier CSV (Excel)."
        ),
    ] = None,
) -> None:
    """Import a data.caf.fr file as published."""
    from cpog.store.bootstrap import current_user, setup

    setup()
    from cpog.cli.store_commands import _print_validation
    from cpog.store.contracts import current_contract
    from cpog.store.opendata import import_open_data

    try:
        _, contract = current_contract()
        outcome = import_open_data(
            file,
            contract,
            user=current_user(),
            dataset=dataset,
            keep_all=keep_all,
            dry_run=dry_run,
        )
    except ImportValidationError as error:
        _print_validation(error, errors_file)
        raise typer.Exit(1) from None
    except CpogError as error:
        err.print(escape(str(error)))
        raise typer.Exit(error.exit_code) from None
    data = outcome.data
    table = RichTable(title=f"{data.source} — {data.dataset.name} ({data.dataset.label})")
    table.add_column("Lignes")
    table.add_column("Nombre", justify="right")
    table.add_row("lues", fr_count(data.rows_read))
    table.add_row("gardées", fr_count(data.rows_kept))
    for reason, count in sorted(data.dropped.items()):
        table.add_row(f"écartées : {OPEN_DATA_DROPPED[reason]}", fr_count(count))
    for reason, count in sorted(data.cells_dropped.items()):
        table.add_row(f"cellules écartées : {OPEN_DATA_CELL_DROPPED[reason]}", fr_count(count))
    out.print(table)
    periods = ", ".join(data.periods) or "aucune"
    out.print(
        f"{_plural(len(data.territories), 'territoire')}"
        f" ({'tous' if keep_all else 'du département ' + contract.organisation.code}),"
        f" périodes : {periods} ; {_plural(len(data.fields), 'champ')} :"
        f" {', '.join(data.fields)}.",
        soft_wrap=True,
    )
    if data.ignored_columns:
        out.print(f"Colonnes ignorées : {escape(', '.join(data.ignored_columns))}.")
    values = _plural(len(data.points), "valeur")
    if outcome.written:
        verb = "seraient enregistrées" if dry_run else "enregistrées"
        revised = f", dont {fr_number(outcome.revised)} révisées" if outcome.revised else ""
        out.print(
            f"{values} lues, {fr_count(outcome.written)} {verb}{revised},"
            f" {fr_count(outcome.unchanged)} inchangées."
            + (" (simulation : rien n'a été écrit)" if dry_run else ""),
            soft_wrap=True,
        )
    else:
        same = f" ({outcome.identical_text})" if outcome.identical_to else ""
        out.print(f"{values} lues, rien de nouveau : déjà dans la base{same}.", soft_wrap=True)


def compare(
    by: Annotated[
        str, typer.Option("--par", help="Découpage : epci (défaut) ou commune.")
    ] = "epci",
    year: Annotated[int | None, typer.Option("--annee", help="Seulement cette année.")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table ou json.")] = "table",
) -> None:
    """The diagnosis's key figures beside the open data, by territory."""
    if by not in ("epci", "commune"):
        err.print(f"Découpage « {escape(by)} » non pris en charge : epci ou commune.")
        raise typer.Exit(2)
    if format not in ("table", "json"):
        err.print(f"Format « {escape(format)} » non pris en charge : table ou json.")
        raise typer.Exit(2)
    from cpog.store.bootstrap import setup

    setup()
    from cpog.contexts.opendata import TO_CONFIRM, open_data_context
    from cpog.contexts.serialize import to_json
    from cpog.geography import geography_of
    from cpog.store.contracts import current_contract
    from cpog.store.opendata import OpenDataStoreReader, department_of

    try:
        _, contract = current_contract()
        geography = geography_of(department_of(contract))
        context = open_data_context(OpenDataStoreReader(), contract, geography, by=by, year=year)
    except CpogError as error:
        err.print(escape(str(error)))
        raise typer.Exit(error.exit_code) from None
    if format == "json":
        typer.echo(to_json(context))
        return
    if not context.rows:
        out.print(context.empty_text)
        return
    table = RichTable(title="Diagnostic et données ouvertes par territoire")
    for column in (
        "Territoire",
        "Niveau",
        "Année",
        "Chiffre clé",
        "Référence",
        "Source de la référence",
        "Donnée ouverte",
        "Source de la donnée ouverte",
        "Écart",
    ):
        table.add_column(
            column,
            justify="right" if column in ("Référence", "Donnée ouverte", "Écart") else "left",
        )
    for row in context.rows:
        table.add_row(
            f"{escape(row.name)} ({row.code})",
            row.level,
            str(row.year),
            escape(row.label) + (" *" if row.to_confirm else ""),
            row.reference_text,
            row.reference_source or "—",
            row.open_text,
            escape(row.open_source) or "—",
            row.gap_text,
        )
    out.print(table)
    out.print(f"* {TO_CONFIRM} :")
    for mapping in context.mappings:
        out.print(
            f"- {escape(mapping.label)} ← {', '.join(mapping.published_fields)} de"
            f" {escape(', '.join(mapping.datasets))}. {escape(mapping.note)}",
            soft_wrap=True,
        )
