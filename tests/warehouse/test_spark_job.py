"""The national job end to end, locally, on three tiny caisses.

Three caisses (79 Deux-Sèvres, 86 Vienne, 44 Loire-Atlantique), each with the seeded extracts of
``conformance_extracts`` drawn with its own seed and its own communes, written as Parquet under
``caisse=<code>/``. The identifiers repeat from one caisse to the next (« DM0001 » in each), so a
row leaking into another caisse would change the results; caisse 44's extracts stop on
30/06/2025 (another data end: another group of the job than 79 and 86). Each caisse's results
read back from the results file must equal what cpog's DuckDB engine computes on that caisse's
folder alone, and carry the fingerprint of its extracts (the loader's rule).
"""

from __future__ import annotations

import functools
import hashlib
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conformance_extracts import (
    Rows,
    build_rows,
    cut_at,
    data_end,
    duckdb_with,
    spark_session,
)

from cpog.geography import geography_of
from cpog.periods import Period
from cpog.warehouse import engine, spark_job
from cpog.warehouse import extracts as extracts_module
from cpog.warehouse.definitions import all_definitions
from cpog.warehouse.engine import Dimension, RunSpec
from cpog.warehouse.extracts import load_extracts
from cpog.warehouse.results_file import read_results_file
from cpog.warehouse.schema import TABLES

CAISSES: dict[str, tuple[int, tuple[str, ...]]] = {
    "79": (1, ("79191", "79049", "79003", "79202", "99999")),
    "86": (2, ("86194", "86066", "86041")),
    "44": (3, ("44109", "44184", "44162", "79191")),  # a commune of another département
}


def _rows(code: str) -> Rows:
    """44 stops on 30/06/2025; 79 and 86 on 31/12/2025 (one group: fewer queries)."""
    seed, communes = CAISSES[code]
    if code == "44":
        return cut_at(build_rows(seed, communes), date(2025, 6, 30))
    rows = cut_at(build_rows(seed, communes), date(2025, 12, 31))
    rows["reclamations"].append(("RC9999", "D000", communes[0], date(2025, 12, 31), None))
    return rows


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    yield from spark_session()


@pytest.fixture(scope="module")
def extracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("national")
    for code in CAISSES:
        folder = root / f"caisse={code}"
        folder.mkdir()
        connection = duckdb_with(_rows(code))
        for table in TABLES:
            connection.execute(
                f"COPY {table.name} TO '{folder / table.name}.parquet' (FORMAT parquet)"
            )
        connection.close()
    return root


@pytest.fixture(scope="module")
def results(spark: Any, extracts: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "resultats"
    code = spark_job.main([str(extracts), str(out), "--du", "2023-01", "--par", "caisse,epci"])
    assert code == 0
    return out


def _fingerprint(folder: Path) -> str:
    """The extracts' fingerprint: SHA-256 of the lines « table:sha256 of its file », sorted by
    table (the rule of ``extracts.fingerprint_of``)."""
    lines = "".join(
        f"{path.stem}:{hashlib.sha256(path.read_bytes()).hexdigest()}\n"
        for path in sorted(folder.glob("*.parquet"), key=lambda p: p.stem)
    )
    return hashlib.sha256(lines.encode("ascii")).hexdigest()


@functools.cache
def _expected(folder: Path, code: str) -> tuple[str, date, list[engine.Result]]:
    loaded = load_extracts(folder)
    if hasattr(extracts_module, "fingerprint_of"):  # the loader's own rule, once merged
        assert loaded.fingerprint == _fingerprint(folder)
    found: list[engine.Result] = []
    for dimension in (Dimension.CAISSE, Dimension.EPCI):
        spec = RunSpec(
            Period.month_of(2023, 1),
            Period.month_of(loaded.data_end.year, loaded.data_end.month),
            dimension,
            code,
            geography_of(code),
            loaded.data_end,
        )
        found.extend(engine.compute(loaded.connection, all_definitions(), spec).results)
    return _fingerprint(folder), loaded.data_end, found


def _ordered(results: Any) -> list[engine.Result]:
    return sorted(results, key=lambda r: (r.definition, r.scope_type, r.period_key, r.scope_code))


@pytest.mark.parametrize("code", sorted(CAISSES))
@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_each_caisse_reads_back_what_duckdb_computes_on_its_own_extracts(
    code: str, suffix: str, extracts: Path, results: Path
) -> None:
    fingerprint, data_end, expected = _expected(extracts / f"caisse={code}", code)
    read = read_results_file(results.with_suffix(suffix), code)
    assert read.caisse == code
    assert read.fingerprint == fingerprint
    assert read.data_end == data_end
    assert _ordered(read.computation.results) == _ordered(expected)
    assert set(read.computation.parameters) == {d.name for d in all_definitions()}


def test_the_results_file_holds_every_caisse_once(results: Path) -> None:
    connection = duckdb.connect()
    rows = connection.execute(
        "SELECT caisse, dimension, MAX(fin_donnees), COUNT(*) FROM read_parquet(?)"
        " GROUP BY ALL ORDER BY ALL",
        [str(results.with_suffix(".parquet"))],
    ).fetchall()
    assert [(c, d) for c, d, _, _ in rows] == [
        (code, dimension) for code in sorted(CAISSES) for dimension in ("caisse", "epci")
    ]
    grains = [d.grain for d in all_definitions()]
    for code, dimension, end, count in rows:
        assert end == data_end(_rows(code))
        # From January 2023 to the month of the data end; a year counts its December only.
        months = (end.year - 2023) * 12 + end.month
        years = end.year - 2023 + (end.month == 12)
        territories = 1 if dimension == "caisse" else len(geography_of(code).epcis)
        expected = sum((years if g == "year" else months) * territories for g in grains)
        assert count == expected, (code, dimension)


def test_the_job_refuses_a_bad_month_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    assert spark_job.main(["racine", "sortie", "--du", "2023-13"]) == 2
    assert "--du : « 2023-13 » n'est pas un mois (AAAA-MM)." in capsys.readouterr().err


def test_the_job_has_a_french_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cpog.warehouse.spark_job", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Calcul national : toutes les définitions pour toutes les caisses" in done.stdout
