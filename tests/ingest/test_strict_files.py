"""Files read whole or refused with the line named: strict CSV, percentage formats of XLSX and
ODS cells, bounded archives."""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter

from cpog.ingest.cell_formats import MAX_ARCHIVE_BYTES, FormatError, percent_cells
from cpog.ingest.tables import TableError, read_table

HEADER = "identifiant;libellé;période;valeur;statut\r\n"


def write(path: Path, text: str, encoding: str = "cp1252") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_an_unclosed_quote_is_refused_naming_the_line_where_it_opens(tmp_path: Path) -> None:
    text = (
        HEADER
        + "COG 08-29;Délai;mars 2025;15,2;provisoire\r\n"
        + 'COG 08-29;"Délai;avril 2025;14,9;provisoire\r\n'
        + "COG 08-29;Délai;mai 2025;14,1;provisoire\r\n"
        + "COG 08-29;Délai;juin 2025;13,8;provisoire\r\n"
    )
    with pytest.raises(TableError) as caught:
        read_table(write(tmp_path / "valeurs.csv", text))
    [(line, reason)] = caught.value.lines
    assert line == 3
    assert reason.startswith("guillemet ouvert ligne 3 et jamais fermé")
    assert "valeurs.csv (ligne 3 : guillemet ouvert ligne 3" in str(caught.value)


def test_a_line_with_another_separator_is_named(tmp_path: Path) -> None:
    text = HEADER + "iql0;IQL0;mars 2025;93,5;\r\niql0,IQL0,avril 2025,93.6,\r\n"
    with pytest.raises(TableError) as caught:
        read_table(write(tmp_path / "valeurs.csv", text))
    assert caught.value.lines[0][0] == 3
    assert "1 champ au lieu de 5" in caught.value.lines[0][1]


def test_a_truncated_last_line_is_named(tmp_path: Path) -> None:
    text = HEADER + "iql0;IQL0;mars 2025;93,5;\r\niql0;IQL0;avr"
    with pytest.raises(TableError) as caught:
        read_table(write(tmp_path / "valeurs.csv", text))
    assert caught.value.lines == [
        (
            3,
            "3 champs au lieu de 5 comme l'en-tête (séparateur : point-virgule) : ligne"
            " tronquée, écrite avec un autre séparateur ou guillemet mal placé",
        )
    ]


def test_a_quote_in_the_middle_of_a_field_is_refused(tmp_path: Path) -> None:
    text = HEADER + 'iql0;"IQL0" sortie;mars 2025;93,5;\r\n'
    with pytest.raises(TableError, match=r"ligne 2 : guillemet mal placé"):
        read_table(write(tmp_path / "valeurs.csv", text))


