"""Files read within bounds: every hostile file is refused with a French message naming the file
and the limit, before anything is materialised (each refusal is measured in benchmarks, not
here: these tests prove the refusal and the bounded memory, through tracemalloc)."""

from __future__ import annotations

import random
import re
import string
import tracemalloc
from pathlib import Path

import pytest

import hostile_files as hostile
from cpog.ingest.bounds import BoundsError, Limits, check_spreadsheet, default_limits
from cpog.ingest.issue_list import issues_csv
from cpog.ingest.tables import (
    MAX_KEPT_ISSUES,
    CellIssue,
    ImportValidationError,
    TableError,
    ValidationReport,
    read_table,
)


def refusal(path: Path, limits: Limits | None = None) -> str:
    with pytest.raises(TableError) as caught:
        read_table(path, limits=limits)
    message = str(caught.value)
    assert message.startswith(f"Fichier refusé : {path.name} (")
    return message


def peak_bytes(path: Path) -> int:
    tracemalloc.start()
    try:
        with pytest.raises(TableError):
            read_table(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_one_cell_at_xfd1048576_is_refused_before_reading(tmp_path: Path) -> None:
    path = hostile.one_cell_at(tmp_path / "loin.xlsx", "XFD1048576")
    assert path.stat().st_size < 2_500  # the 1,6 KB file that allocated 512 GB
    message = refusal(path)
    assert "1\u202f048\u202f576 lignes, au plus 200\u202f000 acceptées" in message
    assert peak_bytes(path) < 5_000_000


def test_one_cell_at_az1000000_is_refused(tmp_path: Path) -> None:
    path = hostile.one_cell_at(tmp_path / "az.xlsx", "AZ1000000")
    assert "1\u202f000\u202f000 lignes" in refusal(path)


def test_a_far_column_is_refused_by_its_columns(tmp_path: Path) -> None:
    path = hostile.one_cell_at(tmp_path / "large.xlsx", "XFD10")
    assert "16\u202f384 colonnes, au plus 50 acceptées" in refusal(path)


@pytest.mark.parametrize(
    "row",
    [
        '<row r="300000"><c><v>1</v></c></row>',  # a cell placed by its row
        '<row r="1"><c\tr="XFD1048576"><v>1</v></c></row>',  # a tab before the reference
        "<row r='1'><c r='A900000'><v>1</v></c></row>",  # single quotes
        '<row r="1"><c s="0"\nr="A900000"><v>1</v></c></row>',  # a line break
    ],
)
def test_cells_written_otherwise_are_measured_too(tmp_path: Path, row: str) -> None:
    path = hostile.write_xlsx(tmp_path / "autrement.xlsx", [row])
    assert " lignes, au plus 200\u202f000 acceptées" in refusal(path)


def test_prefixed_elements_are_measured_too(tmp_path: Path) -> None:
    path = tmp_path / "prefixe.xlsx"
    hostile.write_xlsx(path, ['<x:row r="1"><x:c r="XFD1"><x:v>1</x:v></x:c></x:row>'])
    assert "16\u202f384 colonnes" in refusal(path)


def test_a_dimension_saying_the_sheet_is_huge_is_refused(tmp_path: Path) -> None:
    path = hostile.write_xlsx(
        tmp_path / "dim.xlsx", ['<row r="1"><c r="A1"><v>1</v></c></row>'], dimension="A1:C900000"
    )
    assert "900\u202f000 lignes" in refusal(path)


def test_a_million_identical_rows_is_refused_by_the_ratio_and_by_the_rows(tmp_path: Path) -> None:
    # The same rows without references compress a thousand times: a zip bomb.
    rows = ('<row><c t="s"><v>0</v></c></row>' for _ in range(1_000_000))
    packed = hostile.write_xlsx(tmp_path / "million.xlsx", rows)
    assert packed.stat().st_size < 500_000
    assert "grossit" in refusal(packed) and "au plus 200 fois" in refusal(packed)
    # Numbered rows compress less: the row count stops the reading at the limit.
    numbered = hostile.million_rows(tmp_path / "lignes.xlsx", 250_000)
    # Measured a chunk at a time: the count is where the reading stopped.
    assert re.search(r"au moins 20\d\u202f\d{3} lignes, au plus 200\u202f000", refusal(numbered))


def test_a_cell_of_fifty_million_characters_is_refused_with_bounded_memory(
    tmp_path: Path,
) -> None:
    path = hostile.huge_shared_string(tmp_path / "cellule.xlsx", 50_000_000)
    assert refusal(path)
    assert peak_bytes(path) < 10_000_000


def test_a_long_cell_that_compresses_badly_is_refused_by_its_length(tmp_path: Path) -> None:
    noise = "".join(random.Random(8).choices(string.ascii_letters, k=200_000))
    path = hostile.write_xlsx(
        tmp_path / "texte.xlsx",
        ['<row r="1"><c r="A1" t="s"><v>0</v></c></row>'],
        strings=[noise],
    )
    assert "une cellule de plus de 1\u202f000 caractères" in refusal(path)
    inline = hostile.write_xlsx(
        tmp_path / "inline.xlsx",
        [f'<row r="1"><c r="A1" t="inlineStr"><is><t>{noise}</t></is></c></row>'],
    )
    assert "1\u202f000 caractères" in refusal(inline)


def test_a_cell_just_over_the_limit_is_named_by_line_and_column(tmp_path: Path) -> None:
    # 1 001 characters pass the byte scan (6 bytes a character at most): the read names it.
    path = hostile.write_xlsx(
        tmp_path / "juste.xlsx",
        [
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>',
            '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>2</v></c></row>',
        ],
        strings=["identifiant", "commentaire", "x" * 1_001],
    )
    message = refusal(path)
    assert "ligne 2, colonne « commentaire » : une cellule de 1\u202f001 caractères" in message


def test_a_zip_bomb_is_refused_without_inflating(tmp_path: Path) -> None:
    path = hostile.zip_bomb(tmp_path / "bombe.xlsx")
    assert path.stat().st_size < 200_000
    assert "archive suspecte" in refusal(path)
    assert peak_bytes(path) < 5_000_000


def test_a_sparse_ods_is_refused_by_its_repeated_rows_and_columns(tmp_path: Path) -> None:
    rows = hostile.sparse_ods(tmp_path / "creux.ods")
    assert "1\u202f048\u202f576 lignes" in refusal(rows)
    columns = hostile.sparse_ods(tmp_path / "large.ods", rows=3)
    assert "16\u202f384 colonnes, au plus 50 acceptées" in refusal(columns)
    assert peak_bytes(rows) < 5_000_000


def test_an_ods_of_ordinary_size_is_read(tmp_path: Path) -> None:
    path = hostile.sparse_ods(tmp_path / "petit.ods", rows=3, columns=2)
    table = read_table(path)
    assert table.headers == ["1"] and table.rows == []  # one value, taken as the header


def test_limits_are_settings_of_the_installation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CPOG_IMPORT_MAX_ROWS", "2")
    path = tmp_path / "valeurs.csv"
    path.write_text("identifiant;valeur\na;1\nb;2\nc;3\n", encoding="utf-8")
    assert "au moins 3 lignes, au plus 2 acceptées" in refusal(path)
    monkeypatch.setenv("CPOG_IMPORT_MAX_ROWS", "deux")
    with pytest.raises(BoundsError, match="CPOG_IMPORT_MAX_ROWS : nombre entier positif"):
        default_limits()


def test_csv_size_columns_and_cell_length_are_bounded(tmp_path: Path) -> None:
    big = tmp_path / "gros.csv"
    big.write_bytes(b"identifiant;valeur\n" + b"a;1\n" * 300)
    assert "au plus 1\u202f000 octets acceptés" in refusal(big, Limits(max_bytes=1_000))
    wide = tmp_path / "large.csv"
    wide.write_text(";".join(f"c{i}" for i in range(60)) + "\n", encoding="utf-8")
    assert "ligne 1 : 60 colonnes, au plus 50 acceptées" in refusal(wide)
    long = tmp_path / "long.csv"
    long.write_text("identifiant;commentaire\na;" + "x" * 5_000 + "\n", encoding="utf-8")
    message = refusal(long)
    assert "ligne 2, colonne « commentaire » : une cellule de 5\u202f000 caractères" in message


def test_a_compressed_upload_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "valeurs.csv.gz"
    path.write_bytes(b"\x1f\x8b")
    with pytest.raises(TableError, match="les fichiers compressés ne sont pas acceptés"):
        read_table(path)


def test_the_check_reads_a_real_template_untouched(tmp_path: Path) -> None:
    from cpog.contract import default_contract_path
    from cpog.contract.loader import load_contract
    from cpog.ingest.templates import write_template

    contract = load_contract(default_contract_path())
    for name in ("modele.xlsx", "modele.csv"):
        path = write_template(contract, "values", tmp_path / name)
        check_spreadsheet(path)
        assert len(read_table(path).rows) == len(contract.indicators) + len(
            list(contract.measures())
        )


# --- the error report -----------------------------------------------------------------------


def issue(line: int) -> CellIssue:
    return CellIssue("valeurs.csv", line, "valeur", "douze", "nombre non reconnu")


def test_the_report_keeps_the_first_problems_and_counts_them_all() -> None:
    report = ValidationReport(keep=3)
    for line in range(2, 12):
        report.add("valeurs.csv", line, "valeur", "douze", "nombre non reconnu")
    assert report.total == 10 and len(report.issues) == 3 and not report.ok
    assert [i.line for i in report] == [2, 3, 4]
    with pytest.raises(ImportValidationError) as caught:
        report.raise_if_errors()
    assert caught.value.total == 10 and len(caught.value.issues) == 3
    assert str(caught.value).startswith("10 erreurs dans les données importées")
    assert str(caught.value).endswith("… et 7 autres")


def test_the_default_report_is_bounded() -> None:
    report = ValidationReport()
    report.extend(issue(n) for n in range(MAX_KEPT_ISSUES + 500))
    assert report.total == MAX_KEPT_ISSUES + 500 and len(report.issues) == MAX_KEPT_ISSUES


def test_the_full_list_is_a_french_excel_csv() -> None:
    issues = [issue(2), CellIssue("valeurs.csv", 3, "commentaire", "=HYPERLINK(1)", "trop")]
    data = issues_csv(issues, 5)
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "fichier;ligne;colonne;valeur;motif"
    assert lines[1] == "valeurs.csv;2;valeur;douze;nombre non reconnu"
    assert lines[2] == "valeurs.csv;3;commentaire;'=HYPERLINK(1);trop"  # shown, never run
    assert "… et 3 autres erreurs non listées" in lines[3]
