"""How fast hostile files are refused, and what measuring a legitimate workbook costs.

    uv run python benchmarks/hostile.py

For each hostile file of issue 8 (built by ``tests/hostile_files.py``, never committed): its size,
the time ``read_table`` takes to refuse it, and the peak memory Python allocates meanwhile
(``tracemalloc``, in a separate run). Then, on a legitimate 100 000-row XLSX, the bounds check
(``cpog.ingest.bounds.check_spreadsheet``) beside the baseline it protects: python-calamine
reading the same sheet.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import xlsxwriter
from python_calamine import CalamineWorkbook

import hostile_files as hostile
from cpog.ingest.bounds import check_spreadsheet
from cpog.ingest.tables import TableError, read_table

CASES: dict[str, Callable[[Path], Path]] = {
    "cellule en XFD1048576.xlsx": lambda p: hostile.one_cell_at(p, "XFD1048576"),
    "cellule en AZ1000000.xlsx": lambda p: hostile.one_cell_at(p, "AZ1000000"),
    "un million de lignes.xlsx": lambda p: hostile.write_xlsx(
        p, ('<row><c t="s"><v>0</v></c></row>' for _ in range(1_000_000))
    ),
    "un million de lignes numérotées.xlsx": hostile.million_rows,
    "cellule de 50 millions de caractères.xlsx": hostile.huge_shared_string,
    "bombe zip.xlsx": hostile.zip_bomb,
    "ODS creux.ods": hostile.sparse_ods,
    "4 Mo de lignes fausses.csv": hostile.bad_rows_csv,
}


def refuse(path: Path) -> str:
    try:
        table = read_table(path)
    except TableError as error:
        return str(error)
    return f"lu : {len(table.rows)} lignes (la validation refuse chaque ligne)"


def timed(step: Callable[[], object]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def peak(step: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        step()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def legit_workbook(path: Path, rows: int = 100_000) -> Path:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("valeurs")
    sheet.write_row(0, 0, ["identifiant", "libellé", "période", "valeur", "statut"])
    for n in range(1, rows + 1):
        sheet.write_row(n, 0, [f"cog-{n % 900:03d}", "", f"{n % 12 + 1:02d}/2025", n * 1.5, ""])
    workbook.close()
    return path


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cpog-bench-") as folder:
        print("| fichier | taille | refus en | pic mémoire | message |")
        print("|---|---|---|---|---|")
        for name, build in CASES.items():
            path = build(Path(folder) / name)
            seconds = timed(lambda path=path: refuse(path))  # type: ignore[misc]
            memory = peak(lambda path=path: refuse(path))  # type: ignore[misc]
            message = refuse(path)
            size = path.stat().st_size / 1024
            print(f"| {name} | {size:,.0f} Kio | {seconds:.3f} s | {memory:.1f} MiB | {message} |")
            path.unlink()

        path = legit_workbook(Path(folder) / "legitime.xlsx")
        check = timed(lambda: check_spreadsheet(path))
        baseline = timed(
            lambda: CalamineWorkbook.from_path(path).get_sheet_by_name("valeurs").to_python()
        )
        whole = timed(lambda: read_table(path))
        print()
        print(
            f"XLSX légitime de 100 000 lignes ({path.stat().st_size / 2**20:.1f} Mio) : "
            f"mesure des bornes {check:.2f} s ; lecture calamine seule (référence) "
            f"{baseline:.2f} s ; read_table complet {whole:.2f} s ; "
            f"rapport bornes / calamine ×{check / baseline:.2f}"
        )


if __name__ == "__main__":
    main()
