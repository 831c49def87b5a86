"""CSV extracts as Excel and French tools write them (cpog.warehouse.extracts)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cpog.warehouse.extracts import ExtractError, Settings, load_extracts

SETTINGS = Settings(memory_limit="256MB", threads=1)


def write(folder: Path, name: str, lines: list[str], *, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return path


def rows(loaded, table: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    return loaded.connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


def test_excel_cp1252_csv_with_crlf_decimal_comma_and_oui_non(tmp_path: Path) -> None:
    # Excel's « CSV (séparateur : point-virgule) »: Windows-1252, CRLF, no BOM, French header
    # spellings (accents, capitals, spaces), decimal comma, thousands in NBSP, oui/non.
    write(
        tmp_path,
        "indus.csv",
        [
            "ID indu;Dossier;Commune;Constaté le;Montant;Frauduleux;Prestation;"
            "Fraude qualifiée le;Préjudice;Commentaire",
            "I1;0012345;01004;03/01/2025;1\u00a0234,56;oui;RSA;15/02/2025;1 234,5;trop perçu €",
            "I2;0012346;2A004;2025-01-04;12.5;Non;AF;;;",
            "I3;0012347;79191;5/1/2025;7,00 €;NON;APL;;;",
        ],
        encoding="cp1252",
    )
    loaded = load_extracts(tmp_path, settings=SETTINGS)
    assert rows(loaded, "indus") == [
        ("I1", "0012345", "01004", date(2025, 1, 3), Decimal("1234.56"), True, "RSA",
         date(2025, 2, 15), Decimal("1234.50")),
        ("I2", "0012346", "2A004", date(2025, 1, 4), Decimal("12.50"), False, "AF", None, None),
        ("I3", "0012347", "79191", date(2025, 1, 5), Decimal("7.00"), False, "APL", None, None),
    ]  # fmt: skip
    types = loaded.connection.execute("DESCRIBE indus").fetchall()
    assert [(name, kind) for name, kind, *_ in types] == [
        ("id_indu", "VARCHAR"),
        ("dossier", "VARCHAR"),
        ("commune", "VARCHAR"),
        ("constate_le", "DATE"),
        ("montant", "DECIMAL(18,2)"),
        ("frauduleux", "BOOLEAN"),
        ("prestation", "VARCHAR"),
        ("fraude_qualifiee_le", "DATE"),
        ("prejudice", "DECIMAL(18,2)"),
    ]
    assert loaded.warnings == ("indus.csv : colonne « Commentaire » ignorée (absente du schéma).",)
    # The latest date of any date column: fraude_qualifiee_le 15/02/2025.
    assert loaded.data_end == date(2025, 2, 15)
    assert loaded.files[0].rows == 3


def test_utf8_bom_header_booleans_months_and_integers(tmp_path: Path) -> None:
    write(
        tmp_path,
        "allocataires.csv",
        [
            "\ufeffmois;dossier;commune;situation_familiale;enfants;bas_revenus;rsa;aah;"
            "aide_logement;naissance",
            "2025-01;001;79191;Monoparent;2;OUI;vrai;1;O;faux",
            "02/2025;001;79191;monoparent;1\u202f002;non;Faux;0;n;FALSE",
            "3/2025;002;79191;couple;0;true;non;non;non;non",
        ],
    )
    loaded = load_extracts(tmp_path, settings=SETTINGS)
    assert loaded.connection.execute(
        "SELECT * FROM allocataires ORDER BY mois, dossier"
    ).fetchall() == [
        ("2025-01", "001", "79191", "monoparent", 2, True, True, True, True, False),
        ("2025-02", "001", "79191", "monoparent", 1002, False, False, False, False, False),
        ("2025-03", "002", "79191", "couple", 0, True, False, False, False, False),
    ]
    # No date column: the last day of the latest month, 31/03/2025.
    assert loaded.data_end == date(2025, 3, 31)


def test_blank_lines_sep_line_and_trailing_separators_are_ignored(tmp_path: Path) -> None:
    write(
        tmp_path,
        "reclamations.csv",
        [
            "sep=;",
            "id_reclamation;dossier;commune;recue_le;close_le",
            "R1;1;79191;02/01/2025;03/01/2025;;",
            "",
            ";;;;",
            " R2 ; 2 ; 79191 ; 04/01/2025 ;  ",
        ],
    )
    loaded = load_extracts(tmp_path, settings=SETTINGS)
    assert rows(loaded, "reclamations") == [
        ("R1", "1", "79191", date(2025, 1, 2), date(2025, 1, 3)),
        ("R2", "2", "79191", date(2025, 1, 4), None),
    ]


def test_comma_separated_csv_is_recognised_by_its_header(tmp_path: Path) -> None:
    write(
        tmp_path,
        "recouvrements.csv",
        [
            "id_recouvrement,id_indu,recouvre_le,montant,mode",
            'C1,I1,10/03/2025,"12,30",retenue',
        ],
    )
    loaded = load_extracts(tmp_path, settings=SETTINGS)
    assert rows(loaded, "recouvrements") == [
        ("C1", "I1", date(2025, 3, 10), Decimal("12.30"), "retenue")
    ]


def test_missing_required_column_names_file_and_column(tmp_path: Path) -> None:
    write(tmp_path, "reclamations.csv", ["id_reclamation;dossier;recue_le", "R1;1;02/01/2025"])
    with pytest.raises(ExtractError) as caught:
        load_extracts(tmp_path, settings=SETTINGS)
    assert str(caught.value) == (
        "reclamations.csv, colonne « commune » : colonne obligatoire absente (code INSEE de la"
        " commune de résidence (5 caractères, en texte))."
    )


def test_missing_optional_column_is_empty_with_a_warning(tmp_path: Path) -> None:
    write(
        tmp_path,
        "reclamations.csv",
        ["id_reclamation;dossier;commune;recue_le", "R1;1;79191;02/01/2025"],
    )
    loaded = load_extracts(tmp_path, settings=SETTINGS)
    assert rows(loaded, "reclamations") == [("R1", "1", "79191", date(2025, 1, 2), None)]
    assert loaded.warnings == (
        "reclamations.csv : colonne facultative « close_le » absente, considérée vide.",
    )


def test_a_line_with_too_many_values_is_named(tmp_path: Path) -> None:
    write(
        tmp_path,
        "reclamations.csv",
        [
            "id_reclamation;dossier;commune;recue_le;close_le",
            "R1;1;79191;02/01/2025;03/01/2025",
            "R2;2;79191;02/01/2025;03/01/2025;en trop",
        ],
    )
    with pytest.raises(ExtractError) as caught:
        load_extracts(tmp_path, settings=SETTINGS)
    assert str(caught.value) == (
        "reclamations.csv, ligne 3 : 6 valeurs au lieu de 5 (une par colonne de l'en-tête,"
        " séparées par « ; »)."
    )


def test_quoted_cell_over_two_lines_keeps_physical_line_numbers(tmp_path: Path) -> None:
    # Line 2 holds a quoted identifier spread over lines 2 and 3; the faulty row is on line 4.
    write(
        tmp_path,
        "reclamations.csv",
        [
            "id_reclamation;dossier;commune;recue_le;close_le",
            '"R1',
            'suite";1;79191;02/01/2025;',
            "R2;2;79191;32/01/2025;",
        ],
    )
    with pytest.raises(ExtractError) as caught:
        load_extracts(tmp_path, settings=SETTINGS)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.column, problem.value) == (
        "reclamations.csv",
        4,
        "recue_le",
        "32/01/2025",
    )


def test_quoted_cells_blank_lines_and_short_rows_in_the_careful_reader(tmp_path: Path) -> None:
    # A quote anywhere sends the file through Python's csv module: same rules as the fast path.
    write(
        tmp_path,
        "reclamations.csv",
        [
            "id_reclamation;dossier;commune;recue_le;close_le;remarque",
            '"R;1";1;79191;02/01/2025;03/01/2025;"dit ""urgent"""',
            "",
            ";;;;;",
            "R2;2;79191;04/01/2025;",  # short by the ignored column only: accepted
            "R3;3;79191;04/01/2025;;;;",  # empty cells right of the table: accepted
        ],
    )
    loaded = load_extracts(tmp_path, settings=SETTINGS)
    assert rows(loaded, "reclamations") == [
        ("R2", "2", "79191", date(2025, 1, 4), None),
        ("R3", "3", "79191", date(2025, 1, 4), None),
        ("R;1", "1", "79191", date(2025, 1, 2), date(2025, 1, 3)),
    ]


