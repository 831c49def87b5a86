"""Parquet extracts: column types checked, read through views (cpog.warehouse.extracts)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from cpog.warehouse.extracts import ExtractError, Settings, load_extracts

SETTINGS = Settings(memory_limit="256MB", threads=1)


def write_parquet(path: Path, query: str) -> None:
    connection = duckdb.connect()
    connection.execute(f"COPY ({query}) TO '{path}' (FORMAT parquet)")
    connection.close()


RECOVERIES = """
SELECT * FROM (VALUES
    ('C1', 'I1', TIMESTAMP '2025-03-10 14:30:00', 12.5::DOUBLE, 'retenue'),
    ('C2', 'I1', TIMESTAMP '2025-04-02 00:00:00', 7::DOUBLE, 'remboursement')
) AS t(id_recouvrement, id_indu, recouvre_le, montant, mode)
"""


def test_compatible_types_are_converted_and_exposed_as_a_view(tmp_path: Path) -> None:
    # TIMESTAMP → DATE, DOUBLE holding cents exactly → DECIMAL(18, 2).
    write_parquet(tmp_path / "recouvrements.parquet", RECOVERIES)
    loaded = load_extracts(tmp_path, settings=SETTINGS)
    connection = loaded.connection
    assert connection.execute("SELECT * FROM recouvrements ORDER BY 1").fetchall() == [
        ("C1", "I1", date(2025, 3, 10), Decimal("12.50"), "retenue"),
        ("C2", "I1", date(2025, 4, 2), Decimal("7.00"), "remboursement"),
    ]
    assert [row[:2] for row in connection.execute("DESCRIBE recouvrements").fetchall()] == [
        ("id_recouvrement", "VARCHAR"),
        ("id_indu", "VARCHAR"),
        ("recouvre_le", "DATE"),
        ("montant", "DECIMAL(18,2)"),
        ("mode", "VARCHAR"),
    ]
    # Not copied into memory: a view over read_parquet.
    (views,) = connection.execute(
        "SELECT COUNT(*) FROM duckdb_views() WHERE view_name = 'recouvrements'"
    ).fetchone()
    assert views == 1
    assert loaded.data_end == date(2025, 4, 2)
    assert loaded.files[0].rows == 2


def test_a_code_stored_as_an_integer_is_refused(tmp_path: Path) -> None:
    write_parquet(
        tmp_path / "reclamations.parquet",
        "SELECT 'R1' AS id_reclamation, '12' AS dossier, 1004 AS commune,"
        " DATE '2025-01-02' AS recue_le, NULL::DATE AS close_le",
    )
    with pytest.raises(ExtractError) as caught:
        load_extracts(tmp_path, settings=SETTINGS)
    assert str(caught.value) == (
        "reclamations.parquet, colonne « commune » : type INTEGER ; attendu VARCHAR (texte) :"
        " un code enregistré en nombre perd ses zéros en tête (01004 → 1004), enregistrez-le"
        " en texte."
    )


def test_other_incompatible_types_and_missing_columns(tmp_path: Path) -> None:
    write_parquet(
        tmp_path / "controles.parquet",
        "SELECT 'K1' AS id_controle, '1' AS dossier, '79191' AS commune,"
        " '2025-01-02' AS cree_le, 1 AS cible_datamining",
    )
    with pytest.raises(ExtractError) as caught:
        load_extracts(tmp_path, settings=SETTINGS)
    assert [(p.column, p.message) for p in caught.value.problems] == [
        ("cree_le", "type VARCHAR ; attendu DATE ou TIMESTAMP"),
        ("cible_datamining", "type INTEGER ; attendu BOOLEAN"),
    ]


def test_an_amount_not_exact_in_cents_is_refused_with_its_record(tmp_path: Path) -> None:
    write_parquet(
        tmp_path / "recouvrements.parquet",
        "SELECT * FROM (VALUES ('C1', 'I1', DATE '2025-03-10', 12.5::DOUBLE, 'retenue'),"
        " ('C2', 'I1', DATE '2025-03-11', 0.125::DOUBLE, 'retenue'))"
        " AS t(id_recouvrement, id_indu, recouvre_le, montant, mode)",
    )
    with pytest.raises(ExtractError) as caught:
        load_extracts(tmp_path, settings=SETTINGS)
    assert str(caught.value) == (
        "recouvrements.parquet, enregistrement 2, colonne « montant », valeur « 0.125 » :"
        " montant non représentable exactement avec deux décimales."
    )


def test_row_checks_name_the_record_number(tmp_path: Path) -> None:
    write_parquet(
        tmp_path / "courriels.parquet",
        "SELECT * FROM (VALUES"
        " ('M1', '1', '79191', DATE '2025-03-05', DATE '2025-03-06', 'dossier'),"
        " ('M2', '1', '79191', DATE '2025-03-05', NULL, 'spam'),"
        " ('M3', NULL, '79191', DATE '2025-03-05', DATE '2025-03-04', 'autre'))"
        " AS t(id_courriel, dossier, commune, recu_le, repondu_le, nature)",
    )
    with pytest.raises(ExtractError) as caught:
        load_extracts(tmp_path, settings=SETTINGS)
    assert [(p.line, p.column, p.value, p.unit) for p in caught.value.problems] == [
        (2, "nature", "spam", "enregistrement"),
        (3, "dossier", None, "enregistrement"),
        (3, "repondu_le", "2025-03-04", "enregistrement"),
    ]


def test_duplicates_in_parquet_are_left_out_of_the_view(tmp_path: Path) -> None:
    write_parquet(
        tmp_path / "recouvrements.parquet",
        "SELECT * FROM (VALUES ('C1', 'I1', DATE '2025-03-10', 12.5, 'retenue'),"
        " ('C2', 'I1', DATE '2025-03-11', 1.0, 'retenue'),"
        " ('C1', 'I1', DATE '2025-03-10', 12.5, 'retenue'))"
        " AS t(id_recouvrement, id_indu, recouvre_le, montant, mode)",
    )
    loaded = load_extracts(tmp_path, settings=SETTINGS)
    assert loaded.warnings == ("1 ligne en double ignorée dans recouvrements.parquet.",)
    # 12,50 + 1,00 = 13,50 (the second C1 dropped).
    assert loaded.connection.execute("SELECT SUM(montant) FROM recouvrements").fetchone() == (
        Decimal("13.50"),
    )


def test_a_file_that_is_not_parquet(tmp_path: Path) -> None:
    (tmp_path / "pieces.parquet").write_text("id_piece;…\n", encoding="utf-8")
    with pytest.raises(ExtractError) as caught:
        load_extracts(tmp_path, settings=SETTINGS)
    assert str(caught.value) == (
        "pieces.parquet : ce n'est pas un fichier Parquet (signature PAR1)."
    )


def test_months_in_parquet_are_text_aaaa_mm(tmp_path: Path) -> None:
    write_parquet(
        tmp_path / "allocataires.parquet",
        "SELECT * FROM (VALUES ('2025-01', '7'), ('2025-13', '8'), ('2025-1', '9'))"
        " AS t(mois, dossier), (SELECT '79191' AS commune, 'couple' AS situation_familiale,"
        " 0 AS enfants, false AS bas_revenus, false AS rsa, false AS aah,"
        " false AS aide_logement, false AS naissance)",
    )
    with pytest.raises(ExtractError) as caught:
        load_extracts(tmp_path, settings=SETTINGS)
    assert [(p.line, p.column, p.value) for p in caught.value.problems] == [
        (2, "mois", "2025-13"),
        (3, "mois", "2025-1"),
    ]
