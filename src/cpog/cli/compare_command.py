"""``cpog compare CODE``: one indicator across the caisses of the store's network, ranked, with
the national value, the quartiles and the peer groups (:mod:`cpog.contexts.network`)."""

from __future__ import annotations

import csv
import io
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cpog import clock
from cpog.errors import CpogError
from cpog.formatting import spreadsheet_number
from cpog.periods import PeriodError, parse_period

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

FORMATS = ("table", "csv", "json")


def compare(
    code: Annotated[
        str, typer.Argument(help="Code (« COG 08-29 ») ou identifiant de l'indicateur.")
    ],
    periode: Annotated[
        str | None,
        typer.Option("--periode", help="Période comparée (AAAA-MM, « mars 2025 », « 2025 »…)."),
    ] = None,
    caisse: Annotated[
        str | None, typer.Option("--caisse", help="Caisse mise en évidence (par son code).")
    ] = None,
    groupe: Annotated[
        str | None, typer.Option("--groupe", help="Seulement les caisses de ce groupe de pairs.")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv ou json.")] = "table",
) -> None:
    """Compare an indicator across every caisse of the store."""
    if format not in FORMATS:
        err.print(f"Format « {escape(format)} » non pris en charge : table, csv ou json.")
        raise typer.Exit(2)
    period = None
    if periode:
        try:
            period = parse_period(periode)
        except PeriodError as error:
            err.print(f"Période « {escape(periode)} » : {escape(str(error))}")
            raise typer.Exit(2) from None
    from cpog.store.bootstrap import setup

    setup()
    from cpog.contexts.network import NetworkError, comparison_context
    from cpog.contexts.serialize import to_json
    from cpog.peer_groups import peer_groups
    from cpog.store.contracts import default_caisse_code
    from cpog.store.network import NetworkStoreReader

    try:
        context = comparison_context(
            NetworkStoreReader(),
            code,
            clock.today(),
            peer_groups(),
            period=period,
            caisse=caisse or default_caisse_code() or None,
            group=groupe,
        )
    except (NetworkError, CpogError) as error:
        err.print(escape(str(error)))
        raise typer.Exit(1) from None
    if format == "json":
        typer.echo(to_json(context))
        return
    if format == "csv":
        typer.echo(_csv(context), nl=False)
        return
    _print(context)


def _csv(context: object) -> str:
    from cpog.contexts.network import ComparisonContext

    assert isinstance(context, ComparisonContext)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(
        ["rang", "code", "caisse", "valeur", "numerateur", "denominateur", "quartile", "statut",
         "cible", "groupe", "mediane_du_groupe", "rang_dans_le_groupe"]
    )  # fmt: skip
    for r in context.rows:
        writer.writerow(
            [
                r.rank if r.rank is not None else "",
                r.code,
                r.name,
                "" if r.value is None else spreadsheet_number(r.value),
                "" if r.numerator is None else spreadsheet_number(r.numerator),
                "" if r.denominator is None else spreadsheet_number(r.denominator),
                r.quartile or "",
                r.status_label,
                r.target_text,
                r.group or "",
                "" if r.group_median is None else spreadsheet_number(r.group_median),
                r.group_rank if r.group_rank is not None else "",
            ]
        )
    return buffer.getvalue()


def _print(context: object) -> None:
    from cpog.contexts.network import ComparisonContext

    assert isinstance(context, ComparisonContext)
    scope = f" — groupe « {escape(context.group)} »" if context.group else ""
    table = Table(
        title=f"{escape(context.code)} — {escape(context.label)} — {context.period_label}{scope}"
    )
    for column, justify in (
        ("Rang", "right"),
        ("Caisse", "left"),
        ("Valeur", "right"),
        ("Quartile", "left"),
        ("Statut", "left"),
        ("Cible", "right"),
        ("Groupe de pairs", "left"),
        ("Médiane du groupe", "right"),
        ("Rang (groupe)", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for r in context.rows:
        table.add_row(
            "—" if r.rank is None else str(r.rank),
            f"{escape(r.name)} ({escape(r.code)})",
            r.value_text,
            "—" if r.quartile is None else str(r.quartile),
            r.status_label,
            r.target_text,
            escape(r.group or "—"),
            r.group_median_text,
            "—" if r.group_rank is None else f"{r.group_rank}/{r.group_size}",
            style="bold reverse" if r.chosen else None,
        )
    out.print(table)
    national = context.national
    how = national.method_label
    out.print(f"Valeur nationale : {national.value_text} ({how})")
    if national.note:
        out.print(f"[dim]{escape(national.note)}[/dim]")
    if context.quartiles is not None:
        q = context.quartiles
        out.print(
            f"Quartiles ({q.count} caisses) : 1er quartile {q.q1_text}, médiane {q.median_text}, "
            f"3e quartile {q.q3_text}. Sens d'amélioration : {context.direction_label} ; "
            "quartile 1 : valeurs les plus basses, 4 : les plus hautes."
        )
    if context.demo:
        out.print("[magenta]Données de démonstration.[/magenta]")
