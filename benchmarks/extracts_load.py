"""Load time and peak memory of ``load_extracts`` on a large Parquet extract (and a CSV one).

    uv run python benchmarks/extracts_load.py [--rows 5000000] [--csv-rows 1000000]

Writes ``pieces.parquet`` (``--rows`` rows, the schema's types, unique ids, every check passing)
with DuckDB into a temporary folder, then loads it in a fresh process and reports the wall time
and the peak resident memory (``ru_maxrss``) of that process; the same for a French CSV of
``--csv-rows`` rows. Figures: the issue 11 report (to docs/benchmarks.md by hand, with the
machine).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

_PIECES = """
SELECT
    'P' || lpad(CAST(i AS VARCHAR), 9, '0') AS id_piece,
    'D' || lpad(CAST(i // 3 AS VARCHAR), 9, '0') AS id_demarche,
    lpad(CAST(i % 64000 AS VARCHAR), 7, '0') AS dossier,
    '79' || lpad(CAST(i % 300 AS VARCHAR), 3, '0') AS commune,
    DATE '2022-01-01' + CAST(i % 1700 AS INTEGER) AS recue_le,
    CASE WHEN i % 50 = 0 THEN NULL
         ELSE DATE '2022-01-01' + CAST(i % 1700 + i % 37 AS INTEGER) END AS traitee_le,
    ['prestations_legales', 'minima_sociaux', 'aide_logement'][i % 3 + 1] AS famille,
    ['AF', 'RSA', 'APL', 'PPA'][i % 4 + 1] AS prestation,
    ['demande', 'justificatif', 'declaration', 'autre'][i % 4 + 1] AS type_piece,
    ['teleservice', 'papier', 'accueil', 'portail_partenaire'][i % 4 + 1] AS canal
FROM range({rows}) AS t(i)
"""

_CHILD = """
import resource, sys, time
from pathlib import Path
from cpog.warehouse.extracts import load_extracts
start = time.perf_counter()
loaded = load_extracts(Path(sys.argv[1]))
loaded_at = time.perf_counter() - start
(count,) = loaded.connection.execute(
    "SELECT COUNT(*) FROM pieces WHERE traitee_le IS NOT NULL AND famille = 'aide_logement'"
).fetchone()
total = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{loaded.files[0].rows} {loaded_at:.2f} {total:.2f} {peak:.0f} {count}")
"""


def _write(folder: Path, rows: int, kind: str) -> Path:
    connection = duckdb.connect()
    query = _PIECES.format(rows=rows)
    if kind == "parquet":
        path = folder / "pieces.parquet"
        connection.execute(f"COPY ({query}) TO '{path}' (FORMAT parquet)")
    else:
        path = folder / "pieces.csv"
        french = (
            "SELECT id_piece, id_demarche, dossier, commune, strftime(recue_le, '%d/%m/%Y'),"
            " strftime(traitee_le, '%d/%m/%Y'), famille, prestation, type_piece, canal"
            f" FROM ({query})"
        )
        connection.execute(f"COPY ({french}) TO '{path}' (HEADER, DELIMITER ';')")
        header = "id_piece;id_demarche;dossier;commune;recue_le;traitee_le;famille;prestation"
        text = path.read_text(encoding="utf-8").split("\n", 1)[1]
        path.write_text(f"{header};type_piece;canal\n{text}", encoding="utf-8")
    connection.close()
    return path


def _measure(folder: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder)], capture_output=True, text=True, check=True
    )
    print(result.stdout.strip())
    rows, load, total, peak, _ = result.stdout.split("\n")[-2].split()
    return (
        f"{int(rows):>10,} rows  load {load:>6} s  with a query {total:>6} s  peak RSS {peak} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    for kind, rows in (("parquet", args.rows), ("csv", args.csv_rows)):
        if not rows:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            path = _write(Path(tmp), rows, kind)
            size = path.stat().st_size / 1024**2
            written = time.perf_counter() - start
            print(f"{kind:8} {size:8.0f} MiB written in {written:.1f} s; {_measure(Path(tmp))}")


if __name__ == "__main__":
    main()
