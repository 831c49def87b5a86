"""Loading a folder of extracts into DuckDB (first version: no validation yet).

Interface the rest of cpog relies on: :func:`load_extracts` returns a :class:`LoadedExtracts`
whose connection holds one table or view per extract present, named as in
:mod:`cpog.warehouse.schema`; ``fingerprint`` identifies the bytes read; ``data_end`` is the last
day the extracts cover (the latest date in any date column).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from cpog.warehouse.schema import SQL_TYPE, TABLES, ColumnType

__all__ = ["ExtractError", "ExtractFile", "LoadedExtracts", "load_extracts"]


class ExtractError(ValueError):
    """The extracts cannot be used; the French message names the file, column and row."""


@dataclass(frozen=True)
class ExtractFile:
    table: str
    path: Path
    sha256: str
    rows: int


@dataclass(frozen=True)
class LoadedExtracts:
    connection: duckdb.DuckDBPyConnection
    files: tuple[ExtractFile, ...]
    fingerprint: str  # sha256 over the tables' names and file digests
    data_end: date
    warnings: tuple[str, ...] = ()

    @property
    def tables(self) -> frozenset[str]:
        return frozenset(file.table for file in self.files)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def load_extracts(folder: Path) -> LoadedExtracts:
    if not folder.is_dir():
        raise ExtractError(f"Dossier d'extraits introuvable : « {folder} ».")
    connection = duckdb.connect()
    files = []
    for table in TABLES:
        parquet, csv = folder / f"{table.name}.parquet", folder / f"{table.name}.csv"
        columns = ", ".join(
            f"CAST({c.name} AS {SQL_TYPE[c.type]}) AS {c.name}" for c in table.columns
        )
        if parquet.exists():
            path, source = parquet, f"read_parquet('{parquet}')"
        elif csv.exists():
            types = ", ".join(
                f"'{c.name}': '{'VARCHAR' if c.type is ColumnType.BOOLEAN else SQL_TYPE[c.type]}'"
                for c in table.columns
            )
            path = csv
            source = (
                f"read_csv('{csv}', delim=';', header=true, dateformat='%d/%m/%Y',"
                f" decimal_separator=',', columns={{{types}}})"
            )
        else:
            continue
        connection.execute(f"CREATE TABLE {table.name} AS SELECT {columns} FROM {source}")
        (rows,) = connection.execute(f"SELECT COUNT(*) FROM {table.name}").fetchone() or (0,)
        files.append(ExtractFile(table.name, path, _sha256(path), int(rows)))
    if not files:
        raise ExtractError(f"Aucun extrait reconnu dans « {folder} ».")
    fingerprint = hashlib.sha256(
        "".join(f"{f.table}:{f.sha256}\n" for f in files).encode()
    ).hexdigest()
    ends = []
    for table in TABLES:
        if table.name not in {f.table for f in files}:
            continue
        for column in table.columns:
            if column.type is ColumnType.DATE:
                (end,) = connection.execute(
                    f"SELECT MAX({column.name}) FROM {table.name}"
                ).fetchone() or (None,)
                if end is not None:
                    ends.append(end)
    return LoadedExtracts(connection, tuple(files), fingerprint, max(ends) if ends else date.min)
