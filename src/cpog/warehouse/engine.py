"""Running the definitions on DuckDB: the engine's tables, the queries, the results.

The extracts are already in the connection (:mod:`cpog.warehouse.extracts` loads them; tests
create them by hand). :func:`compute` adds the calendar and territory tables for the run, runs
each definition at its grain and returns plain :class:`Result` rows; the store writes them.
A zero denominator gives a result without value (« non calculable »), never 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

import duckdb
import sqlglot
from sqlglot import exp

from cpog.contract.model import Contract, Cumulation, Periodicity
from cpog.geography import Geography
from cpog.periods import Period
from cpog.vocabulary import DEFINITION_GRAIN, DEFINITION_MEASURE
from cpog.warehouse import calendar
from cpog.warehouse.definitions import (
    Definition,
    DefinitionError,
    Grain,
    Measure,
    all_definitions,
)
from cpog.warehouse.schema import SQL_TYPE, TABLE_BY_NAME, TABLES, ColumnType

__all__ = [
    "Computation",
    "Dimension",
    "Result",
    "RunSpec",
    "audit_script",
    "check_against",
    "check_parameters",
    "compute",
    "prepare",
    "results_from_rows",
    "run_definition",
    "setup_statements",
]

NOT_COMPUTABLE = "non calculable"

_SIX_PLACES = Decimal("0.000001")


class Dimension(StrEnum):
    CAISSE = "caisse"
    EPCI = "epci"
    COMMUNE = "commune"


@dataclass(frozen=True)
class RunSpec:
    """What a run computes: the months, the dimension, the caisse and its geography."""

    first: Period  # a month
    last: Period  # a month
    dimension: Dimension
    caisse: str  # the caisse's scope code (« 79 »)
    geography: Geography
    data_end: date  # the last day the extracts cover
    parameters: dict[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    definition: str
    subject_type: str
    subject_id: str
    period_key: str
    scope_type: str  # "caisse" or "territory"
    scope_code: str
    numerator: Decimal
    denominator: Decimal | None
    value: Decimal | None  # None: non calculable (zero denominator)

    @property
    def computable(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Computation:
    results: tuple[Result, ...]
    parameters: dict[str, dict[str, str | int]]  # definition → parameter values used
    skipped: dict[str, str] = field(default_factory=dict)  # definition → why (French)


def value_of(measure: Measure, numerator: Decimal, denominator: Decimal | None) -> Decimal | None:
    """The value of a result, rounded to the store's six decimal places."""
    if measure in (Measure.SUM, Measure.COUNT):
        return numerator.quantize(_SIX_PLACES)
    if denominator is None or denominator == 0:
        return None
    ratio = numerator / denominator * (100 if measure is Measure.RATIO else 1)
    return ratio.quantize(_SIX_PLACES)


def territory_rows(spec: RunSpec, communes_seen: Iterable[str]) -> list[tuple[str, str]]:
    """``territoires``: every commune with its territory at the run's dimension. At the caisse
    level every commune counts, even one the geography does not know (moved, mistyped)."""
    rows: list[tuple[str, str]] = []
    known = spec.geography.commune_by_code
    for commune in known.values():
        if spec.dimension is Dimension.CAISSE:
            rows.append((commune.code, spec.caisse))
        elif spec.dimension is Dimension.EPCI:
            if commune.epci:  # a commune in no EPCI counts at the caisse level only
                rows.append((commune.code, commune.epci))
        else:
            rows.append((commune.code, commune.code))
    if spec.dimension is Dimension.CAISSE:
        rows.extend((code, spec.caisse) for code in sorted(set(communes_seen) - set(known)))
    return rows


def calendar_range(spec: RunSpec) -> tuple[date, date]:
    """The days ``jours`` covers for a run: from 2000 (or six years before the first month, if
    earlier) to three years after the later of the last month and the data's end. Ranks are
    differences, so the range does not change a delay; it only bounds the days an item's dates
    may fall on."""
    first_day = min(date(spec.first.year - 6, 1, 1), date(2000, 1, 1))
    last_day = max(spec.last.end, spec.data_end)
    return first_day, date(last_day.year + 3, 12, 31)


