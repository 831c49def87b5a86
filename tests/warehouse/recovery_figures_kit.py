"""Tiny extracts written by hand for the recovery, fraud, datamining and figure tests.

Three communes in two EPCI stand in for the Deux-Sèvres, so that every breakdown can be added
up by hand: 79001 and 79002 in EPCI « 200000001 », 79003 in EPCI « 200000002 ».
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal

import duckdb

from cpog.geography import Commune, Epci, Geography
from cpog.periods import Period, PeriodUnit
from cpog.warehouse.definitions import Definition, definition_for
from cpog.warehouse.engine import Dimension, Result, RunSpec, compute
from cpog.warehouse.schema import TABLE_BY_NAME, TABLES, create_statement

EPCI_A = "200000001"
EPCI_B = "200000002"
GEOGRAPHY = Geography(
    "79",
    (
        Commune("79001", "Commune A1", 1000, EPCI_A),
        Commune("79002", "Commune A2", 1000, EPCI_A),
        Commune("79003", "Commune B1", 1000, EPCI_B),
    ),
    (Epci(EPCI_A, "EPCI A", "CC"), Epci(EPCI_B, "EPCI B", "CC")),
)
CAISSE = "79"


def extracts(**rows: list[tuple[object, ...]]) -> duckdb.DuckDBPyConnection:
    """An in-memory database with every extract table, filled with ``rows`` by table name
    (each row in the schema's column order)."""
    connection = duckdb.connect()
    for table in TABLES:
        connection.execute(create_statement(table))
    for name, table_rows in rows.items():
        table = TABLE_BY_NAME[name]
        marks = ", ".join("?" for _ in table.columns)
        connection.executemany(f"INSERT INTO {name} VALUES ({marks})", table_rows)
    return connection


@functools.cache
def _definition(code: str) -> Definition:
    """Parsing every definition file for each run would take most of the tests' time."""
    return definition_for(code)


def month(text: str) -> Period:
    year, index = text.split("-")
    return Period(PeriodUnit.MONTH, int(year), int(index))


def run(
    connection: duckdb.DuckDBPyConnection,
    code: str,
    first: str,
    last: str,
    *,
    data_end: date,
    dimension: Dimension = Dimension.CAISSE,
    parameters: dict[str, str | int] | None = None,
) -> dict[tuple[str, str], Result]:
    """Compute one definition from month ``first`` to month ``last``: results by (period key,
    scope code)."""
    spec = RunSpec(
        month(first),
        month(last),
        dimension,
        CAISSE,
        GEOGRAPHY,
        data_end,
        dict(parameters or {}),
    )
    computation = compute(connection, [_definition(code)], spec)
    return {(r.period_key, r.scope_code): r for r in computation.results}


def value(
    results: dict[tuple[str, str], Result], period: str, scope: str = CAISSE
) -> Decimal | None:
    return results[(period, scope)].value


def d(text: str) -> date:
    """« 31/12/2024 » → date."""
    day, month_, year = text.split("/")
    return date(int(year), int(month_), int(day))


def euros(text: str) -> Decimal:
    return Decimal(text)
