"""Speed and memory of the Excel export (``cpog export xlsx``), beside baselines in the same run.

    uv run python benchmarks/export.py [--revisions 100]

1. demo: the shipped contract with its demo data (2022 → 27/11/2026) in a fresh SQLite store.
2. revised: the same values revised ``--revisions`` times each (older revisions copied in bulk),
   so that the « Révisions des valeurs » sheet holds about 1 031 × (revisions + 1) rows.

For each: reading and assessing the store (the Situation and the ExportContext), writing the
workbook (cpog.reports.xlsx: formats, widths, frozen rows, filters), and two baselines writing
the same cells — xlsxwriter without any format (constant memory), and pandas ``to_excel``
(openpyxl is not installed: its xlsxwriter engine). Wall time and peak Python memory
(tracemalloc, a separate run).

Figures go to docs/benchmarks.md by hand, with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from run import AS_OF, measure, setup_django

from cpog.contract import default_contract_path


def flat(item: Any) -> list[Any]:
    """The scalar cells of one record (nested values as text), as a plain baseline writes them."""
    from cpog.contexts.serialize import to_data

    return [
        v if isinstance(v, int | float | str) or v is None else str(v)
        for v in to_data(item).values()
    ]


def rows_of(context: Any) -> dict[str, list[list[Any]]]:
    return {
        "Contrat": [flat(i) for i in context.referential],
        "Indicateurs": [flat(i) for i in context.indicators],
        "Cibles": [flat(t) for t in context.targets],
        "valeurs": [flat(v) for v in context.values if v.in_force],
        "Révisions des valeurs": [flat(v) for v in context.values],
        "Statuts": [flat(s) for s in context.statuses],
        "Actions": [flat(a) for a in context.actions],
    }


def plain_xlsxwriter(sheets: dict[str, list[list[Any]]], path: Path) -> int:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for n, row in enumerate(rows):
            sheet.write_row(n, 0, row)
    book.close()
    return path.stat().st_size


def pandas_excel(sheets: dict[str, list[list[Any]]], path: Path) -> int:
    import pandas

    with pandas.ExcelWriter(path, engine="xlsxwriter") as writer:
        for name, rows in sheets.items():
            pandas.DataFrame(rows).to_excel(writer, sheet_name=name, index=False)
    return path.stat().st_size


def revise(times: int) -> int:
    """Copy every stored value ``times`` times as older revisions (bulk, no audit)."""
    from cpog.store.models import Measurement

    rows = list(Measurement.objects.all())
    copies = []
    for k in range(1, times + 1):
        for m in rows:
            m.pk = None
            m.value = Decimal(m.value) * Decimal("1.001")
            m.recorded_at = m.recorded_at - timedelta(days=k)
            copies.append(Measurement(**{f.attname: getattr(m, f.attname) for f in m._meta.fields}))
    Measurement.objects.bulk_create(copies, batch_size=5000)
    return Measurement.objects.count()


def bench(label: str, folder: Path) -> None:
    from cpog.contexts.export import export_context
    from cpog.contexts.situation import situation
    from cpog.reports.xlsx import write_workbook
    from cpog.store.contracts import current_contract
    from cpog.store.reader import StoreReader

    _, contract = current_contract()
    reader = StoreReader()

    def context() -> Any:
        return export_context(situation(reader, contract, AS_OF), reader)

    ctx_s, ctx_mb, ctx = measure("context", context)
    out = folder / "cpog.xlsx"
    run_s, run_mb, _ = measure("workbook", lambda: write_workbook(ctx, out))
    sheets = rows_of(ctx)
    cells = sum(len(r) for rows in sheets.values() for r in rows)
    base_s, base_mb, _ = measure("plain", lambda: plain_xlsxwriter(sheets, folder / "plain.xlsx"))
    pd_s, pd_mb, _ = measure("pandas", lambda: pandas_excel(sheets, folder / "pandas.xlsx"))
    print(f"\n{label} : {len(ctx.values)} valeurs et révisions, {cells} cellules")
    print(f"  {'':34} {'temps (s)':>10} {'mémoire (Mio)':>14} {'fichier (Ko)':>13}")
    for name, s, mb, size in (
        ("lecture + évaluation (contexte)", ctx_s, ctx_mb, None),
        ("classeur cpog (formats, filtres)", run_s, run_mb, out.stat().st_size),
        (
            "référence xlsxwriter sans format",
            base_s,
            base_mb,
            (folder / "plain.xlsx").stat().st_size,
        ),
        ("référence pandas.to_excel", pd_s, pd_mb, (folder / "pandas.xlsx").stat().st_size),
    ):
        shown = "" if size is None else f"{size / 1024:13.0f}"
        print(f"  {name:34} {s:10.3f} {mb:14.1f} {shown}")
    print(f"  export complet (contexte + classeur) : {ctx_s + run_s:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=100)
    args = parser.parse_args()
    print(
        f"Machine : {platform.processor() or platform.machine()}, {os.cpu_count()} cœurs, "
        f"Python {sys.version.split()[0]}, base sqlite"
    )
    os.environ["CPOG_TODAY"] = AS_OF.strftime("%d/%m/%Y")
    setup_django("sqlite")
    from cpog.store.contracts import current_contract, load_contract_version
    from cpog.store.demo import load_demo

    load_contract_version(default_contract_path(), "bench")
    _, contract = current_contract()
    load_demo(contract, AS_OF)
    folder = Path(tempfile.mkdtemp(prefix="cpog-bench-export-"))
    bench("Données de démonstration", folder)
    if args.revisions:
        total = revise(args.revisions)
        bench(f"Chaque valeur révisée {args.revisions} fois ({total} lignes)", folder)


if __name__ == "__main__":
    main()
