"""Loaded extracts feed the engine as they are: a CSV (table) and a Parquet file (view)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from cpog.geography import geography_of
from cpog.periods import Period
from cpog.warehouse.definitions import definition_for
from cpog.warehouse.engine import Dimension, RunSpec, compute
from cpog.warehouse.extracts import Settings, load_extracts

HEADER = (
    "id_demarche;dossier;commune;recue_le;traitee_le;famille;prestation;nature;canal;"
    "teleservice_disponible"
)
ROWS = [
    # 10 days (02/01 → 12/01), processed in January
    "D1;1;79191;02/01/2025;12/01/2025;prestations_legales;AF;demande;papier;oui",
    # 20 days (05/01 → 25/01), processed in January
    "D2;2;79191;05/01/2025;25/01/2025;prestations_legales;PAJE;demande;teleservice;oui",
    # minima sociaux: outside the default perimeter of 08-29
    "D3;3;79191;05/01/2025;06/01/2025;minima_sociaux;RSA;demande;papier;oui",
    # still in stock: no delay yet
    "D4;4;79191;20/01/2025;;prestations_legales;AF;demande;papier;non",
]


def parquet_of(csv: Path, parquet: Path) -> None:
    connection = duckdb.connect()
    connection.execute(
        f"COPY (SELECT * REPLACE (strptime(recue_le, '%d/%m/%Y')::DATE AS recue_le,"
        f" strptime(traitee_le, '%d/%m/%Y')::DATE AS traitee_le,"
        f" teleservice_disponible = 'oui' AS teleservice_disponible)"
        f" FROM read_csv('{csv}', delim = ';', header = true, all_varchar = true))"
        f" TO '{parquet}' (FORMAT parquet)"
    )
    connection.close()


@pytest.mark.parametrize("kind", ["parquet"])  # the CSV table path: test_extracts_csv
def test_mean_delay_from_loaded_extracts(tmp_path: Path, kind: str) -> None:
    source = tmp_path / "demarches.csv"
    source.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    folder = tmp_path / "extraits"
    folder.mkdir()
    if kind == "csv":
        source.rename(folder / "demarches.csv")
    else:
        parquet_of(source, folder / "demarches.parquet")
    loaded = load_extracts(folder, settings=Settings(memory_limit="256MB", threads=1))
    spec = RunSpec(
        first=Period.parse("2025-01"),
        last=Period.parse("2025-01"),
        dimension=Dimension.CAISSE,
        caisse="79",
        geography=geography_of("79"),
        data_end=loaded.data_end,
    )
    results = compute(loaded.connection, [definition_for("cog-08-29")], spec).results
    (january,) = [r for r in results if r.period_key == "2025-01"]
    # (10 + 20) / 2 = 15 days
    assert (january.numerator, january.denominator, january.value) == (
        Decimal(30),
        Decimal(2),
        Decimal("15.000000"),
    )
