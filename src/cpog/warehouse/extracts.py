"""Loading a folder of extracts into DuckDB, validated (docs/extracts.md is the user's view).

Interface the rest of cpog relies on: :func:`load_extracts` returns a :class:`LoadedExtracts`
whose connection holds one relation per extract present, named as in
:mod:`cpog.warehouse.schema`, with exactly the schema's columns and DuckDB types (``SQL_TYPE``);
``fingerprint`` identifies the bytes read; ``data_end`` is the last day the extracts cover.

How a folder is read:

1. The folder is listed before anything is read: ``<table>.parquet`` or ``<table>.csv`` per
   table (both → error), compressed files, symbolic links and anything but regular files refused,
   other names reported as warnings, the total size bounded (``CPOG_EXTRACTS_MAX_BYTES``).
2. Each file is hashed (SHA-256). A CSV is then read once by Python's ``csv`` module (encoding
   detected: UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252; separator ``;``, or
   ``,`` / tab when the header says so; header matched to the schema ignoring case, accents and
   spaces) and rewritten as a plain UTF-8 file with its physical line numbers, which DuckDB loads
   as text; the French spellings (dates, decimal comma, oui/non…) are parsed in SQL. A Parquet
   file is described (its columns and types checked) and read through ``read_parquet``.
3. Every check is a SQL condition; one streaming aggregate scan per table counts each check's
   failures (and the row count and latest dates); only failing checks are read again for their
   first lines. Keys are checked by grouping on a 64-bit hash of the key, then on the real key of
   the few candidates: exact duplicates are dropped and counted, different rows with one key are
   an error naming both lines.
4. Problems from every file are gathered, sorted and raised at once in :class:`ExtractError`
   (the first ``MAX_PROBLEMS`` shown, the rest counted); nothing is half-loaded. Otherwise a CSV
   becomes a DuckDB table and a Parquet file a view over ``read_parquet`` (no copy in memory).

5. A folder that passed validation leaves a small JSON file in the cache folder
   (``CPOG_EXTRACTS_CACHE_DIR``, by default ``<CPOG_DATA_DIR>/cache/extraits``), named by the
   fingerprint: each file's name, size, modification time and SHA-256, and the outcome of the
   checks (rows, exact duplicates and their lines, latest dates, orphan recoveries). When a later
   load finds exactly the same files (all four equal, and the same version of these checks), the
   scans of step 3 and the count of orphan recoveries are not run again (the lines to drop are
   taken from the cache); every file is still hashed and read as in step 2. A cache file that
   does not match, or cannot be read, is ignored.

DuckDB runs with a memory limit (``CPOG_DUCKDB_MEMORY``), a thread count
(``CPOG_DUCKDB_THREADS``) and a temporary directory of its own for spilling (under
``CPOG_DUCKDB_TEMP_DIR`` or the system's), removed when the connection goes.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import unicodedata
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import IO, Any

import duckdb

from cpog.formatting import fr_date, fr_number
from cpog.warehouse.schema import SQL_TYPE, TABLES, Column, ColumnType, Table

__all__ = [
    "MAX_PROBLEMS",
    "ExtractError",
    "ExtractFile",
    "LoadedExtracts",
    "Problem",
    "Settings",
    "load_extracts",
]

# A note beside the extracts (the synthetic generator writes one) is expected, not a stray file.
_NOTES = frozenset({"lisezmoi.txt", "readme.txt", "readme.md", "lisezmoi.md"})

MAX_PROBLEMS = 50  # problems shown in an error; the others are counted
DEFAULT_MAX_BYTES = 20 * 1024**3  # 20 Gio
DEFAULT_MEMORY = "2GB"
_CHUNK = 1 << 20
_KEYS_PER_PASS = 8_000_000  # keys checked per pass over a table (bounds the hash table)
_MAX_LINE = 1 << 20  # characters in one physical line of a CSV
_VALUE_CHARS = 60  # a value quoted in a message is cut beyond this
_CACHE_FORMAT = 1  # the layout of a validation cache file
_CACHE_MAX_BYTES = 64 * 1024**2  # a larger cache file is not read
_CACHE_MAX_DUPLICATES = 1_000_000  # beyond, the lines to drop are not cached (nor the folder)

_COMPRESSED_SUFFIXES = frozenset(
    [
        ".gz",
        ".gzip",
        ".tgz",
        ".zip",
        ".bz2",
        ".tbz2",
        ".xz",
        ".txz",
        ".lzma",
        ".zst",
        ".zstd",
        ".7z",
        ".rar",
        ".tar",
        ".lz4",
        ".br",
        ".z",
    ]
)
_COMPRESSED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!", "rar"),
)
_PARQUET_MAGIC = b"PAR1"

# A date's end that cannot come before its start, per table: (start, end).
ORDERED_DATES: dict[str, tuple[tuple[str, str], ...]] = {
    "demarches": (("recue_le", "traitee_le"),),
    "pieces": (("recue_le", "traitee_le"),),
    "reclamations": (("recue_le", "close_le"),),
    "courriels": (("recu_le", "repondu_le"),),
    "controles": (("cree_le", "realise_le"),),
}

_AMOUNT = r"[+-]?(\d+([.,]\d{1,2}0*)?|[.,]\d{1,2}0*)"  # at most two decimals (then zeros)
_TRUE = ("oui", "vrai", "o", "1", "true")
_FALSE = ("non", "faux", "n", "0", "false")
_SPACES = " \t\u00a0\u202f"  # trimmed around a CSV cell; inside a number, thousands separators

_INTEGER_TYPES = frozenset(
    [
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "UHUGEINT",
    ]
)
_TIMESTAMP_TYPES = frozenset(["TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"])

_UNREADABLE = {
    ColumnType.DATE: "date illisible (attendu JJ/MM/AAAA ou AAAA-MM-JJ)",
    ColumnType.MONTH: "mois illisible (attendu AAAA-MM ou MM/AAAA)",
    ColumnType.INTEGER: "nombre entier illisible",
    ColumnType.DECIMAL: "montant illisible (nombre avec au plus deux décimales, virgule décimale)",
    ColumnType.BOOLEAN: "valeur illisible (attendu oui ou non)",
    ColumnType.TEXT: "texte illisible",
}


# --- settings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """The bounds of a load. :meth:`from_environment` reads the ``CPOG_*`` variables."""

    max_bytes: int = DEFAULT_MAX_BYTES  # total size of the extract files
    memory_limit: str = DEFAULT_MEMORY  # DuckDB's memory_limit
    threads: int | None = None  # DuckDB's threads (None: DuckDB's default, one per core)
    temp_root: Path | None = None  # where DuckDB's spill directory is made (None: the system's)
    cache_dir: Path | None = None  # where validation outcomes are kept (None: no cache)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        max_bytes = _env_int(env, "CPOG_EXTRACTS_MAX_BYTES", DEFAULT_MAX_BYTES)
        threads_text = env.get("CPOG_DUCKDB_THREADS", "").strip()
        threads = _env_int(env, "CPOG_DUCKDB_THREADS", 1) if threads_text else None
        memory = env.get("CPOG_DUCKDB_MEMORY", "").strip() or DEFAULT_MEMORY
        temp = env.get("CPOG_DUCKDB_TEMP_DIR", "").strip()
        cache_text = env.get("CPOG_EXTRACTS_CACHE_DIR", "").strip()
        data_dir = env.get("CPOG_DATA_DIR", "").strip()
        cache_dir = (
            Path(cache_text)
            if cache_text
            else Path(data_dir) / "cache" / "extraits"
            if data_dir
            else None
        )
        return cls(max_bytes, memory, threads, Path(temp) if temp else None, cache_dir)


def _env_int(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip().replace(" ", "").replace("_", "")
    if not text:
        return default
    if not text.isdigit() or int(text) <= 0:
        raise ExtractError(f"{name} : nombre entier positif attendu (reçu : « {text} »).")
    return int(text)


# --- problems ------------------------------------------------------------------------------


def _quoted(value: str) -> str:
    text = value if len(value) <= _VALUE_CHARS else value[: _VALUE_CHARS - 1] + "…"
    # control characters (NUL, line breaks…) shown, not printed
    text = "".join("�" if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return f"« {text} »"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the extracts, located as precisely as possible."""

    file: str  # the file's name (« pieces.csv »); "" for the folder or a setting
    message: str  # French
    line: int | None = None  # CSV: physical line (header = 1); Parquet: record number from 1
    column: str | None = None
    value: str | None = None
    unit: str = "ligne"  # « ligne » (CSV) or « enregistrement » (Parquet)

    def __str__(self) -> str:
        parts = [self.file] if self.file else []
        if self.line is not None:
            parts.append(f"{self.unit} {fr_number(self.line)}")
        if self.column:
            parts.append(f"colonne « {self.column} »")
        if self.value is not None:
            parts.append(f"valeur {_quoted(self.value)}")
        where = ", ".join(parts)
        return f"{where} : {self.message}" if where else self.message

    def sort_key(self) -> tuple[int, str, int, int, str]:
        """Folder first, then files in the schema's order, lines, columns in the schema's order."""
        stem = self.file.split(".")[0]
        order = next((i for i, t in enumerate(TABLES) if t.name == stem), len(TABLES))
        names = [c.name for c in TABLES[order].columns] if order < len(TABLES) else []
        column = names.index(self.column) if self.column in names else len(names)
        return (order if self.file else -1, self.file, self.line or 0, column, self.column or "")


