"""Speed and memory of the steering core, each figure beside a baseline run on the same data.

    uv run python benchmarks/run.py [--database sqlite|postgres|both] [--quick]

1. assess: 101 caisses × 36 indicators × 60 monthly values, with the pure engine
   (``cpog.steering.contract_status``), then the same read back from the store and assessed.
   Baseline: one pass over the same values computing a mean (the cost of merely touching them).
2. import: a 100 000-row values file, validated cell by cell then written in one transaction,
   then the same file again. Baselines: reading the file with the csv module (no validation, no
   database), and a straightforward pandas import (``read_csv`` with French options, then
   ``to_sql`` into the same database, no validation, no audit).
3. write: 101 × 36 × 60 values recorded with their audit events; read back and assessed, all
   caisses in one query.

Figures go to docs/benchmarks.md by hand, with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from cpog.assess import Observation
from cpog.contract import default_contract_path
from cpog.contract.loader import load_contract
from cpog.contract.model import Contract, Cumulation, Indicator, Periodicity
from cpog.periods import Period
from cpog.steering import StoredTarget, SubjectKey, contract_status

CAISSES = 101
MONTHS = 60
AS_OF = date(2026, 11, 27)
FIRST = (2021, 11)  # 60 months up to October 2026


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time (s) of ``run``, without tracing (tracing slows Python down several times)."""
    gc.collect()
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def peak_mib(run: Callable[[], Any]) -> float:
    """Peak memory (MiB) Python allocates while ``run`` runs, in a separate traced run."""
    gc.collect()
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def measure(
    label: str, run: Callable[[], Any], repeatable: bool = True
) -> tuple[float, float, Any]:
    """Wall time and peak memory; the memory run is skipped when ``run`` cannot be repeated."""
    elapsed, result = timed(run)
    return elapsed, (peak_mib(run) if repeatable else float("nan")), result


def months() -> list[Period]:
    year, month = FIRST
    out = []
    for _ in range(MONTHS):
        out.append(Period.month_of(year, month))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def monthly_contract(contract: Contract) -> Contract:
    """The contract with every indicator read monthly, each month's own value (not cumulated),
    as the benchmark asks."""
    indicators = [
        i.model_copy(
            update={
                "periodicity": Periodicity.MONTHLY,
                "cumulation": Cumulation.NONE,
                "yearly_total": None,
            }
        )
        for i in contract.indicators
    ]
    return contract.model_copy(update={"indicators": indicators})


def synthetic_inputs(
    contract: Contract, caisse: int
) -> tuple[dict[SubjectKey, list[StoredTarget]], dict[SubjectKey, list[Observation]]]:
    periods = months()
    targets: dict[SubjectKey, list[StoredTarget]] = {}
    observations: dict[SubjectKey, list[Observation]] = {}
    for n, indicator in enumerate(contract.indicators):
        base = 50.0 + (caisse * 7 + n * 13) % 40
        key = ("indicator", indicator.id)
        step = 0.1 if indicator.direction.value != "down" else -0.1
        observations[key] = [
            Observation(p, base + step * i + ((caisse + n + i) % 5) * 0.3)
            for i, p in enumerate(periods)
        ]
        targets[key] = [
            StoredTarget(year, base + step * 12 * (year - 2022) * 1.1, "individualised")
            for year in range(2024, 2028)
        ]
    return targets, observations


def bench_assess_pure(contract: Contract) -> dict[str, float]:
    inputs = [synthetic_inputs(contract, c) for c in range(CAISSES)]
    values = sum(len(o) for _, obs in inputs for o in obs.values())

    def baseline() -> float:
        total = 0.0
        for _, obs in inputs:
            for series in obs.values():
                total += sum(o.value for o in series) / len(series)
        return total

    def run() -> int:
        rows = 0
        for targets, obs in inputs:
            rows += len(contract_status(contract, targets, obs, AS_OF).rows)
        return rows

    base_s, base_mb, _ = measure("baseline", baseline)
    run_s, run_mb, rows = measure("assess", run)
    return {
        "values": values,
        "rows": rows,
        "baseline_s": base_s,
        "run_s": run_s,
        "baseline_mib": base_mb,
        "run_mib": run_mb,
    }


