"""The results file: computed results of one or many caisses, as Parquet and as CSV.

The national computation (:mod:`cpog.warehouse.spark_job`) writes it; a caisse reads its own
results back with :func:`read_results` and cpog stores them like results it computed itself.
One row per definition × caisse × dimension × period × territory:

============================  ====================================================================
column                        content
============================  ====================================================================
``definition``                the definition's file name (``cog-08-29``)
``version``                   its version; must be the version cpog ships, or the file is refused
``parametres``                the parameters used, as JSON (``{"jours": "calendaires"}``)
``caisse``                    the caisse's code (« 79 »)
``dimension``                 ``caisse``, ``epci`` or ``commune``
``periode``                   the store's period key (``2025-03``, ``2025``)
``territoire``                the caisse's code, an EPCI's SIREN or a commune's INSEE code
``numerateur``                a number
``denominateur``              a number; empty for sums and counts
``valeur``                    the value; empty when « non calculable » (zero denominator)
``empreinte_extraits``        the fingerprint of the caisse's extracts (as ``load_extracts`` gives)
``fin_donnees``               the last day the caisse's extracts cover
============================  ====================================================================

The CSV is written the French way, as the extracts are: ``;`` between columns, a decimal comma,
dates ``JJ/MM/AAAA``, UTF-8. The Parquet file has the same columns (numbers as DECIMAL(38, 6),
dates as DATE).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb

from cpog.warehouse.definitions import Definition, DefinitionError, Measure, all_definitions
from cpog.warehouse.engine import Computation, Dimension, Result, value_of

__all__ = [
    "COLUMNS",
    "FileRow",
    "ResultsFile",
    "ResultsFileError",
    "file_rows",
    "read_results",
    "read_results_file",
    "write_results",
]

COLUMNS = (
    "definition",
    "version",
    "parametres",
    "caisse",
    "dimension",
    "periode",
    "territoire",
    "numerateur",
    "denominateur",
    "valeur",
    "empreinte_extraits",
    "fin_donnees",
)

_PARQUET_TYPES = {
    "definition": "VARCHAR",
    "version": "INTEGER",
    "parametres": "VARCHAR",
    "caisse": "VARCHAR",
    "dimension": "VARCHAR",
    "periode": "VARCHAR",
    "territoire": "VARCHAR",
    "numerateur": "DECIMAL(38, 6)",
    "denominateur": "DECIMAL(38, 6)",
    "valeur": "DECIMAL(38, 6)",
    "empreinte_extraits": "VARCHAR",
    "fin_donnees": "DATE",
}


class ResultsFileError(ValueError):
    """The results file cannot be used; the French message names the file and the line."""


@dataclass(frozen=True)
class FileRow:
    definition: str
    version: int
    parameters: dict[str, str | int]
    caisse: str
    dimension: Dimension
    period_key: str
    territory: str
    numerator: Decimal
    denominator: Decimal | None
    value: Decimal | None
    fingerprint: str
    data_end: date


def file_rows(
    results: Iterable[Result],
    definitions: dict[str, Definition],
    parameters: dict[str, dict[str, str | int]],
    *,
    caisse: str,
    dimension: Dimension,
    fingerprint: str,
    data_end: date,
) -> Iterator[FileRow]:
    """The rows of a caisse's results (``definitions`` and ``parameters`` by definition name)."""
    for result in results:
        yield FileRow(
            result.definition,
            definitions[result.definition].version,
            parameters[result.definition],
            caisse,
            dimension,
            result.period_key,
            result.scope_code,
            result.numerator,
            result.denominator,
            result.value,
            fingerprint,
            data_end,
        )


def _french(number: Decimal | None) -> str:
    return "" if number is None else format(number, "f").replace(".", ",")


