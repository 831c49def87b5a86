"""Reading CSV and spreadsheet files written for real: cpog.ingest.tables."""

from __future__ import annotations

import codecs
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter

from cpog.ingest.numbers import parse_date, parse_number
from cpog.ingest.tables import (
    CellIssue,
    ImportValidationError,
    Row,
    Table,
    TableError,
    ValidationReport,
    column_letter,
    normalise_header,
    read_table,
)

NBSP = "\u00a0"
NNBSP = "\u202f"


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- CSV ---------------------------------------------------------------------------------


def test_utf8_bom_semicolon_csv_with_french_numbers(tmp_path: Path) -> None:
    text = (
        "indicateur;période;valeur\r\n"
        f"taux-couverture;2026;93,5\r\n"
        f"montant;2026;1{NBSP}234,5\r\n"
        f'"libellé; avec point-virgule";2026;"1{NNBSP}234{NNBSP}567,89"\r\n'
        "\r\n"
        ";;\r\n"
    )
    path = write(tmp_path / "valeurs.csv", codecs.BOM_UTF8 + text.encode("utf-8"))
    table = read_table(path)

    assert table.source == "valeurs.csv"
    assert table.encoding == "utf-8-sig"
    assert table.delimiter == ";"
    assert table.headers == ["indicateur", "période", "valeur"]  # BOM not glued to the header
    assert [row.line for row in table.rows] == [2, 3, 4]  # trailing empty rows ignored
    assert table.rows[0].cells == {
        "indicateur": "taux-couverture",
        "période": "2026",
        "valeur": "93,5",
    }
    assert table.rows[2].cells["indicateur"] == "libellé; avec point-virgule"
    assert [parse_number(r.cells["valeur"]) for r in table.rows] == [
        Decimal("93.5"),
        Decimal("1234.5"),
        Decimal("1234567.89"),
    ]
    assert table.rows[0].numbers == {}  # CSV: text only
    assert table.rows[1].number("valeur") == Decimal("1234.5")


def test_cp1252_csv_with_accented_header(tmp_path: Path) -> None:
    text = "Indicateur;Année;Valeur\r\nparticipation;2026;12,5\r\n"
    path = write(tmp_path / "export excel.csv", text.encode("cp1252"))
    table = read_table(path)
    assert table.encoding == "cp1252"
    assert table.headers == ["Indicateur", "Année", "Valeur"]
    assert table.rows[0].cells["Année"] == "2026"
    assert table.rows[0].line == 2


def test_utf8_without_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", "Année;Valeur\n2026;3\n".encode())
    table = read_table(path)
    assert table.encoding == "utf-8"
    assert table.headers == ["Année", "Valeur"]


def test_utf16_excel_unicode_text(tmp_path: Path) -> None:
    path = write(tmp_path / "v.txt", "Année\tValeur\r\n2026\t93,5 %\r\n".encode("utf-16"))
    table = read_table(path)
    assert table.encoding == "utf-16"
    assert table.delimiter == "\t"
    assert table.rows[0].cells == {"Année": "2026", "Valeur": "93,5 %"}


def test_comma_separated_csv(tmp_path: Path) -> None:
    text = 'indicateur,valeur,commentaire\nconsommation,"12,5","dit ""bon"", vu"\nautre,3,\n'
    table = read_table(write(tmp_path / "valeurs.csv", text.encode()))
    assert table.delimiter == ","
    assert table.rows[0].cells == {
        "indicateur": "consommation",
        "valeur": "12,5",
        "commentaire": 'dit "bon", vu',
    }
    assert table.rows[1].cells == {"indicateur": "autre", "valeur": "3", "commentaire": ""}


def test_tab_separated(tmp_path: Path) -> None:
    table = read_table(write(tmp_path / "v.tsv", b"a\tb\n1,5\t2\n"))
    assert table.delimiter == "\t"
    assert table.rows[0].cells == {"a": "1,5", "b": "2"}


def test_semicolon_wins_ties(tmp_path: Path) -> None:
    table = read_table(write(tmp_path / "v.csv", b"taux, en %;valeur\n1;2\n"))
    assert table.delimiter == ";"
    assert table.headers == ["taux, en %", "valeur"]


def test_excel_sep_line(tmp_path: Path) -> None:
    table = read_table(write(tmp_path / "v.csv", b"sep=,\r\na,b\r\n1;2,3\r\n"))
    assert table.delimiter == ","
    assert table.headers == ["a", "b"]
    assert table.header_line == 2
    assert table.rows[0].line == 3
    assert table.rows[0].cells == {"a": "1;2", "b": "3"}


