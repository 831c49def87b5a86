"""Tiny extracts written by the tests of computed values (store, web, CLI), with DuckDB.

Démarches of « prestations légales » in September and October 2026 (COG 08-29, the mean delay
from receipt to processing, year to date, counted in the month the démarche is processed):

=====  ======  ==========  ==========  =====  ===============================
id     commune received    processed   delay  note
=====  ======  ==========  ==========  =====  ===============================
d1     79191   01/09/2026  11/09/2026     10  Niort
d2     79049   10/09/2026  10/10/2026     30  Bressuire
d3     79191   01/10/2026  21/10/2026     20  Niort
d4     79049   20/10/2026  (stock)         —  not processed: not counted
d5     79191   01/10/2026  05/10/2026      4  minima sociaux: not counted
=====  ======  ==========  ==========  =====  ===============================

So at the caisse: September 2026 = 10 / 1 = 10 days; October 2026 (cumulated since January)
= (10 + 30 + 20) / 3 = 20 days; January to August: no démarche processed, « non calculable ».
The last day the extracts cover: 21/10/2026 (d3's processing).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

DEMARCHES = [
    ("d1", "A1", "79191", "2026-09-01", "2026-09-11", "prestations_legales"),
    ("d2", "A2", "79049", "2026-09-10", "2026-10-10", "prestations_legales"),
    ("d3", "A3", "79191", "2026-10-01", "2026-10-21", "prestations_legales"),
    ("d4", "A4", "79049", "2026-10-20", None, "prestations_legales"),
    ("d5", "A5", "79191", "2026-10-01", "2026-10-05", "minima_sociaux"),
]

# Allocataires in December 2025 (the key figure « Nombre d'allocataires » of 2025: 3).
ALLOCATAIRES = [
    ("2025-11", "A1", "79191", "couple"),
    ("2025-12", "A1", "79191", "couple"),
    ("2025-12", "A2", "79049", "monoparent"),
    ("2025-12", "A3", "79191", "isole"),
]

FIGURE_DEFINITION = """/*
subject: figure/kf-allocataires
version: 1
label: Nombre d'allocataires
measure: count
grain: year
tables: [allocataires]
*/
SELECT p.periode, t.territoire, COUNT(*) AS numerateur, NULL AS denominateur
FROM allocataires AS a
JOIN fins_de_mois AS f ON f.mois = a.mois
JOIN periodes AS p ON p.periode = f.periode AND f.jour = p.fin
JOIN territoires AS t ON t.commune = a.commune
GROUP BY p.periode, t.territoire
"""


def _literal(value: str | None) -> str:
    return "NULL" if value is None else f"'{value}'"


def write_extracts(
    folder: Path,
    demarches: list[tuple[str, str, str, str, str | None, str]] | None = None,
    allocataires: bool = False,
) -> Path:
    """Write ``demarches.parquet`` (and ``allocataires.parquet``) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect()
    rows = ", ".join(
        f"('{i}', '{d}', '{c}', DATE '{r}', {'NULL' if t is None else f'DATE {_literal(t)}'},"
        f" '{f}', 'AF', 'demande', 'papier', true)"
        for i, d, c, r, t, f in (demarches if demarches is not None else DEMARCHES)
    )
    if rows:
        connection.execute(
            f"COPY (SELECT * FROM (VALUES {rows}) AS t(id_demarche, dossier, commune, recue_le,"
            " traitee_le, famille, prestation, nature, canal, teleservice_disponible))"
            f" TO '{folder / 'demarches.parquet'}' (FORMAT parquet)"
        )
    if allocataires:
        rows = ", ".join(
            f"('{m}', '{d}', '{c}', '{s}', 0, false, false, false, false, false)"
            for m, d, c, s in ALLOCATAIRES
        )
        connection.execute(
            f"COPY (SELECT * FROM (VALUES {rows}) AS t(mois, dossier, commune,"
            " situation_familiale, enfants, bas_revenus, rsa, aah, aide_logement, naissance))"
            f" TO '{folder / 'allocataires.parquet'}' (FORMAT parquet)"
        )
    connection.close()
    return folder


def run_computation(  # type: ignore[no-untyped-def]
    contract,
    folder: Path,
    *,
    by: str = "caisse",
    first: str = "2026-01",
    last: str = "2026-10",
    definitions=None,
    parameters: dict[str, str | int] | None = None,
    user: str = "test",
    motif: str = "",
):
    """Load ``folder``, compute at the caisse (and ``by`` a territory) and record: what
    ``cpog compute`` does, without the command line."""
    from cpog.geography import geography_of
    from cpog.periods import parse_period
    from cpog.store.computations import record_computation
    from cpog.warehouse.definitions import definition_for
    from cpog.warehouse.engine import Computation, Dimension, RunSpec, compute
    from cpog.warehouse.extracts import load_extracts

    extracts = load_extracts(folder)
    chosen = list(definitions) if definitions is not None else [definition_for("cog-08-29")]
    dimensions = [Dimension.CAISSE] + ([Dimension(by)] if by != "caisse" else [])
    results = []
    used: dict[str, dict[str, str | int]] = {}
    spec = None
    key = (
        extracts.fingerprint,
        by,
        first,
        last,
        tuple((d.name, d.version) for d in chosen),
        tuple(sorted((parameters or {}).items())),
    )
    for dimension in dimensions:
        spec = RunSpec(
            parse_period(first),
            parse_period(last),
            dimension,
            contract.organisation.code,
            geography_of(contract.organisation.code),
            extracts.data_end,
            dict(parameters or {}),
        )
        if key not in _COMPUTED:
            done = compute(extracts.connection, chosen, spec)
            results.extend(done.results)
            used.update(done.parameters)
    assert spec is not None
    if key not in _COMPUTED:
        _COMPUTED[key] = Computation(tuple(results), used)
    return record_computation(
        contract, _COMPUTED[key], extracts, spec, user, definitions=chosen, motif=motif
    )


# The engine's results depend on the extracts' bytes, the range, the dimension, the definitions
# and the parameters only: tests that compute the same thing share one run (the engine prepares
# its calendar tables in seconds, and the store, not the engine, is under test here).
_COMPUTED: dict[tuple[object, ...], object] = {}
