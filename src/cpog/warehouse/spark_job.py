"""The national computation: every definition, every caisse, on a Spark cluster.

The extracts of each caisse are the Parquet files a caisse gives ``cpog compute --extracts``,
placed under one root, one folder per caisse::

    RACINE/caisse=79/demarches.parquet
    RACINE/caisse=79/pieces.parquet …
    RACINE/caisse=86/demarches.parquet …

Run on a cluster (the driver needs cpog installed; the executors only run Spark SQL)::

    spark-submit --master yarn --deploy-mode client \\
        "$(python -c 'import cpog.warehouse.spark_job as j; print(j.__file__)')" \\
        hdfs:///cnaf/extraits/2026-10 resultats-2026-10

or locally, on a laptop (``local[N]``)::

    python -m cpog.warehouse.spark_job extraits/ resultats

It writes ``SORTIE.parquet`` and ``SORTIE.csv`` on the driver (:mod:`.results_file`).

How: each definition runs **once for all the caisses** of a run, not once per caisse. The
caisses' identifiers (``commune``, ``dossier``, ``id_…``) are prefixed with the caisse's code in
the views the definitions read (``79:79191``), and the territories are prefixed the same way
(``79:200041317``); since the definitions compare identifiers only for equality, every row stays
within its caisse, exactly as if each caisse were computed alone, and the results are split back
by that prefix. Caisses whose extracts end on different days are computed in separate groups
(``:fin_donnees`` and the periods depend on it). The end-to-end test checks the results equal
those of cpog's DuckDB engine on each caisse's folder (``tests/warehouse/test_spark_job.py``).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cpog.geography import Geography, geography_of
from cpog.periods import Period, PeriodError, parse_period
from cpog.warehouse.definitions import Definition, DefinitionError, Grain, all_definitions
from cpog.warehouse.engine import Dimension, RunSpec, results_from_rows, territory_rows
from cpog.warehouse.extracts import fingerprint_of
from cpog.warehouse.portable import ENGINE_TABLE_COLUMNS, SparkViews, engine_tables
from cpog.warehouse.results_file import FileRow, file_rows, write_results
from cpog.warehouse.schema import TABLE_BY_NAME, TABLES, ColumnType, Table

__all__ = ["CaisseExtracts", "JobError", "NationalRun", "discover", "main", "run_national"]

# Identifiers: compared for equality only, prefixed with the caisse's code in the job's views.
KEY_COLUMNS = frozenset(
    column.name
    for table in TABLES
    for column in table.columns
    if column.name in ("dossier", "commune") or column.name.startswith("id_")
)
_SPARK_TYPE = {
    ColumnType.TEXT: "STRING",
    ColumnType.MONTH: "STRING",
    ColumnType.DATE: "DATE",
    ColumnType.INTEGER: "BIGINT",
    ColumnType.DECIMAL: "DECIMAL(18, 2)",
    ColumnType.BOOLEAN: "BOOLEAN",
}
_FILE = re.compile(r"/caisse=(?P<caisse>[^/]+)/(?P<table>[a-z_]+)\.parquet$")
_SEPARATOR = ":"


class JobError(ValueError):
    """The national run cannot go on (French message)."""


@dataclass(frozen=True)
class CaisseExtracts:
    code: str
    files: dict[str, str]  # table → path (URI)
    fingerprint: str  # as load_extracts computes it on the caisse's folder
    data_end: date = date.min
    communes: frozenset[str] = frozenset()


@dataclass
class NationalRun:
    """What a run did: the rows written and figures for the log."""

    rows: list[FileRow] = field(default_factory=list)
    caisses: list[str] = field(default_factory=list)
    queries: int = 0
    seconds: float = 0.0


def _raw_view(table: str) -> str:
    return f"cpog_extrait_{table}"


def discover(session: Any, root: str) -> dict[str, CaisseExtracts]:
    """The caisses under ``root`` and their files, with the fingerprint of each caisse's
    extracts (SHA-256 of each file computed by Spark, next to the data)."""
    found = (
        session.read.format("binaryFile")
        .option("recursiveFileLookup", "true")
        .option("pathGlobFilter", "*.parquet")
        .load(root)
        .selectExpr("path", "sha2(content, 256) AS sha256")
        .collect()
    )
    files: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    for row in found:
        match = _FILE.search(str(row["path"]))
        if match is None or match["table"] not in TABLE_BY_NAME:
            continue
        files[match["caisse"]][match["table"]] = (str(row["path"]), str(row["sha256"]))
    caisses = {}
    for code, tables in files.items():
        # the fingerprint the extracts loader gives the caisse's folder
        caisses[code] = CaisseExtracts(
            code,
            {name: path for name, (path, _) in tables.items()},
            fingerprint_of({name: digest for name, (_, digest) in tables.items()}),
        )
    if not caisses:
        raise JobError(
            f"Aucun extrait trouvé sous « {root} » (attendu : caisse=<code>/<table>.parquet)."
        )
    return caisses


def _register_raw(session: Any, root: str, caisses: dict[str, CaisseExtracts]) -> set[str]:
    """One view per extract table over every caisse's file, with the caisse as a column."""
    session.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    present = set()
    for table in TABLES:
        paths = [c.files[table.name] for c in caisses.values() if table.name in c.files]
        if not paths:
            continue
        frame = session.read.option("basePath", root).parquet(*paths)
        frame.createOrReplaceTempView(_raw_view(table.name))
        present.add(table.name)
    return present