def test_line_numbers_follow_the_file(tmp_path: Path) -> None:
    text = (
        "\n"  # line 1: blank before the header
        "code;commentaire\n"  # line 2
        'a;"sur\ndeux lignes"\n'  # lines 3-4: one record
        "\n"  # line 5: blank row, skipped
        "b;x\n"  # line 6
        "  ;  \n"  # line 7: blank cells only, skipped
        "c;y"  # line 8, no final newline
    )
    table = read_table(write(tmp_path / "v.csv", text.encode()))
    assert table.header_line == 2
    assert [(r.line, r.cells["code"]) for r in table.rows] == [(3, "a"), (6, "b"), (8, "c")]
    assert table.rows[0].cells["commentaire"] == "sur\ndeux lignes"


def test_crlf_and_quoted_newline(tmp_path: Path) -> None:
    text = 'a;b\r\n1;"x\r\ny"\r\n2;z\r\n'
    table = read_table(write(tmp_path / "v.csv", text.encode()))
    assert [r.line for r in table.rows] == [2, 4]
    assert table.rows[0].cells["b"] == "x\r\ny"


def test_headers_normalised_originals_kept(tmp_path: Path) -> None:
    text = f"  Valeur   cible ;Date{NBSP}de  mesure\n1;27/11/2026\n"
    table = read_table(write(tmp_path / "v.csv", text.encode()))
    assert table.headers == ["Valeur cible", "Date de mesure"]
    assert table.label("Valeur cible") == "Valeur   cible"
    assert table.label("inconnue") == "inconnue"
    assert normalise_header(" a \t b\n") == "a b"


def test_records_wider_or_narrower_than_the_header_are_named(tmp_path: Path) -> None:
    text = "a;b;c;\n1\n1;2;3;;\n1;2;3;\n"
    with pytest.raises(TableError) as caught:
        read_table(write(tmp_path / "v.csv", text.encode()))
    assert caught.value.lines == [
        (
            2,
            "1 champ au lieu de 4 comme l'en-tête (séparateur : point-virgule) : ligne tronquée,"
            " écrite avec un autre séparateur ou guillemet mal placé",
        ),
        (
            3,
            "5 champs au lieu de 4 comme l'en-tête (séparateur : point-virgule) : ligne tronquée,"
            " écrite avec un autre séparateur ou guillemet mal placé",
        ),
    ]
    assert "ligne 2 : 1 champ au lieu de 4" in str(caught.value)


