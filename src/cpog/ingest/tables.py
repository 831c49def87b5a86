"""Read a CSV or spreadsheet file into a plain :class:`Table` of text cells, and report problems.

:func:`read_table` gives every cell as a stripped string, keyed by the (normalised) column header,
with the line number the user sees: the line in a text editor for CSV, the row number in
Excel/LibreOffice for spreadsheets. Blank rows are skipped but do not shift line numbers.

CSV and text files (``.csv``, ``.txt``, ``.tsv``):

* encoding: UTF-8 with or without BOM, UTF-16 with BOM (Excel's « Texte Unicode »), otherwise
  cp1252 (Excel's « CSV (séparateur : point-virgule) » on Windows); recorded in
  :attr:`Table.encoding`;
* delimiter: ``;``, tab or ``,`` — the one splitting the header line into the most columns,
  ``;`` winning ties; Excel's ``sep=;`` first line is honoured; recorded in
  :attr:`Table.delimiter`;
* quoted fields (with delimiters or line breaks inside) and CRLF line ends are handled;
* read strictly: every non-blank record must have as many fields as the header (a line with
  another separator, a truncated or ragged line is an error naming it), and a quote left open
  is an error naming the line where it opens — never half a file read without a word.

Spreadsheets (``.xlsx``, ``.xlsm``, ``.xlsb``, ``.xls``, ``.ods``) are read with python-calamine,
the first visible sheet unless ``sheet`` is given. Cell values become text without float noise:
numbers keep at most 15 significant digits, as Excel shows them, with a dot as decimal separator
(``93.5`` → ``"93.5"``, ``1234.0`` → ``"1234"``); the exact value is also kept in
:attr:`Row.numbers` — use :meth:`Row.number` rather than ``parse_number(row.cells[...])`` since
``"1.234"`` (a number typed 1,234 in Excel) is ambiguous text for :func:`parse_number`. Dates
become ``"27/11/2026"`` (``"27/11/2026 14:30"`` with a time), booleans ``"VRAI"``/``"FAUX"``.
A cell *displayed* as ``93,5 %`` holds 0.935 and is read as ``"0.935"``; calamine does not expose
number formats, so :mod:`cpog.ingest.cell_formats` reads them from the file (XLSX/XLSM styles,
ODS cell types) and :attr:`Row.percent` names the columns whose cell is formatted as a percentage.
Not for ``.xls`` and ``.xlsb`` (binary formats): save as ``.xlsx``.

Headers are normalised (stripped, inner whitespace collapsed to one space);
:attr:`Table.original_headers` keeps them as written, for messages. Columns without a header are
ignored when empty and refused otherwise; two headers equal up to case are refused.

Structural problems raise :class:`TableError` (a :class:`ValueError`) with a French message naming
the file. Cell-level problems are collected, never stopping at the first, in a
:class:`ValidationReport` of :class:`CellIssue`.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from python_calamine import CalamineWorkbook, SheetVisibleEnum

from cpog.ingest.bounds import BoundsError, Limits, check_spreadsheet, default_limits, fr_count
from cpog.ingest.cell_formats import FormatError, check_archive, percent_cells
from cpog.ingest.numbers import parse_number

__all__ = [
    "MAX_KEPT_ISSUES",
    "SHOWN_ISSUES",
    "SPREADSHEET_SUFFIXES",
    "TEXT_SUFFIXES",
    "CellIssue",
    "ImportValidationError",
    "Row",
    "Table",
    "TableError",
    "ValidationReport",
    "column_letter",
    "issues_summary",
    "normalise_header",
    "read_table",
    "read_table_for_import",
]

TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
DELIMITERS = (";", "\t", ",")  # order of preference when tied
COMPRESSED_SUFFIXES = frozenset({".zip", ".gz", ".bz2", ".xz", ".7z", ".rar", ".tgz"})

T = TypeVar("T")


class TableError(ValueError):
    """A file that cannot be read as a table. ``file`` is the file name shown to the user;
    ``lines`` the problems of given lines, ``(line, reason)``, when there are such."""

    def __init__(self, file: str, message: str, lines: Sequence[tuple[int, str]] = ()) -> None:
        self.file = file
        self.lines = list(lines)
        super().__init__(message)


@dataclass
class Row:
    """One non-blank data row. ``cells`` maps every header of the table to a stripped string
    (``""`` when blank). ``numbers`` holds the exact value of cells that were numbers in a
    spreadsheet (always empty for CSV)."""

    line: int
    cells: dict[str, str]
    numbers: dict[str, Decimal] = field(default_factory=dict)
    percent: set[str] = field(default_factory=set)  # number cells formatted as a percentage

    def number(self, column: str) -> Decimal:
        """The cell as a number: the spreadsheet value when it was a number, otherwise
        :func:`~cpog.ingest.numbers.parse_number` of the text (may raise ``NumberError``)."""
        if column in self.numbers:
            return self.numbers[column]
        return parse_number(self.cells[column])


@dataclass
class Table:
    """A file read as rows of text cells. ``source`` is the file name (no directory)."""

    source: str
    headers: list[str]
    rows: list[Row]
    encoding: str | None = None  # "utf-8", "utf-8-sig", "utf-16" or "cp1252"; None: spreadsheet
    delimiter: str | None = None  # CSV only
    sheet: str | None = None  # spreadsheet only
    original_headers: dict[str, str] = field(default_factory=dict)  # normalised → as written
    header_line: int = 1

    def label(self, column: str) -> str:
        """The header as the user wrote it, for messages."""
        return self.original_headers.get(column, column)


def normalise_header(name: str) -> str:
    """Strip and collapse inner whitespace (spaces, no-break spaces, tabs, line breaks)."""
    return " ".join(name.split())


def column_letter(index: int) -> str:
    """0 → ``A``, 25 → ``Z``, 26 → ``AA``: the column name shown by spreadsheets."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --- building the table ------------------------------------------------------------------


