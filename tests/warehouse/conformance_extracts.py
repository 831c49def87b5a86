"""A small, seeded, varied set of extracts for the conformance tests (DuckDB = PostgreSQL = Spark).

Every extract table, a few hundred rows each over 2023-2025, drawn with ``random.Random(SEED)``:
items still open at the end, items received or processed on the leap day (29/02/2024) and on
public holidays, a commune the geography does not know (« 99999 », counted at the caisse level
only), communes of only some EPCI (the others have zero denominators) and a quiet month (August
2023: nothing is closed, answered or processed, so ratios and means are « non calculable »).

Also the Spark session the Spark tests share (``spark`` fixture, one per module) and the
PostgreSQL address (``DATABASE_URL_TEST``), with their skip-or-fail rules.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import duckdb
import pytest

from cpog.geography import geography_of
from cpog.periods import Period
from cpog.warehouse.engine import Dimension, RunSpec
from cpog.warehouse.schema import TABLES, ColumnType, create_statement

SEED = 20261127
FIRST_DAY = date(2023, 1, 1)
LAST_DAY = date(2025, 12, 31)
QUIET = (date(2023, 8, 1), date(2023, 8, 31))  # nothing ends in this month
SPECIAL_DAYS = (
    date(2024, 2, 29),  # leap day
    date(2024, 5, 1),  # fête du Travail
    date(2023, 12, 25),  # Noël
    date(2025, 7, 14),  # fête nationale
    date(2024, 4, 1),  # lundi de Pâques 2024
    date(2025, 1, 1),
)

# Communes of the Deux-Sèvres in four of its eight EPCI, plus one nobody knows.
COMMUNES = ("79191", "79049", "79003", "79048", "79202", "79270", "99999")

Rows = dict[str, list[tuple[object, ...]]]


def _day(rng: random.Random, first: date = FIRST_DAY, last: date = LAST_DAY) -> date:
    if rng.random() < 0.06:
        return rng.choice(SPECIAL_DAYS)
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _end(rng: random.Random, start: date, longest: int = 60) -> date | None:
    """When an item started on ``start`` ends: None (still open) about once in seven."""
    if rng.random() < 0.15:
        return None
    end = start if rng.random() < 0.05 else start + timedelta(days=rng.randrange(1, longest))
    if rng.random() < 0.05:
        end = rng.choice(SPECIAL_DAYS)
        if end < start:
            return None
    if QUIET[0] <= end <= QUIET[1]:
        end = QUIET[1] + timedelta(days=1 + rng.randrange(5))
    return None if end > LAST_DAY else end


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def build_rows(seed: int = SEED, communes: tuple[str, ...] = COMMUNES) -> Rows:
    rng = random.Random(seed)
    families = ("prestations_legales", "minima_sociaux", "aide_logement")
    benefits = {
        "prestations_legales": ("AF", "PAJE", "CF"),
        "minima_sociaux": ("RSA", "PPA", "AAH"),
        "aide_logement": ("APL", "ALF", "ALS"),
    }
    channels = ("teleservice", "papier", "accueil", "portail_partenaire")
    rows: Rows = {table.name: [] for table in TABLES}

    def dossier() -> str:
        return f"D{rng.randrange(40):03d}"

    for n in range(320):
        recue = _day(rng)
        famille = rng.choice(families)
        rows["demarches"].append(
            (
                f"DM{n:04d}",
                dossier(),
                rng.choice(communes),
                recue,
                _end(rng, recue),
                famille,
                rng.choice(benefits[famille]),
                rng.choice(("demande", "changement_situation", "autre")),
                rng.choice(channels),
                rng.random() < 0.7,
            )
        )
    for n in range(360):
        demarche = rng.choice(rows["demarches"])
        recue = _day(rng)
        famille = rng.choice(families)
        rows["pieces"].append(
            (
                f"PC{n:04d}",
                str(demarche[0]),
                str(demarche[1]),
                rng.choice(communes),
                recue,
                _end(rng, recue, 90),
                famille,
                rng.choice(benefits[famille]),
                rng.choice(("demande", "justificatif", "declaration", "autre")),
                rng.choice(channels),
            )
        )
    for n in range(220):
        recue = _day(rng)
        rows["reclamations"].append(
            (f"RC{n:04d}", dossier(), rng.choice(communes), recue, _end(rng, recue, 25))
        )
    for n in range(260):
        recu = _day(rng)
        rows["courriels"].append(
            (
                f"CO{n:04d}",
                dossier(),
                rng.choice(communes),
                recu,
                _end(rng, recu, 6),
                rng.choice(("information_generale", "dossier", "autre")),
            )
        )
    for n in range(200):
        constate = _day(rng, last=date(2025, 10, 31))
        frauduleux = rng.random() < 0.4
        qualifiee = constate + timedelta(days=rng.randrange(0, 90)) if frauduleux else None
        if qualifiee is not None and QUIET[0] <= qualifiee <= QUIET[1]:
            qualifiee = QUIET[1] + timedelta(days=3)
        montant = _money(rng, 50, 4000)
        rows["indus"].append(
            (
                f"IN{n:04d}",
                dossier(),
                rng.choice(communes),
                constate,
                montant,
                frauduleux,
                rng.choice(("RSA", "PPA", "AAH", "APL", "AF")),
                qualifiee,
                (montant * Decimal("1.10")).quantize(Decimal("0.01")) if frauduleux else None,
            )
        )
    for n in range(300):
        indu = rng.choice(rows["indus"])
        constate = indu[3]
        assert isinstance(constate, date)
        # Within the year mostly, sometimes after the horizon (365 days), the 365th day exactly.
        offset = rng.choice((rng.randrange(0, 365), rng.randrange(0, 700), 365, 366))
        recouvre = constate + timedelta(days=offset)
        if recouvre > LAST_DAY:
            continue
        rows["recouvrements"].append(
            (
                f"RE{n:04d}",
                indu[0],
                recouvre,
                _money(rng, 10, 500),
                rng.choice(("remboursement", "retenue")),
            )
        )
    for n in range(260):
        cree = _day(rng)
        rows["controles"].append(
            (
                f"CT{n:04d}",
                dossier(),
                rng.choice(communes),
                cree,
                _end(rng, cree, 120),
                rng.random() < 0.5,
            )
        )
    month = FIRST_DAY
    while month <= LAST_DAY:
        for number in rng.sample(range(40), 9):
            rows["allocataires"].append(
                (
                    f"{month:%Y-%m}",
                    f"D{number:03d}",
                    rng.choice(communes),
                    rng.choice(("couple", "isole", "monoparent")),
                    rng.randrange(0, 5),
                    rng.random() < 0.3,
                    rng.random() < 0.2,
                    rng.random() < 0.1,
                    rng.random() < 0.4,
                    rng.random() < 0.05,
                )
            )
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return rows


def cut_at(rows: Rows, last: date) -> Rows:
    """The extracts as they were on ``last``: later items dropped, later ends still open."""
    cut: Rows = {}
    for table in TABLES:
        dates = [i for i, c in enumerate(table.columns) if c.type is ColumnType.DATE]
        start = dates[0] if dates else None
        kept = []
        for row in rows[table.name]:
            if table.name == "allocataires" and str(row[0]) > f"{last:%Y-%m}":
                continue
            if start is not None and row[start] is not None and row[start] > last:  # type: ignore[operator]
                continue
            kept.append(
                tuple(
                    None if i in dates and v is not None and v > last else v  # type: ignore[operator]
                    for i, v in enumerate(row)
                )
            )
        cut[table.name] = kept
    return cut


def data_end(rows: Rows) -> date:
    """The latest date in any date column (as the extracts loader computes it)."""
    ends = []
    for table in TABLES:
        for position, column in enumerate(table.columns):
            if column.type is ColumnType.DATE:
                ends.extend(row[position] for row in rows[table.name] if row[position] is not None)
    return max(e for e in ends if isinstance(e, date))


def duckdb_with(rows: Rows) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    for table in TABLES:
        connection.execute(create_statement(table))
        if rows[table.name]:
            marks = ", ".join("?" for _ in table.columns)
            connection.executemany(f"INSERT INTO {table.name} VALUES ({marks})", rows[table.name])
    return connection


def spec_for(
    rows: Rows, dimension: Dimension, parameters: dict[str, str | int] | None = None
) -> RunSpec:
    return RunSpec(
        first=Period.month_of(2023, 1),
        last=Period.month_of(2025, 12),
        dimension=dimension,
        caisse="79",
        geography=geography_of("79"),
        data_end=data_end(rows),
        parameters=dict(parameters or {}),
    )


# --------------------------------------------------------------------------------------------
# PostgreSQL and Spark: skipped when missing, unless required (CI).

POSTGRES_URL = os.environ.get("DATABASE_URL_TEST", "postgres://postgres@127.0.0.1:5432/test")


def postgres_connection() -> Any:
    import psycopg

    try:
        return psycopg.connect(POSTGRES_URL, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("CPOG_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL injoignable ({POSTGRES_URL}) : {error}")
        pytest.skip(f"PostgreSQL injoignable ({POSTGRES_URL})")


def spark_missing() -> str | None:
    """Why Spark cannot run here (None: it can)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark absent (uv sync --extra spark)"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java absent (apt-get install openjdk-17-jre-headless)"
    return None


def spark_session() -> Iterator[Any]:
    """One local Spark session (a generator for a module-scoped fixture)."""
    missing = spark_missing()
    if missing is not None:
        if os.environ.get("CPOG_REQUIRE_SPARK"):
            pytest.fail(f"Spark exigé (CPOG_REQUIRE_SPARK=1) mais indisponible : {missing}")
        pytest.skip(missing)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    socket.setdefaulttimeout(None)
    from cpog.warehouse.portable import local_spark_session

    session = local_spark_session("cpog-tests")
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
