"""Limits on what an imported file may hold, checked before the file is materialised.

A spreadsheet is a zip of XML parts: a 1,6 KB XLSX whose only cell sits at XFD1048576 makes a
reader that builds a dense grid from A1 allocate 17 billion cells. So before python-calamine reads
a sheet, :func:`check_spreadsheet` measures it from the workbook itself, streaming and bounded:

* the file's size on disk (:attr:`Limits.max_bytes`);
* the archive: the total uncompressed size its members declare and each member's compression
  ratio (a part inflating more than :data:`MAX_RATIO` times is a zip bomb, not a workbook);
* XLSX/XLSM: the sheet's ``<dimension ref="A1:H120"/>`` first (a quick refusal of the honest
  huge sheet), then, since a dimension may be absent or lie, the cell references themselves
  (``<row r=…>``, ``<c r=…>``), found by a regular expression over the decompressed stream, and
  the longest text run of the sheet and of the shared strings;
* ODS: ``content.xml`` read as a stream, the ``table:number-rows-repeated`` and
  ``table:number-columns-repeated`` of cells holding something summed (the empty cells LibreOffice
  repeats to the sheet's edge do not count).

Every refusal raises :class:`BoundsError` with a French reason such as « 1 048 576 lignes, au
plus 200 000 acceptées »; the caller names the file. CSV files are bounded while they are read
(:mod:`cpog.ingest.tables`). The binary formats (XLS, XLSB) get the size limit only.

The limits come from the environment (``CPOG_IMPORT_MAX_BYTES``, ``CPOG_IMPORT_MAX_ROWS``,
``CPOG_IMPORT_MAX_COLUMNS``, ``CPOG_IMPORT_MAX_CELLS``, ``CPOG_IMPORT_MAX_CELL_CHARS``) so that
this module stays free of Django; :func:`default_limits` reads them.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.parsers import expat

__all__ = [
    "MAX_RATIO",
    "BoundsError",
    "Limits",
    "check_spreadsheet",
    "default_limits",
    "fr_count",
]

MAX_RATIO = 200  # a worksheet of repeated rows compresses ~100 times; a zip bomb ~1 000 times
_RATIO_FLOOR = 4 * 1024 * 1024  # below 4 Mo inflated, a high ratio harms nobody
_CHUNK = 256 * 1024
_TAIL = 512  # bytes kept between chunks, so that a tag cut in two is read whole


class BoundsError(ValueError):
    """A file beyond a limit; the message is a French reason, without the file name."""


def fr_count(number: int) -> str:
    """1048576 → « 1 048 576 » (no-break spaces, as French writes numbers)."""
    return f"{number:,}".replace(",", "\u202f")


def _mo(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} Mo" if size >= 1024 * 1024 else f"{fr_count(size)} octets"


@dataclass(frozen=True)
class Limits:
    """What one imported file may hold (the defaults fit 36 indicators × 60 months × 101
    caisses with room to spare)."""

    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 200_000
    max_columns: int = 50
    max_cells: int = 2_000_000
    max_cell_chars: int = 1_000

    def check_rows(self, rows: int, *, at_least: bool = False) -> None:
        """``at_least``: ``rows`` is where a reading stopped, not the whole count."""
        if rows > self.max_rows:
            raise BoundsError(
                f"{'au moins ' if at_least else ''}{fr_count(rows)} lignes, au plus"
                f" {fr_count(self.max_rows)} acceptées : découpez le fichier"
            )

    def check_columns(self, columns: int, *, at_least: bool = False) -> None:
        if columns > self.max_columns:
            raise BoundsError(
                f"{'au moins ' if at_least else ''}{fr_count(columns)} colonnes, au plus"
                f" {fr_count(self.max_columns)} acceptées"
            )

    def check_cells(self, cells: int) -> None:
        if cells > self.max_cells:
            raise BoundsError(
                f"plus de {fr_count(self.max_cells)} cellules remplies, au plus"
                f" {fr_count(self.max_cells)} acceptées : découpez le fichier"
            )

    def check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise BoundsError(
                f"fichier de {_mo(size)}, au plus {_mo(self.max_bytes)} acceptés :"
                " découpez le fichier"
            )

    def cell_too_long(self, chars: int | None = None) -> str:
        length = f"de {fr_count(chars)}" if chars else "de plus de"
        if not chars:
            length += f" {fr_count(self.max_cell_chars)}"
        return f"une cellule {length} caractères, au plus {fr_count(self.max_cell_chars)} acceptés"


def _env_int(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip().replace(" ", "").replace("_", "")
    if not text:
        return default
    if not text.isdigit() or int(text) <= 0:
        raise BoundsError(f"{name} : nombre entier positif attendu (reçu : « {text} »)")
    return int(text)


def default_limits() -> Limits:
    """The limits of this installation: the defaults, or the ``CPOG_IMPORT_MAX_*`` variables."""
    base = Limits()
    return Limits(
        max_bytes=_env_int("CPOG_IMPORT_MAX_BYTES", base.max_bytes),
        max_rows=_env_int("CPOG_IMPORT_MAX_ROWS", base.max_rows),
        max_columns=_env_int("CPOG_IMPORT_MAX_COLUMNS", base.max_columns),
        max_cells=_env_int("CPOG_IMPORT_MAX_CELLS", base.max_cells),
        max_cell_chars=_env_int("CPOG_IMPORT_MAX_CELL_CHARS", base.max_cell_chars),
    )


# --- archive ------------------------------------------------------------------------------


def _check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    declared = 0
    for info in archive.infolist():
        declared += info.file_size
        inflated, packed = info.file_size, max(info.compress_size, 1)
        if inflated > _RATIO_FLOOR and inflated / packed > MAX_RATIO:
            raise BoundsError(
                f"archive suspecte : la partie « {info.filename} » grossit"
                f" {fr_count(inflated // packed)} fois une fois décompressée (au plus"
                f" {MAX_RATIO} fois)"
            )
    # The workbook's XML is ~10 times the cells' text: allow that much, not more.
    allowed = max(limits.max_bytes * 10, 64 * 1024 * 1024)
    if declared > allowed:
        raise BoundsError(
            f"fichier de {_mo(declared)} une fois décompressé, au plus {_mo(allowed)} acceptés"
        )


def _chunks(part: IO[bytes], budget: int) -> Iterator[bytes]:
    """The part's bytes, refusing more than ``budget`` whatever the archive declared."""
    read = 0
    while chunk := part.read(_CHUNK):
        read += len(chunk)
        if read > budget:
            raise BoundsError(f"feuille de plus de {_mo(budget)} de XML : découpez le fichier")
        yield chunk


