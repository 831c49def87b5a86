"""Hostile spreadsheets and CSV files, generated in the tests (never committed as binaries).

Each builder writes the smallest file that exercises one way a file can try to take the server
down: a cell far away (a reader building a dense grid from A1 allocates it all), a million
rows, a cell of 50 million characters, a zip bomb, a sparse ODS.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="valeurs" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
_SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _shared(strings: list[str]) -> str:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    )


def write_xlsx(
    path: Path,
    sheet_rows: Iterable[str],
    *,
    strings: list[str] | None = None,
    dimension: str | None = None,
) -> Path:
    """An XLSX whose sheet holds ``sheet_rows`` (``<row>`` elements, streamed into the zip)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/sharedStrings.xml", _shared(strings or ["identifiant"]))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(_SHEET_OPEN.encode())
            if dimension:
                part.write(f'<dimension ref="{dimension}"/>'.encode())
            part.write(b"<sheetData>")
            batch: list[str] = []
            for row in sheet_rows:
                batch.append(row)
                if len(batch) >= 20_000:
                    part.write("".join(batch).encode())
                    batch.clear()
            part.write("".join(batch).encode())
            part.write(b"</sheetData></worksheet>")
    return path


def one_cell_at(path: Path, ref: str) -> Path:
    """The 1,6 KB XLSX whose only cell is at ``ref`` (XFD1048576: 17 billion cells from A1)."""
    row = "".join(ch for ch in ref if ch.isdigit())
    return write_xlsx(path, [f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>'])


def million_rows(path: Path, count: int = 1_000_000) -> Path:
    """A small XLSX of ``count`` identical rows (each a shared string): 400 KB, a million rows."""
    rows = (f'<row r="{i}"><c r="A{i}" t="s"><v>0</v></c></row>' for i in range(1, count + 1))
    return write_xlsx(path, rows)


def huge_shared_string(path: Path, chars: int = 50_000_000) -> Path:
    """An XLSX whose one cell holds ``chars`` characters (a shared string)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.')
            part.write(b'openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">')
            part.write(b"<si><t>")
            block = b"a" * (1 << 20)
            for _ in range(chars // len(block)):
                part.write(block)
            part.write(b"a" * (chars % len(block)))
            part.write(b"</t></si></sst>")
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            _SHEET_OPEN + '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
            "</sheetData></worksheet>",
        )
    return path


def zip_bomb(path: Path, inflated: int = 100 * 1024 * 1024) -> Path:
    """An XLSX-named archive whose sheet inflates ~1 000 times (zeros)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b" " * (1 << 20)
            for _ in range(inflated // len(block)):
                part.write(block)
    return path


def sparse_ods(path: Path, *, rows: int = 1_048_575, columns: int = 16_383) -> Path:
    """An ODS whose one value sits after ``rows`` empty rows and ``columns`` empty cells."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="valeurs">'
        '<table:table-column table:number-columns-repeated="16384"/>'
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row>'
        f'<table:table-row><table:table-cell table:number-columns-repeated="{columns}"/>'
        '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p>'
        "</table:table-cell></table:table-row>"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
            'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
        archive.writestr("content.xml", content)
    return path


def bad_rows_csv(path: Path, size: int = 4 * 1024 * 1024) -> Path:
    """A CSV of ``size`` bytes whose every line is wrong (unknown identifiant, bad number)."""
    header = "identifiant;période;valeur\n"
    line = "inconnu;mars 2025;douze\n"
    count = (size - len(header)) // len(line)
    path.write_text(header + line * count, encoding="utf-8")
    return path