class ExtractError(ValueError):
    """The extracts cannot be used. ``str`` is the French report; ``problems`` the located
    problems shown (at most :data:`MAX_PROBLEMS`), ``total`` how many were found."""

    def __init__(self, problems: str | Sequence[Problem], total: int | None = None) -> None:
        if isinstance(problems, str):
            problems = (Problem("", problems),)
        ordered = sorted(problems, key=Problem.sort_key)
        self.problems: tuple[Problem, ...] = tuple(ordered[:MAX_PROBLEMS])
        self.total: int = max(total or 0, len(ordered))
        super().__init__(self._report())

    def _report(self) -> str:
        if self.total == 1 and len(self.problems) == 1:
            only = str(self.problems[0])
            return only if only.endswith(".") else only + "."
        lines = [
            f"Les extraits ne peuvent pas être chargés ({fr_number(self.total)} problèmes) ;"
            " rien n'a été chargé :"
        ]
        lines.extend(f"- {problem}" for problem in self.problems)
        if self.total > len(self.problems):
            lines.append(f"… et {fr_number(self.total - len(self.problems))} autres.")
        return "\n".join(lines)


class _Problems:
    """Problems gathered across files: the first :data:`MAX_PROBLEMS` per source, all counted."""

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.total = 0

    def add(self, problem: Problem, count: int = 1) -> None:
        self.kept.append(problem)
        self.total += count

    def count_more(self, count: int) -> None:
        self.total += count

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        if self.total:
            raise ExtractError(self.kept, self.total)


# --- result --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtractFile:
    table: str
    path: Path
    sha256: str
    rows: int  # rows loaded (exact duplicates dropped)
    duplicates: int = 0  # exact duplicate rows dropped


@dataclass(frozen=True)
class LoadedExtracts:
    connection: duckdb.DuckDBPyConnection
    files: tuple[ExtractFile, ...]
    fingerprint: str  # sha256 over the sorted « table:sha256-of-file » lines
    data_end: date
    warnings: tuple[str, ...] = ()
    validation_reused: bool = False  # the checks' outcome came from the cache (same files)

    @property
    def tables(self) -> frozenset[str]:
        return frozenset(file.table for file in self.files)


def fingerprint_of(digests: Mapping[str, str]) -> str:
    """SHA-256 of the lines « table:sha256 » (sorted by table, each ended by a newline)."""
    text = "".join(f"{table}:{digests[table]}\n" for table in sorted(digests))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


# --- listing the folder --------------------------------------------------------------------


@dataclass
class _Source:
    """One extract file being loaded, and how its columns are read."""

    table: Table
    path: Path
    kind: str  # "csv" or "parquet"
    size: int = 0  # bytes, and modification time (ns), as listed
    mtime_ns: int = 0
    sha256: str = ""
    relation: str = ""  # SQL FROM item with the raw columns and ``_ligne``
    raw: dict[str, str] = field(default_factory=dict)  # column → raw SQL expression (or absent)
    typed: dict[str, str] = field(default_factory=dict)  # column → typed SQL expression
    unreadable: dict[str, str] = field(default_factory=dict)  # column → extra unreadable test
    exact: set[str] = field(default_factory=set)  # Parquet columns already of the SQL type
    no_nulls: set[str] = field(default_factory=set)  # Parquet statistics: no empty cell
    rows: int = 0
    duplicates: int = 0
    drop_table: str | None = None  # lines of exact duplicates to drop
    dates: list[date] = field(default_factory=list)  # latest day of each date column
    months: list[date] = field(default_factory=list)  # last day of the latest month (mois)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def unit(self) -> str:
        return "ligne" if self.kind == "csv" else "enregistrement"


def _is_compressed(name: str) -> bool:
    return any(suffix.lower() in _COMPRESSED_SUFFIXES for suffix in Path(name).suffixes)


