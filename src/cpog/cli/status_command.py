"""``cpog status``: where each indicator and targeted result stands at a date."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import typing
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cpog import clock, vocabulary
from cpog.assess.types import Status
from cpog.assess.wording import (
    display_unit,
    milestone_text,
    target_short,
    value_text,
    verdict_label,
)
from cpog.contexts.rollups import RollUpData, rollup_data
from cpog.contexts.serialize import french_name, record, to_data, to_json
from cpog.contexts.status_rows import StatusRowData, status_row
from cpog.contract.model import Contract, MeasureKind
from cpog.errors import CpogError
from cpog.formatting import fr_number, spreadsheet_number
from cpog.ingest.numbers import DateError, parse_date
from cpog.steering import ContractStatus, StatusRow, as_of_problem

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

STYLE = {
    Status.ATTEINT: "bold green",
    Status.EN_AVANCE: "green",
    Status.CONFORME: "green",
    Status.A_SURVEILLER: "yellow",
    Status.EN_RETARD: "bold red",
    Status.NON_ATTEINT: "bold red",
    Status.NON_RENSEIGNE: "magenta",
    Status.SANS_CIBLE: "dim",
}


CaisseOption = Annotated[
    str | None,
    typer.Option(
        "--caisse",
        help="Code de la caisse (plusieurs caisses dans la base) ; par défaut, celle de "
        "l'installation (CPOG_CAISSE).",
    ),
]


def contract_on(as_of: str | None, caisse: str | None = None) -> tuple[Contract, date]:
    """The contract of ``caisse`` (the installation's by default) and the date of situation a
    command was given (today by default): a date outside the contract, an unknown caisse or no
    contract loaded is refused in French."""
    day = _as_of(as_of)
    from cpog.store.bootstrap import setup

    setup()
    from cpog.store.contracts import contract_of_caisse, current_contract

    try:
        _, contract = contract_of_caisse(caisse.strip()) if caisse else current_contract()
    except CpogError as error:
        err.print(escape(str(error)))
        raise typer.Exit(error.exit_code) from None
    if problem := as_of_problem(contract, day):
        err.print(f"Date « {escape(as_of or '')} » : {problem}.")
        raise typer.Exit(2)
    return contract, day


def _as_of(text: str | None) -> date:
    if text is None:
        return clock.today()
    try:
        return parse_date(text)
    except DateError as error:
        err.print(escape(str(error)))
        raise typer.Exit(2) from None


@record
class StatusListData:
    """What ``cpog status --format json`` writes: the status rows (the one shape the API and
    the pages share) and the roll-up of each défi."""

    as_of: date
    contract_id: str
    rows: list[StatusRowData]
    challenges: dict[str, RollUpData]


ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _record_type(kind: Any) -> Any:
    """The record type of a field (``X | None`` → X), or None for a plain value."""
    args = [a for a in typing.get_args(kind) if a is not type(None)]
    if len(args) == 1 and typing.get_origin(kind) is not list:
        kind = args[0]
    return kind if dataclasses.is_dataclass(kind) else None


def _csv_columns(kind: Any, prefix: str = "") -> list[str]:
    """The CSV columns of a record type, whatever the rows hold: nested records become
    ``parent_field`` columns, a list of words or of labelled records one column, other lists
    none."""
    columns: list[str] = []
    hints = typing.get_type_hints(kind)
    for field in dataclasses.fields(kind):
        name = prefix + french_name(field.name)
        hint = hints[field.name]
        if (nested := _record_type(hint)) is not None:
            columns += _csv_columns(nested, name + "_")
        elif typing.get_origin(hint) is list:
            (item,) = typing.get_args(hint)
            labelled = dataclasses.is_dataclass(item) and "label" in {
                f.name for f in dataclasses.fields(item)
            }
            if item is str or labelled:
                columns.append(name)
        else:
            columns.append(name)
    return columns


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A serialized row as CSV cells (see :func:`_csv_columns`)."""
    label = vocabulary.FIELD["label"]
    cells: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            cells.update(_flat(value, f"{name}_"))
        elif isinstance(value, list):
            cells[name] = " | ".join(
                str(v.get(label, "")) if isinstance(v, dict) else str(v) for v in value
            )
        else:
            cells[name] = value
    return cells


def _csv_cell(value: Any) -> Any:
    """A cell French Excel reads: numbers with a decimal comma, yes/no in words, dates as
    JJ/MM/AAAA."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float | int):
        return spreadsheet_number(value)  # ASCII minus, no grouping: French Excel reads it
    if value is None:
        return ""
    if isinstance(value, str) and (day := ISO_DATE.match(value)):
        return f"{day[3]}/{day[2]}/{day[1]}"
    return value


def _cell(value: float | None, unit: str | None) -> str:
    return "—" if value is None else value_text(value, unit)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{fr_number(round(value))}\u00a0%"


def _table(status: ContractStatus, rows: list[StatusRow]) -> Table:
    table = Table(show_lines=False)
    for column, justify in (
        ("Code", "left"),
        ("Libellé", "left"),
        ("Valeur", "right"),
        ("Cible", "right"),
        ("Attendu", "right"),
        ("Avancement", "right"),
        ("Statut", "left"),
        ("Projection", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        a = row.assessment
        unit = display_unit(a.subject)  # « % » for a milestone's % done
        if a.current is not None and a.subject.kind is MeasureKind.MILESTONE:
            value = f"jalon : {milestone_text(a.current.value)}"
        else:
            value = _cell(a.current.value if a.current else None, unit)
        if a.current:
            value += f"\n[dim]{a.current.period}[/dim]"
        late = " [magenta](saisie en retard)[/magenta]" if a.freshness.is_late else ""
        if a.verdict is not None:
            late += f"\n[dim]{escape(verdict_label(a.verdict))}[/dim]"
        if a.to_check is not None:
            late += "\n[yellow]valeur à vérifier[/yellow]"
        projection = "—"
        if a.projection:
            projection = (
                f"{_cell(a.projection.value, unit)}\n"
                f"[dim]{a.projection.projected_status.label_fr}[/dim]"
            )
        target = a.annual_target or a.final_target
        table.add_row(
            escape(row.code),
            escape(row.label),
            value,
            (target_short(a.subject, target) + f"\n[dim]{target.year}[/dim]" if target else "—"),
            _cell(a.expected, unit),
            _pct(a.progress_global),
            f"[{STYLE[a.status]}]{a.status.label_fr}[/]" + late,
            projection,
        )
    return table


def status(
    as_of: Annotated[
        str | None, typer.Option("--as-of", "--au", help="Date de situation, JJ/MM/AAAA.")
    ] = None,
    challenge: Annotated[
        int | None, typer.Option("--defi", "--challenge", "-d", help="Seulement ce défi.")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, json ou csv.")] = "table",
    territory: Annotated[
        str | None,
        typer.Option(
            "--territoire",
            help="Un territoire : EPCI (SIREN), commune (code INSEE), département, CTG.",
        ),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--par", help="Une ligne par territoire : epci ou commune.")
    ] = None,
    caisse: CaisseOption = None,
) -> None:
    """Status of every indicator and targeted-result measure at a date."""
    if format not in {"table", "json", "csv"}:
        err.print(f"Format « {escape(format)} » non pris en charge : table, json ou csv.")
        raise typer.Exit(2)
    if territory is not None or by is not None:
        if territory is not None and by is not None:
            err.print("--territoire et --par ne s'emploient pas ensemble.")
            raise typer.Exit(2)
        if challenge is not None:
            err.print("--defi ne s'emploie pas avec --territoire ni --par.")
            raise typer.Exit(2)
        from cpog.cli.territories_command import territorial_status

        contract, day = contract_on(as_of, caisse)
        if territorial_status(contract, day, territory, by, format):
            return
    else:
        contract, day = contract_on(as_of, caisse)
    from cpog.contexts.situation import situation
    from cpog.store.reader import StoreReader

    if challenge is not None and contract.challenge(challenge) is None:
        err.print(f"Défi n°{challenge} inconnu.")
        raise typer.Exit(1)
    try:
        result = situation(StoreReader(), contract, day).status
    except CpogError as error:  # a caisse's policy file that cannot be used
        err.print(escape(str(error)))
        raise typer.Exit(error.exit_code) from None
    rows = result.rows
    rollups = result.challenges
    if challenge is not None:
        rows = [r for r, _ in result.challenge_rows(challenge)]
        rollups = {challenge: result.challenges[challenge]}
    if format in ("json", "csv"):
        data = StatusListData(
            as_of=day,
            contract_id=contract.id,
            rows=[status_row(r) for r in rows],
            challenges={
                str(n): rollup_data(r, [row for row, _ in result.challenge_rows(n)])
                for n, r in rollups.items()
            },
        )
        if format == "json":
            typer.echo(to_json(data))
            return
        flat = [_flat(row) for row in to_data(data)[vocabulary.FIELD["rows"]]]
        buffer = io.StringIO()
        columns = _csv_columns(StatusRowData)
        writer = csv.DictWriter(buffer, columns, delimiter=";", restval="", extrasaction="ignore")
        writer.writeheader()
        for cells in flat:
            writer.writerow({k: _csv_cell(v) for k, v in cells.items()})
        typer.echo(buffer.getvalue(), nl=False)
        return
    for title, kind in (("Indicateurs", "indicator"), ("Résultats visés", "measure")):
        part = [r for r in rows if r.subject_type == kind]
        if part:
            table = _table(result, part)
            table.title = f"{title} — situation au {day:%d/%m/%Y}"
            out.print(table)
    counts: dict[Status, int] = {}
    for row in rows:
        counts[row.assessment.status] = counts.get(row.assessment.status, 0) + 1
    out.print(
        "  ".join(f"[{STYLE[s]}]{s.label_fr}[/] : {counts[s]}" for s in Status if s in counts)
    )
