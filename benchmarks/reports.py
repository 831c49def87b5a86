"""The annual review of the whole contract on the demo data: wall time and peak memory, beside
a baseline in the same run — the same Typst document without its charts.

    uv run python benchmarks/reports.py

A fresh SQLite store in a temporary folder gets the shipped contract and the demo data (« today »
pinned to 27/11/2026). Each variant runs in its own process (peak memory = that process's
maximum resident set, Typst and vl-convert being native code that tracemalloc cannot see): the
store is read and the context built, then the PDF rendered; three runs, the first one cold
(vl-convert starts its JavaScript engine).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

VARIANTS = {
    "bilan annuel complet (graphiques SVG)": "charts",
    "même document sans graphiques (référence)": "nocharts",
    "contexte seul (lecture et évaluation, sans PDF)": "context",
    "tableau de bord du comité (novembre 2026)": "board",
}


def prepare(folder: str) -> None:
    os.environ["CPOG_DATA_DIR"] = folder
    os.environ["CPOG_TODAY"] = "2026-11-27"
    from cpog.store.bootstrap import setup

    setup()
    from cpog import clock
    from cpog.contract import default_contract_path
    from cpog.store.contracts import current_contract, load_contract_version
    from cpog.store.demo import load_demo

    load_contract_version(default_contract_path(), "benchmark")
    _, contract = current_contract()
    load_demo(contract, clock.today())


def variant(kind: str) -> dict[str, object]:
    from cpog import clock
    from cpog.contexts.annual import annual_review, review_date
    from cpog.contexts.board import board_report
    from cpog.contexts.serialize import to_data
    from cpog.contexts.situation import situation
    from cpog.reports.render import render_data
    from cpog.store.contracts import current_contract
    from cpog.store.reader import StoreReader

    _, contract = current_contract()
    times: list[float] = []
    size = 0
    for _ in range(3):
        start = time.perf_counter()
        reader = StoreReader()
        if kind == "board":
            data = situation(reader, contract, clock.today())
            context = to_data(board_report(data, reader, 2026, 11))
        else:
            data = situation(reader, contract, review_date(2025, clock.today()))
            context = to_data(annual_review(data, reader, 2025))
        if kind != "context":
            pdf = render_data(
                context, "board" if kind == "board" else "annual", charts=kind != "nocharts"
            )
            size = len(pdf)
        times.append(time.perf_counter() - start)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"cold": times[0], "best": min(times[1:]), "peak_mib": peak_kib / 1024, "bytes": size}


def main() -> None:
    if sys.argv[1:] == ["--prepare"]:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpog.settings")
        prepare(os.environ["CPOG_DATA_DIR"])
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--variant":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpog.settings")
        import django

        django.setup()
        print(json.dumps(variant(sys.argv[2])))
        return
    with tempfile.TemporaryDirectory(prefix="cpog-bench-rapports-") as folder:
        env = {**os.environ, "CPOG_DATA_DIR": folder, "CPOG_TODAY": "2026-11-27"}
        subprocess.run([sys.executable, __file__, "--prepare"], env=env, check=True)
        print("| variante | 1re fois (s) | 2 suivantes, meilleure (s) | pic (Mio) | PDF (Ko) |")
        print("|---|---:|---:|---:|---:|")
        for label, kind in VARIANTS.items():
            done = subprocess.run(
                [sys.executable, __file__, "--variant", kind],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            r = json.loads(done.stdout.strip().splitlines()[-1])
            kb = f"{int(r['bytes']) / 1024:.0f}" if r["bytes"] else "—"
            print(f"| {label} | {r['cold']:.2f} | {r['best']:.2f} | {r['peak_mib']:.0f} | {kb} |")


if __name__ == "__main__":
    main()
