"""Which spreadsheet cells are formatted as a percentage (calamine reads values, not formats).

A cell shown as « 93,5 % » in Excel holds 0.935: the import must know it was a percentage to
read 93,5 and ask the user to confirm (see :mod:`cpog.ingest.value_rule`).

* XLSX / XLSM: ``xl/styles.xml`` gives each cell format (``cellXfs``) a number format, built in
  (9 ``0%`` and 10 ``0.00%``) or written (``numFmts``, a format code with ``%`` outside quotes);
  the sheet's cells point to a cell format with their ``s`` attribute.
* ODS: a cell holding a percentage has ``office:value-type="percentage"`` (LibreOffice writes it);
  a number cell whose style uses a ``number:percentage-style`` counts too.
* XLS, XLSB (binary formats): not read; the template's help asks for XLSX or ODS.

Hostile files stay bounded: every XML part is parsed as a stream (expat), with no document type
declaration allowed (no entity expansion), and at most :data:`MAX_PART_BYTES` read from any part
and :data:`MAX_ARCHIVE_BYTES` from the whole archive, whatever the archive declares.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO
from xml.parsers import expat

__all__ = ["MAX_ARCHIVE_BYTES", "MAX_PART_BYTES", "FormatError", "check_archive", "percent_cells"]

MAX_PART_BYTES = 64 * 1024 * 1024
MAX_ARCHIVE_BYTES = 256 * 1024 * 1024
_CHUNK = 64 * 1024
_MAX_REPEAT = 256  # a value repeated over more rows or columns than that is not an import line
_BUILTIN_PERCENT = frozenset({9, 10})
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})$")

StartHandler = Callable[[str, dict[str, str]], None]
EndHandler = Callable[[str], None]


class FormatError(ValueError):
    """A spreadsheet whose formats cannot be read safely; the message is a French reason."""


def check_archive(path: Path) -> None:
    """Refuse a zip archive that would inflate beyond :data:`MAX_ARCHIVE_BYTES`."""
    if not zipfile.is_zipfile(path):
        return
    with zipfile.ZipFile(path) as archive:
        declared = sum(info.file_size for info in archive.infolist())
    if declared > MAX_ARCHIVE_BYTES:
        raise FormatError(
            "fichier trop volumineux une fois décompressé (256 Mo au plus) : découpez-le"
        )


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1].rsplit(" ", 1)[-1]


def _stream(part: IO[bytes], start: StartHandler, end: EndHandler | None = None) -> None:
    """Parse one XML part as a stream, element names without their namespace prefix."""
    parser = expat.ParserCreate()

    def refuse_doctype(*_: object) -> None:
        raise FormatError("structure XML refusée (déclaration de type de document)")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    parser.StartElementHandler = lambda name, attrs: start(_local(name), attrs)
    if end is not None:
        parser.EndElementHandler = lambda name: end(_local(name))
    read = 0
    while chunk := part.read(_CHUNK):
        read += len(chunk)
        if read > MAX_PART_BYTES:
            raise FormatError("feuille trop volumineuse (64 Mo de XML au plus)")
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _percent_code(code: str) -> bool:
    """Whether an Excel number format code shows a percentage (a % outside quotes)."""
    plain = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)
    return "%" in plain


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


# --- XLSX -----------------------------------------------------------------------------------


def _xlsx_percent_styles(archive: zipfile.ZipFile) -> set[int]:
    if "xl/styles.xml" not in archive.namelist():
        return set()
    custom: dict[int, bool] = {}
    xf_formats: list[int] = []
    inside: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "numFmt":
            custom[int(attrs.get("numFmtId", "-1"))] = _percent_code(attrs.get("formatCode", ""))
        elif name == "xf" and inside and inside[-1] == "cellXfs":
            xf_formats.append(int(attrs.get("numFmtId", "0")))
        inside.append(name)

    def end(name: str) -> None:
        inside.pop()

    with archive.open("xl/styles.xml") as part:
        _stream(part, start, end)
    return {
        index
        for index, number_format in enumerate(xf_formats)
        if number_format in _BUILTIN_PERCENT or custom.get(number_format, False)
    }


def _xlsx_sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    relation: dict[str, str] = {}
    targets: dict[str, str] = {}

    def on_sheet(name: str, attrs: dict[str, str]) -> None:
        if name == "sheet" and attrs.get("name") == sheet:
            relation["id"] = next((v for k, v in attrs.items() if _local(k) == "id"), "")

    def on_relation(name: str, attrs: dict[str, str]) -> None:
        if name == "Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    with archive.open("xl/workbook.xml") as part:
        _stream(part, on_sheet)
    with archive.open("xl/_rels/workbook.xml.rels") as part:
        _stream(part, on_relation)
    target = targets.get(relation.get("id", ""))
    if not target:
        return None
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


def _xlsx_percent_cells(path: Path, sheet: str) -> set[tuple[int, int]]:
    with zipfile.ZipFile(path) as archive:
        styles = _xlsx_percent_styles(archive)
        if not styles:
            return set()
        part_name = _xlsx_sheet_part(archive, sheet)
        if part_name is None or part_name not in archive.namelist():
            return set()
        found: set[tuple[int, int]] = set()
        position = {"row": 0, "column": -1}

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == "row":
                position["row"] = int(attrs.get("r", position["row"] + 1))
                position["column"] = -1
            elif name == "c":
                match = _CELL_REF.match(attrs.get("r", ""))
                if match:
                    position["column"] = _column_index(match.group(1))
                    position["row"] = int(match.group(2))
                else:
                    position["column"] += 1
                number = attrs.get("t", "n") == "n"
                if number and int(attrs.get("s", "0")) in styles:
                    found.add((position["row"] - 1, position["column"]))

        with archive.open(part_name) as part:
            _stream(part, start)
        return found


# --- ODS ------------------------------------------------------------------------------------


def _ods_cells(path: Path, sheet: str) -> set[tuple[int, int]]:
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as part:
        percent_data_styles: set[str] = set()
        percent_cell_styles: set[str] = set()
        cell_styles: dict[str, str] = {}  # cell style → data style
        found: set[tuple[int, int]] = set()
        state = {"in_sheet": False, "row": 0, "column": 0, "rows_repeat": 1}
        column_defaults: list[tuple[int, str]] = []  # (repeat, default cell style)

        def column_default(index: int) -> str:
            seen = 0
            for repeat, style in column_defaults:
                seen += repeat
                if index < seen:
                    return style
            return ""

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == "percentage-style":
                percent_data_styles.add(attrs.get("style:name", ""))
            elif name == "style" and attrs.get("style:family") == "table-cell":
                cell_styles[attrs.get("style:name", "")] = attrs.get("style:data-style-name", "")
            elif name == "table":
                state["in_sheet"] = attrs.get("table:name") == sheet
                state["row"] = 0
                column_defaults.clear()
            elif not state["in_sheet"]:
                return
            elif name == "table-column":
                repeat = min(int(attrs.get("table:number-columns-repeated", "1")), 16384)
                column_defaults.append((repeat, attrs.get("table:default-cell-style-name", "")))
            elif name == "table-row":
                state["column"] = 0
                state["rows_repeat"] = int(attrs.get("table:number-rows-repeated", "1"))
            elif name in ("table-cell", "covered-table-cell"):
                repeat = int(attrs.get("table:number-columns-repeated", "1"))
                kind = attrs.get("office:value-type", "")
                style = attrs.get("table:style-name") or column_default(state["column"])
                if not percent_cell_styles and percent_data_styles:
                    percent_cell_styles.update(
                        c for c, d in cell_styles.items() if d in percent_data_styles
                    )
                if kind == "percentage" or (kind == "float" and style in percent_cell_styles):
                    # A repeated cell is one value shown several times; rows repeat below.
                    first_row, first_column = state["row"], state["column"]
                    rows = min(state["rows_repeat"], _MAX_REPEAT)
                    for column in range(first_column, first_column + min(repeat, _MAX_REPEAT)):
                        found.update((first_row + r, column) for r in range(rows))
                state["column"] += repeat

        def end(name: str) -> None:
            if name == "table-row" and state["in_sheet"]:
                state["row"] += state["rows_repeat"]
            elif name == "table":
                state["in_sheet"] = False

        _stream(part, start, end)
        return found


def percent_cells(path: Path, sheet: str, source: str) -> set[tuple[int, int]]:
    """``(row, column)`` (from 0, A1 being (0, 0)) of the number cells of ``sheet`` formatted as
    a percentage. Empty for the binary formats. Raises :class:`FormatError`."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _xlsx_percent_cells(path, sheet)
        if suffix == ".ods":
            return _ods_cells(path, sheet)
    except (zipfile.BadZipFile, KeyError, ValueError, expat.ExpatError) as error:
        if isinstance(error, FormatError):
            raise
        raise FormatError(f"formats des cellules illisibles dans {source}") from error
    return set()