def _list_folder(
    folder: Path, settings: Settings, problems: _Problems, warnings: list[str]
) -> list[_Source]:
    if folder.exists() and not folder.is_dir():
        raise ExtractError(
            f"« {folder} » est un fichier : indiquez le dossier qui contient les extraits."
        )
    if not folder.is_dir():
        raise ExtractError(f"Dossier d'extraits introuvable : « {folder} ».")
    known = {table.name: table for table in TABLES}
    found: dict[str, list[Path]] = {}
    for entry in sorted(folder.iterdir()):
        name = entry.name
        stem, _, suffix = name.partition(".")
        if _is_compressed(name):
            problems.add(
                Problem(
                    name,
                    "fichier compressé refusé : décompressez-le dans le dossier des extraits"
                    " (un fichier .csv ou .parquet par table)",
                )
            )
            continue
        if stem.lower() in known and suffix.lower() in ("csv", "parquet"):
            found.setdefault(stem.lower(), []).append(entry)
        elif not name.startswith(".") and name.lower() not in _NOTES:
            warnings.append(f"Fichier ignoré (nom non reconnu) : {name}.")
    sources: list[_Source] = []
    total = 0
    for table in TABLES:
        paths = found.get(table.name, [])
        if len(paths) > 1:
            problems.add(
                Problem(
                    " et ".join(path.name for path in paths),
                    f"deux fichiers pour la table « {table.name} » : gardez-en un seul",
                )
            )
            continue
        if not paths:
            continue
        path = paths[0]
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            problems.add(Problem(path.name, "lien symbolique refusé : copiez le fichier lui-même"))
            continue
        if not stat.S_ISREG(info.st_mode):
            problems.add(Problem(path.name, "ce n'est pas un fichier ordinaire"))
            continue
        total += info.st_size
        kind = path.suffix.lower().lstrip(".")
        sources.append(_Source(table, path, kind, info.st_size, info.st_mtime_ns))
    if total > settings.max_bytes:
        problems.add(
            Problem(
                "",
                f"les extraits pèsent {_size(total)}, au plus {_size(settings.max_bytes)}"
                " acceptés (réglage CPOG_EXTRACTS_MAX_BYTES)",
            )
        )
    if not sources and not problems:
        raise ExtractError(
            f"Aucun extrait reconnu dans « {folder} » (attendu : "
            + ", ".join(f"{t.name}.csv" for t in TABLES)
            + ", ou les mêmes en .parquet)."
        )
    return sources


def _size(size: int) -> str:
    if size >= 1024**3:
        return f"{fr_number(Decimal(size) / 1024**3, 1)} Gio"
    if size >= 1024**2:
        return f"{fr_number(Decimal(size) / 1024**2, 1)} Mio"
    return f"{fr_number(size)} octets"


# --- hashing and encoding ------------------------------------------------------------------


def _digest(path: Path, *, detect_encoding: bool) -> tuple[str, str | None, bytes, bool]:
    """The file's SHA-256, its text encoding and whether it holds a quote (CSV), and its first
    bytes, in one read."""
    digest = hashlib.sha256()
    quoted = False
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = detect_encoding
    head = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            if not head:
                head = chunk[:16]
            digest.update(chunk)
            if detect_encoding and not quoted:
                quoted = b'"' in chunk
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    encoding: str | None = None
    if detect_encoding:
        if head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
            quoted = True  # the byte 0x22 may be half of any character: the careful reader
        else:
            encoding = "utf-8" if utf8 else "cp1252"
    return digest.hexdigest(), encoding, head, quoted


def _compression_of(head: bytes) -> str | None:
    return next((kind for magic, kind in _COMPRESSED_MAGIC if head.startswith(magic)), None)


# --- column names --------------------------------------------------------------------------


