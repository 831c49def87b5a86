"""Import time and peak memory of ``cpog import opendata`` on a national-size ``s_ben_com_f``.

    uv run python benchmarks/opendata.py [--communes 35000] [--years 5]

Writes an ``s_ben_com_f`` export (``;``, UTF-8 with BOM, the 16 published fields) of
``--communes`` communes (252 of them in the Deux-Sèvres) × ``--years`` Decembers, then, each in a
fresh process on a fresh SQLite store: the import keeping the Deux-Sèvres (the default), the same
file again (nothing new), and the import keeping every territory (``--tout``). Reports wall time
and peak resident memory (``ru_maxrss``). Figures: docs/benchmarks.md (issue 12, by hand, with
the machine).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIELDS = (
    "indfoy_ndur;indnbp_ndur;indfoy_af;indfoy_cf;indfoy_asf;indfoy_ab;indfoy_cmg;indfoy_ndurpaje;"
    "indfoy_apl;indfoy_als;indfoy_alf;indfoy_ndural;indfoy_rsa;indmtt_rsa;indfoy_ppa;indmtt_ppa"
)

_CHILD = """
import resource, sys, time
from cpog.cli.main import run
start = time.perf_counter()
code = run(["import", "opendata", *sys.argv[1:]])
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"BENCH {code} {took:.2f} {peak:.0f}")
"""


def write_file(path: Path, communes: int, years: int) -> int:
    """The export; returns its number of data rows."""
    deux_sevres = [f"79{n:03d}" for n in range(1, 253)]
    others = [f"{10 + n // 900:02d}{n % 900 + 1:03d}" for n in range(communes - len(deux_sevres))]
    codes = deux_sevres + [c for c in others if not c.startswith("79")]
    rows = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(f"dtreffre;numcomdo;nomcom;{FIELDS}\n")
        for year in range(2020, 2020 + years):
            for index, code in enumerate(codes):
                base = 5 * (index % 400 + 1)
                values = ";".join(str(base * (k % 7 + 1)) for k in range(16))
                out.write(f"{year}-12;{code};Commune {code};{values}\n")
                rows += 1
    return rows


def _run(args: list[str], data_dir: Path) -> tuple[int, float, float, float]:
    env = {**os.environ, "CPOG_DATA_DIR": str(data_dir), "CPOG_IMPORT_MAX_BYTES": str(200 << 20)}
    env["CPOG_IMPORT_MAX_ROWS"] = "1000000"
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *args], env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH")), None)
    if line is None:
        raise SystemExit(done.stdout + done.stderr)
    _, code, took, peak = line.split()
    return int(code), float(took), wall, float(peak)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communes", type=int, default=35_000)
    parser.add_argument("--years", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "s_ben_com_f.csv"
        rows = write_file(path, options.communes, options.years)
        size = path.stat().st_size / (1 << 20)
        print(f"s_ben_com_f.csv: {rows} rows, {size:.1f} MiB")
        for label, store, args in (
            ("Deux-Sèvres only", "a", [str(path)]),
            ("same file again", "a", [str(path)]),
            ("every territory (--tout)", "b", [str(path), "--tout"]),
        ):
            data_dir = folder / store
            if not data_dir.exists():
                env = {**os.environ, "CPOG_DATA_DIR": str(data_dir)}
                subprocess.run(
                    [sys.executable, "-m", "cpog.cli.main", "load"],
                    env=env,
                    check=True,
                    capture_output=True,
                )
            code, took, wall, peak = _run(args, data_dir)
            print(
                f"{label}: exit {code}, import {took:.2f} s, process {wall:.2f} s, {peak:.0f} MiB"
            )


if __name__ == "__main__":
    main()
