"""The extracts folder: what is refused before reading, the fingerprint, data_end, settings."""

from __future__ import annotations

import gzip
import hashlib
import os
from datetime import date
from pathlib import Path

import pytest

from cpog.warehouse.extracts import ExtractError, Settings, load_extracts

SETTINGS = Settings(memory_limit="256MB", threads=1)
RECLAMATIONS = (
    "id_reclamation;dossier;commune;recue_le;close_le\n"
    "R1;1;79191;02/01/2025;03/01/2025\n"
    "R2;2;79191;04/01/2025;\n"
)
COURRIELS = (
    "id_courriel;dossier;commune;recu_le;repondu_le;nature\n"
    "M1;1;79191;05/03/2025;06/03/2025;dossier\n"
)


def folder_with(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "extraits"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name.replace("__", ".")).write_text(text, encoding="utf-8")
    return folder


def message(folder: Path, settings: Settings = SETTINGS) -> str:
    with pytest.raises(ExtractError) as caught:
        load_extracts(folder, settings=settings)
    return str(caught.value)


def test_fingerprint_is_the_documented_digest(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, reclamations__csv=RECLAMATIONS, courriels__csv=COURRIELS)
    loaded = load_extracts(folder, settings=SETTINGS)
    courriels = hashlib.sha256(COURRIELS.encode()).hexdigest()
    reclamations = hashlib.sha256(RECLAMATIONS.encode()).hexdigest()
    # Sorted by table name: courriels before reclamations, one « table:sha256 » line each.
    expected = hashlib.sha256(
        f"courriels:{courriels}\nreclamations:{reclamations}\n".encode()
    ).hexdigest()
    assert loaded.fingerprint == expected
    assert {f.table: f.sha256 for f in loaded.files} == {
        "courriels": courriels,
        "reclamations": reclamations,
    }
    # Stable: the same bytes give the same fingerprint.
    assert load_extracts(folder, settings=SETTINGS).fingerprint == expected


def test_fingerprint_changes_with_one_byte(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, reclamations__csv=RECLAMATIONS)
    before = load_extracts(folder, settings=SETTINGS).fingerprint
    (folder / "reclamations.csv").write_text(RECLAMATIONS.replace("R2", "R3"), encoding="utf-8")
    assert load_extracts(folder, settings=SETTINGS).fingerprint != before


def test_data_end_is_the_latest_date_of_any_date_column(tmp_path: Path) -> None:
    # reclamations: latest 04/01/2025 (recue_le R2); courriels: 06/03/2025 (repondu_le M1).
    folder = folder_with(tmp_path, reclamations__csv=RECLAMATIONS, courriels__csv=COURRIELS)
    assert load_extracts(folder, settings=SETTINGS).data_end == date(2025, 3, 6)


