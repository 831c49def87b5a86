"""``cpog explain``: a computed indicator's definition, as an auditor reads and reruns it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from cpog.contract import default_contract_path
from cpog.contract.loader import read_contract
from cpog.geography import geography_of
from cpog.periods import Period, PeriodError, PeriodUnit
from cpog.vocabulary import DEFINITION_GRAIN, DEFINITION_MEASURE, SUBJECT_TYPE
from cpog.warehouse.definitions import Definition, DefinitionError, definition_for
from cpog.warehouse.engine import Dimension, RunSpec, audit_script

DIALECTS = {"duckdb": "DuckDB", "postgres": "PostgreSQL", "spark": "Spark SQL"}


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Erreur : {message}", err=True)
    return typer.Exit(1)


def _overrides(definition: Definition, pairs: list[str]) -> dict[str, str | int]:
    overrides: dict[str, str | int] = {}
    known = definition.parameter_by_name
    for pair in pairs:
        name, equals, value = pair.partition("=")
        name, value = name.strip(), value.strip()
        if not equals or not name:
            raise _fail(f"« --param {pair} » : écrivez --param nom=valeur.")
        if name not in known:
            names = ", ".join(known) or "aucun"
            raise _fail(
                f"paramètre « {name} » inconnu pour {definition.name} (paramètres : {names})."
            )
        overrides[name] = value
    try:
        definition.values(overrides)  # choices and integers checked, with a French message
    except DefinitionError as error:
        raise _fail(str(error)) from None
    return overrides


def _month(text: str | None, option: str) -> Period:
    if text is None:
        raise _fail(f"--complet demande {option} AAAA-MM (le premier et le dernier mois).")
    try:
        period = Period.parse(text)
    except PeriodError:
        period = None
    if period is None or period.unit is not PeriodUnit.MONTH or period.to_date:
        raise _fail(f"{option} « {text} » : un mois est attendu, écrit AAAA-MM (2025-03).")
    return period


def _describe(definition: Definition, values: dict[str, str | int]) -> list[str]:
    lines = [
        definition.label,
        f"Sujet : {SUBJECT_TYPE.get(definition.subject_type, definition.subject_type)}"
        f" {definition.subject_id}",
        f"Définition : {definition.path}, version {definition.version}",
        f"Mesure : {DEFINITION_MEASURE[definition.measure]} ; dénominateur nul : non calculable",
        f"Grain : {DEFINITION_GRAIN[definition.grain]}",
        f"Extraits lus : {', '.join(definition.tables)}",
    ]
    if definition.parameters:
        lines.append("Paramètres :")
        for parameter in definition.parameters:
            details = [f"défaut : {parameter.default}"]
            if parameter.choices:
                details.append(f"choix : {', '.join(parameter.choices)}")
            if parameter.to_confirm:
                details.append("à confirmer")
            lines.append(f"  {parameter.name} = {values[parameter.name]} ({' ; '.join(details)})")
            if parameter.description:
                lines.append(f"    {parameter.description}")
    else:
        lines.append("Paramètres : aucun")
    if definition.notes:
        lines.append("Notes :")
        lines.extend(f"  – {note}" for note in definition.notes)
    return lines


def explain(
    code: Annotated[str, typer.Argument(help="Indicateur calculé : cog-08-29, « COG 08-29 »…")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="Valeur d'un paramètre : nom=valeur (répétable)."),
    ] = None,
    dialecte: Annotated[
        str, typer.Option("--dialecte", help="SQL pour duckdb, postgres ou spark.")
    ] = "duckdb",
    complet: Annotated[
        bool,
        typer.Option(
            "--complet",
            help="Script DuckDB autonome à lancer dans le dossier des extraits (avec --du, --au).",
        ),
    ] = False,
    du: Annotated[
        str | None, typer.Option("--du", help="Premier mois (AAAA-MM), avec --complet.")
    ] = None,
    au: Annotated[
        str | None, typer.Option("--au", help="Dernier mois (AAAA-MM), avec --complet.")
    ] = None,
    par: Annotated[
        str, typer.Option("--par", help="Territoires : caisse, epci ou commune (--complet).")
    ] = "caisse",
    extraits: Annotated[
        str,
        typer.Option("--extraits", help="Dossier des fichiers <extrait>.parquet (--complet)."),
    ] = ".",
) -> None:
    """Print a definition in French with its SQL, or (``--complet``) a runnable DuckDB script."""
    try:
        definition = definition_for(code)
    except DefinitionError as error:
        raise _fail(str(error)) from None
    if dialecte not in DIALECTS:
        raise _fail(f"dialecte « {dialecte} » inconnu (attendu : {', '.join(DIALECTS)}).")
    overrides = _overrides(definition, param or [])
    values = definition.values(overrides)
    if not complet:
        for line in _describe(definition, values):
            typer.echo(line)
        typer.echo(f"Requête ({DIALECTS[dialecte]}), paramètres remplis :")
        typer.echo("")
        typer.echo(definition.sql_for(dialecte, overrides) + ";")
        return
    if dialecte != "duckdb":
        raise _fail("--complet écrit un script DuckDB : retirez --dialecte.")
    first, last = _month(du, "--du"), _month(au, "--au")
    if last < first:
        raise _fail(f"--au {au} précède --du {du}.")
    try:
        dimension = Dimension(par)
    except ValueError:
        raise _fail(f"--par « {par} » inconnu (attendu : caisse, epci ou commune).") from None
    result = read_contract(default_contract_path())
    if result.contract is None or not result.ok:
        raise _fail("le contrat n'est pas valide : lancez « cpog check ».")
    caisse = result.contract.organisation.code
    spec = RunSpec(
        first, last, dimension, caisse, geography_of(caisse), date(last.end.year, 12, 31)
    )
    typer.echo(audit_script(definition, spec, overrides, folder=extraits), nl=False)