def _measure(session: Any, present: set[str], caisses: dict[str, CaisseExtracts]) -> None:
    """Fill each caisse's data end (latest date of its extracts) and communes."""
    ends: dict[str, list[date]] = defaultdict(list)
    communes: dict[str, set[str]] = defaultdict(set)
    for table in TABLES:
        if table.name not in present:
            continue
        dates = [c.name for c in table.columns if c.type is ColumnType.DATE]
        if dates:
            maxima = ", ".join(f"MAX(CAST({name} AS DATE))" for name in dates)
            for row in session.sql(
                f"SELECT caisse, {maxima} FROM {_raw_view(table.name)} GROUP BY caisse"
            ).collect():
                ends[str(row[0])].extend(day for day in row[1:] if day is not None)
        if any(c.name == "commune" for c in table.columns):
            for row in session.sql(
                f"SELECT DISTINCT caisse, CAST(commune AS STRING) FROM {_raw_view(table.name)}"
                " WHERE commune IS NOT NULL"
            ).collect():
                communes[str(row[0])].add(str(row[1]))
    for code, caisse in list(caisses.items()):
        if not ends[code]:
            raise JobError(f"Caisse {code} : aucune date dans ses extraits.")
        caisses[code] = CaisseExtracts(
            code, caisse.files, caisse.fingerprint, max(ends[code]), frozenset(communes[code])
        )


def _view_sql(table: Table, codes: Sequence[str]) -> str:
    columns = []
    for column in table.columns:
        cast = f"CAST({column.name} AS {_SPARK_TYPE[column.type]})"
        if column.name in KEY_COLUMNS:
            cast = f"concat(caisse, '{_SEPARATOR}', {cast})"
        columns.append(f"{cast} AS {column.name}")
    chosen = ", ".join(f"'{code}'" for code in codes)
    return (
        f"CREATE OR REPLACE TEMP VIEW {table.name} AS SELECT {', '.join(columns)}"
        f" FROM {_raw_view(table.name)} WHERE caisse IN ({chosen})"
    )


def _split(key: str) -> tuple[str, str]:
    caisse, _, rest = key.partition(_SEPARATOR)
    return caisse, rest


