"""Tiny extracts written by hand for the engine's tests: tables from the schema, rows as dicts.

Columns a row leaves out take a plain default (commune Niort, famille prestations légales…), so
a test writes only what it is about. Results come back keyed by (period, scope code).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb

from cpog.geography import geography_of
from cpog.periods import Period
from cpog.warehouse.definitions import Definition, Grain, definition_for
from cpog.warehouse.engine import Dimension, Result, RunSpec, compute
from cpog.warehouse.schema import TABLE_BY_NAME, create_statement

NIORT, CHAURAY, BRESSUIRE = "79191", "79081", "79049"
NIORTAIS, BOCAGE = "200041317", "200040244"  # EPCI SIREN of Niort and Chauray; of Bressuire
UNKNOWN = "79999"  # a commune the geography does not know

_DEFAULTS: dict[str, Any] = {
    "dossier": "D1",
    "commune": NIORT,
    "famille": "prestations_legales",
    "prestation": "AF",
    "nature": "demande",
    "canal": "papier",
    "teleservice_disponible": True,
    "type_piece": "demande",
    "id_demarche": "dm-1",
    "traitee_le": None,
    "close_le": None,
    "repondu_le": None,
}


def day(text: str) -> date:
    return date.fromisoformat(text)


def connect(**tables: list[dict[str, Any]]) -> duckdb.DuckDBPyConnection:
    """A connection holding the given extract tables (an empty list: the table, no row)."""
    connection = duckdb.connect()
    for name, rows in tables.items():
        table = TABLE_BY_NAME[name]
        connection.execute(create_statement(table))
        for number, row in enumerate(rows, start=1):
            values = []
            for column in table.columns:
                if column.name in row:
                    value = row[column.name]
                elif column.name == table.key[0]:
                    value = f"{name}-{number}"
                else:
                    value = _DEFAULTS.get(column.name)
                if isinstance(value, str) and column.type.value == "date":
                    value = day(value)
                values.append(value)
            marks = ", ".join("?" for _ in values)
            connection.execute(f"INSERT INTO {name} VALUES ({marks})", values)
    return connection


def spec(
    first: str,
    last: str,
    dimension: str = "caisse",
    data_end: str = "2026-10-31",
    **parameters: str | int,
) -> RunSpec:
    return RunSpec(
        Period.parse(first),
        Period.parse(last),
        Dimension(dimension),
        "79",
        geography_of("79"),
        day(data_end),
        dict(parameters),
    )


def run(
    connection: duckdb.DuckDBPyConnection,
    code: str,
    first: str,
    last: str,
    dimension: str = "caisse",
    *,
    grain: Grain | None = None,
    **parameters: str | int,
) -> dict[tuple[str, str], Result]:
    """The results of one definition (optionally at another grain), by (period, scope)."""
    definition: Definition = definition_for(code)
    if grain is not None:
        definition = replace(definition, grain=grain)
    computation = compute(connection, [definition], spec(first, last, dimension, **parameters))
    assert not computation.skipped, computation.skipped
    return {(r.period_key, r.scope_code): r for r in computation.results}


def values(results: dict[tuple[str, str], Result], scope: str = "79") -> dict[str, Decimal | None]:
    """Period → value at one scope."""
    return {period: r.value for (period, code), r in sorted(results.items()) if code == scope}


def fractions(
    results: dict[tuple[str, str], Result], scope: str = "79"
) -> dict[str, tuple[int, int | None]]:
    """Period → (numerator, denominator) at one scope, as integers."""
    return {
        period: (int(r.numerator), None if r.denominator is None else int(r.denominator))
        for (period, code), r in sorted(results.items())
        if code == scope
    }


def dec(text: str) -> Decimal:
    return Decimal(text)
