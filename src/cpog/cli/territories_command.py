"""``cpog territories``: the caisse's EPCI, communes and CTG territories (decision 020); and the
territorial side of ``cpog status`` (``--territoire CODE``, ``--par epci|commune``)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from cpog import vocabulary
from cpog.contexts.serialize import record, to_data, to_json
from cpog.contract.model import Contract
from cpog.errors import CpogError
from cpog.formatting import fr_number
from cpog.territories import Territories

FORMATS = ("table", "csv", "json")


def _caisse_territories(contract: Contract) -> Territories:
    from cpog.cli.status_command import err
    from cpog.store.territories import caisse_territories

    try:
        return caisse_territories(contract)
    except CpogError as error:  # a CTG file with an error
        err.print(escape(str(error)), soft_wrap=True)
        raise typer.Exit(error.exit_code) from None


@record
class TerritoryListData:
    """What ``cpog territories --format json`` writes."""

    caisse: str
    department: str
    department_name: str
    territories: list[Any]


def territories(
    epci: Annotated[
        str | None, typer.Option("--epci", help="Seulement les communes de cet EPCI (SIREN).")
    ] = None,
    communes: Annotated[
        bool, typer.Option("--communes", help="Les communes, avec leur EPCI.")
    ] = False,
    format: Annotated[str, typer.Option("--format", "-f", help="table, csv ou json.")] = "table",
) -> None:
    """List the caisse's EPCI (and with --communes its communes) and its CTG territories."""
    from cpog.cli.status_command import contract_on, err, out
    from cpog.contexts.territories import territory_data
    from cpog.scope import ScopeError

    if format not in FORMATS:
        err.print(f"Format « {escape(format)} » non pris en charge : table, csv ou json.")
        raise typer.Exit(2)
    contract, _ = contract_on(None)
    found = _caisse_territories(contract)
    geography = found.geography
    if epci is not None:
        try:
            scope = found.resolve(epci)
        except ScopeError as error:
            err.print(escape(str(error)))
            raise typer.Exit(1) from None
        if scope.code not in geography.epci_by_code:
            err.print(
                f"« {escape(epci)} » n'est pas un EPCI du département {geography.department}."
            )
            raise typer.Exit(1)
        scopes = found.communes(scope.code)
    elif communes:
        scopes = found.communes()
    else:
        scopes = [*found.epcis(), *found.ctg_scopes()]
    rows = [territory_data(found, scope) for scope in scopes]
    if format == "json":
        typer.echo(
            to_json(
                TerritoryListData(
                    caisse=found.caisse_code,
                    department=geography.department,
                    department_name=geography.name,
                    territories=[to_data(r) for r in rows],
                )
            )
        )
        return
    if format == "csv":
        buffer = io.StringIO()
        data = [to_data(r) for r in rows]
        columns = list(data[0]) if data else []
        writer = csv.DictWriter(buffer, columns, delimiter=";")
        writer.writeheader()
        for item in data:
            writer.writerow({k: "" if v is None else v for k, v in item.items()})
        typer.echo(buffer.getvalue(), nl=False)
        return
    by_commune = epci is not None or communes
    table = Table(
        title=(
            f"{'Communes' if by_commune else 'EPCI et territoires de CTG'} — "
            f"{geography.name or geography.department} ({geography.department})"
        )
    )
    table.add_column("Code INSEE" if by_commune else "Code", justify="left")
    table.add_column("Commune" if by_commune else "Nom", justify="left")
    table.add_column("EPCI" if by_commune else "Nature", justify="left")
    if not by_commune:
        table.add_column("Communes", justify="right")
    table.add_column("Population", justify="right")
    for row in rows:
        cells = [escape(row.territory_code), escape(row.territory_name)]
        if by_commune:
            cells.append(escape(row.parent_name or "—"))
        else:
            cells += [escape(row.territory_kind_label), fr_number(row.commune_count)]
        table.add_row(*cells, fr_number(row.population))
    out.print(table)
    kinds = vocabulary.SCOPE_KIND_PLURAL
    if by_commune:
        out.print(f"{fr_number(len(rows))} {kinds['commune']}")
    else:
        count = len(found.epcis())
        out.print(
            f"{fr_number(count)} {kinds['epci']}, {fr_number(len(found.ctgs))} "
            f"{kinds['ctg'] if len(found.ctgs) > 1 else vocabulary.SCOPE_KIND['ctg']}"
            f", {fr_number(len(geography.communes))} {kinds['commune']}"
        )