def _literal(value: object) -> str:
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    text = str(value).replace("'", "''")
    return f"'{text}'"


def _values(rows: Sequence[Sequence[object]], names: Sequence[str], types: Sequence[str]) -> str:
    """A ``SELECT`` of literal rows (typed columns), or of no row when ``rows`` is empty."""
    columns = ", ".join(
        f"CAST(NULL AS {kind}) AS {name}" for name, kind in zip(names, types, strict=True)
    )
    if not rows:
        return f"SELECT {columns} WHERE 1 = 0"
    body = ",\n  ".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in rows)
    casts = ", ".join(
        f"CAST(v.{name} AS {kind}) AS {name}" for name, kind in zip(names, types, strict=True)
    )
    return f"SELECT {casts} FROM (VALUES\n  {body}\n) AS v({', '.join(names)})"


def jours_sql(first_day: date, last_day: date) -> str:
    """The ``SELECT`` of ``jours`` in DuckDB SQL (the same ranks as :func:`calendar.days`)."""
    holidays = sorted(
        day
        for year in range(first_day.year, last_day.year + 1)
        for day in calendar.french_holidays(year)
        if first_day <= day <= last_day
    )
    holiday_rows = _values([(day,) for day in holidays], ["jour"], ["DATE"])
    return (
        "WITH calendrier AS (\n"
        f"  SELECT CAST(d AS DATE) AS jour FROM generate_series({_literal(first_day)},"
        f" {_literal(last_day)}, INTERVAL 1 DAY) AS g(d)\n"
        "), feries AS (\n"
        f"  {holiday_rows}\n"
        "), marques AS (\n"
        "  SELECT c.jour, isodow(c.jour) < 6 AND f.jour IS NULL AS ouvre\n"
        "  FROM calendrier AS c LEFT JOIN feries AS f ON f.jour = c.jour\n"
        ")\n"
        "SELECT jour,\n"
        "  CAST(ROW_NUMBER() OVER (ORDER BY jour) - 1 AS INTEGER) AS rang,\n"
        f"  CAST(SUM(CASE WHEN ouvre AND jour <> {_literal(first_day)} THEN 1 ELSE 0 END)"
        " OVER (ORDER BY jour) AS INTEGER) AS rang_ouvre,\n"
        "  ouvre,\n"
        "  last_day(jour) AS fin_mois\n"
        "FROM marques"
    )


def _commune_tables(present: Iterable[str]) -> list[str]:
    names = set(present)
    return [
        table.name
        for table in TABLES
        if table.name in names and any(c.name == "commune" for c in table.columns)
    ]


def territoires_sql(spec: RunSpec, present: Iterable[str]) -> str:
    """The ``SELECT`` of ``territoires``: the geography's communes at the run's dimension; at
    the caisse level, also every commune an extract in ``present`` names (unknown to the
    geography: moved, mistyped), so that the caisse counts every item."""
    known = _values(territory_rows(spec, ()), ["commune", "territoire"], ["VARCHAR", "VARCHAR"])
    if spec.dimension is not Dimension.CAISSE:
        return known
    seen = [
        f"SELECT DISTINCT commune, {_literal(spec.caisse)} AS territoire FROM {name}"
        for name in _commune_tables(present)
    ]
    return "\nUNION\n".join([known, *seen])


def setup_statements(
    spec: RunSpec, grain: Grain, present: Iterable[str], *, temporary: bool = True
) -> list[str]:
    """The statements creating ``jours``, ``periodes``, ``fins_de_mois`` and ``territoires`` for
    ``spec`` at ``grain``, in DuckDB SQL (``present``: the extract tables already there)."""
    create = "CREATE OR REPLACE TEMP TABLE" if temporary else "CREATE OR REPLACE TABLE"
    rows = calendar.periods(spec.first, spec.last, grain)
    ends = [(r.key, end, f"{end:%Y-%m}") for r in rows for end in calendar.month_ends(r)]
    return [
        f"{create} jours AS\n{jours_sql(*calendar_range(spec))}",
        f"{create} periodes AS\n"
        + _values(
            [(r.key, r.start, r.end) for r in rows],
            ["periode", "debut", "fin"],
            ["VARCHAR", "DATE", "DATE"],
        ),
        f"{create} fins_de_mois AS\n"
        + _values(ends, ["periode", "jour", "mois"], ["VARCHAR", "DATE", "VARCHAR"]),
        f"{create} territoires AS\n{territoires_sql(spec, present)}",
    ]


