"""Synthetic extracts: deterministic, true to the extract schema, calibrated on the signed text.

One generation at scale 0,05 over 2022 serves the schema and calibration tests (a few seconds);
the determinism tests generate tiny extracts twice.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from cpog.geography import geography_of
from cpog.periods import Period, PeriodUnit
from cpog.warehouse.definitions import definition_for
from cpog.warehouse.engine import Dimension, RunSpec, compute
from cpog.warehouse.extracts import ExtractError, load_extracts
from cpog.warehouse.schema import SQL_TYPE, TABLES, ColumnType
from cpog.warehouse.synthetic import SyntheticError, default_last, generate

SCALE = 0.05
JANUARY_2022 = Period(PeriodUnit.MONTH, 2022, 1)
DECEMBER_2022 = Period(PeriodUnit.MONTH, 2022, 12)
MARCH_2022 = Period(PeriodUnit.MONTH, 2022, 3)


@pytest.fixture(scope="module")
def year_2022(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetique-2022")
    generate(folder, scale=SCALE, seed=42, first=JANUARY_2022, last=DECEMBER_2022)
    return folder


@pytest.fixture(scope="module")
def db(year_2022: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    for table in TABLES:
        connection.execute(
            f"CREATE VIEW {table.name} AS"
            f" SELECT * FROM read_parquet('{year_2022}/{table.name}.parquet')"
        )
    return connection


def scalar(connection: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = connection.execute(sql).fetchone()
    assert row is not None
    return row[0]


def digests(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
    }


# --- determinism -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_same_arguments_give_the_same_bytes(tmp_path: Path, fmt: str) -> None:
    runs = []
    for name in ("a", "b"):
        generate(tmp_path / name, scale=0.01, seed=7, first=JANUARY_2022, last=MARCH_2022, fmt=fmt)
        runs.append(digests(tmp_path / name))
    assert runs[0] == runs[1]
    # every table and the warning, nothing else (the working folder is gone)
    assert sorted(runs[0]) == sorted([f"{t.name}.{fmt}" for t in TABLES] + ["LISEZMOI.txt"])


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    for seed in (1, 2):
        generate(tmp_path / str(seed), scale=0.01, seed=seed, first=JANUARY_2022, last=MARCH_2022)
    one, two = digests(tmp_path / "1"), digests(tmp_path / "2")
    assert one["demarches.parquet"] != two["demarches.parquet"]


def test_readme_says_synthetic_with_seed_scale_and_range(year_2022: Path) -> None:
    text = (year_2022 / "LISEZMOI.txt").read_text(encoding="utf-8")
    assert "données synthétiques de démonstration" in text
    assert "graine : 42" in text
    assert "échelle : 0,05" in text
    assert "de janvier 2022 à décembre 2022" in text
    assert "arrêtées au 31/12/2022" in text


# --- the extract schema ----------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_table_matches_the_schema(db: duckdb.DuckDBPyConnection, table: object) -> None:
    from cpog.warehouse.schema import Table

    assert isinstance(table, Table)
    described = db.execute(f"DESCRIBE {table.name}").fetchall()
    assert [(name, kind) for name, kind, *_ in described] == [
        (c.name, SQL_TYPE[c.type].replace(", ", ",")) for c in table.columns
    ]
    assert scalar(db, f"SELECT count(*) FROM {table.name}") > 0
    for column in table.columns:
        if column.required:
            assert scalar(db, f"SELECT count(*) FROM {table.name} WHERE {column.name} IS NULL") == 0
        if column.choices:
            found = {
                v
                for (v,) in db.execute(
                    f"SELECT DISTINCT {column.name} FROM {table.name}"
                ).fetchall()
            }
            assert found <= set(column.choices), column.name
    key = ", ".join(table.key)
    assert (
        scalar(
            db,
            f"SELECT count(*) FROM (SELECT {key} FROM {table.name}"
            f" GROUP BY {key} HAVING count(*) > 1)",
        )
        == 0
    )
    if any(c.name == "commune" for c in table.columns):
        communes = {
            v for (v,) in db.execute(f"SELECT DISTINCT commune FROM {table.name}").fetchall()
        }
        assert communes <= set(geography_of("79").commune_by_code)


def test_every_commune_has_allocataires(db: duckdb.DuckDBPyConnection) -> None:
    assert (
        scalar(db, "SELECT count(DISTINCT commune) FROM allocataires WHERE mois = '2022-12'") == 252
    )


def test_links_between_tables_hold(db: duckdb.DuckDBPyConnection) -> None:
    # every pièce belongs to a démarche of the same dossier, received no earlier, processed no later
    assert (
        scalar(
            db,
            "SELECT count(*) FROM pieces AS p LEFT JOIN demarches AS d USING (id_demarche)"
            " WHERE d.id_demarche IS NULL OR d.dossier <> p.dossier OR p.recue_le < d.recue_le"
            " OR p.traitee_le > d.traitee_le",
        )
        == 0
    )
    # every recovery is of a known indu, after it, and never more than the indu
    assert (
        scalar(
            db,
            "SELECT count(*) FROM (SELECT r.id_indu, sum(r.montant) AS total,"
            " min(r.recouvre_le) AS d FROM recouvrements AS r GROUP BY 1) AS r"
            " LEFT JOIN indus AS i USING (id_indu)"
            " WHERE i.id_indu IS NULL OR r.total > i.montant OR r.d < i.constate_le",
        )
        == 0
    )
    # fraud fields are filled exactly for fraudulent indus
    assert (
        scalar(
            db,
            "SELECT count(*) FROM indus WHERE frauduleux <> (fraude_qualifiee_le IS NOT NULL)"
            " OR frauduleux <> (prejudice IS NOT NULL)",
        )
        == 0
    )
    # nothing ends before it starts, nothing happens after the last day
    for table, start, end in [
        ("demarches", "recue_le", "traitee_le"),
        ("pieces", "recue_le", "traitee_le"),
        ("reclamations", "recue_le", "close_le"),
        ("courriels", "recu_le", "repondu_le"),
        ("controles", "cree_le", "realise_le"),
    ]:
        assert scalar(db, f"SELECT count(*) FROM {table} WHERE {end} < {start}") == 0
        assert scalar(
            db, f"SELECT max(greatest({start}, coalesce({end}, {start}))) FROM {table}"
        ) <= date(2022, 12, 31)


# --- calibration (signed text × 0,05) ---------------------------------------------------------


def test_allocataires_in_december_2022(db: duckdb.DuckDBPyConnection) -> None:
    december = "FROM allocataires WHERE mois = '2022-12'"
    count = scalar(db, f"SELECT count(*) {december}")
    # 64 498 × 0,05 = 3 224,9; the exits are drawn, so within 3 %
    assert 3128 <= count <= 3322
    single = scalar(db, f"SELECT avg((situation_familiale = 'monoparent')::INTEGER) {december}")
    assert 0.127 <= single <= 0.157  # 14,2 % ± 1,5 point
    low = scalar(db, f"SELECT count(*) FILTER (WHERE bas_revenus) {december}")
    assert 18400 * 0.05 * 0.92 <= low <= 18400 * 0.05 * 1.08  # 920 ± 8 %
    aah = scalar(db, f"SELECT count(*) FILTER (WHERE aah) {december}")
    assert 7355 * 0.05 * 0.88 <= aah <= 7355 * 0.05 * 1.12  # 367,75 ± 12 %


def test_births_of_2022_are_exact(db: duckdb.DuckDBPyConnection) -> None:
    # 3 107 × 0,05 = 155,35, rounded once for the year: 155
    assert scalar(db, "SELECT count(*) FROM allocataires WHERE naissance") == 155


def test_flows_per_allocataire(db: duckdb.DuckDBPyConnection) -> None:
    months = scalar(db, "SELECT count(*) FROM allocataires")  # dossier-months
    demarches = scalar(db, "SELECT count(*) FROM demarches WHERE recue_le >= DATE '2022-01-01'")
    assert 0.32 <= demarches / months <= 0.38  # about 0,35 a month
    pieces = scalar(db, "SELECT count(*) FROM pieces") / scalar(
        db, "SELECT count(*) FROM demarches"
    )
    assert 1.7 <= pieces <= 1.9  # about 1,8
    assert 0.0035 <= scalar(db, "SELECT count(*) FROM reclamations") / months <= 0.0045
    assert 0.11 <= scalar(db, "SELECT count(*) FROM courriels") / months <= 0.13
    assert 0.018 <= scalar(db, "SELECT count(*) FROM indus") / months <= 0.022
    tele = scalar(
        db,
        "SELECT avg((canal = 'teleservice')::INTEGER) FROM demarches WHERE teleservice_disponible",
    )
    assert 0.68 <= tele <= 0.80  # about 75 % where a téléservice exists


def test_mean_delay_of_cog_08_29_from_the_engine(year_2022: Path) -> None:
    connection = duckdb.connect()
    connection.execute(
        f"CREATE TABLE demarches AS SELECT * FROM read_parquet('{year_2022}/demarches.parquet')"
    )
    spec = RunSpec(
        first=JANUARY_2022,
        last=DECEMBER_2022,
        dimension=Dimension.CAISSE,
        caisse="79",
        geography=geography_of("79"),
        data_end=date(2022, 12, 31),
    )
    results = compute(connection, [definition_for("COG 08-29")], spec).results
    by_period = {r.period_key: r for r in results if r.scope_code == "79"}
    year = by_period["2022-12"]  # year to date: all of 2022
    assert year.value is not None and Decimal(13) <= year.value <= Decimal(16)
    assert year.denominator is not None and year.denominator > 5000


def test_stock_has_an_old_tail_and_items_stay_open(db: duckdb.DuckDBPyConnection) -> None:
    old = scalar(
        db,
        "SELECT avg((DATE '2022-11-30' - recue_le > 40)::INTEGER) FROM pieces"
        " WHERE recue_le <= DATE '2022-11-30'"
        " AND (traitee_le IS NULL OR traitee_le > DATE '2022-11-30')",
    )
    assert 0.05 <= old <= 0.15
    assert scalar(db, "SELECT count(*) FROM demarches WHERE traitee_le IS NULL") > 0
    # démarches received before the range and still open on 1 January are in the extract
    assert scalar(db, "SELECT count(*) FROM demarches WHERE recue_le < DATE '2022-01-01'") > 0


def test_complaints_and_mails_mostly_on_time(db: duckdb.DuckDBPyConnection) -> None:
    complaints = scalar(
        db,
        "SELECT avg((close_le - recue_le <= 10)::INTEGER) FROM reclamations"
        " WHERE close_le IS NOT NULL",
    )
    assert 0.75 <= complaints <= 0.95
    mails = scalar(
        db,
        "SELECT avg((repondu_le - recu_le <= 2)::INTEGER) FROM courriels"
        " WHERE nature = 'information_generale' AND repondu_le IS NOT NULL",
    )
    assert 0.55 <= mails <= 0.80


# --- CSV in the French layout -----------------------------------------------------------------


@pytest.fixture(scope="module")
def csv_and_parquet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("synthetique-formats")
    for fmt in ("csv", "parquet"):
        generate(base / fmt, scale=0.01, seed=3, first=JANUARY_2022, last=MARCH_2022, fmt=fmt)
    return base / "csv", base / "parquet"


def test_csv_is_french(csv_and_parquet: tuple[Path, Path]) -> None:
    folder, _ = csv_and_parquet
    raw = (folder / "indus.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid_indu;dossier;commune;constate_le;montant;")
    lines = raw.decode("utf-8-sig").splitlines()
    cells = lines[1].split(";")
    day, month, year = cells[3].split("/")
    assert len(day) == 2 and len(month) == 2 and year == "2022"
    assert "," in cells[4] and "." not in cells[4]  # « 512,37 »
    assert cells[5] in ("oui", "non")


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_csv_holds_the_same_rows_as_parquet(
    csv_and_parquet: tuple[Path, Path], table: object
) -> None:
    from cpog.warehouse.schema import Table

    assert isinstance(table, Table)
    csv_folder, parquet_folder = csv_and_parquet
    types = ", ".join(
        f"'{c.name}': '{'VARCHAR' if c.type is ColumnType.BOOLEAN else SQL_TYPE[c.type]}'"
        for c in table.columns
    )
    cells = ", ".join(
        f"{c.name} = 'oui' AS {c.name}" if c.type is ColumnType.BOOLEAN else c.name
        for c in table.columns
    )
    connection = duckdb.connect()
    connection.execute(
        f"CREATE TABLE c AS SELECT {cells} FROM read_csv('{csv_folder}/{table.name}.csv',"
        f" delim=';', header=true, dateformat='%d/%m/%Y', decimal_separator=',',"
        f" columns={{{types}}})"
    )
    connection.execute(
        f"CREATE TABLE p AS SELECT * FROM read_parquet('{parquet_folder}/{table.name}.parquet')"
    )
    assert scalar(connection, "SELECT count(*) FROM c") == scalar(
        connection, "SELECT count(*) FROM p"
    )
    assert (
        scalar(connection, "SELECT count(*) FROM (SELECT * FROM c EXCEPT ALL SELECT * FROM p)") == 0
    )


def test_csv_read_by_the_extracts_loader(csv_and_parquet: tuple[Path, Path]) -> None:
    csv_folder, parquet_folder = csv_and_parquet
    try:
        from_csv = load_extracts(csv_folder)
    except (ExtractError, duckdb.Error) as error:
        if "oui" in str(error) or "BOOL" in str(error).upper():
            pytest.xfail("le chargeur minimal ne lit pas encore les booléens oui/non")
        raise
    from_parquet = load_extracts(parquet_folder)
    assert {f.table: f.rows for f in from_csv.files} == {
        f.table: f.rows for f in from_parquet.files
    }
    assert from_csv.data_end == from_parquet.data_end


# --- arguments -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"scale": 0}, "Échelle invalide : « 0 »"),
        ({"scale": 1000}, "au plus 100"),
        ({"first": DECEMBER_2022, "last": JANUARY_2022}, "La période est vide"),
        ({"first": Period(PeriodUnit.YEAR, 2022, 1)}, "doit être un mois"),
        ({"fmt": "xls"}, "Format inconnu : « xls »"),
    ],
)
def test_bad_arguments_are_refused_in_french(
    tmp_path: Path, arguments: dict[str, object], message: str
) -> None:
    options: dict[str, object] = {"first": JANUARY_2022, "last": MARCH_2022, **arguments}
    with pytest.raises(SyntheticError, match=message):
        generate(tmp_path / "x", **options)  # type: ignore[arg-type]
    assert not (tmp_path / "x").exists()


def test_default_range_ends_with_the_last_complete_month() -> None:
    # tests run on 27/11/2026: October is the last complete month
    assert default_last() == Period(PeriodUnit.MONTH, 2026, 10)
    assert default_last(date(2027, 1, 1)) == Period(PeriodUnit.MONTH, 2026, 12)