def run_national(
    session: Any,
    root: str,
    *,
    first: Period,
    last: Period | None = None,
    dimensions: Sequence[Dimension] = (Dimension.CAISSE, Dimension.EPCI),
    definitions: Sequence[Definition] | None = None,
    parameters: dict[str, str | int] | None = None,
    only: Sequence[str] | None = None,
    geography: Callable[[str], Geography] = geography_of,
    log: Callable[[str], None] = lambda line: None,
) -> NationalRun:
    """Run ``definitions`` (default: all shipped) for every caisse under ``root``."""
    started = time.perf_counter()
    chosen_definitions = list(definitions if definitions is not None else all_definitions())
    # Refuse, before any work, a parameter no definition has (a typo) and a value refused.
    known = {p.name for d in chosen_definitions for p in d.parameters}
    unknown = sorted(set(parameters or {}) - known)
    if unknown:
        raise JobError(
            f"Paramètre(s) inconnu(s) : {', '.join(unknown)} (paramètres des définitions :"
            f" {', '.join(sorted(known)) or 'aucun'})."
        )
    for definition in chosen_definitions:
        definition.values(parameters)
    caisses = discover(session, root)
    if only:
        unknown = sorted(set(only) - set(caisses))
        if unknown:
            raise JobError(f"Caisse(s) sans extraits sous « {root} » : {', '.join(unknown)}.")
        caisses = {code: caisses[code] for code in only}
    present = _register_raw(session, root, caisses)
    _measure(session, present, caisses)
    geographies = {}
    for code in caisses:
        try:
            geographies[code] = geography(code)
        except ValueError as error:
            raise JobError(f"Caisse {code} : {error}") from None
    run = NationalRun(caisses=sorted(caisses))
    log(
        f"{len(caisses)} caisse(s), {len(chosen_definitions)} définition(s),"
        f" dimension(s) : {', '.join(str(d) for d in dimensions)}."
    )
    groups: dict[date, list[str]] = defaultdict(list)
    for code in sorted(caisses):
        groups[caisses[code].data_end].append(code)
    by_name = {d.name: d for d in chosen_definitions}
    views = SparkViews(session)
    for data_end, codes in sorted(groups.items()):
        end_month = last or Period.month_of(data_end.year, data_end.month)
        for table in TABLES:
            if table.name in present:
                session.sql(_view_sql(table, codes))
        for dimension in dimensions:
            specs = {
                code: RunSpec(
                    first,
                    end_month,
                    dimension,
                    code,
                    geographies[code],
                    data_end,
                    dict(parameters or {}),
                )
                for code in codes
            }
            for grain, of_grain in _by_grain(chosen_definitions):
                run.queries += _run_grain(views, specs, caisses, grain, of_grain, by_name, run)
        log(f"Fin des données au {data_end:%d/%m/%Y} : caisse(s) {', '.join(codes)} calculée(s).")
    run.seconds = time.perf_counter() - started
    return run


def _by_grain(definitions: Sequence[Definition]) -> Iterator[tuple[Grain, list[Definition]]]:
    for grain in Grain:
        chosen = sorted((d for d in definitions if d.grain is grain), key=lambda d: d.name)
        if chosen:
            yield grain, chosen