def present_tables(connection: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The extract tables (or views) the connection holds."""
    names = {
        str(row[0])
        for row in connection.execute(
            "SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views()"
        ).fetchall()
    }
    return frozenset(table.name for table in TABLES if table.name in names)


def prepare(connection: duckdb.DuckDBPyConnection, spec: RunSpec, grain: Grain) -> None:
    """(Re)create the engine's tables for ``spec`` at ``grain``."""
    present = present_tables(connection)
    for statement in setup_statements(spec, grain, present):
        connection.execute(statement)


def run_definition(
    connection: duckdb.DuckDBPyConnection, definition: Definition, spec: RunSpec
) -> list[Result]:
    """Run one definition; the engine's tables must be prepared at its grain."""
    sql = definition.sql_for(
        "duckdb", spec.parameters, data_end=spec.data_end.isoformat(), pretty=False
    )
    rows = connection.execute(sql).fetchall()
    period_keys = [str(p) for (p,) in connection.execute("SELECT periode FROM periodes").fetchall()]
    territories = [
        str(t)
        for (t,) in connection.execute(
            "SELECT DISTINCT territoire FROM territoires ORDER BY territoire"
        ).fetchall()
    ]
    return results_from_rows(definition, spec, rows, period_keys, territories)


def results_from_rows(
    definition: Definition,
    spec: RunSpec,
    rows: Iterable[Sequence[object]],
    period_keys: Sequence[str],
    territories: Sequence[str],
) -> list[Result]:
    """The results of a definition from the rows its query returned, on any engine.

    Every period and territory gets a result: a sum over nothing is 0, a ratio or a mean over
    nothing is « non calculable » (its denominator is 0).
    """
    found: dict[tuple[str, str], tuple[object, object]] = {
        (str(period_key), str(territory)): (numerator, denominator)
        for period_key, territory, numerator, denominator in rows
    }
    scope_type = "caisse" if spec.dimension is Dimension.CAISSE else "territory"
    results = []
    for period_key in period_keys:
        for territory in territories:
            numerator, denominator = found.pop((period_key, territory), (0, 0))
            num = Decimal(str(numerator)) if numerator is not None else Decimal(0)
            den = None if denominator is None else Decimal(str(denominator))
            if definition.measure in (Measure.SUM, Measure.COUNT):
                den = None
            results.append(
                Result(
                    definition.name,
                    definition.subject_type,
                    definition.subject_id,
                    period_key,
                    scope_type,
                    territory,
                    num,
                    den,
                    value_of(definition.measure, num, den),
                )
            )
    if found:  # a row outside the run's periods or territories: the definition is wrong
        raise DefinitionError(
            f"{definition.path} : la requête rend des périodes ou territoires inattendus"
            f" ({', '.join(sorted(' / '.join(key) for key in found)[:3])})."
        )
    return results


def check_parameters(definitions: Iterable[Definition], parameters: dict[str, str | int]) -> None:
    """Refuse a parameter no definition of the run has (a typo would otherwise be ignored), and
    a value a definition refuses."""
    definitions = list(definitions)
    known = {p.name for d in definitions for p in d.parameters}
    unknown = sorted(set(parameters) - known)
    if unknown:
        raise DefinitionError(
            f"Paramètre{'s' if len(unknown) > 1 else ''} inconnu{'s' if len(unknown) > 1 else ''}"
            f" : {', '.join(unknown)} (paramètres des définitions :"
            f" {', '.join(sorted(known)) or 'aucun'})."
        )
    for definition in definitions:
        definition.values(parameters)


def missing_tables(definition: Definition, present: Iterable[str]) -> list[str]:
    """The extract tables ``definition`` reads that are not loaded."""
    loaded = set(present)
    return [name for name in definition.tables if name not in loaded]


def compute(
    connection: duckdb.DuckDBPyConnection,
    definitions: Sequence[Definition],
    spec: RunSpec,
    progress: Callable[[Definition], None] | None = None,
) -> Computation:
    """Run ``definitions`` (each at its own grain) and gather their results.

    A definition whose extract tables are not all loaded is skipped, with the French reason in
    :attr:`Computation.skipped`; a parameter no definition has is refused
    (:class:`DefinitionError`). A range without any period at a grain gives no result.
    """
    check_parameters(definitions, spec.parameters)
    present = present_tables(connection)
    results: list[Result] = []
    skipped: dict[str, str] = {}
    prepared: Grain | None = None
    ran: list[Definition] = []
    for definition in sorted(definitions, key=lambda d: (d.grain, d.name)):
        missing = missing_tables(definition, present)
        if missing:
            plural = len(missing) > 1
            skipped[definition.name] = (
                f"extrait{'s' if plural else ''} absent{'s' if plural else ''} :"
                f" {', '.join(missing)}"
            )
        else:
            if definition.grain != prepared:
                prepare(connection, spec, definition.grain)
                prepared = definition.grain
            results.extend(run_definition(connection, definition, spec))
            ran.append(definition)
        if progress is not None:
            progress(definition)
    return Computation(tuple(results), {d.name: d.values(spec.parameters) for d in ran}, skipped)


# --- the definitions against the contract ---------------------------------------------------


def expected_grain(periodicity: Periodicity, cumulation: Cumulation) -> Grain | None:
    """The grain a definition of an indicator must have (None: no grain fits)."""
    if periodicity is Periodicity.ANNUAL:
        return Grain.YEAR
    if periodicity is Periodicity.MONTHLY:
        return Grain.YEAR_TO_DATE if cumulation is Cumulation.YEAR_TO_DATE else Grain.MONTH
    return None


def check_against(contract: Contract, definitions: Iterable[Definition] | None = None) -> list[str]:
    """Every problem between the definitions and the contract, in French (empty: they agree).

    A definition's subject must exist (an indicator by id, a figure by the diagnosis's key
    figure id, a measure by id); its measure must agree with the subject's unit (a ratio gives
    a percentage, and only a ratio does); its grain with the indicator's periodicity and
    cumulation (monthly year-to-date ↔ year_to_date, monthly ↔ month, annual ↔ year; a figure
    is yearly).
    """
    indicators = {indicator.id: indicator for indicator in contract.indicators}
    figures = {figure.id: figure for figure in contract.diagnosis.key_figures}
    measures = {measure.id: measure for _, _, measure in contract.measures()}
    problems: list[str] = []
    for definition in all_definitions() if definitions is None else definitions:
        where = f"{definition.path} ({definition.subject_type}/{definition.subject_id})"
        unit: str | None
        grain: Grain | None
        if definition.subject_type == "indicator":
            indicator = indicators.get(definition.subject_id)
            if indicator is None:
                problems.append(
                    f"{where} : aucun indicateur « {definition.subject_id} » au contrat."
                )
                continue
            unit = indicator.unit
            grain = expected_grain(indicator.periodicity, indicator.cumulation)
            if grain is None:
                problems.append(
                    f"{where} : périodicité « {indicator.periodicity} » non prise en charge."
                )
                continue
        elif definition.subject_type == "figure":
            figure = figures.get(definition.subject_id)
            if figure is None:
                problems.append(
                    f"{where} : aucun chiffre clé « {definition.subject_id} » au diagnostic."
                )
                continue
            unit, grain = figure.unit, Grain.YEAR
        elif definition.subject_type == "measure":
            measure = measures.get(definition.subject_id)
            if measure is None:
                problems.append(f"{where} : aucune mesure « {definition.subject_id} » au contrat.")
                continue
            unit, grain = measure.unit, None
        else:
            problems.append(
                f"{where} : type de sujet « {definition.subject_type} » inconnu"
                " (attendu : indicator, figure ou measure)."
            )
            continue
        percent = (unit or "").strip() == "%"
        if percent and definition.measure is not Measure.RATIO:
            problems.append(
                f"{where} : l'unité est « % » mais la mesure est « {definition.measure} »"
                " (attendu : ratio)."
            )
        elif definition.measure is Measure.RATIO and not percent:
            problems.append(
                f"{where} : la mesure « ratio » donne des pourcentages, mais l'unité est"
                f" « {unit} »."
            )
        if grain is not None and definition.grain is not grain:
            problems.append(
                f"{where} : grain « {definition.grain} » ; attendu « {grain} » d'après la"
                " périodicité et le cumul du sujet."
            )
    return problems


# --- a script an auditor runs in DuckDB ---------------------------------------------------------


def audit_script(
    definition: Definition,
    spec: RunSpec,
    overrides: dict[str, str | int] | None = None,
    *,
    folder: str = ".",
) -> str:
    """A self-contained DuckDB script computing ``definition`` as the engine does: views over the
    extract files ``<folder>/<table>.parquet`` (typed as the loader types them), the engine's
    tables for ``spec`` (range, dimension), then the query with its parameters filled in.

    ``:fin_donnees`` (the last day the extracts cover) is computed in the script from the
    definition's extracts; the engine takes it from all the extracts loaded.
    """
    grain_rows = calendar.periods(spec.first, spec.last, definition.grain)
    statements: list[str] = []
    for name in definition.tables:
        table = TABLE_BY_NAME[name]
        columns = ",\n  ".join(
            f"CAST({c.name} AS {SQL_TYPE[c.type]}) AS {c.name}" for c in table.columns
        )
        path = f"{folder.rstrip('/')}/{name}.parquet".replace("'", "''")
        statements.append(
            f"CREATE OR REPLACE VIEW {name} AS SELECT\n  {columns}\nFROM read_parquet('{path}')"
        )
    statements.extend(setup_statements(spec, definition.grain, definition.tables, temporary=False))
    data_end: str | exp.Expr = spec.data_end.isoformat()
    if definition.uses_data_end:
        maxima = [
            f"SELECT MAX({c.name}) AS jour FROM {name}"
            for name in definition.tables
            for c in TABLE_BY_NAME[name].columns
            if c.type is ColumnType.DATE
        ]
        statements.append(
            "CREATE OR REPLACE TABLE fin_donnees AS SELECT MAX(jour) AS jour FROM (\n  "
            + "\n  UNION ALL ".join(maxima)
            + "\n) AS dates"
        )
        data_end = sqlglot.parse_one("(SELECT jour FROM fin_donnees)", read="duckdb")
    query = definition.sql_for("duckdb", overrides, data_end=data_end, pretty=True)
    values = definition.values(overrides)
    header = [
        f"-- {definition.label}",
        f"-- Définition {definition.name}, version {definition.version} ;"
        f" sujet {definition.subject_type}/{definition.subject_id}.",
        f"-- Période : {spec.first.key} à {spec.last.key}"
        f" ({len(grain_rows)} période(s) : {DEFINITION_GRAIN[definition.grain]}) ;"
        f" territoires : {spec.dimension}.",
        "-- Paramètres : "
        + (", ".join(f"{name} = {value}" for name, value in values.items()) or "aucun")
        + ".",
        "-- À lancer avec DuckDB dans le dossier des extraits : duckdb < script.sql",
        "-- Résultat : periode, territoire, numerateur, denominateur ;"
        f" {DEFINITION_MEASURE[definition.measure]} ; dénominateur nul : non calculable.",
        "",
    ]
    body = ";\n\n".join(statements)
    return (
        "\n".join(header)
        + body
        + ";\n\nSELECT * FROM (\n"
        + query
        + "\n) AS resultat\nORDER BY periode, territoire;\n"
    )