def write_results(path: Path, rows: Iterable[FileRow]) -> tuple[Path, Path]:
    """Write ``path`` with suffix ``.csv`` and ``.parquet`` (written whole, then renamed)."""
    csv_path, parquet_path = path.with_suffix(".csv"), path.with_suffix(".parquet")
    csv_tmp = csv_path.with_name(f".{csv_path.name}.tmp")
    parquet_tmp = parquet_path.with_name(f".{parquet_path.name}.tmp")
    with csv_tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(
                (
                    row.definition,
                    row.version,
                    json.dumps(row.parameters, ensure_ascii=False, sort_keys=True),
                    row.caisse,
                    str(row.dimension),
                    row.period_key,
                    row.territory,
                    _french(row.numerator),
                    _french(row.denominator),
                    _french(row.value),
                    row.fingerprint,
                    f"{row.data_end:%d/%m/%Y}",
                )
            )
    types = ", ".join(f"'{name}': '{kind}'" for name, kind in _PARQUET_TYPES.items())
    connection = duckdb.connect()
    try:
        connection.execute(
            f"COPY (SELECT * FROM read_csv(?, delim=';', header=true, quote='\"',"
            f" decimal_separator=',', dateformat='%d/%m/%Y', columns={{{types}}}))"
            f" TO '{_sql_path(parquet_tmp)}' (FORMAT parquet)",
            [str(csv_tmp)],
        )
    finally:
        connection.close()
    csv_tmp.replace(csv_path)
    parquet_tmp.replace(parquet_path)
    return parquet_path, csv_path


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


@dataclass(frozen=True)
class ResultsFile:
    """One caisse's results read from a results file."""

    caisse: str
    fingerprint: str
    data_end: date
    computation: Computation


def _raw_rows(path: Path) -> tuple[list[tuple[str, ...]], str]:
    """The file's rows as text, and how to name a row's place (« ligne » or « enregistrement »)."""
    if not path.is_file():
        raise ResultsFileError(f"Fichier de résultats introuvable : « {path} ».")
    if path.suffix.lower() == ".parquet":
        connection = duckdb.connect()
        try:
            relation = connection.execute("SELECT * FROM read_parquet(?)", [str(path)])
            names = [d[0] for d in relation.description or ()]
            missing = [c for c in COLUMNS if c not in names]
            if missing:
                raise ResultsFileError(
                    f"{path.name} : colonne(s) manquante(s) : {', '.join(missing)}."
                )
            order = [names.index(c) for c in COLUMNS]
            rows = []
            for raw in relation.fetchall():
                cells = [raw[i] for i in order]
                rows.append(
                    tuple(
                        ""
                        if cell is None
                        else (f"{cell:%d/%m/%Y}" if isinstance(cell, date) else _text(cell))
                        for cell in cells
                    )
                )
        except duckdb.Error as error:
            raise ResultsFileError(f"{path.name} : fichier Parquet illisible ({error}).") from None
        finally:
            connection.close()
        return rows, "enregistrement"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader, None)
        if header is None:
            raise ResultsFileError(f"{path.name} : fichier vide.")
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise ResultsFileError(
                f"{path.name}, ligne 1 : colonne(s) manquante(s) : {', '.join(missing)}."
            )
        order = [header.index(c) for c in COLUMNS]
        found: list[tuple[str, ...]] = []
        for number, line in enumerate(reader, start=2):
            if len(line) != len(header):
                raise ResultsFileError(
                    f"{path.name}, ligne {number} : {len(line)} colonnes au lieu de {len(header)}."
                )
            found.append(tuple(line[i] for i in order))
        return found, "ligne"


def _text(cell: object) -> str:
    if isinstance(cell, Decimal):
        return format(cell, "f").replace(".", ",")
    return str(cell)


def _number(text: str, where: str, column: str) -> Decimal | None:
    if text == "":
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ResultsFileError(
            f"{where}, colonne {column} : « {text} » n'est pas un nombre."
        ) from None


