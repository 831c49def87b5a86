"""``cpog export``: the normalised contract (JSON, :func:`cpog.cli.contract_commands.export`) or,
with ``xlsx``, the Excel export of the steering data at a date of situation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cpog.cli import contract_commands
from cpog.cli.contract_commands import _os_reason
from cpog.cli.status_command import CaisseOption, contract_on

err = contract_commands.err
XLSX = "xlsx"


def export_xlsx(output: Path, as_of: str | None, caisse: str | None = None) -> None:
    """Write the Excel export of the store's data at ``as_of`` (today by default)."""
    contract, day = contract_on(as_of, caisse)
    from cpog.contexts.export import export_context
    from cpog.contexts.situation import situation
    from cpog.reports.xlsx import workbook_bytes
    from cpog.store.reader import StoreReader

    if output.is_dir():
        err.print(f"Impossible d'écrire {escape(str(output))} : c'est un dossier.")
        raise typer.Exit(1)
    reader = StoreReader()
    context = export_context(situation(reader, contract, day), reader)
    content = workbook_bytes(context)  # written whole or not at all
    try:
        output.write_bytes(content)
    except OSError as error:
        err.print(f"Impossible d'écrire {escape(str(output))} : {_os_reason(error)}.")
        raise typer.Exit(1) from None
    about = context.about
    demo = " (données de démonstration)" if about.demo else ""
    err.print(
        f"Export Excel écrit dans {escape(str(output))} : situation au "
        f"{day:%d/%m/%Y}, {len(context.values)} valeurs et révisions, "
        f"{len(context.targets)} cibles, {len(context.statuses)} statuts, "
        f"{len(context.actions)} actions{demo}.",
        soft_wrap=True,
    )


def export(
    what: Annotated[
        str | None,
        typer.Argument(
            help="« xlsx » pour l'export Excel des données ; sinon le dossier du contrat à "
            "exporter en JSON (par défaut : $CPOG_CONTRACT ou le contrat livré).",
            show_default=False,
        ),
    ] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="Format de sortie : json ou xlsx.")
    ] = "json",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Fichier de sortie (JSON : l'écran ; Excel : cpog.xlsx)."
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--date", "--au", help="Excel : date de situation, JJ/MM/AAAA (défaut : aujourd'hui)."
        ),
    ] = None,
    caisse: CaisseOption = None,
) -> None:
    """``cpog export xlsx -o cpog.xlsx [--date JJ/MM/AAAA]`` or ``cpog export [DOSSIER]``."""
    if what == XLSX or format == XLSX:
        export_xlsx(output or Path("cpog.xlsx"), as_of, caisse)
        return
    if caisse is not None:
        err.print("L'option --caisse ne vaut que pour l'export Excel (cpog export xlsx).")
        raise typer.Exit(2)
    if as_of is not None:
        err.print("L'option --date ne vaut que pour l'export Excel (cpog export xlsx).")
        raise typer.Exit(2)
    contract_commands.export(None if what is None else Path(what), format, output)
