"""Every check of the extract loader, with the file, line, column and value it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpog.warehouse.extracts import MAX_PROBLEMS, ExtractError, Settings, load_extracts

SETTINGS = Settings(memory_limit="256MB", threads=1)
PIECES_HEADER = (
    "id_piece;id_demarche;dossier;commune;recue_le;traitee_le;famille;prestation;type_piece;canal"
)


def write(folder: Path, name: str, lines: list[str]) -> None:
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def problems_of(folder: Path) -> list[tuple[str, int | None, str | None, str | None, str]]:
    with pytest.raises(ExtractError) as caught:
        load_extracts(folder, settings=SETTINGS)
    return [(p.file, p.line, p.column, p.value, p.message) for p in caught.value.problems]


def test_every_cell_problem_is_located(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pieces.csv",
        [
            PIECES_HEADER,
            "P1;D1;1;79191;02/01/2025;03/01/2025;prestations_legales;AF;demande;papier",  # fine
            "P2;D1;1;79191;31/02/2025;;prestations_legales;AF;demande;papier",
            "P3;D1;;79191;02/01/2025;;prestations_legales;AF;demande;papier",
            "P4;D1;1;79191;02/01/2025;;prestations_familiales;AF;demande;fax",
            "P5;D1;1;7919;02/01/2025;;aide_logement;APL;demande;papier",
            "P6;D1;1;79191;10/01/2025;09/01/2025;aide_logement;APL;demande;papier",
        ],
    )
    write(
        tmp_path,
        "indus.csv",
        [
            "id_indu;dossier;commune;constate_le;montant;frauduleux;prestation;"
            "fraude_qualifiee_le;prejudice",
            "I1;1;79191;02/01/2025;-12,50;non;RSA;;",
            "I2;1;79191;02/01/2025;12,345;peut-être;RSA;;",
        ],
    )
    write(
        tmp_path,
        "allocataires.csv",
        [
            "mois;dossier;commune;situation_familiale;enfants;bas_revenus;rsa;aah;aide_logement;"
            "naissance",
            "2025-13;1;79191;couple;-1;non;non;non;non;non",
        ],
    )
    assert problems_of(tmp_path) == [
        ("pieces.csv", 3, "recue_le", "31/02/2025",
         "date illisible (attendu JJ/MM/AAAA ou AAAA-MM-JJ)"),
        ("pieces.csv", 4, "dossier", None, "cellule vide (colonne obligatoire)"),
        ("pieces.csv", 5, "famille", "prestations_familiales",
         "code inconnu (codes admis : prestations_legales, minima_sociaux, aide_logement)"),
        ("pieces.csv", 5, "canal", "fax",
         "code inconnu (codes admis : teleservice, papier, accueil, portail_partenaire)"),
        ("pieces.csv", 6, "commune", "7919",
         "code commune INSEE sur 5 caractères attendu, zéros en tête compris (01004, 2A004) :"
         " mettez la colonne au format texte"),
        ("pieces.csv", 7, "traitee_le", "09/01/2025",
         "date antérieure à « recue_le » (10/01/2025)"),
        ("indus.csv", 2, "montant", "-12,50", "montant négatif"),
        ("indus.csv", 3, "montant", "12,345",
         "montant illisible (nombre avec au plus deux décimales, virgule décimale)"),
        ("indus.csv", 3, "frauduleux", "peut-être", "valeur illisible (attendu oui ou non)"),
        ("allocataires.csv", 2, "mois", "2025-13", "mois illisible (attendu AAAA-MM ou MM/AAAA)"),
        ("allocataires.csv", 2, "enfants", "-1", "nombre négatif"),
    ]  # fmt: skip


def test_the_report_is_french_and_names_everything(tmp_path: Path) -> None:
    write(
        tmp_path,
        "courriels.csv",
        [
            "id_courriel;dossier;commune;recu_le;repondu_le;nature",
            "M1;1;79191;05/03/2025;04/03/2025;dossier",
            "M2;1;79191;05/03/2025;;reclamation",
        ],
    )
    with pytest.raises(ExtractError) as caught:
        load_extracts(tmp_path, settings=SETTINGS)
    assert str(caught.value) == (
        "Les extraits ne peuvent pas être chargés (2 problèmes) ; rien n'a été chargé :\n"
        "- courriels.csv, ligne 2, colonne « repondu_le », valeur « 04/03/2025 » :"
        " date antérieure à « recu_le » (05/03/2025)\n"
        "- courriels.csv, ligne 3, colonne « nature », valeur « reclamation » :"
        " code inconnu (codes admis : information_generale, dossier, autre)"
    )
    assert caught.value.total == 2


def test_end_dates_before_start_in_every_table(tmp_path: Path) -> None:
    write(
        tmp_path,
        "reclamations.csv",
        ["id_reclamation;dossier;commune;recue_le;close_le", "R1;1;79191;02/01/2025;01/01/2025"],
    )
    write(
        tmp_path,
        "controles.csv",
        [
            "id_controle;dossier;commune;cree_le;realise_le;cible_datamining",
            "K1;1;79191;02/01/2025;2024-12-31;oui",
        ],
    )
    assert [(f, line, column) for f, line, column, _, _ in problems_of(tmp_path)] == [
        ("reclamations.csv", 2, "close_le"),
        ("controles.csv", 2, "realise_le"),
    ]


def test_problems_beyond_the_cap_are_counted(tmp_path: Path) -> None:
    # 60 rows, each with an unreadable recue_le: 50 shown, « … et 10 autres ».
    lines = [PIECES_HEADER] + [
        f"P{i};D1;1;79191;hier;;aide_logement;APL;demande;papier" for i in range(60)
    ]
    write(tmp_path, "pieces.csv", lines)
    with pytest.raises(ExtractError) as caught:
        load_extracts(tmp_path, settings=SETTINGS)
    error = caught.value
    assert len(error.problems) == MAX_PROBLEMS == 50
    assert error.total == 60
    assert [p.line for p in error.problems] == list(range(2, 52))
    assert str(error).splitlines()[0] == (
        "Les extraits ne peuvent pas être chargés (60 problèmes) ; rien n'a été chargé :"
    )
    assert str(error).splitlines()[-1] == "… et 10 autres."


def test_exact_duplicates_are_dropped_and_counted(tmp_path: Path) -> None:
    row = "P1;D1;1;79191;02/01/2025;;aide_logement;APL;demande;papier"
    other = "P2;D1;1;79191;02/01/2025;;aide_logement;APL;demande;papier"
    # P1 four times (one kept, three dropped) — once spelled differently but equal once read.
    spelled = "P1;D1;1;79191;2025-01-02; ;Aide_Logement;APL;demande;papier"
    write(tmp_path, "pieces.csv", [PIECES_HEADER, row, other, row, row, spelled])
    loaded = load_extracts(tmp_path, settings=SETTINGS)
    assert loaded.warnings == ("3 lignes en double ignorées dans pieces.csv.",)
    assert loaded.connection.execute("SELECT id_piece FROM pieces ORDER BY 1").fetchall() == [
        ("P1",),
        ("P2",),
    ]
    (file,) = loaded.files
    assert (file.rows, file.duplicates) == (2, 3)


def test_one_key_on_two_different_rows_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pieces.csv",
        [
            PIECES_HEADER,
            "P1;D1;1;79191;02/01/2025;;aide_logement;APL;demande;papier",
            "P2;D1;1;79191;02/01/2025;;aide_logement;APL;demande;papier",
            "P1;D1;1;79191;02/01/2025;05/01/2025;aide_logement;APL;demande;papier",
        ],
    )
    assert problems_of(tmp_path) == [
        ("pieces.csv", 4, "id_piece", "P1",
         "même clé (id_piece) que ligne 2 mais contenu différent : lignes 2 et 4"),
    ]  # fmt: skip


def test_allocataires_key_is_month_and_dossier(tmp_path: Path) -> None:
    header = (
        "mois;dossier;commune;situation_familiale;enfants;bas_revenus;rsa;aah;aide_logement;"
        "naissance"
    )
    write(
        tmp_path,
        "allocataires.csv",
        [
            header,
            "2025-01;7;79191;couple;1;non;non;non;non;non",
            "2025-02;7;79191;couple;1;non;non;non;non;non",  # another month: not a duplicate
            "01/2025;7;79191;couple;2;non;non;non;non;non",  # same month, another state
        ],
    )
    assert problems_of(tmp_path) == [
        ("allocataires.csv", 4, "mois et dossier", "2025-01 / 7",
         "même clé (mois et dossier) que ligne 2 mais contenu différent : lignes 2 et 4"),
    ]  # fmt: skip


def test_recoveries_of_unknown_overpayments_are_a_warning(tmp_path: Path) -> None:
    write(
        tmp_path,
        "indus.csv",
        [
            "id_indu;dossier;commune;constate_le;montant;frauduleux;prestation;"
            "fraude_qualifiee_le;prejudice",
            "I1;1;79191;02/01/2025;100;non;RSA;;",
        ],
    )
    write(
        tmp_path,
        "recouvrements.csv",
        [
            "id_recouvrement;id_indu;recouvre_le;montant;mode",
            "C1;I1;10/01/2025;50;remboursement",
            "C2;I9;10/01/2025;20;retenue",
            "C3;I8;11/01/2025;20;retenue",
        ],
    )
    loaded = load_extracts(tmp_path, settings=SETTINGS)
    assert loaded.warnings == (
        "2 recouvrements portent sur un indu absent de indus.csv"
        " (colonne id_indu de recouvrements.csv).",
    )


def test_nothing_is_loaded_when_one_file_is_wrong(tmp_path: Path) -> None:
    write(
        tmp_path,
        "reclamations.csv",
        ["id_reclamation;dossier;commune;recue_le;close_le", "R1;1;79191;02/01/2025;"],
    )
    write(
        tmp_path, "pieces.csv", [PIECES_HEADER, "P1;D1;1;79191;x;;aide_logement;APL;demande;papier"]
    )
    assert [p[:3] for p in problems_of(tmp_path)] == [("pieces.csv", 2, "recue_le")]


def test_empty_keys_are_reported_once_not_as_duplicates(tmp_path: Path) -> None:
    write(
        tmp_path,
        "reclamations.csv",
        [
            "id_reclamation;dossier;commune;recue_le;close_le",
            ";1;79191;02/01/2025;",
            ";2;79191;03/01/2025;",
        ],
    )
    assert problems_of(tmp_path) == [
        ("reclamations.csv", 2, "id_reclamation", None, "cellule vide (colonne obligatoire)"),
        ("reclamations.csv", 3, "id_reclamation", None, "cellule vide (colonne obligatoire)"),
    ]


def test_keys_are_checked_in_slices_on_large_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 2 keys per pass: 6 rows → 3 passes over slices of the key hashes; every duplicate and
    # every conflict is still found, whichever slice its hash falls in.
    from cpog.warehouse import extracts

    monkeypatch.setattr(extracts, "_KEYS_PER_PASS", 2)
    row = "P{};D1;1;79191;02/01/2025;{};aide_logement;APL;demande;papier"
    write(
        tmp_path,
        "pieces.csv",
        [
            PIECES_HEADER,
            row.format(1, ""),
            row.format(2, ""),
            row.format(1, ""),  # exact duplicate of line 2
            row.format(3, ""),
            row.format(2, "03/01/2025"),  # conflicts with line 3
            row.format(4, ""),
        ],
    )
    assert [(line, value, message) for _, line, _, value, message in problems_of(tmp_path)] == [
        (6, "P2", "même clé (id_piece) que ligne 3 mais contenu différent : lignes 3 et 6")
    ]
    (tmp_path / "pieces.csv").write_text(
        "\n".join([PIECES_HEADER, *(row.format(i % 4, "") for i in range(6))]) + "\n",
        encoding="utf-8",
    )
    # P0, P1, P2, P3, P0, P1: two exact duplicates.
    loaded = load_extracts(tmp_path, settings=SETTINGS)
    assert loaded.warnings == ("2 lignes en double ignorées dans pieces.csv.",)
    assert loaded.files[0].rows == 4
