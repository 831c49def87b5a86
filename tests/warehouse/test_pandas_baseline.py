"""The benchmark's pandas baseline (benchmarks/compute_pandas.py) and the engine agree exactly.

A small seeded dataset covers every extract table (open items, boundaries of months and years,
29 February 2024, a commune outside the geography, overpayments whose horizon is beyond the
data); each definition of ``all_definitions()`` is computed by the engine from Parquet files
(``load_extracts``) and by pandas from the same files, by caisse and by EPCI, with the defaults
and with every other choice of its parameters; the results must be equal, value by value. A
definition the baseline does not implement is skipped by name, never silently.
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas
import pytest

from cpog.geography import geography_of
from cpog.periods import Period
from cpog.warehouse import calendar
from cpog.warehouse.definitions import Definition, all_definitions
from cpog.warehouse.engine import (
    Dimension,
    Result,
    RunSpec,
    compute,
    results_from_rows,
    territory_rows,
)
from cpog.warehouse.extracts import LoadedExtracts, load_extracts
from cpog.warehouse.schema import TABLES, create_statement

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))

import compute_pandas

FIRST, LAST = Period.month_of(2022, 1), Period.month_of(2025, 6)
START, END = date(2022, 1, 1), date(2025, 6, 30)  # every date of the dataset lies within
GEOGRAPHY = geography_of("79")
# Two communes of each of four EPCI, and one the geography does not know (counted by the caisse).
COMMUNES = ["79191", "79048", "79049", "79079", "79329", "79135", "79202", "79196", "79999"]
# Every non-default choice a definition's parameters offer.
VARIANT: dict[str, str | int] = {
    "jours": "ouvres",
    "perimetre": "toutes",
    "prime_activite": "exclue",
    "unite": "demarches",
    "retenues": "exclues",
    "portail_partenaire": "inclus",
    "plafond": "oui",
    "methode": "flux",
    "valeur_annuelle": "moyenne_fins_de_mois",
    "delai_max": 3,
    "seuil": 30,
    "horizon_jours": 200,
    "objectif": 20,
}


def _day(rng: random.Random) -> date:
    return START + timedelta(days=rng.randrange((END - START).days + 1))


def _later(rng: random.Random, day: date, most: int, open_share: float = 0.15) -> date | None:
    """A processing date ``0..most`` days after ``day`` (None: still open, or beyond the data)."""
    if rng.random() < open_share:
        return None
    later = day + timedelta(days=rng.randrange(most + 1))
    return later if later <= END else None


def _cents(rng: random.Random, most: int) -> Decimal:
    return Decimal(rng.randrange(100, most * 100)) / 100


def dataset(seed: int = 11) -> dict[str, list[tuple[object, ...]]]:
    rng = random.Random(seed)
    families = ("prestations_legales", "minima_sociaux", "aide_logement")
    benefit = {
        "prestations_legales": ("AF", "PAJE", "CF"),
        "minima_sociaux": ("RSA", "AAH", "PPA"),
        "aide_logement": ("APL", "ALS", "ALF"),
    }
    channels = ("teleservice", "papier", "accueil", "portail_partenaire")
    rows: dict[str, list[tuple[object, ...]]] = {t.name: [] for t in TABLES}
    for n in range(500):
        received = date(2024, 2, 29) if n < 5 else _day(rng)  # a leap day among them
        family = rng.choice(families)
        rows["demarches"].append(
            (
                f"D{n}",
                f"A{n % 90}",
                rng.choice(COMMUNES),
                received,
                _later(rng, received, 45),
                family,
                rng.choice(benefit[family]),
                rng.choice(("demande", "changement_situation", "autre")),
                rng.choice(channels),
                rng.random() < 0.7,
            )
        )
    for n in range(700):
        received = date(2023, 12, 31) if n < 5 else _day(rng)  # a year's last day among them
        family = rng.choice(families)
        rows["pieces"].append(
            (
                f"P{n}",
                f"D{n % 500}",
                f"A{n % 90}",
                rng.choice(COMMUNES),
                received,
                _later(rng, received, 80, 0.2),
                family,
                rng.choice(benefit[family]),
                rng.choice(("demande", "justificatif", "declaration", "autre")),
                rng.choice(channels),
            )
        )
    for n in range(200):
        received = _day(rng)
        rows["reclamations"].append(
            (f"R{n}", f"A{n % 90}", rng.choice(COMMUNES), received, _later(rng, received, 20))
        )
    for n in range(250):
        received = _day(rng)
        rows["courriels"].append(
            (
                f"C{n}",
                f"A{n % 90}",
                rng.choice(COMMUNES),
                received,
                _later(rng, received, 5),
                rng.choice(("information_generale", "dossier", "autre")),
            )
        )
    recovery = 0
    for n in range(160):
        established = _day(rng)
        fraud = rng.random() < 0.4
        qualified = _later(rng, established, 60, 0.1) if fraud else None
        rows["indus"].append(
            (
                f"I{n}",
                f"A{n % 90}",
                rng.choice(COMMUNES),
                established,
                _cents(rng, 3000),
                fraud,
                rng.choice(("RSA", "AAH", "APL", "AF", "PPA")),
                qualified,
                _cents(rng, 3000) if qualified else None,
            )
        )
        for _ in range(rng.randrange(4)):
            paid = established + timedelta(days=rng.randrange(500))
            if paid <= END:
                rows["recouvrements"].append(
                    (
                        f"V{recovery}",
                        f"I{n}",
                        paid,
                        _cents(rng, 800),
                        rng.choice(("remboursement", "retenue")),
                    )
                )
                recovery += 1
        if n == 0:  # a recovery exactly at the horizon (365 days), one just after it
            for days, name in ((365, "VH0"), (366, "VH1")):
                rows["recouvrements"].append(
                    (name, "I0", established + timedelta(days=days), Decimal("10.00"), "retenue")
                )
    for n in range(300):
        created = _day(rng)
        rows["controles"].append(
            (
                f"K{n}",
                f"A{n % 90}",
                rng.choice(COMMUNES),
                created,
                _later(rng, created, 40, 0.25),
                rng.random() < 0.5,
            )
        )
    month = FIRST
    while month.end <= END:
        for n in range(40):
            if (n + month.index) % 9 == 0:
                continue  # some dossiers are not paid every month
            rows["allocataires"].append(
                (
                    month.key,
                    f"A{n}",
                    COMMUNES[n % len(COMMUNES)],
                    rng.choice(("couple", "isole", "monoparent")),
                    rng.randrange(4),
                    rng.random() < 0.3,
                    rng.random() < 0.1,
                    rng.random() < 0.1,
                    rng.random() < 0.4,
                    rng.random() < 0.03,
                )
            )
        month = Period.month_of(month.year + month.index // 12, month.index % 12 + 1)
    return rows


@pytest.fixture(scope="module")
def extracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("extracts")
    connection = duckdb.connect()
    for table, table_rows in dataset().items():
        schema = next(t for t in TABLES if t.name == table)
        connection.execute(create_statement(schema))
        columns = [c.name for c in schema.columns]
        connection.register("lignes", pandas.DataFrame(table_rows, columns=columns, dtype=object))
        connection.execute(f"INSERT INTO {table} SELECT * FROM lignes")
        connection.unregister("lignes")
        connection.execute(f"COPY {table} TO '{folder / table}.parquet' (FORMAT parquet)")
    connection.close()
    return folder


@pytest.fixture(scope="module")
def loaded(extracts: Path) -> LoadedExtracts:
    return load_extracts(extracts)


@pytest.fixture(scope="module")
def tables(extracts: Path) -> compute_pandas.Tables:
    return compute_pandas.read_tables(extracts)


def spec_for(dimension: Dimension, data_end: date, parameters: dict[str, str | int]) -> RunSpec:
    return RunSpec(FIRST, LAST, dimension, "79", GEOGRAPHY, data_end, dict(parameters))


def pandas_results(
    definition: Definition, tables: compute_pandas.Tables, spec: RunSpec
) -> list[Result]:
    rows = compute_pandas.compute_definition(definition.subject_id, tables, spec, spec.parameters)
    seen = {c for frame in tables.values() if "commune" in frame for c in frame["commune"]}
    territories = sorted({t for _, t in territory_rows(spec, seen)})
    periods = [row.key for row in calendar.periods(spec.first, spec.last, definition.grain)]
    return results_from_rows(definition, spec, [row[1:] for row in rows], periods, territories)


def test_the_dataset_has_every_table_and_its_end(loaded: LoadedExtracts) -> None:
    assert loaded.tables == {t.name for t in TABLES}
    # the latest date in any column is within the data's last day
    assert loaded.data_end <= END


DEFINITIONS = {d.name: d for d in all_definitions()}


@pytest.mark.parametrize(
    ("variant", "dimension"),
    [
        ("defauts", Dimension.CAISSE),
        ("defauts", Dimension.EPCI),
        ("defauts", Dimension.COMMUNE),
        ("variante", Dimension.EPCI),
    ],
)
@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_pandas_and_the_engine_agree(
    name: str,
    variant: str,
    dimension: Dimension,
    loaded: LoadedExtracts,
    tables: compute_pandas.Tables,
) -> None:
    definition = DEFINITIONS[name]
    if definition.subject_id not in compute_pandas.IMPLEMENTED:
        pytest.skip(f"la référence pandas ne calcule pas encore {definition.subject_id}")
    assert compute_pandas.GRAINS[definition.subject_id] == definition.grain.value
    assert set(compute_pandas.DEFAULTS[definition.subject_id]) == {
        p.name for p in definition.parameters
    }, "the baseline's parameters are the definition's"
    assert compute_pandas.DEFAULTS[definition.subject_id] == definition.values(), "same defaults"
    parameters: dict[str, str | int] = {}
    if variant == "variante":
        parameters = {k: v for k, v in VARIANT.items() if k in definition.parameter_by_name}
        if not parameters:
            pytest.skip(f"{name} n'a pas de paramètre à faire varier")
    spec = spec_for(dimension, loaded.data_end, parameters)
    engine = compute(loaded.connection, [definition], spec).results
    baseline = pandas_results(definition, tables, spec)
    assert [(r.period_key, r.scope_code) for r in baseline] == [
        (r.period_key, r.scope_code) for r in engine
    ]
    assert baseline == list(engine)
    # the dataset is not trivial for this definition: some values are computed and not all zero
    assert any(r.value not in (None, 0) for r in engine)


def test_the_baseline_by_hand() -> None:
    """COG 08-25 on four réclamations, January to March 2025, by EPCI."""
    day = pandas.Timestamp
    reclamations = pandas.DataFrame(
        {
            "commune": ["79191", "79191", "79049", "79191"],  # Niort ×3, Bressuire
            "recue_le": [
                day("2025-01-02"),
                day("2025-01-20"),
                day("2025-02-01"),
                day("2025-03-01"),
            ],
            "close_le": [day("2025-01-10"), day("2025-02-03"), day("2025-02-11"), pandas.NaT],
        }
    )
    niortais, bocage = "200041317", "200040244"
    spec = RunSpec(
        Period.month_of(2025, 1),
        Period.month_of(2025, 3),
        Dimension.EPCI,
        "79",
        GEOGRAPHY,
        date(2025, 3, 31),
    )

    def rows(jours: str) -> dict[tuple[str, str], tuple[object, object]]:
        found = compute_pandas.compute_definition(
            "cog-08-25", {"reclamations": reclamations}, spec, {"jours": jours}
        )
        return {(p, t): (n, d) for _, p, t, n, d in found if d}

    # calendar days: 8 (in the delay, January), 14 (late, February), 10 (in, February, the
    # bound itself); the last one is still open. Year to date: Niortais 1/1, then 1/2 twice;
    # Bocage nothing in January, then 1/1.
    assert rows("calendaires") == {
        ("2025-01", niortais): (1, 1),
        ("2025-02", niortais): (1, 2),
        ("2025-03", niortais): (1, 2),
        ("2025-02", bocage): (1, 1),
        ("2025-03", bocage): (1, 1),
    }
    # working days: 20/01 (Monday) → 03/02 (Monday): 21-24 and 27-31 January and 3 February,
    # 10, in the delay; 01/02 (Saturday) → 11/02: 3-7 and 10-11 February, 7.
    assert rows("ouvres")[("2025-02", niortais)] == (2, 2)
    assert rows("ouvres")[("2025-02", bocage)] == (1, 1)