def _xlsx(path: Path, values: list[tuple[str, str, float, bool]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    percent = book.add_format({"num_format": "0.0%"})
    sheet = book.add_worksheet("valeurs")
    book.add_worksheet("aide").write(0, 0, "aide")
    sheet.write_row(0, 0, ["identifiant", "période", "valeur"])
    for row, (key, period, value, is_percent) in enumerate(values, start=1):
        sheet.write_row(row, 0, [key, period])
        sheet.write_number(row, 2, value, percent if is_percent else None)
    book.close()
    return path


def test_xlsx_percent_number_format_is_known_cell_by_cell(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "valeurs.xlsx",
        [("iql0", "mars 2025", 0.935, True), ("cog-08-29", "mars 2025", 13.5, False)],
    )
    table = read_table(path)
    first, second = table.rows
    assert first.numbers["valeur"] == Decimal("0.935") and first.percent == {"valeur"}
    assert second.percent == set()
    assert percent_cells(path, "aide", "valeurs.xlsx") == set()


def test_xlsx_written_format_codes(tmp_path: Path) -> None:
    path = tmp_path / "formats.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("valeurs")
    formats = ["0%", "0.00%", '0.0" %"', "#,##0.0\\%", '"taux "0.0', "[Red]0.0%;-0.0%", "0.0"]
    for column, code in enumerate(formats):
        sheet.write_number(0, column, 0.5, book.add_format({"num_format": code}))
    book.close()
    found = percent_cells(path, "valeurs", "formats.xlsx")
    # a % in quotes or escaped is text shown after the number, not a percentage
    assert found == {(0, 0), (0, 1), (0, 5)}


def write_ods(path: Path, rows: list[list[str | float]], percent: set[tuple[int, int]]) -> Path:
    """An ODS as LibreOffice writes one: percentage cells have their own value type."""
    xml_rows = []
    for r, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            if isinstance(value, str):
                cells.append(
                    f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>'
                    "</table:table-cell>"
                )
            elif (r, c) in percent:
                cells.append(
                    '<table:table-cell table:style-name="ce1" office:value-type="percentage"'
                    f' office:value="{value}"><text:p>{value * 100:.1f} %</text:p>'
                    "</table:table-cell>"
                )
            else:
                cells.append(
                    f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>"
                )
        xml_rows.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
    namespaces = " ".join(
        f'xmlns:{prefix}="urn:oasis:names:tc:opendocument:xmlns:{name}:1.0"'
        for prefix, name in [
            ("office", "office"),
            ("style", "style"),
            ("text", "text"),
            ("table", "table"),
            ("number", "datastyle"),
        ]
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {namespaces}'
        ' office:version="1.2"><office:automatic-styles>'
        '<number:percentage-style style:name="N11"><number:number number:decimal-places="1"/>'
        "<number:text>%</number:text></number:percentage-style>"
        '<style:style style:name="ce1" style:family="table-cell" style:data-style-name="N11"/>'
        "</office:automatic-styles><office:body><office:spreadsheet>"
        '<table:table table:name="valeurs">'
        f'<table:table-column table:number-columns-repeated="{len(rows[0])}"/>'
        + "".join(xml_rows)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_ods_percentage_cells(tmp_path: Path) -> None:
    rows: list[list[str | float]] = [
        ["identifiant", "période", "valeur"],
        ["iql0", "mars 2025", 0.935],
        ["cog-08-29", "mars 2025", 13.5],
    ]
    table = read_table(write_ods(tmp_path / "valeurs.ods", rows, {(1, 2)}))
    first, second = table.rows
    assert first.numbers["valeur"] == Decimal("0.935") and first.percent == {"valeur"}
    assert second.numbers["valeur"] == Decimal("13.5") and second.percent == set()


def test_a_document_type_declaration_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bombe.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "content.xml",
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
        )
    with pytest.raises(FormatError, match="déclaration de type de document"):
        percent_cells(path, "valeurs", "bombe.ods")


def test_an_archive_that_inflates_too_much_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "enorme.xlsx"
    chunk = b"\0" * (1 << 20)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/big.bin", "w", force_zip64=True) as part,
    ):
        for _ in range(MAX_ARCHIVE_BYTES // len(chunk) + 1):
            part.write(chunk)
    with pytest.raises(
        TableError, match=r"^Fichier refusé : enorme\.xlsx \(fichier trop volumineux"
    ):
        read_table(path)


def test_headers_in_any_order_case_and_accents_read_every_line(tmp_path: Path) -> None:
    from itertools import permutations

    from cpog.contract import default_contract_path
    from cpog.contract.loader import load_contract
    from cpog.ingest.imports import validate_values

    contract = load_contract(default_contract_path())
    cells = {"IDENTIFIANT": "iql0", "Periode": "mars 2025", "valeur": "93,5", "STATUT": "déf."}
    for order in permutations(cells):
        path = tmp_path / "valeurs.csv"
        path.write_text(";".join(order) + "\n" + ";".join(cells[h] for h in order) + "\n")
        check = validate_values(read_table(path), contract, date(2026, 11, 27))
        assert check.report.ok, (order, str(check.report))
        [row] = check.rows
        assert (row.subject.subject_id, row.period.key, row.value) == (
            "iql0",
            "2025-03",
            Decimal("93.5"),
        )
        assert row.entry.status == "definitive"
