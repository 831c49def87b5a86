"""``cpog status``: where each indicator and targeted result stands at a date."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cpog import clock
from cpog.assess.types import Status
from cpog.assess.wording import (
    display_unit,
    lateness_text,
    milestone_text,
    next_value_text,
    target_short,
    value_text,
    verdict_label,
)
from cpog.contract.model import MeasureKind
from cpog.errors import CpogError
from cpog.formatting import fr_number, spreadsheet_number
from cpog.ingest.numbers import DateError, parse_date
from cpog.steering import ContractStatus, StatusRow, as_of_problem, provenance_text

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


def _as_of(text: str | None) -> date:
    if text is None:
        return clock.today()
    try:
        return parse_date(text)
    except DateError as error:
        err.print(escape(str(error)))
        raise typer.Exit(2) from None


def _record(row: StatusRow, as_of: date) -> dict[str, Any]:
    a = row.assessment
    fresh = a.freshness
    verdict = a.verdict
    return {
        "type": "indicateur" if row.subject_type == "indicator" else "mesure",
        "identifiant": row.subject_id,
        "code": row.code,
        "libelle": row.label,
        "defi": row.challenge,
        "famille": row.family,
        "unite": row.unit,
        "mesure_par": row.measured_by,
        "periode": str(a.current.period) if a.current else None,
        "valeur": a.current.value if a.current else None,
        "valeur_provisoire": a.current.provisional if a.current else None,
        "reference": a.subject.baseline.value if a.subject.baseline else None,
        "reference_annee": a.subject.baseline.year if a.subject.baseline else None,
        "reference_provenance": provenance_text(row.baseline),
        "reference_base": row.baseline.basis.value if row.baseline.basis else None,
        "reference_confiance": row.baseline.confidence.value if row.baseline.confidence else None,
        "cible_annuelle": a.annual_target.value if a.annual_target else None,
        "cible_finale": a.final_target.value if a.final_target else None,
        "annee_cible_finale": a.final_target.year if a.final_target else None,
        "cible_provenance": provenance_text(row.target),
        "par_an": a.subject.per_year,
        "valeur_attendue": a.expected,
        "avancement_annuel": a.progress_annual,
        "avancement_global": a.progress_global,
        "statut": a.status.value,
        "statut_libelle": a.status.label_fr,
        "verdict_final": a.closing,
        "objectif_annee": verdict_label(verdict) if verdict else None,
        "objectifs": {str(v.year): verdict_label(v) for v in a.years},
        "a_verifier": a.to_check,
        "renseigne": fresh.filled,
        "en_retard_de_saisie": fresh.is_late,
        "jours_de_retard": fresh.days_late,
        "periode_attendue": str(fresh.expected_period),
        "saisie": lateness_text(fresh),
        "prochaine_valeur": next_value_text(fresh, as_of),
        "projection": a.projection.value if a.projection else None,
        "projection_statut": a.projection.projected_status.value if a.projection else None,
        "projection_statut_libelle": (
            a.projection.projected_status.label_fr if a.projection else None
        ),
        "explications": a.reasons,
    }


def _csv_cell(value: Any) -> Any:
    """A cell French Excel reads: numbers with a decimal comma, yes/no in words."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return spreadsheet_number(value)  # ASCII minus, no grouping: French Excel reads it
    if isinstance(value, dict):
        return " ; ".join(f"{v}" for v in value.values())
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
        int | None, typer.Option("--challenge", "-d", help="Seulement ce défi.")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, json ou csv.")] = "table",
) -> None:
    """Status of every indicator and targeted-result measure at a date."""
    if format not in {"table", "json", "csv"}:
        err.print(f"Format « {escape(format)} » non pris en charge : table, json ou csv.")
        raise typer.Exit(2)
    day = _as_of(as_of)
    from cpog.store.bootstrap import setup

    setup()
    from cpog.store.contracts import current_contract
    from cpog.store.status import status_at

    try:
        _, contract = current_contract()
    except CpogError as error:
        err.print(escape(str(error)))
        raise typer.Exit(error.exit_code) from None
    if problem := as_of_problem(contract, day):
        err.print(f"Date « {escape(as_of or '')} » : {problem}.")
        raise typer.Exit(2)
    if challenge is not None and contract.challenge(challenge) is None:
        err.print(f"Défi n°{challenge} inconnu.")
        raise typer.Exit(1)
    try:
        result = status_at(contract, day)
    except CpogError as error:  # a caisse's policy file that cannot be used
        err.print(escape(str(error)))
        raise typer.Exit(error.exit_code) from None
    rows = result.rows
    if challenge is not None:
        rows = [r for r, _ in result.challenge_rows(challenge)]
    records = [_record(r, day) for r in rows]
    if format == "json":
        payload = {
            "date": day.isoformat(),
            "contrat": contract.id,
            "lignes": records,
            "defis": {
                str(n): {
                    "statut": r.status.value,
                    "statut_libelle": r.status.label_fr,
                    "score": r.score,
                    "renseignes": r.n_filled,
                    "attendus": r.n_expected,
                    "complet": r.complete,
                    "manquants": r.missing,
                }
                for n, r in result.challenges.items()
            },
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if format == "csv":
        buffer = io.StringIO()
        columns = [k for k in records[0] if k != "explications"] if records else []
        writer = csv.DictWriter(buffer, columns, delimiter=";", extrasaction="ignore")
        writer.writeheader()
        for record in records:
            writer.writerow({k: _csv_cell(v) for k, v in record.items()})
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