def test_empty_extra_column_kept_by_every_record_is_dropped(tmp_path: Path) -> None:
    table = read_table(write(tmp_path / "v.csv", b"a;b;c;\n1;;;\n"))
    assert table.headers == ["a", "b", "c"]
    assert table.rows[0].cells == {"a": "1", "b": "", "c": ""}


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    table = read_table(write(tmp_path / "v.csv", b"a;b\n"))
    assert table.headers == ["a", "b"]
    assert table.rows == []


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", codecs.BOM_UTF8, b";;\n;;\n"])
def test_empty_csv(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(TableError, match=r"^Fichier vide : valeurs\.csv\."):
        read_table(write(tmp_path / "valeurs.csv", content))


def test_duplicate_header(tmp_path: Path) -> None:
    with pytest.raises(TableError) as caught:
        read_table(write(tmp_path / "valeurs.csv", b"valeur;date;Valeur \n1;2;3\n"))
    assert str(caught.value) == (
        "Colonne en double dans valeurs.csv : « Valeur » apparaît en colonne A et en colonne C."
    )
    assert caught.value.file == "valeurs.csv"


def test_values_under_a_column_without_header(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"colonne C n'a pas d'en-tête.*ligne 3"):
        read_table(write(tmp_path / "valeurs.csv", b"a;b;\n1;2;\n1;2;3\n"))


def test_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"^Type de fichier non pris en charge : valeurs\.pdf"):
        read_table(write(tmp_path / "valeurs.pdf", b"a;b\n"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"^Fichier introuvable : absent\.csv\.$"):
        read_table(tmp_path / "absent.csv")
    with pytest.raises(TableError, match=r"^Fichier introuvable : absent\.xlsx\.$"):
        read_table(tmp_path / "absent.xlsx")


def test_workbook_saved_as_csv(tmp_path: Path) -> None:
    source = tmp_path / "classeur.xlsx"
    workbook = xlsxwriter.Workbook(source)
    workbook.add_worksheet().write(0, 0, "a")
    workbook.close()
    renamed = write(tmp_path / "valeurs.csv", source.read_bytes())
    with pytest.raises(TableError, match=r"^Fichier illisible : valeurs\.csv \(c'est un classeur"):
        read_table(renamed)


def test_binary_csv(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"^Fichier illisible : valeurs\.csv"):
        read_table(write(tmp_path / "valeurs.csv", b"a;b\x00\x01\n"))


def test_undecodable_csv(tmp_path: Path) -> None:
    # 0x81 is undefined in cp1252 and invalid in UTF-8
    with pytest.raises(TableError, match=r"^Fichier illisible : valeurs\.csv \(encodage"):
        read_table(write(tmp_path / "valeurs.csv", b"a;b\n\x81;2\n"))


def test_accepts_str_path(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", b"a\n1\n")
    assert read_table(str(path)).rows[0].cells == {"a": "1"}


# --- spreadsheets ------------------------------------------------------------------------


def make_workbook(path: Path) -> Path:
    workbook = xlsxwriter.Workbook(path)
    dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
    stamp = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet = workbook.add_worksheet("Valeurs")
    sheet.write_row(0, 0, [" Indicateur ", "Valeur", "Date de mesure", "Commentaire", "Actif"])
    sheet.write_row(1, 0, ["taux-couverture", 93.5])
    sheet.write_datetime(1, 2, datetime(2026, 11, 27), dates)
    sheet.write_string(1, 3, "  ok  ")
    sheet.write_boolean(1, 4, True)
    # row 3 (index 2) left blank
    sheet.write_row(3, 0, ["montant", 1234.0, None, "1 234,5"])
    sheet.write_datetime(3, 2, datetime(2026, 1, 5, 14, 30), stamp)
    sheet.write_row(4, 0, ["bruit", 0.1 + 0.2, None, None, False])
    sheet.write_row(5, 0, ["ambigu", 1.234, None, 42])
    sheet.write_row(6, 0, ["grand", 12345678901234.5, None, -0.0])
    other = workbook.add_worksheet("Cibles")
    other.write_row(0, 0, ["code", "cible"])
    other.write_row(1, 0, ["x", 7])
    workbook.close()
    return path


def test_xlsx_cells_and_line_numbers(tmp_path: Path) -> None:
    table = read_table(make_workbook(tmp_path / "valeurs.xlsx"))
    assert table.source == "valeurs.xlsx"
    assert table.sheet == "Valeurs"
    assert table.encoding is None and table.delimiter is None
    assert table.headers == ["Indicateur", "Valeur", "Date de mesure", "Commentaire", "Actif"]
    assert [row.line for row in table.rows] == [2, 4, 5, 6, 7]  # row 3 is blank
    first, second, noisy, ambiguous, big = table.rows
    assert first.cells == {
        "Indicateur": "taux-couverture",
        "Valeur": "93.5",
        "Date de mesure": "27/11/2026",
        "Commentaire": "ok",
        "Actif": "VRAI",
    }
    assert second.cells == {
        "Indicateur": "montant",
        "Valeur": "1234",
        "Date de mesure": "05/01/2026 14:30",
        "Commentaire": "1 234,5",
        "Actif": "",
    }
    assert noisy.cells["Valeur"] == "0.3"  # 0.30000000000000004, shown as Excel does
    assert noisy.cells["Actif"] == "FAUX"
    assert ambiguous.cells["Valeur"] == "1.234"
    assert big.cells["Valeur"] == "12345678901234.5"
    assert big.cells["Commentaire"] == "0"

    assert parse_number(first.cells["Valeur"]) == Decimal("93.5")
    assert parse_date(first.cells["Date de mesure"]) == date(2026, 11, 27)
    assert first.numbers == {"Valeur": Decimal("93.5")}
    assert second.number("Valeur") == Decimal("1234")
    assert second.number("Commentaire") == Decimal("1234.5")  # text cell: parsed
    # "1.234" as text is ambiguous, but the spreadsheet said it was a number:
    assert ambiguous.number("Valeur") == Decimal("1.234")
    assert ambiguous.numbers["Commentaire"] == Decimal(42)


def test_xlsx_other_sheet(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "valeurs.xlsx")
    table = read_table(path, sheet="Cibles")
    assert table.sheet == "Cibles"
    assert table.rows[0].cells == {"code": "x", "cible": "7"}
    assert read_table(path, sheet=" cibles ").sheet == "Cibles"  # forgiving about case/spaces


def test_xlsx_unknown_sheet(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "valeurs.xlsx")
    with pytest.raises(TableError) as caught:
        read_table(path, sheet="Feuil1")
    assert str(caught.value) == (
        "Feuille introuvable : « Feuil1 » dans valeurs.xlsx."
        " Feuilles disponibles : « Valeurs », « Cibles »."
    )


def test_xlsx_first_visible_sheet(tmp_path: Path) -> None:
    path = tmp_path / "v.xlsx"
    workbook = xlsxwriter.Workbook(path)
    hidden = workbook.add_worksheet("Paramètres")
    hidden.write(0, 0, "secret")
    shown = workbook.add_worksheet("Saisie")
    shown.write_row(0, 0, ["a"])
    shown.write_row(1, 0, [1])
    shown.activate()
    hidden.hide()
    workbook.close()
    assert read_table(path).sheet == "Saisie"


def test_xlsx_data_not_starting_at_a1(tmp_path: Path) -> None:
    path = tmp_path / "v.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet()
    sheet.write_row(2, 1, ["a", "b"])
    sheet.write_row(3, 1, [1, 2])
    workbook.close()
    table = read_table(path)
    assert table.header_line == 3
    assert table.headers == ["a", "b"]
    assert table.rows[0].line == 4
    assert table.rows[0].cells == {"a": "1", "b": "2"}


def test_empty_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "vide.xlsx"
    workbook = xlsxwriter.Workbook(path)
    workbook.add_worksheet()
    workbook.close()
    with pytest.raises(TableError, match=r"^Fichier vide : vide\.xlsx\.$"):
        read_table(path)


def test_xlsx_duplicate_header(tmp_path: Path) -> None:
    path = tmp_path / "valeurs.xlsx"
    workbook = xlsxwriter.Workbook(path)
    workbook.add_worksheet().write_row(0, 0, ["valeur", "VALEUR"])
    workbook.close()
    with pytest.raises(TableError, match=r"^Colonne en double dans valeurs\.xlsx"):
        read_table(path)


def test_unreadable_xlsx(tmp_path: Path) -> None:
    path = write(tmp_path / "valeurs.xlsx", b"ceci n'est pas un classeur")
    with pytest.raises(TableError, match=r"^Fichier illisible : valeurs\.xlsx \(.+\)\.$"):
        read_table(path)


def test_column_letter() -> None:
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


# --- validation reports ------------------------------------------------------------------


def test_cell_issue_sentence() -> None:
    issue = CellIssue("valeurs.csv", 4, "valeur", "12,3,4", "nombre non reconnu")
    assert (
        str(issue) == "valeurs.csv, ligne 4, colonne « valeur » : « 12,3,4 » — nombre non reconnu."
    )
    assert str(CellIssue("v.csv", 2, "date", "", "valeur manquante.")) == (
        "v.csv, ligne 2, colonne « date » — valeur manquante."
    )
    assert str(CellIssue("v.csv", 2, "", "", "ligne en double")) == (
        "v.csv, ligne 2 — ligne en double."
    )


def sample_table() -> Table:
    return Table(
        source="valeurs.csv",
        headers=["valeur", "date"],
        rows=[
            Row(2, {"valeur": "93,5", "date": "27/11/2026"}),
            Row(3, {"valeur": "12,3,4", "date": "31/02/2026"}),
            Row(4, {"valeur": "", "date": ""}),
            Row(5, {"valeur": "1.234", "date": "01/01/2026"}, numbers={"valeur": Decimal("1.234")}),
        ],
        original_headers={"valeur": "Valeur", "date": "date"},
    )


def test_report_collects_every_issue() -> None:
    table = sample_table()
    report = ValidationReport()
    values = [report.number(table, row, "valeur") for row in table.rows]
    days = [report.check(table, row, "date", parse_date, required=False) for row in table.rows]

    assert values == [Decimal("93.5"), None, None, Decimal("1.234")]
    assert days == [date(2026, 11, 27), None, None, date(2026, 1, 1)]
    assert not report.ok
    assert [str(issue) for issue in report] == [
        "valeurs.csv, ligne 3, colonne « Valeur » : « 12,3,4 »"
        " — nombre non reconnu : il y a plusieurs virgules.",
        "valeurs.csv, ligne 4, colonne « Valeur » — valeur manquante.",
        "valeurs.csv, ligne 3, colonne « date » : « 31/02/2026 »"
        " — date non reconnue : cette date n'existe pas.",
    ]
    with pytest.raises(ImportValidationError) as caught:
        report.raise_if_errors()
    assert caught.value.issues == report.issues
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert message.startswith("3 erreurs dans les données importées :\n- valeurs.csv, ligne 3")
    assert message.count("\n- ") == 3


def test_report_with_plain_value_error_and_manual_issues() -> None:
    table = sample_table()
    report = ValidationReport()

    def positive(text: str) -> int:
        if int(text) <= 0:
            raise ValueError("doit être positif")
        return int(text)

    row = Row(9, {"valeur": "-2", "date": ""})
    assert report.check(table, row, "valeur", positive) is None
    report.add_cell(table, row, "date", "période hors du contrat")
    report.add("autre.csv", 1, "", "", "en-tête attendu")
    assert [i.message for i in report] == [
        "doit être positif",
        "période hors du contrat",
        "en-tête attendu",
    ]
    with pytest.raises(ImportValidationError, match=r"^3 erreurs"):
        report.raise_if_errors()


def test_empty_report_is_ok() -> None:
    report = ValidationReport()
    assert report.ok
    report.raise_if_errors()
    assert str(report) == ""
    single = ValidationReport([CellIssue("v.csv", 2, "a", "x", "invalide")])
    with pytest.raises(ImportValidationError, match=r"^1 erreur dans"):
        single.raise_if_errors()
