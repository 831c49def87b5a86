"""Every shipped definition gives the same results on DuckDB, PostgreSQL and Spark.

Parametrized over ``all_definitions()`` when the tests are collected, so a definition added later
is covered without touching this file; × the caisse and EPCI dimensions. The extracts are the
seeded fixture of ``conformance_extracts`` (open items, leap day, holidays, a quiet month with
zero denominators, a commune the geography does not know). Equal means equal periods,
territories, numerators, denominators, values and « non calculable ».

PostgreSQL (``DATABASE_URL_TEST``) and Spark (the ``spark`` extra and Java) are skipped when
missing, unless ``CPOG_REQUIRE_POSTGRES=1`` / ``CPOG_REQUIRE_SPARK=1`` (CI) make them required.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conformance_extracts import (
    build_rows,
    duckdb_with,
    postgres_connection,
    spark_session,
    spec_for,
)

from cpog.warehouse import engine
from cpog.warehouse.definitions import Definition, Grain, Measure, all_definitions
from cpog.warehouse.engine import Dimension, Result
from cpog.warehouse.portable import PostgresRun, SparkRun, engine_tables

DEFINITIONS = all_definitions()
DIMENSIONS = (Dimension.CAISSE, Dimension.EPCI)
ROWS = build_rows()


def _ordered(results: list[Result]) -> list[Result]:
    return sorted(results, key=lambda r: (r.definition, r.period_key, r.scope_type, r.scope_code))


@pytest.fixture(scope="module")
def reference() -> dict[tuple[str, Dimension], list[Result]]:
    """The DuckDB engine's results (cpog's own), per definition and dimension."""
    connection = duckdb_with(ROWS)
    found = {}
    for dimension in DIMENSIONS:
        spec = spec_for(ROWS, dimension)
        computation = engine.compute(connection, DEFINITIONS, spec)
        for definition in DEFINITIONS:
            found[definition.name, dimension] = _ordered(
                [r for r in computation.results if r.definition == definition.name]
            )
    return found


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresRun]:
    connection = postgres_connection()
    try:
        with PostgresRun(connection, ROWS) as run:
            yield run
    finally:
        connection.close()


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    yield from spark_session()


@pytest.fixture(scope="module")
def spark_run(spark: Any) -> SparkRun:
    return SparkRun(spark, ROWS)


CASES = [
    pytest.param(definition, dimension, id=f"{definition.name}-{dimension}")
    for definition in DEFINITIONS
    for dimension in DIMENSIONS
]


def test_the_fixture_exercises_every_definition(
    reference: dict[tuple[str, Dimension], list[Result]],
) -> None:
    for definition in DEFINITIONS:
        results = reference[definition.name, Dimension.CAISSE]
        assert results, definition.name
        assert any(r.numerator != 0 for r in results), definition.name


def test_the_fixture_has_open_items_leap_days_and_zero_denominators(
    reference: dict[tuple[str, Dimension], list[Result]],
) -> None:
    connection = duckdb_with(ROWS)
    (quiet,) = connection.execute(
        "SELECT COUNT(*) FROM demarches WHERE traitee_le BETWEEN '2023-08-01' AND '2023-08-31'"
    ).fetchone() or (None,)
    assert quiet == 0
    (open_items,) = connection.execute(
        "SELECT COUNT(*) FROM demarches WHERE traitee_le IS NULL"
    ).fetchone() or (None,)
    assert open_items and open_items > 0
    (leap,) = connection.execute(
        "SELECT COUNT(*) FROM pieces WHERE recue_le = '2024-02-29' OR traitee_le = '2024-02-29'"
    ).fetchone() or (None,)
    assert leap and leap > 0
    # Four EPCI have no commune in the fixture: their ratios and means over items are « non
    # calculable » (a ratio to a fixed objective, as the datamining one, stays computable).
    assert any(
        not r.computable
        for definition in DEFINITIONS
        if definition.measure in (Measure.RATIO, Measure.MEAN)
        for r in reference[definition.name, Dimension.EPCI]
    )


@pytest.mark.parametrize(
    ("grain", "dimension"),
    [
        (Grain.MONTH, Dimension.EPCI),
        (Grain.YEAR_TO_DATE, Dimension.CAISSE),
        (Grain.YEAR, Dimension.COMMUNE),
    ],
)
def test_engine_tables_are_those_of_the_duckdb_engine(grain: Grain, dimension: Dimension) -> None:
    """PostgreSQL and Spark get the very tables engine.prepare makes in DuckDB."""
    connection = duckdb_with(ROWS)
    spec = spec_for(ROWS, dimension)
    engine.prepare(connection, spec, grain)
    communes = {str(row[2]) for row in ROWS["demarches"]} | {str(row[3]) for row in ROWS["pieces"]}
    for name in ("reclamations", "courriels", "indus", "controles", "allocataires"):
        communes |= {str(row[2]) for row in ROWS[name]}
    for table in engine_tables(spec, grain, communes):
        columns = ", ".join(name for name, _ in table.columns)
        in_duckdb = connection.execute(f"SELECT {columns} FROM {table.name}").fetchall()
        assert sorted(in_duckdb) == sorted(table.rows), table.name


@pytest.mark.parametrize(("definition", "dimension"), CASES)
def test_postgres_gives_the_duckdb_results(
    definition: Definition,
    dimension: Dimension,
    reference: dict[tuple[str, Dimension], list[Result]],
    postgres: PostgresRun,
) -> None:
    found = postgres.run(definition, spec_for(ROWS, dimension))
    assert _ordered(found) == reference[definition.name, dimension]


@pytest.mark.parametrize(("definition", "dimension"), CASES)
def test_spark_gives_the_duckdb_results(
    definition: Definition,
    dimension: Dimension,
    reference: dict[tuple[str, Dimension], list[Result]],
    spark_run: SparkRun,
) -> None:
    found = spark_run.run(definition, spec_for(ROWS, dimension))
    assert _ordered(found) == reference[definition.name, dimension]


def _variants() -> list[Any]:
    """Each non-default choice of each parameter, one at a time, at the caisse level."""
    found = []
    for definition in DEFINITIONS:
        for parameter in definition.parameters:
            for choice in parameter.choices:
                if choice != str(parameter.default):
                    found.append(
                        pytest.param(
                            definition,
                            {parameter.name: choice},
                            id=f"{definition.name}-{parameter.name}={choice}",
                        )
                    )
    return found


@pytest.fixture(scope="module")
def variant_reference() -> Any:
    """The DuckDB engine's results at the caisse level for other parameters: the engine's own
    ``prepare`` and ``run_definition``, its tables prepared again only when the grain changes."""
    connection = duckdb_with(ROWS)
    prepared: list[Grain] = []

    def expected(definition: Definition, parameters: dict[str, str | int]) -> list[Result]:
        spec = spec_for(ROWS, Dimension.CAISSE, parameters)
        if prepared != [definition.grain]:
            engine.prepare(connection, spec, definition.grain)
            prepared[:] = [definition.grain]
        return _ordered(engine.run_definition(connection, definition, spec))

    return expected


@pytest.mark.parametrize(("definition", "parameters"), _variants())
def test_every_parameter_choice_conforms_on_postgres(
    definition: Definition,
    parameters: dict[str, str | int],
    variant_reference: Any,
    postgres: PostgresRun,
) -> None:
    spec = spec_for(ROWS, Dimension.CAISSE, parameters)
    assert _ordered(postgres.run(definition, spec)) == variant_reference(definition, parameters)


@pytest.mark.parametrize(("definition", "parameters"), _variants())
def test_every_parameter_choice_conforms_on_spark(
    definition: Definition,
    parameters: dict[str, str | int],
    variant_reference: Any,
    spark_run: SparkRun,
) -> None:
    spec = spec_for(ROWS, Dimension.CAISSE, parameters)
    assert _ordered(spark_run.run(definition, spec)) == variant_reference(definition, parameters)


# The portable subset (docs/national-computation.md), each construct once on the three engines:
# LEFT JOIN and COALESCE, a correlated EXISTS, COUNT(DISTINCT …), boolean columns as conditions,
# IN lists, CASE in aggregates, UNION ALL, a CROSS JOIN of periods and territories, integer and
# date parameters (:seuil, :fin_donnees), month-end snapshots, sums of amounts (DECIMAL).
PROBES = {
    "probe-left-join": """
        WITH recouvre AS (
            SELECT id_indu, SUM(montant) AS montant FROM recouvrements
            WHERE mode IN ('remboursement', 'retenue') GROUP BY id_indu
        )
        SELECT p.periode, t.territoire, SUM(COALESCE(r.montant, 0)) AS numerateur,
               SUM(i.montant) AS denominateur
        FROM indus AS i
        LEFT JOIN recouvre AS r ON r.id_indu = i.id_indu
        JOIN territoires AS t ON t.commune = i.commune
        JOIN periodes AS p ON i.constate_le BETWEEN p.debut AND p.fin
        WHERE NOT i.frauduleux AND i.prestation <> 'RSA'
        GROUP BY p.periode, t.territoire
    """,
    "probe-snapshot": """
        SELECT p.periode, t.territoire,
               SUM(CASE WHEN fin.rang - debut.rang > :seuil THEN 1 ELSE 0 END) AS numerateur,
               COUNT(*) AS denominateur
        FROM pieces AS x
        JOIN fins_de_mois AS f
          ON x.recue_le <= f.jour AND (x.traitee_le IS NULL OR x.traitee_le > f.jour)
        JOIN jours AS debut ON debut.jour = x.recue_le
        JOIN jours AS fin ON fin.jour = f.jour
        JOIN territoires AS t ON t.commune = x.commune
        JOIN periodes AS p ON p.periode = f.periode
        WHERE x.canal IN ('teleservice', 'papier') AND x.type_piece <> 'autre'
        GROUP BY p.periode, t.territoire
    """,
    "probe-exists": """
        SELECT p.periode, t.territoire, COUNT(DISTINCT a.dossier) AS numerateur,
               COUNT(*) AS denominateur
        FROM allocataires AS a
        JOIN fins_de_mois AS f ON f.mois = a.mois
        JOIN territoires AS t ON t.commune = a.commune
        JOIN periodes AS p ON p.periode = f.periode
        WHERE a.bas_revenus AND NOT a.rsa AND EXISTS (
            SELECT 1 FROM controles AS c
            WHERE c.dossier = a.dossier AND c.realise_le <= :fin_donnees
        )
        GROUP BY p.periode, t.territoire
    """,
    "probe-cross-join": """
        WITH faits AS (
            SELECT commune, realise_le AS jour FROM controles
            WHERE cible_datamining AND realise_le IS NOT NULL
            UNION ALL
            SELECT commune, close_le AS jour FROM reclamations WHERE close_le IS NOT NULL
        ), comptes AS (
            SELECT p.periode, t.territoire, COUNT(*) AS faits
            FROM faits AS x
            JOIN territoires AS t ON t.commune = x.commune
            JOIN periodes AS p ON x.jour BETWEEN p.debut AND p.fin
            GROUP BY p.periode, t.territoire
        )
        SELECT p.periode, tt.territoire, COALESCE(c.faits, 0) AS numerateur,
               :objectif AS denominateur
        FROM periodes AS p
        CROSS JOIN (SELECT DISTINCT territoire FROM territoires) AS tt
        LEFT JOIN comptes AS c ON c.periode = p.periode AND c.territoire = tt.territoire
    """,
}
PROBE_HEADER = """/*
subject: indicator/{name}
version: 1
label: {name}
measure: ratio
grain: {grain}
tables: [demarches, pieces, reclamations, courriels, indus, recouvrements, controles, allocataires]
parameters:
  seuil: {{default: 40, description: seuil}}
  objectif: {{default: 250, description: objectif}}
*/
"""


def _probes() -> list[Any]:
    from cpog.warehouse.definitions import parse_definition

    grains = {"probe-snapshot": "month", "probe-exists": "year"}
    return [
        pytest.param(
            parse_definition(
                PROBE_HEADER.format(name=name, grain=grains.get(name, "year_to_date")) + sql,
                f"{name}.sql",
            ),
            id=name,
        )
        for name, sql in PROBES.items()
    ]


@pytest.mark.parametrize("definition", _probes())
def test_the_portable_subset_on_postgres(
    definition: Definition, variant_reference: Any, postgres: PostgresRun
) -> None:
    expected = variant_reference(definition, {})
    assert any(r.numerator for r in expected)
    assert _ordered(postgres.run(definition, spec_for(ROWS, Dimension.CAISSE))) == expected


@pytest.mark.parametrize("definition", _probes())
def test_the_portable_subset_on_spark(
    definition: Definition, variant_reference: Any, spark_run: SparkRun
) -> None:
    expected = variant_reference(definition, {})
    assert _ordered(spark_run.run(definition, spec_for(ROWS, Dimension.CAISSE))) == expected


def test_the_postgres_schema_is_dropped_even_after_a_failure() -> None:
    connection = postgres_connection()
    try:
        with pytest.raises(RuntimeError), PostgresRun(connection, ROWS) as run:
            schema = run.schema
            (count,) = connection.execute("SELECT COUNT(*) FROM demarches").fetchone() or (0,)
            assert count == len(ROWS["demarches"])
            raise RuntimeError("interrompu")
        (left,) = connection.execute(
            "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = %s", [schema]
        ).fetchone() or (None,)
        assert left == 0
    finally:
        connection.close()