def read_results_file(
    path: Path, caisse: str | None = None, *, definitions: Sequence[Definition] | None = None
) -> ResultsFile:
    """Read the results of ``caisse`` (the only one in the file when None) from ``path``
    (``.parquet`` or ``.csv``), checked against the definitions cpog ships."""
    shipped = {d.name: d for d in (definitions if definitions is not None else all_definitions())}
    rows, unit = _raw_rows(path)
    caisses = sorted({row[3] for row in rows})
    if caisse is None:
        if len(caisses) != 1:
            raise ResultsFileError(
                f"{path.name} : le fichier contient les résultats de {len(caisses)} caisses"
                f" ({', '.join(caisses[:5])}{'…' if len(caisses) > 5 else ''}) :"
                " indiquez la vôtre."
            )
        caisse = caisses[0]
    elif caisse not in caisses:
        raise ResultsFileError(f"{path.name} : aucun résultat pour la caisse « {caisse} ».")
    results: list[Result] = []
    parameters: dict[str, dict[str, str | int]] = {}
    fingerprints: set[str] = set()
    data_ends: set[date] = set()
    seen: dict[tuple[str, str, str, str], int] = {}
    offset = 2 if unit == "ligne" else 1
    for index, row in enumerate(rows):
        (name, version, params, row_caisse, dimension, period, territory) = row[:7]
        if row_caisse != caisse:
            continue
        where = f"{path.name}, {unit} {index + offset}"
        definition = shipped.get(name)
        if definition is None:
            raise ResultsFileError(f"{where} : définition inconnue de cpog : « {name} ».")
        if version != str(definition.version):
            raise ResultsFileError(
                f"{where} : {name} calculée en version {version}, cpog a la version"
                f" {definition.version} : refaites le calcul avec la même version de cpog."
            )
        try:
            chosen = json.loads(params)
            if not isinstance(chosen, dict):
                raise ValueError
        except ValueError:
            raise ResultsFileError(f"{where}, colonne parametres : JSON illisible.") from None
        try:
            expected = definition.values(chosen)
        except DefinitionError as error:
            raise ResultsFileError(f"{where}, colonne parametres : {error}") from None
        if chosen != expected:
            raise ResultsFileError(
                f"{where}, colonne parametres : paramètres attendus {sorted(expected)},"
                f" trouvés {sorted(chosen)}."
            )
        if parameters.setdefault(name, expected) != expected:
            raise ResultsFileError(
                f"{where} : {name} calculée avec d'autres paramètres"
                " que sur les lignes précédentes."
            )
        try:
            dim = Dimension(dimension)
        except ValueError:
            raise ResultsFileError(
                f"{where}, colonne dimension : « {dimension} » (attendu : caisse, epci, commune)."
            ) from None
        key = (name, dimension, period, territory)
        if key in seen:
            raise ResultsFileError(f"{where} : même résultat qu'en {unit} {seen[key]}.")
        seen[key] = index + offset
        numerator = _number(row[7], where, "numerateur")
        denominator = _number(row[8], where, "denominateur")
        value = _number(row[9], where, "valeur")
        if numerator is None:
            raise ResultsFileError(f"{where}, colonne numerateur : valeur manquante.")
        if definition.measure in (Measure.SUM, Measure.COUNT):
            denominator = None
        if value_of(definition.measure, numerator, denominator) != value:
            raise ResultsFileError(
                f"{where}, colonne valeur : « {row[9]} » ne correspond pas au numérateur et au"
                " dénominateur."
            )
        fingerprints.add(row[10])
        try:
            day, month, year = (int(part) for part in row[11].split("/"))
            data_ends.add(date(year, month, day))
        except ValueError:
            raise ResultsFileError(
                f"{where}, colonne fin_donnees : « {row[11]} » n'est pas une date JJ/MM/AAAA."
            ) from None
        scope_type = "caisse" if dim is Dimension.CAISSE else "territory"
        results.append(
            Result(
                definition.name,
                definition.subject_type,
                definition.subject_id,
                period,
                scope_type,
                territory,
                numerator,
                denominator,
                value,
            )
        )
    if len(fingerprints) != 1 or len(data_ends) != 1:
        raise ResultsFileError(
            f"{path.name} : la caisse {caisse} a des résultats de plusieurs extractions"
            " (empreintes ou fins de données différentes)."
        )
    return ResultsFile(
        caisse, fingerprints.pop(), data_ends.pop(), Computation(tuple(results), parameters)
    )


def read_results(path: Path, caisse: str | None = None) -> Computation:
    """The computation of ``caisse`` in a results file, ready for the store."""
    return read_results_file(path, caisse).computation
