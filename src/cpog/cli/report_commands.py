"""``cpog report annual|board``: the annual review and the comité's report as PDF (Typst)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from cpog.cli.status_command import CaisseOption
from cpog.errors import CpogError

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

report_app = typer.Typer(
    help="Rapports PDF : bilan annuel du CPOG et tableau de bord du comité de direction.",
    no_args_is_help=True,
)

Output = Annotated[Path, typer.Option("-o", "--sortie", help="Fichier PDF à écrire.")]


def _writable(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path()
    if path.is_dir():
        err.print(
            escape(f"« {path} » est un dossier : donner un nom de fichier PDF."), soft_wrap=True
        )
        raise typer.Exit(2)
    if not folder.is_dir():
        err.print(
            escape(f"Le dossier « {folder} » n'existe pas : le rapport n'est pas écrit."),
            soft_wrap=True,
        )
        raise typer.Exit(2)


def _write(path: Path, pdf: bytes) -> None:
    try:
        path.write_bytes(pdf)
    except OSError as error:
        err.print(
            escape(f"Impossible d'écrire « {path} » : {error.strerror or error}."), soft_wrap=True
        )
        raise typer.Exit(1) from None


def _run(
    kind: str,
    period: str,
    output: Path,
    from_snapshot: bool = False,
    caisse: str | None = None,
    freeze: bool = False,
) -> None:
    from cpog.store.bootstrap import setup

    _writable(output)
    setup()
    from cpog.contexts.annual import ReportError
    from cpog.reports import service
    from cpog.reports.render import RenderError
    from cpog.store.bootstrap import current_user
    from cpog.store.contracts import contract_of_caisse

    try:
        contract = contract_of_caisse(caisse.strip())[1] if caisse else None
        if kind == "annual" and freeze:
            report = service.freeze_annual(int(period), current_user(), contract=contract)
        elif kind == "annual":
            report = service.annual(
                int(period), current_user(), from_snapshot=from_snapshot, contract=contract
            )
        else:
            report = service.board(period, current_user(), contract=contract)
    except (ReportError, RenderError, CpogError) as error:
        err.print(escape(str(error)), soft_wrap=True)
        raise typer.Exit(1) from None
    _write(output, report.pdf)
    out.print(
        escape(
            f"Rapport écrit : {output} (situation au {report.as_of_text}, {report.note}, "
            f"empreinte {report.fingerprint[:12]})"
        ),
        soft_wrap=True,
    )


@report_app.command("annual", help="Bilan annuel du CPOG (PDF) pour une année du contrat.")
def annual(
    year: Annotated[
        int, typer.Option("--year", "--annee", help="Année du bilan, par exemple 2025.")
    ],
    output: Output,
    from_snapshot: Annotated[
        bool,
        typer.Option(
            "--depuis-instantane",
            help="Reproduit le bilan tel qu'il a été édité (dernier instantané), sans les "
            "révisions de valeurs faites depuis.",
        ),
    ] = False,
    caisse: CaisseOption = None,
    freeze: Annotated[
        bool,
        typer.Option(
            "--figer",
            help="Produit le bilan d'une année close et le fige : il devient la revue annuelle de"
            " l'année, et ses valeurs ne changent plus qu'avec un motif.",
        ),
    ] = False,
) -> None:
    if freeze and from_snapshot:
        err.print("--figer et --depuis-instantane ne s'emploient pas ensemble.")
        raise typer.Exit(2)
    _run("annual", str(year), output, from_snapshot, caisse, freeze)


@report_app.command(
    "unfreeze",
    help="Dégèle la revue annuelle d'une année (administrateur, avec un motif) : ses valeurs"
    " redeviennent modifiables sans motif. Le bilan figé reste gardé.",
)
def unfreeze(
    year: Annotated[int, typer.Option("--year", "--annee", help="Année figée, par exemple 2025.")],
    motif: Annotated[str, typer.Option("--motif", help="Pourquoi l'année est dégelée.")],
    caisse: CaisseOption = None,
) -> None:
    from cpog.store.bootstrap import setup

    setup()
    from cpog.store import period_locks
    from cpog.store.bootstrap import current_user
    from cpog.store.contracts import contract_of_caisse, current_contract

    try:
        contract = contract_of_caisse(caisse.strip())[1] if caisse else current_contract()[1]
        was = period_locks.unfreeze(contract.id, year, current_user(), motif)
    except CpogError as error:
        err.print(escape(str(error)), soft_wrap=True)
        raise typer.Exit(1) from None
    out.print(escape(f"Année {year} dégelée ({was.text}) : motif « {motif.strip()} »."))


@report_app.command("board", help="Tableau de bord du comité de direction (PDF) pour un mois.")
def board(
    month: Annotated[str, typer.Option("--month", "--mois", help="Mois, par exemple 2026-11.")],
    output: Output,
    caisse: CaisseOption = None,
) -> None:
    _run("board", month, output, caisse=caisse)