# --- XLSX ---------------------------------------------------------------------------------

_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)\b([^>]*)>")
_REF_ATTR = re.compile(rb"\br=[\"']([A-Z]{1,4})?([0-9]{1,9})[\"']")
# The fast path: what Excel, LibreOffice and xlsxwriter write, « <c r="B12" … > », read by
# literal searches that run in C. Anything else is walked tag by tag.
_CELL_REFS = re.compile(rb'<c r="([A-Z]{1,4})([0-9]{1,9})"')
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:")
_DIMENSION = re.compile(
    rb"<dimension\s[^>]*?\bref=\"\$?([A-Z]{1,4})\$?([0-9]{1,9})(?::\$?([A-Z]{1,4})\$?([0-9]{1,9}))?\""
)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


class _TextRuns:
    """The longest run of bytes without « < » (a cell's text lies between two tags), followed
    across chunks. The longest XML escape (``&quot;``) takes 6 bytes: a run longer than 6 bytes
    per allowed character holds more characters than allowed, whatever it holds."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.most = limits.max_cell_chars * 6
        self.run = 0  # bytes without « < » at the end of what was read so far

    def feed(self, chunk: bytes) -> None:
        # split and max(map(len)) run in C: linear, whatever the runs' lengths.
        pieces = chunk.split(b"<")
        if len(pieces) == 1:
            self.run += len(chunk)
        else:
            self._check(self.run + len(pieces[0]))
            self._check(max(map(len, pieces[1:-1]), default=0))
            self.run = len(pieces[-1])
        self._check(self.run)

    def _check(self, run: int) -> None:
        if run > self.most:
            raise BoundsError(self.limits.cell_too_long())


def _scan_text(part: IO[bytes], limits: Limits, budget: int) -> None:
    """Refuse a part holding a text run too long to be an accepted cell (shared strings)."""
    runs = _TextRuns(limits)
    for chunk in _chunks(part, budget):
        runs.feed(chunk)


@dataclass
class _Extent:
    rows: int = 0
    columns: int = 0
    cells: int = 0


def _scan_sheet(part: IO[bytes], limits: Limits, budget: int) -> _Extent:
    """The sheet's real extent from its cell references, refused as soon as it is too big.

    When every ``<row>`` and ``<c>`` of a chunk carries its reference (what Excel, LibreOffice
    and xlsxwriter write), the references are collected by ``findall`` and compared in C; a
    chunk with a cell or row without reference is walked tag by tag, positions counted."""
    extent = _Extent()
    runs = _TextRuns(limits)
    position = [0, 0]  # row and column of the last cell seen
    tail = b""
    dimension_seen = False
    for chunk in _chunks(part, budget):
        runs.feed(chunk)
        data = tail + chunk
        cut = data.rfind(b"<")  # keep a tag possibly cut in two for the next chunk
        if cut < 0 or len(data) - cut > _TAIL:
            cut = len(data)
        body, tail = data[:cut], data[cut:]
        if not dimension_seen and (dim := _DIMENSION.search(body)):
            dimension_seen = True  # a quick refusal of a sheet that says it is too big
            if dim.group(3) and dim.group(4):
                limits.check_rows(int(dim.group(4)))
                limits.check_columns(_column_number(dim.group(3)))
        refs = _CELL_REFS.findall(body)
        # Every element starting « <c » is a cell « <c r="A1" » (a « <cols> » or a cell written
        # otherwise sends the chunk to the walk) and no element has a prefix: the references
        # are the whole story.
        if len(refs) == body.count(b"<c") and not _PREFIXED.search(body):
            _measure(extent, limits, refs, position)
        else:
            _walk(extent, limits, body, position)
        limits.check_cells(extent.cells)
    return extent


def _measure(
    extent: _Extent, limits: Limits, refs: list[tuple[bytes, bytes]], position: list[int]
) -> None:
    """Every cell of the chunk has its reference: the extent is the largest of them. (Rows
    without cells allocate nothing: a sheet's grid ends at its last cell.)"""
    if not refs:
        return
    extent.cells += len(refs)
    letters, digits = zip(*refs, strict=True)
    # Digits without leading zeros: the longest, then the greatest, is the largest number.
    longest = len(max(digits, key=len))
    row = int(max(d for d in digits if len(d) == longest))
    column = max(_column_number(c) for c in set(letters))  # a handful of distinct columns
    _grow(extent, limits, row, column)
    position[0], position[1] = int(refs[-1][1]), _column_number(refs[-1][0])


def _grow(extent: _Extent, limits: Limits, row: int, column: int) -> None:
    if row > extent.rows:
        extent.rows = row
        limits.check_rows(row, at_least=True)
    if column > extent.columns:
        extent.columns = column
        limits.check_columns(column, at_least=True)


def _walk(extent: _Extent, limits: Limits, body: bytes, position: list[int]) -> None:
    """Tag by tag: a cell without reference follows the previous one, a row without reference
    follows the previous row (as calamine places them)."""
    row, column = position
    for match in _TAG.finditer(body):
        name, attrs = match.group(1), match.group(2)
        ref = _REF_ATTR.search(attrs)
        if name == b"row":
            row = int(ref.group(2)) if ref else row + 1
            column = 0
            _grow(extent, limits, row, 0)
        elif name == b"c":
            if ref and ref.group(1):
                column = _column_number(ref.group(1))
                row = int(ref.group(2))
            else:
                column += 1
            extent.cells += 1
            _grow(extent, limits, row, column)
    position[0], position[1] = row, column


def _check_xlsx(archive: zipfile.ZipFile, limits: Limits, budget: int) -> None:
    # Every worksheet is measured, not only the one to be read: which sheet calamine opens
    # (the first visible one) is the workbook's say, and a hidden sheet must not slip through.
    names = archive.namelist()
    if "xl/sharedStrings.xml" in names:  # read whole by calamine
        with archive.open("xl/sharedStrings.xml") as part:
            _scan_text(part, limits, budget)
    for part_name in names:
        if part_name.startswith("xl/worksheets/") and part_name.endswith(".xml"):
            with archive.open(part_name) as part:
                _scan_sheet(part, limits, budget)


# --- ODS ----------------------------------------------------------------------------------


def _check_ods(archive: zipfile.ZipFile, limits: Limits, budget: int) -> None:
    """Every table of ``content.xml`` measured by the cells holding something."""
    if "content.xml" not in archive.namelist():
        return
    state = {"in_sheet": 0, "row": 0, "rows_repeat": 1, "column": 0, "cell_repeat": 1}
    state.update({"rows": 0, "columns": 0, "cells": 0, "text": 0, "cell": 0})

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(":", 1)[-1].rsplit(" ", 1)[-1]
        if local == "table":
            state.update(in_sheet=1, row=0, rows=0, columns=0, cells=0)
        elif not state["in_sheet"]:
            return
        elif local == "table-row":
            state["column"] = 0
            state["rows_repeat"] = int(attrs.get("table:number-rows-repeated", "1") or 1)
        elif local in ("table-cell", "covered-table-cell"):
            repeat = int(attrs.get("table:number-columns-repeated", "1") or 1)
            state["cell"] = 1 if attrs.get("office:value-type") else 0
            state["cell_repeat"] = repeat
            state["column"] += repeat
            if state["cell"]:
                _used(repeat)
        elif local == "p" and not state["cell"]:
            state["cell"] = 1  # a text cell without a value type
            _used(state["cell_repeat"])

    def _used(repeat: int) -> None:
        rows = state["row"] + state["rows_repeat"]
        limits.check_rows(rows, at_least=True)
        limits.check_columns(state["column"], at_least=True)
        state["rows"] = max(state["rows"], rows)
        state["columns"] = max(state["columns"], state["column"])
        state["cells"] += repeat * state["rows_repeat"]
        limits.check_cells(state["cells"])

    def end(name: str) -> None:
        local = name.rsplit(":", 1)[-1].rsplit(" ", 1)[-1]
        if local == "table-row" and state["in_sheet"]:
            state["row"] += state["rows_repeat"]
        elif local == "table":
            state["in_sheet"] = 0
        elif local in ("table-cell", "covered-table-cell"):
            state["cell"], state["cell_repeat"] = 0, 1

    def text(data: str) -> None:
        if state["in_sheet"] and state["cell"]:
            state["text"] += len(data)
            if state["text"] > limits.max_cell_chars:
                raise BoundsError(limits.cell_too_long())

    def start_with_reset(name: str, attrs: dict[str, str]) -> None:
        if name.endswith(("table-cell", "covered-table-cell")):
            state["text"] = 0
        start(name, attrs)

    parser = expat.ParserCreate()

    def refuse(*_: object) -> None:
        raise BoundsError("structure XML refusée (déclaration de type de document)")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start_with_reset
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    with archive.open("content.xml") as part:
        for chunk in _chunks(part, budget):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


# --- entry point --------------------------------------------------------------------------


def check_spreadsheet(path: Path, limits: Limits | None = None) -> None:
    """Refuse a workbook beyond ``limits`` before anything materialises it. Raises
    :class:`BoundsError` (French reason), ``OSError`` or ``zipfile.BadZipFile``."""
    limits = limits or default_limits()
    limits.check_size(path.stat().st_size)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".ods") or not zipfile.is_zipfile(path):
        return  # the binary formats: size only; a non-zip is the reader's to refuse
    budget = max(limits.max_bytes * 10, 64 * 1024 * 1024)
    with zipfile.ZipFile(path) as archive:
        _check_archive(archive, limits)
        try:
            if suffix == ".ods":
                _check_ods(archive, limits, budget)
            else:
                _check_xlsx(archive, limits, budget)
        except (expat.ExpatError, KeyError, ValueError) as error:
            if isinstance(error, BoundsError):
                raise
            # A broken part: calamine reports it in its own words; nothing was allocated.
            return