def test_utf16_with_bom_from_excel_unicode_text(tmp_path: Path) -> None:
    # Excel's « Texte Unicode »: UTF-16 with its BOM, tab-separated.
    path = tmp_path / "controles.csv"
    text = "id_controle\tdossier\tcommune\tcree_le\trealise_le\tcible_datamining\r\n"
    text += "K1\t7\t79191\t02/01/2025\t\tOui\r\n"
    path.write_bytes(text.encode("utf-16"))
    loaded = load_extracts(tmp_path, settings=SETTINGS)
    assert rows(loaded, "controles") == [("K1", "7", "79191", date(2025, 1, 2), None, True)]


@pytest.mark.parametrize(
    "cell", ["02/01/25", "2/1/2025 10:00", "02-01-2025", "2025/01/02", "29/02/2025", "1er/01/2025"]
)
def test_dates_that_are_not_read(tmp_path: Path, cell: str) -> None:
    write(
        tmp_path,
        "reclamations.csv",
        ["id_reclamation;dossier;commune;recue_le;close_le", f"R1;1;79191;{cell};"],
    )
    with pytest.raises(ExtractError) as caught:
        load_extracts(tmp_path, settings=SETTINGS)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column, problem.value) == (2, "recue_le", cell)


def test_leap_day_is_a_date(tmp_path: Path) -> None:
    write(
        tmp_path,
        "reclamations.csv",
        ["id_reclamation;dossier;commune;recue_le;close_le", "R1;1;79191;29/02/2024;2024-03-01"],
    )
    loaded = load_extracts(tmp_path, settings=SETTINGS)
    assert rows(loaded, "reclamations") == [
        ("R1", "1", "79191", date(2024, 2, 29), date(2024, 3, 1))
    ]


def test_a_nul_byte_is_reported_not_a_crash(tmp_path: Path) -> None:
    write(
        tmp_path,
        "reclamations.csv",
        ["id_reclamation;dossier;commune;recue_le;close_le", "R1;1;79\x00191;02/01/2025;"],
    )
    with pytest.raises(ExtractError) as caught:
        load_extracts(tmp_path, settings=SETTINGS)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.column) == ("reclamations.csv", 2, "commune")
    assert "valeur « 79�191 »" in str(caught.value)