def write_values_file(contract: Contract, path: Path, rows: int) -> int:
    """A values file of ``rows`` distinct (identifier, month) lines, French formats, with values
    the value rule accepts: rates within 0-100 %, counts and amounts in thousands (narrow no-break
    space), each series moving smoothly from month to month (nothing unusual to confirm)."""
    subjects = [(i.code or i.id, i.unit == "%") for i in contract.indicators]
    written = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["identifiant", "période", "valeur", "statut", "commentaire"])
        year, month = 2026, 10
        step = 0
        while written < rows:
            for n, (subject, rate) in enumerate(subjects):
                if written == rows:
                    break
                if rate:
                    value = f"{20 + n % 60},{(step + n) % 10}"
                else:
                    value = f"{1 + n % 9}\u202f{(n * 37 + step) % 1000:03d},{n % 10}"
                writer.writerow([subject, f"{month:02d}/{year}", value, "provisoire", ""])
                written += 1
            month -= 1
            step += 1
            if month == 0:
                year, month = year - 1, 12
    return written


def wide_contract(contract: Contract, extra: int) -> Contract:
    """The shipped contract plus ``extra`` copies of its indicators (national-scale catalogue)."""
    copies: list[Indicator] = list(contract.indicators)
    for n in range(extra):
        source = contract.indicators[n % len(contract.indicators)]
        copies.append(
            source.model_copy(update={"id": f"bench-{n}", "code": None, "code_as_written": None})
        )
    return contract.model_copy(update={"indicators": copies})


