"""The same definitions on PostgreSQL and on Spark SQL (issue 11, portability).

DuckDB is cpog's engine (:mod:`cpog.warehouse.engine`); this module runs the very same definition
files elsewhere, transpiled by SQLGlot (``Definition.sql_for("postgres" | "spark")``), on the
very same tables:

* the extracts, given as rows (:data:`ExtractRows`, from :func:`extract_rows` of a DuckDB
  connection, e.g. :func:`cpog.warehouse.extracts.load_extracts`'s) with the columns of
  :mod:`cpog.warehouse.schema`;
* the engine's tables ``jours``, ``periodes``, ``fins_de_mois``, ``territoires``, built by
  :func:`engine_tables` exactly as :func:`cpog.warehouse.engine.prepare` builds them in DuckDB.

The rows each query returns become :class:`~cpog.warehouse.engine.Result` values through
:func:`cpog.warehouse.engine.results_from_rows`, the one place that turns rows into results; so
DuckDB, PostgreSQL and Spark give equal results or the conformance tests
(``tests/warehouse/test_conformance_engines.py``) fail. The portable subset the definitions keep
to is written down in docs/national-computation.md.

PostgreSQL: one schema per run (``cpog_run_<random>``), created, filled with ``COPY`` and dropped
at the end. Spark: temporary views of a session (:func:`local_spark_session` for a laptop or the
tests; on a cluster ``spark-submit`` provides it, see :mod:`cpog.warehouse.spark_job`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import duckdb
import sqlglot

from cpog.warehouse import calendar
from cpog.warehouse.definitions import Definition, Grain
from cpog.warehouse.engine import (
    Computation,
    Result,
    RunSpec,
    calendar_range,
    results_from_rows,
    territory_rows,
)
from cpog.warehouse.schema import TABLES, ColumnType, Table, create_statement

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "ENGINE_TABLE_COLUMNS",
    "EngineTable",
    "ExtractRows",
    "PostgresRun",
    "SparkRun",
    "SparkViews",
    "communes_seen",
    "compute_on_postgres",
    "compute_on_spark",
    "engine_tables",
    "extract_rows",
    "local_spark_session",
    "spark_schema",
    "spark_view",
]

# Table name → rows, each in the column order of :mod:`cpog.warehouse.schema`.
ExtractRows = Mapping[str, Sequence[Sequence[object]]]

# The engine's tables and their columns, as engine.prepare creates them in DuckDB.
ENGINE_TABLE_COLUMNS: dict[str, tuple[tuple[str, ColumnType], ...]] = {
    "jours": (
        ("jour", ColumnType.DATE),
        ("rang", ColumnType.INTEGER),
        ("rang_ouvre", ColumnType.INTEGER),
        ("ouvre", ColumnType.BOOLEAN),
        ("fin_mois", ColumnType.DATE),
    ),
    "periodes": (
        ("periode", ColumnType.TEXT),
        ("debut", ColumnType.DATE),
        ("fin", ColumnType.DATE),
    ),
    "fins_de_mois": (
        ("periode", ColumnType.TEXT),
        ("jour", ColumnType.DATE),
        ("mois", ColumnType.TEXT),
    ),
    "territoires": (("commune", ColumnType.TEXT), ("territoire", ColumnType.TEXT)),
}

_PG_TYPE = {
    ColumnType.TEXT: "TEXT",
    ColumnType.MONTH: "TEXT",
    ColumnType.DATE: "DATE",
    ColumnType.INTEGER: "BIGINT",
    ColumnType.DECIMAL: "NUMERIC(18, 2)",
    ColumnType.BOOLEAN: "BOOLEAN",
}


@dataclass(frozen=True)
class EngineTable:
    name: str
    columns: tuple[tuple[str, ColumnType], ...]
    rows: list[tuple[object, ...]]


def engine_tables(
    spec: RunSpec, grain: Grain, communes: Iterable[str], *, days: tuple[date, date] | None = None
) -> list[EngineTable]:
    """The rows of ``jours``, ``periodes``, ``fins_de_mois`` and ``territoires`` for ``spec`` at
    ``grain``; ``communes`` are the communes the extracts mention (see :func:`communes_seen`)."""
    first_day, last_day = days or calendar_range(spec)
    periods = calendar.periods(spec.first, spec.last, grain)
    return [
        EngineTable(
            "jours",
            ENGINE_TABLE_COLUMNS["jours"],
            [
                (d.day, d.rank, d.working_rank, d.working, d.month_end)
                for d in calendar.days(first_day, last_day)
            ],
        ),
        EngineTable(
            "periodes", ENGINE_TABLE_COLUMNS["periodes"], [(p.key, p.start, p.end) for p in periods]
        ),
        EngineTable(
            "fins_de_mois",
            ENGINE_TABLE_COLUMNS["fins_de_mois"],
            [(p.key, end, f"{end:%Y-%m}") for p in periods for end in calendar.month_ends(p)],
        ),
        EngineTable(
            "territoires",
            ENGINE_TABLE_COLUMNS["territoires"],
            [(c, t) for c, t in territory_rows(spec, communes)],
        ),
    ]


def _keys(tables: Sequence[EngineTable]) -> tuple[list[str], list[str]]:
    """The period keys (in order) and the territories (sorted) a run must give results for."""
    by_name = {table.name: table for table in tables}
    periods = [str(row[0]) for row in by_name["periodes"].rows]
    territories = sorted({str(row[1]) for row in by_name["territoires"].rows})
    return periods, territories


def extract_rows(connection: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    """Every extract table present in a DuckDB connection, as rows in the schema's column order."""
    present = {
        str(row[0])
        for row in connection.execute(
            "SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views()"
        ).fetchall()
    }
    found: dict[str, list[tuple[object, ...]]] = {}
    for table in TABLES:
        if table.name in present:
            columns = ", ".join(column.name for column in table.columns)
            found[table.name] = [
                tuple(row)
                for row in connection.execute(f"SELECT {columns} FROM {table.name}").fetchall()
            ]
    return found