def normal_name(name: str) -> str:
    """« Reçue le » → « recue_le »: case, accents, spaces and punctuation do not count."""
    text = unicodedata.normalize("NFKD", name.strip().casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _match_columns(
    source: _Source, names: Sequence[str], problems: _Problems, warnings: list[str]
) -> dict[str, int] | None:
    """Schema column → position in ``names``; ``None`` when a required column is missing."""
    positions: dict[str, int] = {}
    by_normal = {column.name: column for column in source.table.columns}
    ok = True
    for position, name in enumerate(names):
        normal = normal_name(name)
        column = by_normal.get(normal)
        if column is None:
            if name.strip():
                warnings.append(
                    f"{source.name} : colonne « {name.strip()} » ignorée (absente du schéma)."
                )
            continue
        if column.name in positions:
            problems.add(
                Problem(
                    source.name,
                    f"colonne « {column.name} » présente deux fois dans l'en-tête",
                    line=1 if source.kind == "csv" else None,
                    column=name.strip(),
                )
            )
            ok = False
            continue
        positions[column.name] = position
    for column in source.table.columns:
        if column.name in positions:
            continue
        if column.required:
            problems.add(
                Problem(
                    source.name,
                    f"colonne obligatoire absente ({column.description})",
                    column=column.name,
                )
            )
            ok = False
        else:
            warnings.append(
                f"{source.name} : colonne facultative « {column.name} » absente, considérée vide."
            )
    return positions if ok else None


# --- CSV -----------------------------------------------------------------------------------


def _sniff_delimiter(header: str, table: Table) -> str:
    names = {column.name for column in table.columns}

    def score(delimiter: str) -> int:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        return sum(normal_name(cell) in names for cell in cells)

    return max((";", ",", "\t"), key=score)


class _LineTooLong(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _line(handle: IO[str]) -> str:
    text = handle.readline(_MAX_LINE + 1)
    if len(text) > _MAX_LINE:
        raise _LineTooLong(1)
    return text


def _lines(handle: IO[str], first: int) -> Iterator[str]:
    """The file's lines, none longer than :data:`_MAX_LINE` (a file without line breaks is not
    read whole into memory)."""
    count = first - 1
    while text := handle.readline(_MAX_LINE + 1):
        count += 1
        if len(text) > _MAX_LINE:
            raise _LineTooLong(count)
        yield text


@dataclass(frozen=True)
class _Rewritten:
    """The CSV rewritten for DuckDB: its separator and where each schema column is."""

    delimiter: str
    positions: dict[str, int]  # schema column → position among the header's cells (c0, c1…)
    width: int
    padded: bool  # some cell may have spaces around its value (trimmed in SQL then)


def _normalise_csv(
    source: _Source,
    encoding: str,
    quoted: bool,
    out: Path,
    problems: _Problems,
    warnings: list[str],
) -> _Rewritten | None:
    """Rewrite the CSV as plain UTF-8, each row prefixed with its physical line number, blank
    rows left out and short or long rows reported (the others still checked).

    A file without any quote character (the usual extract) is handled line by line, counting
    separators; otherwise Python's ``csv`` module reads it (a quoted cell may hold the separator
    or a line break) and writes it back with ``,``. None when the file cannot be read on."""
    local: list[Problem] = []
    bad = 0
    try:
        with (
            source.path.open(encoding=encoding, newline="") as handle,
            out.open("w", encoding="utf-8", newline="") as target,
        ):
            offset = 0
            header = _line(handle)
            if header.strip().casefold().startswith("sep="):  # Excel's « sep=; » first line
                offset = 1
                header = _line(handle)
            if not header.strip():
                problems.add(Problem(source.name, "fichier vide (pas de ligne d'en-tête)"))
                return None
            offset += 1
            delimiter = _sniff_delimiter(header.rstrip("\r\n"), source.table)
            names = next(csv.reader([header.rstrip("\r\n")], delimiter=delimiter))
            positions = _match_columns(source, names, problems, warnings)
            if positions is None:
                return None
            width = len(names)
            last_pick = max(positions.values(), default=0)

            def wrong_width(line: int, count: int) -> None:
                nonlocal bad
                bad += 1
                if len(local) < MAX_PROBLEMS:
                    local.append(
                        Problem(
                            source.name,
                            f"{fr_number(count)} valeurs au lieu de {fr_number(width)} (une par"
                            f" colonne de l'en-tête, séparées par « {delimiter} »)",
                            line=line,
                        )
                    )

            cells = [f"c{i}" for i in range(width)]
            if not quoted:
                target.write(delimiter.join(["_ligne", *cells]) + "\n")
                blank = _SPACES + delimiter + "\r\n"
                edge = f"[{_SPACES}]"
                sep = re.escape(delimiter)
                padding = re.compile(f"(^|{sep}){edge}|{edge}({sep}|[\r\n]*$)")
                padded = False
                for line, text in enumerate(_lines(handle, offset + 1), start=offset + 1):
                    if not text.strip(blank):
                        continue  # a blank line, or Excel's « ;;;; » under the table
                    text = text.rstrip("\r\n")
                    count = text.count(delimiter) + 1
                    if count > width:
                        parts = text.split(delimiter)
                        if any(part.strip(_SPACES) for part in parts[width:]):
                            wrong_width(line, count)
                            continue
                        text = delimiter.join(parts[:width])  # empty cells right of the table
                    elif count < width:
                        if count <= last_pick:
                            wrong_width(line, count)
                            continue
                        text += delimiter * (width - count)  # only ignored columns short
                    if not padded and padding.search(text):
                        padded = True
                    target.write(f"{line}{delimiter}{text}\n")
                rewritten = _Rewritten(delimiter, positions, width, padded)
            else:
                writer = csv.writer(target, lineterminator="\n")
                writer.writerow(["_ligne", *cells])
                reader = csv.reader(_lines(handle, offset + 1), delimiter=delimiter)
                previous = 0
                for row in reader:
                    line = previous + 1 + offset
                    previous = reader.line_num
                    if not any(cell.strip(_SPACES) for cell in row):
                        continue
                    if len(row) > width and not any(c.strip(_SPACES) for c in row[width:]):
                        row = row[:width]
                    elif width > len(row) > last_pick:
                        row = row + [""] * (width - len(row))
                    if len(row) != width:
                        wrong_width(line, len(row))
                        continue
                    writer.writerow([line, *row])
                rewritten = _Rewritten(",", positions, width, padded=True)
    except UnicodeDecodeError as error:
        problems.add(
            Problem(
                source.name,
                f"encodage illisible (octet {error.object[error.start : error.start + 1]!r} en"
                f" position {fr_number(error.start)}) : enregistrez le fichier en UTF-8",
            )
        )
        return None
    except csv.Error as error:
        problems.add(Problem(source.name, f"CSV illisible : {error}"))
        return None
    except _LineTooLong as error:
        problems.add(
            Problem(
                source.name,
                f"ligne de plus de {fr_number(_MAX_LINE)} caractères : ce n'est pas un extrait"
                " en CSV (une ligne par enregistrement)",
                line=error.line,
            )
        )
        return None
    for problem in local:
        problems.add(problem)
    problems.count_more(bad - len(local))
    return rewritten


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _csv_typed(column: Column, raw: str) -> str:
    """The SQL parsing a CSV cell (text, already trimmed, NULL when empty) into its type."""
    kind = column.type
    if kind is ColumnType.TEXT:
        return f"lower({raw})" if column.choices else raw
    if kind is ColumnType.DATE:
        return (
            # LIKE keeps out a two-digit year (« 02/01/25 » is not year 25); strptime the rest
            f"CASE WHEN {raw} LIKE '%/%/____' THEN CAST(try_strptime({raw}, '%d/%m/%Y') AS DATE)"
            f" WHEN {raw} LIKE '____-__-__' THEN try_cast({raw} AS DATE) END"
        )
    if kind is ColumnType.MONTH:
        return (
            f"CASE WHEN regexp_full_match({raw}, '\\d{{4}}-(0[1-9]|1[0-2])') THEN {raw}"
            f" WHEN regexp_full_match({raw}, '(0?[1-9]|1[0-2])/\\d{{4}}')"
            f" THEN split_part({raw}, '/', 2) || '-' || lpad(split_part({raw}, '/', 1), 2, '0')"
            " END"
        )
    if kind is ColumnType.INTEGER:
        compact = f"regexp_replace({raw}, '[{_SPACES}]', '', 'g')"
        return (
            f"CASE WHEN regexp_full_match({compact}, '[+-]?\\d+')"
            f" THEN try_cast({compact} AS BIGINT) END"
        )
    if kind is ColumnType.DECIMAL:
        compact = f"regexp_replace({raw}, '[{_SPACES}€]', '', 'g')"
        return (
            f"CASE WHEN regexp_full_match({compact}, '{_AMOUNT}')"
            f" THEN try_cast(replace({compact}, ',', '.') AS DECIMAL(18, 2)) END"
        )
    truthy = ", ".join(_text(word) for word in _TRUE)
    falsy = ", ".join(_text(word) for word in _FALSE)
    return (
        f"CASE WHEN lower({raw}) IN ({truthy}) THEN TRUE"
        f" WHEN lower({raw}) IN ({falsy}) THEN FALSE END"
    )


def _load_csv(
    connection: duckdb.DuckDBPyConnection,
    source: _Source,
    encoding: str,
    quoted: bool,
    workdir: Path,
    problems: _Problems,
    warnings: list[str],
) -> bool:
    out = workdir / f"{source.table.name}.csv"
    rewritten = _normalise_csv(source, encoding, quoted, out, problems, warnings)
    if rewritten is None:
        return False
    raw_table = f"_brut_{source.table.name}"
    names = ["_ligne", *(f"c{i}" for i in range(rewritten.width))]
    types = ", ".join(f"{_text(name)}: 'VARCHAR'" for name in names)
    selects = []
    for column in source.table.columns:
        position = rewritten.positions.get(column.name)
        if position is None:
            cell = "NULL"
        elif rewritten.padded:
            cell = f"NULLIF(trim(c{position}, {_text(_SPACES)}), '')"
        else:
            cell = f"c{position}"  # DuckDB reads an empty cell as NULL
        selects.append(f"{cell} AS {_ident(column.name)}")
    # The French spellings are parsed once, into typed columns « <name>__lu » beside the text.
    parsed = []
    for column in source.table.columns:
        raw = _ident(column.name)
        source.raw[column.name] = raw
        typed = _csv_typed(column, raw)
        if typed == raw:
            source.typed[column.name] = raw
        else:
            source.typed[column.name] = _ident(f"{column.name}__lu")
            parsed.append(f"{typed} AS {source.typed[column.name]}")
    statement = (
        f"CREATE TEMP TABLE {raw_table} AS SELECT *{''.join(', ' + p for p in parsed)}"
        f" FROM (SELECT CAST(_ligne AS BIGINT) AS _ligne, {', '.join(selects)}"
        f" FROM read_csv({_text(str(out))}, header = true, delim = {_text(rewritten.delimiter)},"
        f" quote = '\"', escape = '\"', columns = {{{types}}}, auto_detect = false))"
    )
    try:
        connection.execute(statement)
    except duckdb.OutOfMemoryException:
        raise
    except duckdb.Error as error:
        problems.add(Problem(source.name, f"CSV illisible : {error}"))
        return False
    finally:
        out.unlink(missing_ok=True)
    source.relation = raw_table
    return True


# --- Parquet -------------------------------------------------------------------------------


def _parquet_typed(column: Column, name: str, found: str) -> tuple[str, str] | None:
    """(typed SQL, extra unreadable condition) for a Parquet column of type ``found``, or None
    when the type cannot hold the column."""
    raw = _ident(name)
    base = found.split("(")[0]
    kind = column.type
    if kind in (ColumnType.TEXT, ColumnType.MONTH):
        if found != "VARCHAR":
            return None
        if kind is ColumnType.MONTH:  # AAAA-MM: a cast rather than a regex on every row
            return raw, f"(length({raw}) <> 7 OR try_cast({raw} || '-01' AS DATE) IS NULL)"
        return raw, ""
    if kind is ColumnType.DATE:
        if found == "DATE":
            return raw, ""
        return (f"CAST({raw} AS DATE)", "") if found in _TIMESTAMP_TYPES else None
    if kind is ColumnType.INTEGER:
        if found == "BIGINT":
            return raw, ""
        return (f"try_cast({raw} AS BIGINT)", "") if found in _INTEGER_TYPES else None
    if kind is ColumnType.DECIMAL:
        if found == "DECIMAL(18,2)":
            return raw, ""
        if base == "DECIMAL" or found in ("DOUBLE", "FLOAT") or found in _INTEGER_TYPES:
            typed = f"try_cast({raw} AS DECIMAL(18, 2))"
            return typed, f"{typed} <> {raw}"
        return None
    return (raw, "") if found == "BOOLEAN" else None


def _expected_types(column: Column) -> str:
    return {
        ColumnType.TEXT: "VARCHAR (texte)",
        ColumnType.MONTH: "VARCHAR (texte AAAA-MM)",
        ColumnType.DATE: "DATE ou TIMESTAMP",
        ColumnType.INTEGER: "un type entier",
        ColumnType.DECIMAL: "DECIMAL, DOUBLE ou un type entier",
        ColumnType.BOOLEAN: "BOOLEAN",
    }[column.type]


def _load_parquet(
    connection: duckdb.DuckDBPyConnection,
    source: _Source,
    head: bytes,
    problems: _Problems,
    warnings: list[str],
) -> bool:
    if not head.startswith(_PARQUET_MAGIC):
        problems.add(Problem(source.name, "ce n'est pas un fichier Parquet (signature PAR1)"))
        return False
    reader = f"read_parquet({_text(str(source.path))}, file_row_number = true)"
    try:
        described = connection.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
    except duckdb.Error as error:
        problems.add(Problem(source.name, f"fichier Parquet illisible : {error}"))
        return False
    found = [(str(row[0]), str(row[1])) for row in described if row[0] != "file_row_number"]
    positions = _match_columns(source, [name for name, _ in found], problems, warnings)
    if positions is None:
        return False
    ok = True
    for column in source.table.columns:
        if column.name not in positions:
            source.typed[column.name] = f"CAST(NULL AS {SQL_TYPE[column.type]})"
            continue
        name, kind = found[positions[column.name]]
        reading = _parquet_typed(column, name, kind)
        if reading is None:
            extra = (
                " : un code enregistré en nombre perd ses zéros en tête (01004 → 1004),"
                " enregistrez-le en texte"
                if column.type in (ColumnType.TEXT, ColumnType.MONTH) and kind in _INTEGER_TYPES
                else ""
            )
            problems.add(
                Problem(
                    source.name,
                    f"type {kind} ; attendu {_expected_types(column)}{extra}",
                    column=column.name,
                )
            )
            ok = False
            continue
        source.raw[column.name] = _ident(name)
        source.typed[column.name], source.unreadable[column.name] = reading
        if reading[0] == _ident(name) and kind.replace(" ", "") == SQL_TYPE[column.type].replace(
            " ", ""
        ):
            source.exact.add(column.name)
    source.relation = f"(SELECT file_row_number + 1 AS _ligne, * FROM {reader})"
    source.no_nulls = _columns_without_nulls(connection, source.path)
    return ok


def _columns_without_nulls(connection: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    """Columns whose Parquet statistics count no NULL in any row group (the required-cell check
    is then skipped: no scan of, say, 25 million identifiers to find nothing)."""
    try:
        rows = connection.execute(
            "SELECT path_in_schema FROM parquet_metadata(?) GROUP BY path_in_schema"
            " HAVING COUNT(*) = COUNT(stats_null_count) AND SUM(stats_null_count) = 0",
            [str(path)],
        ).fetchall()
    except duckdb.Error:
        return set()
    return {str(row[0]) for row in rows}


# --- checks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Check:
    column: str | None
    condition: str  # SQL: true on a row with this problem
    message: str
    value: str | None = None  # SQL shown as the value
    detail: str | None = None  # SQL whose text replaces {detail} in the message


def _checks(source: _Source) -> list[_Check]:
    checks: list[_Check] = []
    table = source.table
    for column in table.columns:
        raw = source.raw.get(column.name)
        typed = source.typed[column.name]
        if raw is None:
            continue
        shown = f"CAST({raw} AS VARCHAR)"
        unreadable = f"({raw} IS NOT NULL AND {typed} IS NULL)"
        extra = source.unreadable.get(column.name)
        if extra:
            unreadable = f"({unreadable} OR ({raw} IS NOT NULL AND {extra}))"
        if column.type is not ColumnType.TEXT:
            message = _UNREADABLE[column.type]
            if extra and column.type is ColumnType.DECIMAL:
                message = "montant non représentable exactement avec deux décimales"
            checks.append(_Check(column.name, unreadable, message, shown))
        if column.required and raw.strip('"') not in source.no_nulls:
            checks.append(
                _Check(column.name, f"{raw} IS NULL", "cellule vide (colonne obligatoire)")
            )
        if column.choices:
            allowed = ", ".join(_text(code) for code in column.choices)
            checks.append(
                _Check(
                    column.name,
                    f"{typed} NOT IN ({allowed})",
                    "code inconnu (codes admis : " + ", ".join(column.choices) + ")",
                    shown,
                )
            )
        if column.name == "commune":
            checks.append(
                _Check(
                    column.name,
                    f"length({typed}) <> 5",
                    "code commune INSEE sur 5 caractères attendu, zéros en tête compris"
                    " (01004, 2A004) : mettez la colonne au format texte",
                    shown,
                )
            )
        if column.type in (ColumnType.DECIMAL, ColumnType.INTEGER):
            checks.append(
                _Check(
                    column.name,
                    f"{typed} < 0",
                    "montant négatif" if column.type is ColumnType.DECIMAL else "nombre négatif",
                    shown,
                )
            )
    for start, end in ORDERED_DATES.get(table.name, ()):
        if start not in source.raw or end not in source.raw:
            continue
        checks.append(
            _Check(
                end,
                f"{source.typed[end]} < {source.typed[start]}",
                f"date antérieure à « {start} » ({{detail}})",
                f"CAST({source.raw[end]} AS VARCHAR)",
                f"{source.typed[start]}",
            )
        )
    return checks


def _validate(connection: duckdb.DuckDBPyConnection, source: _Source, problems: _Problems) -> None:
    """Rows, latest dates and every check in one scan; the first failing lines after."""
    checks = _checks(source)
    dates = [c.name for c in source.table.columns if c.type is ColumnType.DATE]
    months = [c.name for c in source.table.columns if c.type is ColumnType.MONTH]
    selects = ["COUNT(*)"]
    selects += [f"COUNT(*) FILTER (WHERE {check.condition})" for check in checks]
    selects += [f"MAX({source.typed[name]})" for name in dates]
    selects += [f"MAX({source.typed[name]})" for name in months]
    row = connection.execute(f"SELECT {', '.join(selects)} FROM {source.relation}").fetchone()
    assert row is not None
    source.rows = int(row[0])
    counts = [int(n) for n in row[1 : 1 + len(checks)]]
    latest = row[1 + len(checks) :]
    for value in latest[: len(dates)]:
        if isinstance(value, date):
            source.dates.append(value)
    for value in latest[len(dates) :]:
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = int(value[:4]), int(value[5:])
            following = date(year + month // 12, month % 12 + 1, 1)
            source.months.append(date.fromordinal(following.toordinal() - 1))
    failing = [(check, count) for check, count in zip(checks, counts, strict=True) if count]
    if not failing:
        return
    examples: list[Problem] = []
    for check, _ in failing:
        value = check.value or "NULL"
        detail = check.detail or "NULL"
        for line, shown, extra in connection.execute(
            f"SELECT _ligne, {value}, {detail} FROM {source.relation}"
            f" WHERE {check.condition} ORDER BY _ligne LIMIT {MAX_PROBLEMS}"
        ).fetchall():
            message = check.message
            if "{detail}" in message:
                message = message.replace("{detail}", _display(extra))
            examples.append(
                Problem(
                    source.name,
                    message,
                    line=int(line),
                    column=check.column,
                    value=None if shown is None else str(shown),
                    unit=source.unit,
                )
            )
    examples.sort(key=Problem.sort_key)
    kept = examples[:MAX_PROBLEMS]
    for problem in kept:
        problems.add(problem)
    problems.count_more(sum(count for _, count in failing) - len(kept))


def _display(value: object) -> str:
    if isinstance(value, date):
        return fr_date(value)
    return "" if value is None else str(value)


def _check_keys(
    connection: duckdb.DuckDBPyConnection,
    source: _Source,
    problems: _Problems,
    warnings: list[str],
) -> None:
    """Exact duplicates are dropped (counted in a warning); one key on different rows is an
    error naming two of its lines. Grouping on a 64-bit hash of the key first keeps the scan
    lean; only the candidates are grouped on the real key."""
    name = source.table.name
    keys = [source.typed[column] for column in source.table.key]
    key_hash = f"hash({', '.join(keys)})"
    known = " AND ".join(f"{key} IS NOT NULL" for key in keys)  # empty keys: reported already
    candidates = f"_cles_{name}"
    connection.execute(f"CREATE TEMP TABLE {candidates} (h UBIGINT)")
    # One pass per slice of hashes: the hash table of a pass holds at most ~8 million keys.
    slices = max(1, -(-source.rows // _KEYS_PER_PASS))
    for part in range(slices):
        connection.execute(
            f"INSERT INTO {candidates} SELECT h FROM (SELECT {key_hash} AS h"
            f" FROM {source.relation} WHERE {known}) WHERE h % {slices} = {part}"
            " GROUP BY h HAVING COUNT(*) > 1"
        )
    (count,) = connection.execute(f"SELECT COUNT(*) FROM {candidates}").fetchone() or (0,)
    if not count:
        connection.execute(f"DROP TABLE {candidates}")
        return
    row_hash = "hash(" + ", ".join(source.typed[c.name] for c in source.table.columns) + ")"
    key_list = ", ".join(f"{key} AS k{i}" for i, key in enumerate(keys))
    key_names = ", ".join(f"k{i}" for i in range(len(keys)))
    groups = f"_groupes_{name}"
    connection.execute(
        f"CREATE TEMP TABLE {groups} AS SELECT {key_names}, COUNT(*) AS n,"
        " MIN(rh) <> MAX(rh) AS conflit, arg_min(_ligne, rh) AS l1, arg_max(_ligne, rh) AS l2"
        f" FROM (SELECT {key_list}, _ligne, {row_hash} AS rh FROM {source.relation}"
        f" WHERE {known} AND {key_hash} IN (SELECT h FROM {candidates}))"
        f" GROUP BY {key_names} HAVING COUNT(*) > 1"
    )
    conflicts = connection.execute(
        f"SELECT {key_names}, l1, l2 FROM {groups} WHERE conflit"
        f" ORDER BY least(l1, l2) LIMIT {MAX_PROBLEMS}"
    ).fetchall()
    (conflicting,) = connection.execute(
        f"SELECT COUNT(*) FROM {groups} WHERE conflit"
    ).fetchone() or (0,)
    key_text = " et ".join(source.table.key)
    for row in conflicts:
        first, second = sorted((int(row[-2]), int(row[-1])))
        value = " / ".join(_display(v) for v in row[: len(keys)])
        units = "lignes" if source.kind == "csv" else "enregistrements"
        problems.add(
            Problem(
                source.name,
                f"même clé ({key_text}) que {source.unit} {fr_number(first)} mais contenu"
                f" différent : {units} {fr_number(first)} et {fr_number(second)}",
                line=second,
                column=key_text,
                value=value,
                unit=source.unit,
            )
        )
    problems.count_more(int(conflicting) - len(conflicts))
    (dropped,) = connection.execute(
        f"SELECT COALESCE(SUM(n - 1), 0) FROM {groups} WHERE NOT conflit"
    ).fetchone() or (0,)
    if dropped and not conflicting:
        source.duplicates = int(dropped)
        source.drop_table = f"_doublons_{name}"
        connection.execute(
            f"CREATE TABLE {source.drop_table} AS SELECT _ligne FROM (SELECT _ligne,"
            f" row_number() OVER (PARTITION BY {key_names} ORDER BY _ligne) AS r"
            f" FROM (SELECT {key_list}, _ligne FROM {source.relation}"
            f" WHERE {known} AND {key_hash} IN (SELECT h FROM {candidates}))) WHERE r > 1"
        )
        source.rows -= source.duplicates
        _warn_duplicates(source, warnings)
    connection.execute(f"DROP TABLE {groups}")
    connection.execute(f"DROP TABLE {candidates}")


def _warn_duplicates(source: _Source, warnings: list[str]) -> None:
    lines = "ligne" if source.duplicates == 1 else "lignes"
    doubled = "en double ignorée" if source.duplicates == 1 else "en double ignorées"
    warnings.append(f"{fr_number(source.duplicates)} {lines} {doubled} dans {source.name}.")


def _publish(connection: duckdb.DuckDBPyConnection, source: _Source) -> None:
    """The table (CSV) or view (Parquet) with exactly the schema's columns and types."""
    columns = ", ".join(
        (
            source.typed[column.name]
            if column.name in source.exact
            else f"CAST({source.typed[column.name]} AS {SQL_TYPE[column.type]})"
        )
        + f" AS {column.name}"
        for column in source.table.columns
    )
    where = (
        f" WHERE _ligne NOT IN (SELECT _ligne FROM {source.drop_table})"
        if source.drop_table
        else ""
    )
    name = source.table.name
    if source.kind == "csv":
        connection.execute(f"CREATE TABLE {name} AS SELECT {columns} FROM {source.relation}{where}")
        connection.execute(f"DROP TABLE {source.relation}")
        if source.drop_table:
            connection.execute(f"DROP TABLE {source.drop_table}")
        return
    if source.drop_table:
        body = f"SELECT {columns} FROM {source.relation}{where}"
    else:  # no file_row_number: the plainest scan, with projection and filter pushdown
        body = f"SELECT {columns} FROM read_parquet({_text(str(source.path))})"
    connection.execute(f"CREATE VIEW {name} AS {body}")


def _orphan_recoveries(connection: duckdb.DuckDBPyConnection, tables: set[str]) -> int:
    """Recoveries of an overpayment absent from « indus » (0 when either table is absent)."""
    if "recouvrements" not in tables or "indus" not in tables:
        return 0
    (orphans,) = connection.execute(
        "SELECT COUNT(*) FROM recouvrements AS r"
        " WHERE NOT EXISTS (SELECT 1 FROM indus AS i WHERE i.id_indu = r.id_indu)"
    ).fetchone() or (0,)
    return int(orphans)


def _warn_orphans(by_table: Mapping[str, _Source], orphans: int, warnings: list[str]) -> None:
    if orphans:
        recoveries = by_table["recouvrements"].name
        indus = by_table["indus"].name
        word = "recouvrement porte" if orphans == 1 else "recouvrements portent"
        warnings.append(
            f"{fr_number(int(orphans))} {word} sur un indu absent de {indus}"
            f" (colonne id_indu de {recoveries})."
        )


# --- the load ------------------------------------------------------------------------------


def _connect(settings: Settings) -> tuple[duckdb.DuckDBPyConnection, Path]:
    spill = Path(tempfile.mkdtemp(prefix="cpog-duckdb-", dir=settings.temp_root))
    config: dict[str, Any] = {
        "memory_limit": settings.memory_limit,
        "temp_directory": str(spill),
        "preserve_insertion_order": False,
    }
    if settings.threads:
        config["threads"] = settings.threads
    try:
        connection = duckdb.connect(config=config)
    except duckdb.Error as error:
        shutil.rmtree(spill, ignore_errors=True)
        raise ExtractError(
            f"Réglages de DuckDB refusés (CPOG_DUCKDB_MEMORY « {settings.memory_limit} »,"
            f" CPOG_DUCKDB_THREADS) : {error}"
        ) from error
    connection.execute("SET enable_progress_bar = false")
    weakref.finalize(connection, shutil.rmtree, spill, ignore_errors=True)
    return connection, spill


def load_extracts(folder: Path, *, settings: Settings | None = None) -> LoadedExtracts:
    """Load and validate the extracts of ``folder``; :class:`ExtractError` lists every problem."""
    settings = settings or Settings.from_environment()
    problems = _Problems()
    warnings: list[str] = []
    sources = _list_folder(Path(folder), settings, problems, warnings)
    problems.raise_if_any()
    connection, spill = _connect(settings)
    try:
        loaded = _load(connection, spill, sources, problems, warnings, settings)
    except duckdb.OutOfMemoryException as error:
        connection.close()
        raise ExtractError(
            f"Mémoire insuffisante pour charger les extraits (limite CPOG_DUCKDB_MEMORY"
            f" « {settings.memory_limit} ») : augmentez-la ou vérifiez l'espace libre du dossier"
            f" temporaire. Détail : {error}"
        ) from error
    except BaseException:
        connection.close()
        raise
    return loaded


def _load(
    connection: duckdb.DuckDBPyConnection,
    spill: Path,
    sources: list[_Source],
    problems: _Problems,
    warnings: list[str],
    settings: Settings,
) -> LoadedExtracts:
    readable: list[_Source] = []
    with tempfile.TemporaryDirectory(prefix="csv-", dir=spill) as workdir:
        for source in sources:
            source.sha256, encoding, head, quoted = _digest(
                source.path, detect_encoding=source.kind == "csv"
            )
            compression = _compression_of(head)
            if compression:
                problems.add(
                    Problem(
                        source.name,
                        f"fichier compressé ({compression}) refusé : décompressez-le",
                    )
                )
                continue
            if source.kind == "csv":
                assert encoding is not None
                ok = _load_csv(
                    connection, source, encoding, quoted, Path(workdir), problems, warnings
                )
            else:
                ok = _load_parquet(connection, source, head, problems, warnings)
            if ok:
                readable.append(source)
    cached = (
        _cached_outcome(settings.cache_dir, sources)
        if not problems and len(readable) == len(sources)
        else None
    )
    if cached is None:
        for source in readable:
            _validate(connection, source, problems)
            _check_keys(connection, source, problems, warnings)
        problems.raise_if_any()
        dropped = _dropped_lines(connection, readable) if settings.cache_dir else {}
    else:
        for source in readable:
            _reuse(connection, source, cached["files"][source.table.name], warnings)
    for source in readable:
        _publish(connection, source)
    by_table = {source.table.name: source for source in readable}
    orphans = _orphan_recoveries(connection, set(by_table)) if cached is None else cached["orphans"]
    _warn_orphans(by_table, orphans, warnings)
    files = tuple(
        ExtractFile(s.table.name, s.path, s.sha256, s.rows, s.duplicates) for s in readable
    )
    fingerprint = fingerprint_of({s.table.name: s.sha256 for s in readable})
    if cached is None and settings.cache_dir is not None:
        _store_outcome(settings.cache_dir, fingerprint, readable, dropped, orphans)
    # The latest day of any DATE column; the months of « allocataires » only when no table has
    # dates (the auditor's script of `cpog explain` takes the same maximum over DATE columns).
    ends = [day for source in readable for day in source.dates] or [
        day for source in readable for day in source.months
    ]
    return LoadedExtracts(
        connection,
        files,
        fingerprint,
        max(ends) if ends else date.min,
        tuple(warnings),
        validation_reused=cached is not None,
    )


# --- the validation cache --------------------------------------------------------------------


@cache
def _checks_version() -> str:
    """What the checks are: this module and the schema, byte for byte (a changed check or
    column makes every cached outcome stale)."""
    from cpog.warehouse import schema

    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(Path(schema.__file__).read_bytes())
    return digest.hexdigest()


def _iso_days(values: object) -> list[date]:
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise ValueError("days")
    return [date.fromisoformat(value) for value in values]


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("count")
    return value


def _cached_outcome(cache_dir: Path | None, sources: Sequence[_Source]) -> dict[str, Any] | None:
    """The cached outcome of the checks for exactly these files, or None (no cache, no entry,
    an entry that does not match or cannot be read: the checks then run)."""
    if cache_dir is None or not sources:
        return None
    fingerprint = fingerprint_of({s.table.name: s.sha256 for s in sources})
    path = cache_dir / f"{fingerprint}.json"
    try:
        if not path.is_file() or path.stat().st_size > _CACHE_MAX_BYTES:
            return None
        entry = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(entry, dict) or entry.get("format") != _CACHE_FORMAT:
            return None
        if entry.get("checks") != _checks_version() or entry.get("fingerprint") != fingerprint:
            return None
        listed = entry.get("files")
        if not isinstance(listed, list) or len(listed) != len(sources):
            return None
        by_table = {item.get("table"): item for item in listed if isinstance(item, dict)}
        files: dict[str, dict[str, Any]] = {}
        for source in sources:
            item = by_table.get(source.table.name)
            if item is None or (
                item.get("name"),
                item.get("size"),
                item.get("mtime_ns"),
                item.get("sha256"),
            ) != (source.name, source.size, source.mtime_ns, source.sha256):
                return None
            lines = item.get("duplicate_lines")
            if not isinstance(lines, list) or not all(_count(line) > 0 for line in lines):
                return None
            duplicates = _count(item.get("duplicates"))
            if duplicates != len(lines):
                return None
            files[source.table.name] = {
                "rows": _count(item.get("rows")),
                "duplicates": duplicates,
                "duplicate_lines": lines,
                "dates": _iso_days(item.get("dates")),
                "months": _iso_days(item.get("months")),
            }
        return {"files": files, "orphans": _count(entry.get("orphans"))}
    except (OSError, ValueError, TypeError, AttributeError):  # JSON errors are ValueErrors
        return None


def _reuse(
    connection: duckdb.DuckDBPyConnection,
    source: _Source,
    outcome: Mapping[str, Any],
    warnings: list[str],
) -> None:
    """The source as :func:`_validate` and :func:`_check_keys` would have left it."""
    source.rows = outcome["rows"]
    source.dates = list(outcome["dates"])
    source.months = list(outcome["months"])
    source.duplicates = outcome["duplicates"]
    if source.duplicates:
        source.drop_table = f"_doublons_{source.table.name}"
        connection.execute(
            f"CREATE TABLE {source.drop_table} AS"
            " SELECT CAST(unnest(CAST(? AS BIGINT[])) AS BIGINT) AS _ligne",
            [outcome["duplicate_lines"]],
        )
        _warn_duplicates(source, warnings)


def _dropped_lines(
    connection: duckdb.DuckDBPyConnection, sources: Sequence[_Source]
) -> dict[str, list[int]]:
    """The lines of exact duplicates each table drops (read before a CSV's are dropped)."""
    if sum(source.duplicates for source in sources) > _CACHE_MAX_DUPLICATES:
        return {}
    return {
        source.table.name: [
            int(line)
            for (line,) in connection.execute(
                f"SELECT _ligne FROM {source.drop_table} ORDER BY _ligne"
            ).fetchall()
        ]
        for source in sources
        if source.drop_table
    }


def _store_outcome(
    cache_dir: Path,
    fingerprint: str,
    sources: Sequence[_Source],
    dropped: Mapping[str, list[int]],
    orphans: int,
) -> None:
    """Keep the outcome of a passed validation (written whole, then renamed into place). A
    cache that cannot be written is no reason to fail a load: it is then skipped, as when too
    many duplicate lines would have to be kept."""
    files = []
    for source in sources:
        lines = dropped.get(source.table.name, [])
        if len(lines) != source.duplicates:
            return
        files.append(
            {
                "table": source.table.name,
                "name": source.name,
                "size": source.size,
                "mtime_ns": source.mtime_ns,
                "sha256": source.sha256,
                "rows": source.rows,
                "duplicates": source.duplicates,
                "duplicate_lines": lines,
                "dates": [day.isoformat() for day in source.dates],
                "months": [day.isoformat() for day in source.months],
            }
        )
    entry = {
        "format": _CACHE_FORMAT,
        "checks": _checks_version(),
        "fingerprint": fingerprint,
        "files": files,
        "orphans": orphans,
    }
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".", suffix=".json", dir=cache_dir)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(entry, out)
            Path(temporary).replace(cache_dir / f"{fingerprint}.json")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return
