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

from cpog.geography import Geography
from cpog.periods import Period
from cpog.warehouse import calendar
from cpog.warehouse.definitions import Definition, DefinitionError, Grain, Measure
from cpog.warehouse.schema import TABLES

__all__ = [
    "Computation",
    "Dimension",
    "Result",
    "RunSpec",
    "compute",
    "prepare",
    "results_from_rows",
    "run_definition",
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
            rows.append((commune.code, commune.epci))
        else:
            rows.append((commune.code, commune.code))
    if spec.dimension is Dimension.CAISSE:
        rows.extend((code, spec.caisse) for code in sorted(set(communes_seen) - set(known)))
    return rows


def _communes_seen(connection: duckdb.DuckDBPyConnection) -> set[str]:
    present = {
        row[0]
        for row in connection.execute(
            "SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views()"
        ).fetchall()
    }
    parts = [
        f"SELECT DISTINCT commune FROM {table.name}"
        for table in TABLES
        if table.name in present and any(c.name == "commune" for c in table.columns)
    ]
    if not parts:
        return set()
    return {row[0] for row in connection.execute(" UNION ".join(parts)).fetchall() if row[0]}


def prepare(connection: duckdb.DuckDBPyConnection, spec: RunSpec, grain: Grain) -> None:
    """(Re)create the engine's tables for ``spec`` at ``grain``."""
    first_day = min(date(spec.first.year - 6, 1, 1), date(2000, 1, 1))
    last_day = max(spec.last.end, spec.data_end)
    last_day = date(last_day.year + 3, 12, 31)
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE jours"
        " (jour DATE, rang INTEGER, rang_ouvre INTEGER, ouvre BOOLEAN)"
    )
    connection.executemany(
        "INSERT INTO jours VALUES (?, ?, ?, ?)",
        [(d.day, d.rank, d.working_rank, d.working) for d in calendar.days(first_day, last_day)],
    )
    rows = calendar.periods(spec.first, spec.last, grain)
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE periodes (periode VARCHAR, debut DATE, fin DATE)"
    )
    if rows:
        connection.executemany(
            "INSERT INTO periodes VALUES (?, ?, ?)", [(r.key, r.start, r.end) for r in rows]
        )
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE fins_de_mois (periode VARCHAR, jour DATE, mois VARCHAR)"
    )
    ends = [(r.key, end, f"{end:%Y-%m}") for r in rows for end in calendar.month_ends(r)]
    if ends:
        connection.executemany("INSERT INTO fins_de_mois VALUES (?, ?, ?)", ends)
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE territoires (commune VARCHAR, territoire VARCHAR)"
    )
    connection.executemany(
        "INSERT INTO territoires VALUES (?, ?)", territory_rows(spec, _communes_seen(connection))
    )


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


def compute(
    connection: duckdb.DuckDBPyConnection,
    definitions: Sequence[Definition],
    spec: RunSpec,
    progress: Callable[[Definition], None] | None = None,
) -> Computation:
    """Run ``definitions`` (each at its own grain) and gather their results."""
    results: list[Result] = []
    prepared: Grain | None = None
    for definition in sorted(definitions, key=lambda d: (d.grain, d.name)):
        if definition.grain != prepared:
            prepare(connection, spec, definition.grain)
            prepared = definition.grain
        results.extend(run_definition(connection, definition, spec))
        if progress is not None:
            progress(definition)
    return Computation(tuple(results), {d.name: d.values(spec.parameters) for d in definitions})