def _run_grain(
    views: SparkViews,
    specs: dict[str, RunSpec],
    caisses: dict[str, CaisseExtracts],
    grain: Grain,
    definitions: list[Definition],
    by_name: dict[str, Definition],
    run: NationalRun,
) -> int:
    codes = sorted(specs)
    any_spec = specs[codes[0]]
    shared = {t.name: t for t in engine_tables(any_spec, grain, ())}
    period_keys = [str(row[0]) for row in shared["periodes"].rows]
    territories: dict[str, list[str]] = {}
    prefixed: list[tuple[object, ...]] = []
    for code in codes:
        rows = territory_rows(specs[code], caisses[code].communes)
        territories[code] = sorted({territory for _, territory in rows})
        prefixed.extend(
            (f"{code}{_SEPARATOR}{commune}", f"{code}{_SEPARATOR}{territory}")
            for commune, territory in rows
        )
    for name in ("jours", "periodes", "fins_de_mois"):
        views.put(name, ENGINE_TABLE_COLUMNS[name], shared[name].rows)
    views.put("territoires", ENGINE_TABLE_COLUMNS["territoires"], prefixed)
    for definition in definitions:
        # As the DuckDB engine skips a definition whose extracts are not all loaded, a caisse
        # without one of the definition's tables gets no result for it.
        ready = [c for c in codes if all(t in caisses[c].files for t in definition.tables)]
        if not ready:
            continue
        sql = definition.sql_for(
            "spark",
            any_spec.parameters,
            data_end=any_spec.data_end.isoformat(),
            pretty=False,
        )
        per_caisse: dict[str, list[tuple[object, ...]]] = defaultdict(list)
        for row in views.session.sql(sql).collect():
            caisse, territory = _split(str(row[1]))
            per_caisse[caisse].append((row[0], territory, row[2], row[3]))
        values = definition.values(any_spec.parameters)
        for code in codes:
            if code not in ready:
                per_caisse.pop(code, None)
                continue
            results = results_from_rows(
                definition, specs[code], per_caisse.pop(code, []), period_keys, territories[code]
            )
            run.rows.extend(
                file_rows(
                    results,
                    by_name,
                    {definition.name: values},
                    caisse=code,
                    dimension=specs[code].dimension,
                    fingerprint=caisses[code].fingerprint,
                    data_end=caisses[code].data_end,
                )
            )
        if per_caisse:
            raise DefinitionError(
                f"{definition.path} : la requête rend des territoires d'autres caisses"
                f" ({', '.join(sorted(per_caisse)[:3])})."
            )
    return len(definitions)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="cpog.warehouse.spark_job",
        description="Calcul national : toutes les définitions pour toutes les caisses (Spark).",
    )
    parser.add_argument(
        "extraits", help="racine des extraits : RACINE/caisse=<code>/<table>.parquet"
    )
    parser.add_argument("sortie", help="fichier de résultats (écrit en .parquet et en .csv)")
    parser.add_argument("--du", default="2023-01", help="premier mois (AAAA-MM ; 2023-01)")
    parser.add_argument(
        "--au", default=None, help="dernier mois (AAAA-MM ; par défaut le mois de fin des données)"
    )
    parser.add_argument(
        "--par", default="caisse,epci", help="dimensions : caisse, epci, commune (caisse,epci)"
    )
    parser.add_argument("--caisses", default=None, help="seulement ces caisses (79,86)")
    parser.add_argument(
        "--parametre",
        action="append",
        default=[],
        metavar="NOM=VALEUR",
        help="valeur d'un paramètre des définitions (répétable)",
    )
    parser.add_argument(
        "--coeurs", type=int, default=2, help="hors spark-submit : cœurs de la session locale"
    )
    return parser.parse_args(argv)


def _month(text: str, option: str) -> Period:
    try:
        period = parse_period(text)
    except PeriodError:
        period = None
    if period is None or period.months != 1:
        raise JobError(f"{option} : « {text} » n'est pas un mois (AAAA-MM).")
    return Period.month_of(period.year, period.first_month)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _arguments(argv)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        first = _month(arguments.du, "--du")
        last = _month(arguments.au, "--au") if arguments.au else None
        try:
            dimensions = [Dimension(part.strip()) for part in arguments.par.split(",")]
        except ValueError:
            raise JobError(
                f"--par : « {arguments.par} » (attendu : caisse, epci, commune)."
            ) from None
        parameters: dict[str, str | int] = {}
        for item in arguments.parametre:
            name, sep, value = item.partition("=")
            if not sep:
                raise JobError(f"--parametre : « {item} » (attendu : NOM=VALEUR).")
            parameters[name.strip()] = value.strip()
        only = [c.strip() for c in arguments.caisses.split(",")] if arguments.caisses else None
        if os.environ.get("PYSPARK_GATEWAY_PORT"):  # under spark-submit: its session
            from pyspark.sql import SparkSession

            builder: Any = SparkSession.builder
            session = builder.appName("cpog-calcul-national").getOrCreate()
        else:
            from cpog.warehouse.portable import local_spark_session

            session = local_spark_session("cpog-calcul-national", arguments.coeurs)
        session.sparkContext.setLogLevel("WARN")
        run = run_national(
            session,
            arguments.extraits,
            first=first,
            last=last,
            dimensions=dimensions,
            parameters=parameters,
            only=only,
            log=log,
        )
        parquet, csv_path = write_results(Path(arguments.sortie), run.rows)
    except (JobError, DefinitionError) as error:
        log(f"Erreur : {error}")
        return 2
    log(
        f"{len(run.rows)} résultats pour {len(run.caisses)} caisse(s), {run.queries} requêtes,"
        f" en {run.seconds:.1f} s : {parquet} et {csv_path}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