def test_compressed_files_are_refused(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    (folder / "pieces.csv.gz").write_bytes(gzip.compress(b"id_piece\n"))
    assert message(folder) == (
        "pieces.csv.gz : fichier compressé refusé : décompressez-le dans le dossier des extraits"
        " (un fichier .csv ou .parquet par table)."
    )


def test_a_compressed_file_under_a_csv_name_is_refused(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    (folder / "reclamations.csv").write_bytes(gzip.compress(RECLAMATIONS.encode()))
    assert message(folder) == (
        "reclamations.csv : fichier compressé (gzip) refusé : décompressez-le."
    )


def test_symbolic_links_are_refused(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    target = tmp_path / "ailleurs.csv"
    target.write_text(RECLAMATIONS, encoding="utf-8")
    (folder / "reclamations.csv").symlink_to(target)
    assert message(folder) == (
        "reclamations.csv : lien symbolique refusé : copiez le fichier lui-même."
    )


def test_a_named_pipe_is_refused(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    os.mkfifo(folder / "reclamations.csv")
    assert message(folder) == "reclamations.csv : ce n'est pas un fichier ordinaire."


def test_csv_and_parquet_for_one_table_is_an_error(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, reclamations__csv=RECLAMATIONS, reclamations__parquet="x")
    assert message(folder) == (
        "reclamations.csv et reclamations.parquet : deux fichiers pour la table « reclamations » :"
        " gardez-en un seul."
    )


def test_unknown_files_are_listed_and_missing_tables_allowed(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path, reclamations__csv=RECLAMATIONS, notes__txt="à lire", LISEZMOI__txt="note"
    )
    loaded = load_extracts(folder, settings=SETTINGS)
    assert loaded.tables == frozenset({"reclamations"})
    # the folder's own note (the synthetic generator writes LISEZMOI.txt) is no stray file
    assert loaded.warnings == ("Fichier ignoré (nom non reconnu) : notes.txt.",)


def test_the_total_size_is_capped_before_reading(tmp_path: Path) -> None:
    # 50 + 35 + 20 = 105 bytes of reclamations, 54 + 41 = 95 of courriels: 200, 199 allowed.
    # The courriels file is unreadable as a CSV: it is not read, only measured.
    folder = folder_with(tmp_path, reclamations__csv=RECLAMATIONS, courriels__csv="\x00" * 95)
    assert len(RECLAMATIONS.encode()) == 50 + 35 + 20
    assert message(folder, Settings(max_bytes=199)) == (
        "les extraits pèsent 200 octets, au plus 199 octets acceptés"
        " (réglage CPOG_EXTRACTS_MAX_BYTES)."
    )


def test_settings_from_the_environment() -> None:
    settings = Settings.from_environment(
        {
            "CPOG_EXTRACTS_MAX_BYTES": "1 000 000",
            "CPOG_DUCKDB_MEMORY": "512MB",
            "CPOG_DUCKDB_THREADS": "2",
            "CPOG_DUCKDB_TEMP_DIR": "/var/tmp",
        }
    )
    assert settings == Settings(1_000_000, "512MB", 2, Path("/var/tmp"))
    assert Settings.from_environment({}) == Settings(20 * 1024**3, "2GB", None, None)
    with pytest.raises(ExtractError) as caught:
        Settings.from_environment({"CPOG_EXTRACTS_MAX_BYTES": "20 Go"})
    assert str(caught.value) == (
        "CPOG_EXTRACTS_MAX_BYTES : nombre entier positif attendu (reçu : « 20Go »)."
    )


def test_duckdb_runs_within_the_settings(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, reclamations__csv=RECLAMATIONS)
    spill_root = tmp_path / "spill"
    spill_root.mkdir()
    settings = Settings(memory_limit="300MB", threads=1, temp_root=spill_root)
    connection = load_extracts(folder, settings=settings).connection
    memory, threads, temp = connection.execute(
        "SELECT current_setting('memory_limit'), current_setting('threads'),"
        " current_setting('temp_directory')"
    ).fetchone()
    assert (memory, threads) == ("286.1 MiB", 1)  # 300 000 000 bytes in MiB
    assert Path(temp).parent == spill_root
    connection.close()


def test_no_extract_at_all(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, notes__txt="")
    assert message(folder).startswith(f"Aucun extrait reconnu dans « {folder} »")
    absent = tmp_path / "absent"
    assert message(absent) == f"Dossier d'extraits introuvable : « {absent} »."
    a_file = folder / "notes.txt"
    assert message(a_file) == (
        f"« {a_file} » est un fichier : indiquez le dossier qui contient les extraits."
    )


def test_a_csv_without_line_breaks_is_not_read_whole(tmp_path: Path) -> None:
    # Line 3 runs for 1 048 577 characters (over the 1 048 576 allowed): refused, named.
    folder = folder_with(tmp_path, reclamations__csv=RECLAMATIONS.splitlines(keepends=True)[0])
    with (folder / "reclamations.csv").open("a", encoding="utf-8") as handle:
        handle.write("R1;1;79191;02/01/2025;\n")
        handle.write("x" * (1024 * 1024 + 1))
    assert message(folder) == (
        "reclamations.csv, ligne 3 : ligne de plus de 1\u202f048\u202f576 caractères : ce n'est pas"
        " un extrait en CSV (une ligne par enregistrement)."
    )


def test_months_of_allocataires_do_not_push_data_end_past_the_dates(tmp_path: Path) -> None:
    # allocataires up to 2025-12 (31/12/2025), but the latest date column says 04/01/2025.
    allocataires = (
        "mois;dossier;commune;situation_familiale;enfants;bas_revenus;rsa;aah;aide_logement;"
        "naissance\n2025-12;1;79191;couple;0;non;non;non;non;non\n"
    )
    folder = folder_with(tmp_path, reclamations__csv=RECLAMATIONS, allocataires__csv=allocataires)
    assert load_extracts(folder, settings=SETTINGS).data_end == date(2025, 1, 4)