def communes_seen(extracts: ExtractRows) -> set[str]:
    """The communes the extracts mention (at the caisse level, an unknown one still counts)."""
    seen: set[str] = set()
    for table in TABLES:
        names = [column.name for column in table.columns]
        if table.name not in extracts or "commune" not in names:
            continue
        position = names.index("commune")
        seen.update(str(row[position]) for row in extracts[table.name] if row[position])
    return seen


def _tables_of(extracts: ExtractRows) -> list[Table]:
    return [table for table in TABLES if table.name in extracts]


# --------------------------------------------------------------------------------------------
# PostgreSQL


class PostgresRun:
    """The extracts copied into a schema of their own in PostgreSQL; definitions run there.

    Use as a context manager: the schema is dropped at the end, whatever happens.
    """

    def __init__(self, connection: psycopg.Connection[Any], extracts: ExtractRows) -> None:
        self.connection = connection
        self.extracts = extracts
        self.schema = f"cpog_run_{secrets.token_hex(6)}"
        self._communes = communes_seen(extracts)
        self._prepared: tuple[object, ...] | None = None
        self._keys: tuple[list[str], list[str]] = ([], [])

    def __enter__(self) -> PostgresRun:
        with self.connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {self.schema}")
            cursor.execute(f"SET search_path TO {self.schema}")
        for table in _tables_of(self.extracts):
            statement = sqlglot.transpile(create_statement(table), read="duckdb", write="postgres")
            self._create(table.name, statement[0], self.extracts[table.name])
        self.connection.commit()
        return self

    def __exit__(self, *exc: object) -> None:
        self.connection.rollback()
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
            cursor.execute("SET search_path TO DEFAULT")
        self.connection.commit()

    def _create(self, name: str, statement: str, rows: Iterable[Sequence[object]]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(statement)
            with cursor.copy(f"COPY {name} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"ANALYZE {name}")

    def prepare(self, spec: RunSpec, grain: Grain) -> None:
        """(Re)create the engine's tables for ``spec`` at ``grain`` (skipped when unchanged)."""
        if self._prepared == (spec, grain):
            return
        tables = engine_tables(spec, grain, self._communes)
        for table in tables:
            columns = ", ".join(f"{name} {_PG_TYPE[kind]}" for name, kind in table.columns)
            with self.connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {table.name}")
            self._create(table.name, f"CREATE TABLE {table.name} ({columns})", table.rows)
        self.connection.commit()
        self._prepared = (spec, grain)
        self._keys = _keys(tables)

    def run(self, definition: Definition, spec: RunSpec) -> list[Result]:
        self.prepare(spec, definition.grain)
        sql = definition.sql_for(
            "postgres", spec.parameters, data_end=spec.data_end.isoformat(), pretty=False
        )
        with self.connection.cursor() as cursor:
            rows = cursor.execute(sql).fetchall()
        self.connection.commit()
        return results_from_rows(definition, spec, rows, *self._keys)

    def compute(self, definitions: Sequence[Definition], spec: RunSpec) -> Computation:
        results: list[Result] = []
        for definition in sorted(definitions, key=lambda d: (d.grain, d.name)):
            results.extend(self.run(definition, spec))
        return Computation(tuple(results), {d.name: d.values(spec.parameters) for d in definitions})


def compute_on_postgres(
    conninfo: str, extracts: ExtractRows, definitions: Sequence[Definition], spec: RunSpec
) -> Computation:
    """Run ``definitions`` on PostgreSQL at ``conninfo`` (a schema of their own, dropped after)."""
    import psycopg

    with psycopg.connect(conninfo) as connection, PostgresRun(connection, extracts) as run:
        return run.compute(definitions, spec)


# --------------------------------------------------------------------------------------------
# Spark


def spark_schema(columns: Sequence[tuple[str, ColumnType]]) -> Any:
    """A Spark ``StructType`` for columns of the logical types of :mod:`cpog.warehouse.schema`."""
    from pyspark.sql import types

    kinds: dict[ColumnType, Any] = {
        ColumnType.TEXT: types.StringType(),
        ColumnType.MONTH: types.StringType(),
        ColumnType.DATE: types.DateType(),
        ColumnType.INTEGER: types.LongType(),
        ColumnType.DECIMAL: types.DecimalType(18, 2),
        ColumnType.BOOLEAN: types.BooleanType(),
    }
    return types.StructType([types.StructField(name, kinds[kind], True) for name, kind in columns])


def local_spark_session(app_name: str = "cpog", cores: int = 2) -> Any:
    """A local Spark session for a laptop or the tests: ``local[cores]``, no web UI, few shuffle
    partitions, bound to 127.0.0.1 (set ``SPARK_LOCAL_IP=127.0.0.1`` too), UTC."""
    from pyspark.sql import SparkSession

    builder: Any = SparkSession.builder
    return (
        builder.master(f"local[{cores}]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(cores))
        .config("spark.default.parallelism", str(cores))
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .getOrCreate()
    )


def spark_view(
    session: Any,
    name: str,
    columns: Sequence[tuple[str, ColumnType]],
    rows: Sequence[Sequence[object]],
) -> None:
    """A temporary view ``name`` of ``rows``, kept in the JVM (a local checkpoint): without it
    every query would start Python workers again to read the rows."""
    frame = session.createDataFrame([tuple(row) for row in rows], schema=spark_schema(columns))
    frame.localCheckpoint(eager=True).createOrReplaceTempView(name)


class SparkViews:
    """Temporary views of a session, registered again only when their rows change (``jours``
    is the same for every grain and dimension of a run)."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self._rows: dict[str, list[tuple[object, ...]]] = {}

    def put(
        self,
        name: str,
        columns: Sequence[tuple[str, ColumnType]],
        rows: Sequence[Sequence[object]],
    ) -> None:
        as_tuples = [tuple(row) for row in rows]
        if self._rows.get(name) == as_tuples:
            return
        spark_view(self.session, name, columns, as_tuples)
        self._rows[name] = as_tuples


class SparkRun:
    """The extracts as temporary views of a Spark session; definitions run there."""

    def __init__(self, session: Any, extracts: ExtractRows) -> None:
        self.session = session
        self._communes = communes_seen(extracts)
        self._prepared: tuple[object, ...] | None = None
        self._keys: tuple[list[str], list[str]] = ([], [])
        self._views = SparkViews(session)
        for table in _tables_of(extracts):
            columns = tuple((column.name, column.type) for column in table.columns)
            self._views.put(table.name, columns, extracts[table.name])

    def prepare(self, spec: RunSpec, grain: Grain) -> None:
        if self._prepared == (spec, grain):
            return
        tables = engine_tables(spec, grain, self._communes)
        for table in tables:
            self._views.put(table.name, table.columns, table.rows)
        self._prepared = (spec, grain)
        self._keys = _keys(tables)

    def run(self, definition: Definition, spec: RunSpec) -> list[Result]:
        self.prepare(spec, definition.grain)
        sql = definition.sql_for(
            "spark", spec.parameters, data_end=spec.data_end.isoformat(), pretty=False
        )
        rows = [tuple(row) for row in self.session.sql(sql).collect()]
        return results_from_rows(definition, spec, rows, *self._keys)

    def compute(self, definitions: Sequence[Definition], spec: RunSpec) -> Computation:
        results: list[Result] = []
        for definition in sorted(definitions, key=lambda d: (d.grain, d.name)):
            results.extend(self.run(definition, spec))
        return Computation(tuple(results), {d.name: d.values(spec.parameters) for d in definitions})


def compute_on_spark(
    session: Any, extracts: ExtractRows, definitions: Sequence[Definition], spec: RunSpec
) -> Computation:
    """Run ``definitions`` on Spark (the extracts become temporary views of ``session``)."""
    return SparkRun(session, extracts).compute(definitions, spec)