def setup_django(database: str) -> None:
    if database == "postgres":
        os.environ["DATABASE_URL"] = os.environ.get(
            "DATABASE_URL_BENCH", "postgres://postgres@127.0.0.1:5432/test"
        )
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "cpog.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def bench_store(contract: Contract, rows: int) -> dict[str, dict[str, float]]:
    from cpog.store.imports import import_values
    from cpog.store.models import AuditEvent, ImportBatch, Measurement, Target
    from cpog.store.status import inputs_by_scope
    from cpog.store.values import NewValue, record_values

    for model in (AuditEvent, Measurement, Target):
        model.objects.all().delete()
    ImportBatch.objects.all().delete()
    results: dict[str, dict[str, float]] = {}

    # Import of a 100 000-row file (validated, then written in one transaction).
    # Every indicator read monthly, not cumulated, so that every line is a valid value.
    wide = monthly_contract(
        wide_contract(contract, max(0, rows // 120 - len(contract.indicators) + 1))
    )
    folder = Path(tempfile.mkdtemp())
    path = folder / "valeurs.csv"
    write_values_file(wide, path, rows)

    def read_only() -> int:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return sum(1 for _ in csv.reader(handle, delimiter=";")) - 1

    base_s, base_mb, _ = measure("csv", read_only)
    pandas_s, pandas_mb, _ = measure("pandas", lambda: pandas_import(path))
    # Memory of validating and planning the whole file (a dry run), then the timed real import.
    dry_mb = peak_mib(
        lambda: import_values(path, wide, user="bench", dry_run=True, today=AS_OF, confirm=True)
    )
    run_s, run_mb, outcome = measure(
        "import",
        lambda: import_values(path, wide, user="bench", today=AS_OF, confirm=True),
        repeatable=False,
    )
    run_mb = dry_mb
    again_s, _, again = measure(
        "reimport", lambda: import_values(path, wide, user="bench", today=AS_OF, confirm=True)
    )
    assert len(outcome.changes) == rows and not again.changes
    full_again_s, _, full_again = measure(
        "reimport-full", lambda: reimport_checked(path, wide), repeatable=False
    )
    assert not full_again.changes
    file_mib = path.stat().st_size / 2**20
    results["import"] = {
        "rows": rows,
        "file_mib": file_mib,
        "baseline_s": base_s,
        "run_s": run_s,
        "baseline_mib": base_mb,
        "run_mib": run_mb,
        "pandas_s": pandas_s,
        "pandas_mib": pandas_mb,
        "ratio_pandas": run_s / pandas_s,
        "memory_x_file": run_mb / file_mib,
        "reimport_s": again_s,
        "reimport_checked_s": full_again_s,
    }

    # 101 caisses × 36 indicators × 60 months written, read back and assessed.
    Measurement.objects.all().delete()
    periods = months()
    per_caisse = []
    for caisse in range(CAISSES):
        _, obs = synthetic_inputs(contract, caisse)
        per_caisse.append(obs)
    gc.collect()
    started = time.perf_counter()
    for caisse, obs in enumerate(per_caisse):
        record_values(
            contract.id,
            f"c{caisse:03d}",
            [
                NewValue(k[0], k[1], o.period, _dec(o.value))
                for k, series in obs.items()
                for o in series
            ],
            source="computed",
            user="bench",
            current={},
        )
    write_s = time.perf_counter() - started
    scoped = [
        contract.model_copy(
            update={"organisation": contract.organisation.model_copy(update={"code": f"c{c:03d}"})}
        )
        for c in range(CAISSES)
    ]

    def read_and_assess() -> int:
        total = 0
        inputs = inputs_by_scope(contract, [c.organisation.code for c in scoped])  # one query
        for c in scoped:
            targets, obs = inputs[c.organisation.code]
            total += len(contract_status(c, targets, obs, AS_OF).rows)
        return total

    def read_only_db() -> int:
        return sum(
            1 for _ in Measurement.objects.values_list("value", flat=True).iterator(chunk_size=5000)
        )

    base_s, base_mb, _ = measure("read", read_only_db)
    run_s, run_mb, rows_assessed = measure("assess", read_and_assess)
    results["assess_store"] = {
        "values": CAISSES * len(contract.indicators) * len(periods),
        "rows": rows_assessed,
        "write_s": write_s,
        "baseline_s": base_s,
        "run_s": run_s,
        "baseline_mib": base_mb,
        "run_mib": run_mb,
    }
    return results


def pandas_import(path: Path) -> int:
    """The baseline: what a data analyst would write with pandas — read the French CSV, write it
    to a table of the same database. No validation, no revision, no audit."""
    import pandas as pd
    from django.db import connection

    frame = pd.read_csv(
        path,
        sep=";",
        encoding="utf-8-sig",
        decimal=",",
        thousands="\u202f",
        dtype={"identifiant": "string", "période": "string", "statut": "string"},
    )
    if connection.vendor == "postgresql":
        from sqlalchemy import create_engine

        url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql+psycopg://", 1)
        engine = create_engine(url)
        with engine.begin() as target:
            frame.to_sql("bench_pandas", target, if_exists="replace", index=False)
        engine.dispose()
    else:
        connection.ensure_connection()
        raw = connection.connection
        frame.to_sql("bench_pandas", raw, if_exists="replace", index=False)
        raw.commit()
    return len(frame)


def reimport_checked(path: Path, contract: Contract) -> Any:
    """The same file imported again after an unrelated write: every line is read and checked
    again (the shortcut for an unchanged store does not apply)."""
    from cpog.store import audit
    from cpog.store.imports import import_values

    audit.record("benchmark", "-", "touch", "bench")
    return import_values(path, contract, user="bench", today=AS_OF, confirm=True)


def _dec(value: float) -> Any:
    from decimal import Decimal

    return Decimal(str(round(value, 6)))


def report(title: str, figures: dict[str, float]) -> None:
    print(f"\n{title}")
    for key, value in figures.items():
        print(f"  {key:14} {value:12.3f}" if isinstance(value, float) else f"  {key:14} {value:12}")
    if figures.get("baseline_s"):
        print(
            f"  {'ratio temps':14} {figures['run_s'] / figures['baseline_s']:12.1f} × la référence"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-pure", action="store_true")
    args = parser.parse_args()
    print(
        f"Machine : {platform.processor() or platform.machine()}, {os.cpu_count()} cœurs, "
        f"Python {sys.version.split()[0]}, base {args.database}"
    )
    contract = monthly_contract(load_contract(default_contract_path()))
    if not args.skip_pure:
        report(
            f"Évaluation pure : {CAISSES} caisses × {len(contract.indicators)} indicateurs × "
            f"{MONTHS} mois",
            bench_assess_pure(contract),
        )
    setup_django(args.database)
    for name, figures in bench_store(contract, args.rows).items():
        report(f"{name} ({args.database})", figures)


if __name__ == "__main__":
    main()