@dataclass
class _RawRow:
    line: int
    cells: list[str]
    numbers: dict[int, Decimal] = field(default_factory=dict)
    percent: set[int] = field(default_factory=set)


def _is_blank(cells: Sequence[str]) -> bool:
    return all(not c for c in cells)


def _build(
    source: str,
    raw_rows: list[_RawRow],
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Table:
    rows = [r for r in raw_rows if not _is_blank(r.cells)]
    if not rows:
        raise TableError(source, f"Fichier vide : {source}.")
    header_row, data = rows[0], rows[1:]
    width = max(len(r.cells) for r in rows)
    written = header_row.cells + [""] * (width - len(header_row.cells))

    kept: list[tuple[int, str]] = []  # (column index, normalised header)
    seen: dict[str, int] = {}
    for index, original in enumerate(written):
        name = normalise_header(original)
        if not name:
            used = next((r for r in data if index < len(r.cells) and r.cells[index]), None)
            if used is not None:
                raise TableError(
                    source,
                    f"Colonne sans titre dans {source} : la colonne {column_letter(index)}"
                    f" n'a pas d'en-tête mais contient des valeurs (ligne {used.line}).",
                )
            continue
        key = name.casefold()
        if key in seen:
            raise TableError(
                source,
                f"Colonne en double dans {source} : « {name} » apparaît en colonne"
                f" {column_letter(seen[key])} et en colonne {column_letter(index)}.",
            )
        seen[key] = index
        kept.append((index, name))

    headers = [name for _, name in kept]
    table_rows = []
    for raw in data:
        cells = {name: (raw.cells[i] if i < len(raw.cells) else "") for i, name in kept}
        numbers = {name: raw.numbers[i] for i, name in kept if i in raw.numbers}
        percent = {name for i, name in kept if i in raw.percent}
        table_rows.append(Row(line=raw.line, cells=cells, numbers=numbers, percent=percent))
    return Table(
        source=source,
        headers=headers,
        rows=table_rows,
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
        original_headers={name: written[i].strip() for i, name in kept},
        header_line=header_row.line,
    )


# --- CSV ---------------------------------------------------------------------------------

_SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # zip (xlsx, ods), OLE2 (xls)


def _decode(source: str, raw: bytes) -> tuple[str, str]:
    if raw.startswith(_SPREADSHEET_MAGIC):
        raise TableError(
            source,
            f"Fichier illisible : {source} (c'est un classeur Excel ou LibreOffice et non un"
            " fichier texte : enregistrez-le avec l'extension .xlsx ou .ods, ou exportez-le"
            " en CSV).",
        )
    try:
        if raw.startswith(codecs.BOM_UTF8):
            return raw[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return raw.decode("utf-16"), "utf-16"
    except UnicodeDecodeError as exc:
        raise TableError(source, f"Fichier illisible : {source} (caractères mal encodés).") from exc
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise TableError(
            source,
            f"Fichier illisible : {source} (encodage non reconnu : enregistrez-le en"
            " « CSV UTF-8 »).",
        ) from exc


def _first_record_width(text: str, delimiter: str) -> int:
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if not _is_blank([c.strip() for c in record]):
                return len(record)
    except csv.Error:
        return 0
    return 0


def _sniff_delimiter(text: str) -> str:
    best, best_width = DELIMITERS[0], 1
    for delimiter in DELIMITERS:
        width = _first_record_width(text, delimiter)
        if width > best_width:
            best, best_width = delimiter, width
    return best


_BAD_WORKBOOK = "ce n'est pas un classeur Excel ou ODS lisible : fichier abîmé ou mal nommé"


def os_reason(error: OSError) -> str:
    """Why a file could not be read, in French."""
    if isinstance(error, FileNotFoundError):
        return "fichier introuvable"
    if isinstance(error, IsADirectoryError):
        return "c'est un dossier, pas un fichier"
    if isinstance(error, PermissionError):
        return "lecture non autorisée"
    return "erreur de lecture du disque"


DELIMITER_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}


def _csv_reason(error: csv.Error, start: int) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return "une cellule dépasse la taille maximale (131 072 caractères)"
    if "new-line character" in text or "unexpected end of data" in text:
        return (
            f"guillemet ouvert ligne {start} et jamais fermé : toute la suite du fichier serait"
            " lue comme une seule cellule"
        )
    if "expected after" in text:
        return "guillemet mal placé : un guillemet fermant doit être suivi du séparateur"
    return "structure CSV incohérente"


def _plural_fields(count: int) -> str:
    return f"{count} champ{'s' if count > 1 else ''}"


def _ragged(raw_rows: list[_RawRow], delimiter: str) -> list[tuple[int, str]]:
    """Non-blank records whose width is not the header's: each is named, never read."""
    rows = [r for r in raw_rows if not _is_blank(r.cells)]
    if not rows:
        return []
    width = len(rows[0].cells)
    name = DELIMITER_NAMES.get(delimiter, delimiter)
    return [
        (
            row.line,
            f"{_plural_fields(len(row.cells))} au lieu de {width} comme l'en-tête (séparateur :"
            f" {name}) : ligne tronquée, écrite avec un autre séparateur ou guillemet mal placé",
        )
        for row in rows[1:]
        if len(row.cells) != width
    ]


def _refused(source: str, error: BoundsError) -> TableError:
    return TableError(source, f"Fichier refusé : {source} ({error}).")


def _check_cells(source: str, raw: _RawRow, limits: Limits, labels: Sequence[str] = ()) -> None:
    """A row within the limits of columns and of characters per cell, or a refusal naming it."""
    if len(raw.cells) > limits.max_columns:
        reason = f"ligne {raw.line} : {fr_count(len(raw.cells))} colonnes"
        raise TableError(
            source,
            f"Fichier refusé : {source} ({reason}, au plus {fr_count(limits.max_columns)}"
            " acceptées).",
        )
    for index, cell in enumerate(raw.cells):
        if len(cell) > limits.max_cell_chars:
            where = labels[index] if index < len(labels) and labels[index] else None
            column = f"colonne « {where} »" if where else f"colonne {column_letter(index)}"
            reason = limits.cell_too_long(len(cell))
            raise TableError(
                source,
                f"Fichier refusé : {source} (ligne {raw.line}, {column} : {reason}).",
                [(raw.line, reason)],
            )


def _read_csv(path: Path, source: str, limits: Limits) -> Table:
    try:
        limits.check_size(path.stat().st_size)
        raw = path.read_bytes()
    except OSError as exc:
        raise TableError(source, f"Fichier illisible : {source} ({os_reason(exc)}).") from exc
    except BoundsError as error:
        raise _refused(source, error) from error
    text, encoding = _decode(source, raw)
    if "\x00" in text:
        raise TableError(source, f"Fichier illisible : {source} (ce n'est pas un fichier texte).")
    if not text.strip():
        raise TableError(source, f"Fichier vide : {source}.")

    first_line, _, rest = text.partition("\n")
    skipped = 0
    declared = first_line.strip().strip('"').replace(" ", "")
    if declared.lower().startswith("sep=") and len(declared) == 5:
        delimiter = declared[4]
        text, skipped = rest, 1
    else:
        delimiter = _sniff_delimiter(text)

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    raw_rows: list[_RawRow] = []
    start = 1
    labels: list[str] = []
    try:
        for record in reader:
            row = _RawRow(line=start + skipped, cells=[c.strip() for c in record])
            _check_cells(source, row, limits, labels)
            if not labels and not _is_blank(row.cells):
                labels = row.cells
            raw_rows.append(row)
            if len(raw_rows) > limits.max_rows:  # stop reading: the rest is not looked at
                limits.check_rows(len(raw_rows), at_least=True)
            start = reader.line_num + 1
    except BoundsError as error:
        raise _refused(source, error) from error
    except csv.Error as exc:
        line = (start if "end of data" in str(exc) else reader.line_num) + skipped
        reason = _csv_reason(exc, start + skipped)
        raise TableError(
            source, f"Fichier illisible : {source} (ligne {line} : {reason}).", [(line, reason)]
        ) from exc
    if ragged := _ragged(raw_rows, delimiter):
        shown = "; ".join(f"ligne {line} : {reason}" for line, reason in ragged[:5])
        more = f" ; et {len(ragged) - 5} autre(s) ligne(s)" if len(ragged) > 5 else ""
        raise TableError(source, f"Fichier illisible : {source} ({shown}{more}).", ragged)
    return _build(source, raw_rows, encoding=encoding, delimiter=delimiter)


# --- spreadsheets ------------------------------------------------------------------------


def _float_text(value: float) -> tuple[str, Decimal | None]:
    if not math.isfinite(value):
        return str(value), None
    number = Decimal(format(value, ".15g"))  # Excel shows at most 15 significant digits
    number = number.normalize() if number else Decimal(0)
    return format(number, "f"), number


def _clock(moment: time | datetime) -> str:
    text = f"{moment.hour:02d}:{moment.minute:02d}"
    if moment.second or moment.microsecond:
        text += f":{moment.second:02d}"
    return text


def _day(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _cell_text(value: object) -> tuple[str, Decimal | None]:
    """Text of a calamine cell, and its exact number when it is one."""
    if value is None:
        return "", None
    if isinstance(value, bool):
        return ("VRAI" if value else "FAUX"), None
    if isinstance(value, int):
        return str(value), Decimal(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return _day(value.date()), None
        return f"{_day(value.date())} {_clock(value)}", None
    if isinstance(value, date):
        return _day(value), None
    if isinstance(value, time):
        return _clock(value), None
    if isinstance(value, timedelta):
        seconds = round(value.total_seconds())
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        hours, seconds = divmod(seconds, 3600)
        minutes, seconds = divmod(seconds, 60)
        return f"{sign}{hours}:{minutes:02d}:{seconds:02d}", None
    return str(value).strip(), None


def _pick_sheet(
    workbook: CalamineWorkbook, source: str, sheet: str | None, prefer: str | None = None
) -> str:
    names = workbook.sheet_names
    if not names:
        raise TableError(source, f"Fichier vide : {source} (aucune feuille).")
    if sheet is None and prefer is not None:
        wanted = normalise_header(prefer).casefold()
        named = [n for n in names if normalise_header(n).casefold() == wanted]
        if len(named) == 1:  # a cpog export: its « valeurs » sheet comes after « À propos »
            return named[0]
    if sheet is None:
        visible = [
            m.name for m in workbook.sheets_metadata if m.visible == SheetVisibleEnum.Visible
        ]
        return visible[0] if visible else names[0]
    if sheet in names:
        return sheet
    wanted = normalise_header(sheet).casefold()
    close = [n for n in names if normalise_header(n).casefold() == wanted]
    if len(close) == 1:
        return close[0]
    available = ", ".join(f"« {n} »" for n in names)
    raise TableError(
        source,
        f"Feuille introuvable : « {sheet} » dans {source}. Feuilles disponibles : {available}.",
    )


def _read_spreadsheet(
    path: Path, source: str, sheet: str | None, limits: Limits, prefer: str | None = None
) -> Table:
    if not path.is_file():
        raise TableError(source, f"Fichier introuvable : {source}.")
    try:
        check_archive(path)
        # Measured from the workbook's own XML before calamine builds anything in memory.
        check_spreadsheet(path, limits)
    except (FormatError, BoundsError) as error:
        raise TableError(source, f"Fichier refusé : {source} ({error}).") from error
    except (OSError, zipfile.BadZipFile) as error:
        raise TableError(source, f"Fichier illisible : {source} ({_BAD_WORKBOOK}).") from error
    try:
        workbook = CalamineWorkbook.from_path(path)
    except Exception as exc:  # calamine raises many kinds: zip, xml, password, I/O…
        raise TableError(source, f"Fichier illisible : {source} ({_BAD_WORKBOOK}).") from exc
    with workbook:
        name = _pick_sheet(workbook, source, sheet, prefer)
        try:
            data = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise TableError(source, f"Fichier illisible : {source} ({_BAD_WORKBOOK}).") from exc
    try:
        percent = percent_cells(path, name, source)
    except FormatError as error:
        raise TableError(source, f"Fichier illisible : {source} ({error}).") from error
    raw_rows: list[_RawRow] = []
    try:
        limits.check_rows(len(data))
    except BoundsError as error:
        raise _refused(source, error) from error
    for index, values in enumerate(data):
        raw = _RawRow(line=index + 1, cells=[])
        for column, value in enumerate(values):
            text, number = _cell_text(value)
            raw.cells.append(text)
            if number is not None:
                raw.numbers[column] = number
                if (index, column) in percent:
                    raw.percent.add(column)
        _check_cells(source, raw, limits, raw_rows[0].cells if raw_rows else ())
        raw_rows.append(raw)
    return _build(source, raw_rows, sheet=name)


# --- entry point ---------------------------------------------------------------------------


def read_table(
    path: Path | str,
    sheet: str | None = None,
    limits: Limits | None = None,
    prefer: str | None = None,
) -> Table:
    """Read a CSV/text file or a spreadsheet (first visible sheet unless ``sheet`` is given;
    without ``sheet``, the sheet named ``prefer`` when there is one, such as the « valeurs »
    sheet of a ``cpog export xlsx`` workbook, whose first sheet is « À propos »).

    Raises :class:`TableError` with a French message naming the file: unknown extension, file
    missing or unreadable, empty file, duplicate header, values under a column without header,
    a file beyond ``limits`` (:func:`cpog.ingest.bounds.default_limits` when None: size, rows,
    columns, cells, characters per cell). ``sheet`` is ignored for CSV files.
    """
    limits = limits or default_limits()
    path = Path(path)
    source = path.name
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        if not path.is_file():
            raise TableError(source, f"Fichier introuvable : {source}.")
        return _read_csv(path, source, limits)
    if suffix in SPREADSHEET_SUFFIXES:
        return _read_spreadsheet(path, source, sheet, limits, prefer)
    accepted = ", ".join(sorted(TEXT_SUFFIXES | SPREADSHEET_SUFFIXES))
    compressed = suffix in COMPRESSED_SUFFIXES
    raise TableError(
        source,
        f"Type de fichier non pris en charge : {source} ("
        + (
            "les fichiers compressés ne sont pas acceptés : décompressez-le d'abord ; "
            if compressed
            else ""
        )
        + f"extensions acceptées : {accepted}).",
    )


def read_table_for_import(
    path: Path, name: str | None = None, *, prefer: str | None = None, limits: Limits | None = None
) -> Table:
    """:func:`read_table` for an import: ``name`` is the file name users know (an uploaded copy
    is stored under a random name), used in messages and as :attr:`Table.source`; a file that
    cannot be read raises :class:`ImportValidationError` with one whole-file issue."""
    shown = name or path.name
    try:
        table = read_table(path, prefer=prefer, limits=limits)
    except TableError as error:
        message = str(error).replace(path.name, shown)
        raise ImportValidationError([CellIssue(shown, 0, "", "", message)]) from error
    except OSError as error:
        raise ImportValidationError(
            [CellIssue(shown, 0, "", "", f"{shown} : fichier illisible ({os_reason(error)})")]
        ) from error
    table.source = shown
    return table


# --- cell-level reports ------------------------------------------------------------------


STORED_DECIMALS = 6  # the store keeps values with 6 decimals (DecimalField decimal_places=6)
STORED_LIMIT = Decimal(10) ** 14  # and 20 digits in all (max_digits=20)


def storable_problem(value: Decimal) -> str | None:
    """Why ``value`` cannot be stored as it is, in French, or None when it can."""
    if not value.is_finite():
        return "nombre non fini"
    if abs(value) >= STORED_LIMIT:
        return "nombre trop grand (moins de 100 000 milliards)"
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > STORED_DECIMALS:
        return f"{STORED_DECIMALS} décimales au plus : arrondissez la valeur"
    return None


@dataclass(frozen=True)
class CellIssue:
    """One problem in one cell. ``str()`` gives the French sentence shown to the user::

    valeurs.csv, ligne 4, colonne « valeur » : « 12,3,4 » — nombre non reconnu : il y a
    plusieurs virgules.

    An empty ``value`` or ``column`` leaves that part out.
    """

    file: str
    line: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        if self.line == 0:  # a problem with the whole file, not with a cell
            message = self.message.strip()
            return message if message.endswith((".", "!", "?", "…")) else message + "."
        text = f"{self.file}, ligne {self.line}"
        if self.column:
            text += f", colonne « {self.column} »"
        if self.value:
            text += f" : « {_one_line(self.value)} »"
        message = self.message.strip()
        if not message.endswith((".", "!", "?", "…")):
            message += "."
        return f"{text} — {message}"


def _one_line(value: str) -> str:
    shown = " ".join(value.split()) if ("\n" in value or "\r" in value) else value
    return shown if len(shown) <= 60 else shown[:59] + "…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


MAX_KEPT_ISSUES = 10_000
"""Problems kept, in the order found, for the full list (a downloadable file, ``--erreurs``);
the others are only counted, so that a file of bad rows cannot fill the memory."""
SHOWN_ISSUES = 200
"""Problems shown on a page, in a terminal or in an API answer; the total is always given."""


def issues_summary(total: int, shown: int) -> str:
    """« 1 erreur », « 3 erreurs », « 48 213 erreurs ; les 200 premières ci-dessous »."""
    text = f"{fr_count(total)} erreur{'s' if total > 1 else ''}"
    if total > shown:
        text += f" ; les {fr_count(shown)} premières ci-dessous"
    return text


class ImportValidationError(ValueError):
    """Raised by :meth:`ValidationReport.raise_if_errors`. ``issues`` holds the problems kept
    (at most :data:`MAX_KEPT_ISSUES`), ``total`` counts them all."""

    def __init__(self, issues: Sequence[CellIssue], total: int | None = None) -> None:
        self.issues = list(issues)
        self.total = max(total or 0, len(self.issues))
        shown = self.issues[:SHOWN_ISSUES]
        lines = "\n".join(f"- {issue}" for issue in shown)
        more = self.total - len(shown)
        tail = f"\n… et {fr_count(more)} autre{'s' if more > 1 else ''}" if more > 0 else ""
        super().__init__(
            f"{fr_count(self.total)} erreur{'s' if self.total > 1 else ''} dans les données"
            f" importées :\n{lines}{tail}"
        )


class ValidationReport:
    """Collects every cell problem of an import, so that the user can fix them all at once.

    The first ``keep`` problems are kept; beyond, they are counted (:attr:`total`) and dropped,
    so that memory stays bounded whatever the file holds.

    Typical use::

        report = ValidationReport()
        for row in table.rows:
            value = report.number(table, row, "valeur")
            day = report.check(table, row, "date", parse_date)
        report.raise_if_errors()
    """

    def __init__(self, issues: Iterable[CellIssue] = (), *, keep: int = MAX_KEPT_ISSUES) -> None:
        self.issues: list[CellIssue] = []
        self.total = 0
        self.keep = keep
        self.extend(issues)

    @property
    def ok(self) -> bool:
        return not self.total

    def __iter__(self) -> Iterator[CellIssue]:
        return iter(self.issues)

    def __str__(self) -> str:
        return "\n".join(str(issue) for issue in self.issues)

    def add(self, file: str, line: int, column: str, value: str, message: str) -> CellIssue:
        issue = CellIssue(file=file, line=line, column=column, value=value, message=message)
        self.append(issue)
        return issue

    def append(self, issue: CellIssue) -> None:
        self.total += 1
        if len(self.issues) < self.keep:
            self.issues.append(issue)

    def extend(self, issues: Iterable[CellIssue]) -> None:
        for issue in issues:
            self.append(issue)

    def add_cell(self, table: Table, row: Row, column: str, message: str) -> CellIssue:
        """Record a problem found by the caller in ``row``'s cell of ``column``."""
        return self.add(
            table.source, row.line, table.label(column), row.cells.get(column, ""), message
        )

    def check(
        self,
        table: Table,
        row: Row,
        column: str,
        parse: Callable[[str], T],
        *,
        required: bool = True,
    ) -> T | None:
        """``parse`` the cell; on ``ValueError`` record an issue and return ``None``.

        A blank cell gives ``None``, with a « valeur manquante » issue when ``required``.
        Errors from :mod:`cpog.ingest.numbers` are worded through their ``cell_message``.
        """
        value = row.cells.get(column, "")
        if not value:
            if required:
                self.add_cell(table, row, column, "valeur manquante")
            return None
        try:
            return parse(value)
        except ValueError as exc:
            message = getattr(exc, "cell_message", None) or str(exc)
            self.add_cell(table, row, column, str(message))
            return None

    def number(
        self, table: Table, row: Row, column: str, *, required: bool = True
    ) -> Decimal | None:
        """Like :meth:`check` with :meth:`Row.number`: spreadsheet numbers are taken as is.

        The number must also fit what the store keeps (see :func:`storable_problem`): a value
        that does not is refused here, not rounded or truncated later.
        """
        value = (
            row.numbers[column]
            if column in row.numbers
            else self.check(table, row, column, parse_number, required=required)
        )
        if value is not None and (problem := storable_problem(value)):
            self.add_cell(table, row, column, problem)
            return None
        return value

    def raise_if_errors(self) -> None:
        if self.total:
            raise ImportValidationError(self.issues, self.total)