# --- cpog status --territoire / --par ---------------------------------------------------------


def territorial_status(
    contract: Contract, day: date, code: str | None, by: str | None, format: str
) -> bool:
    """``cpog status --territoire CODE`` or ``--par epci|commune``: a line per territory and
    indicator with territorial values, in the status command's formats. False when ``code``
    names the caisse itself: its status is the command's usual one."""
    from cpog.cli.status_command import err, out
    from cpog.contexts.territories import (
        TerritoryStatusData,
        territory_rows,
        territory_situation,
    )
    from cpog.scope import ScopeError, ScopeKind
    from cpog.store.reader import StoreReader

    found = _caisse_territories(contract)
    if by is not None and by not in ("epci", "commune"):
        err.print(f"--par « {escape(by)} » : valeur non permise (epci ou commune).")
        raise typer.Exit(2)
    if code is not None:
        try:
            scopes = [found.resolve(code)]
        except ScopeError as error:
            err.print(escape(str(error)))
            raise typer.Exit(1) from None
        if scopes[0].kind is ScopeKind.NATIONAL:
            err.print("Le niveau national n'est pas un territoire de la caisse.")
            raise typer.Exit(1)
        if scopes[0].kind is ScopeKind.CAISSE:
            return False
    else:
        scopes = found.epcis() if by == "epci" else found.communes()
    reader = StoreReader()
    subjects = reader.subjects_with_territory_values(contract)
    caisse_targets = reader.steering_inputs(contract, found.caisse_code)[0]
    rows = []
    try:
        for scope in scopes:
            situation = territory_situation(
                reader,
                contract,
                day,
                found,
                scope,
                caisse_targets=caisse_targets,
                subjects=subjects,
            )
            kinds = ("indicator",) if by is not None else ("indicator", "measure")
            rows += territory_rows(situation, found, kinds)
    except CpogError as error:
        err.print(escape(str(error)))
        raise typer.Exit(error.exit_code) from None
    if format == "json":
        typer.echo(to_json(TerritoryStatusData(as_of=day, contract_id=contract.id, rows=rows)))
        return True
    if format == "csv":
        from cpog.cli.status_command import _csv_cell, _csv_columns, _flat
        from cpog.contexts.territories import TerritoryRowData

        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer,
            _csv_columns(TerritoryRowData),
            delimiter=";",
            restval="",
            extrasaction="ignore",
        )
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_cell(v) for k, v in _flat(to_data(row)).items()})
        typer.echo(buffer.getvalue(), nl=False)
        return True
    _territory_table(rows, day, scopes[0].name if code is not None else by or "")
    if not rows:
        out.print(
            "Aucune valeur par territoire : « cpog compute --par epci » ou un import avec la"
            " colonne « territoire » en enregistre."
        )
    return True


def _territory_table(rows: list[Any], day: date, title: str) -> None:
    from cpog.assess.types import Status
    from cpog.cli.status_command import STYLE, out

    table = Table(title=f"Par territoire ({escape(title)}) — situation au {day:%d/%m/%Y}")
    for column, justify in (
        ("Territoire", "left"),
        ("Code", "left"),
        ("Libellé", "left"),
        ("Valeur", "right"),
        ("Origine", "left"),
        ("Cible", "right"),
        ("Statut", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        status = row.subject_status
        value = status.current.value_text if status.current is not None else "—"
        period = f"\n[dim]{escape(status.current.period_label)}[/dim]" if status.current else ""
        shown = status.annual_target or status.final_target
        target = shown.value_text if shown is not None else "—"
        if row.target_from == "caisse":
            target += f"\n[dim]{row.target_from_label}[/dim]"
        table.add_row(
            f"{escape(row.territory_name)}\n[dim]{escape(row.territory_code)}[/dim]",
            escape(status.code),
            escape(status.label),
            value + period,
            escape(row.value_origin_label),
            target,
            f"[{STYLE[Status(status.status)]}]{status.status_label}[/]",
        )
    out.print(table)


__all__ = ["FORMATS", "territorial_status", "territories"]
