"""The validation cache: a folder whose files were already validated is not checked again."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

import duckdb
import pytest

from cpog.warehouse.extracts import (
    ExtractError,
    LoadedExtracts,
    Settings,
    fingerprint_of,
    load_extracts,
)

PIECES_HEADER = (
    "id_piece;id_demarche;dossier;commune;recue_le;traitee_le;famille;prestation;type_piece;canal"
)
ROW = "{id};D1;1;79191;02/01/2025;{done};aide_logement;APL;demande;papier"


def settings(cache: Path | None) -> Settings:
    return Settings(memory_limit="256MB", threads=1, cache_dir=cache)


def write_folder(folder: Path) -> None:
    folder.mkdir()
    lines = [
        PIECES_HEADER,
        ROW.format(id="P1", done="03/01/2025"),
        ROW.format(id="P2", done="10/03/2025"),
        ROW.format(id="P1", done="03/01/2025"),  # line 4: exact duplicate of line 2
        ROW.format(id="P3", done=""),
        ROW.format(id="P3", done=""),  # line 6: exact duplicate of line 5
        "",
    ]
    (folder / "pieces.csv").write_text("\n".join(lines), encoding="utf-8")
    # A Parquet table with one duplicate record (record 3 repeats record 1) and an orphan
    # recovery (I9 is not in indus).
    connection = duckdb.connect()
    connection.execute(
        "COPY (SELECT * FROM (VALUES ('R1', 'I1', DATE '2025-02-01', 10.00::DECIMAL(18, 2),"
        " 'remboursement'), ('R2', 'I9', DATE '2025-04-15', 5.50::DECIMAL(18, 2), 'retenue'),"
        " ('R1', 'I1', DATE '2025-02-01', 10.00::DECIMAL(18, 2), 'remboursement'))"
        " AS t(id_recouvrement, id_indu, recouvre_le, montant, mode))"
        f" TO '{folder / 'recouvrements.parquet'}' (FORMAT parquet)"
    )
    connection.execute(
        "COPY (SELECT 'I1' AS id_indu, '0000001' AS dossier, '79191' AS commune,"
        " 'AF' AS prestation, DATE '2025-01-10' AS constate_le, 120.00::DECIMAL(18, 2)"
        " AS montant, FALSE AS frauduleux, CAST(NULL AS DATE) AS fraude_qualifiee_le,"
        " CAST(NULL AS DECIMAL(18, 2)) AS prejudice)"
        f" TO '{folder / 'indus.parquet'}' (FORMAT parquet)"
    )
    connection.close()


def contents(loaded: LoadedExtracts) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: loaded.connection.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        for table in sorted(loaded.tables)
    }


def described(loaded: LoadedExtracts) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: loaded.connection.execute(f"DESCRIBE {table}").fetchall()
        for table in sorted(loaded.tables)
    }


def test_second_load_reuses_the_validation_with_the_same_outcome(tmp_path: Path) -> None:
    folder, cache = tmp_path / "extraits", tmp_path / "cache"
    write_folder(folder)
    first = load_extracts(folder, settings=settings(cache))
    assert not first.validation_reused
    assert [p.name for p in cache.iterdir()] == [f"{first.fingerprint}.json"]
    second = load_extracts(folder, settings=settings(cache))
    assert second.validation_reused
    # Same warnings in the same order: 2 CSV duplicates (lines 4 and 6), 1 Parquet duplicate
    # (record 3), 1 orphan recovery (R2 on I9).
    assert (
        second.warnings
        == first.warnings
        == (
            "2 lignes en double ignorées dans pieces.csv.",
            "1 ligne en double ignorée dans recouvrements.parquet.",
            "1 recouvrement porte sur un indu absent de indus.parquet"
            " (colonne id_indu de recouvrements.parquet).",
        )
    )
    assert second.files == first.files
    # pieces: 5 lines − 2 duplicates = 3; recouvrements: 3 records − 1 = 2; indus: 1.
    assert {f.table: (f.rows, f.duplicates) for f in second.files} == {
        "pieces": (3, 2),
        "recouvrements": (2, 1),
        "indus": (1, 0),
    }
    assert second.data_end == first.data_end == date(2025, 4, 15)  # R2's recouvre_le
    assert second.fingerprint == first.fingerprint
    assert contents(second) == contents(first)
    assert described(second) == described(first)
    # The connection holds the same relations (no leftover of either path).
    listing = "SELECT table_name, table_type FROM information_schema.tables ORDER BY ALL"
    assert (
        second.connection.execute(listing).fetchall()
        == first.connection.execute(listing).fetchall()
    )


def test_no_cache_folder_means_every_load_validates(tmp_path: Path) -> None:
    folder = tmp_path / "extraits"
    write_folder(folder)
    assert not load_extracts(folder, settings=settings(None)).validation_reused
    assert not load_extracts(folder, settings=settings(None)).validation_reused


def test_a_touched_file_is_validated_again(tmp_path: Path) -> None:
    folder, cache = tmp_path / "extraits", tmp_path / "cache"
    write_folder(folder)
    load_extracts(folder, settings=settings(cache))
    pieces = folder / "pieces.csv"
    info = pieces.stat()
    os.utime(pieces, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    again = load_extracts(folder, settings=settings(cache))
    assert not again.validation_reused  # same bytes, another modification time
    assert load_extracts(folder, settings=settings(cache)).validation_reused  # kept anew


def test_a_planted_cache_entry_does_not_hide_an_error_in_a_changed_file(tmp_path: Path) -> None:
    folder, cache = tmp_path / "extraits", tmp_path / "cache"
    write_folder(folder)
    good = load_extracts(folder, settings=settings(cache))
    entry = (cache / f"{good.fingerprint}.json").read_text(encoding="utf-8")
    pieces = folder / "pieces.csv"
    text = pieces.read_text(encoding="utf-8").replace("10/03/2025", "10/13/2025")
    pieces.write_text(text, encoding="utf-8")
    with pytest.raises(ExtractError) as caught:
        load_extracts(folder, settings=settings(None))
    problems = caught.value.problems
    # A forged entry planted under the changed folder's fingerprint: the file's new size and
    # modification time, but the digest of the old, valid bytes. It is not trusted.
    changed = json.loads(entry)
    for item in changed["files"]:
        if item["table"] == "pieces":
            item["size"] = pieces.stat().st_size
            item["mtime_ns"] = pieces.stat().st_mtime_ns
    digests = {
        item["table"]: item["sha256"] for item in changed["files"] if item["table"] != "pieces"
    }
    digests["pieces"] = hashlib.sha256(pieces.read_bytes()).hexdigest()
    planted = fingerprint_of(digests)
    changed["fingerprint"] = planted
    (cache / f"{planted}.json").write_text(json.dumps(changed), encoding="utf-8")
    with pytest.raises(ExtractError) as again:
        load_extracts(folder, settings=settings(cache))
    assert again.value.problems == problems
    assert [(p.file, p.line, p.column, p.value) for p in problems] == [
        ("pieces.csv", 3, "traitee_le", "10/13/2025")
    ]


@pytest.mark.parametrize(
    "damage",
    ["not json", "[]", '{"format": 1}', "truncate", "other checks", "negative rows", "dates"],
)
def test_a_corrupt_or_foreign_cache_file_is_ignored(tmp_path: Path, damage: str) -> None:
    folder, cache = tmp_path / "extraits", tmp_path / "cache"
    write_folder(folder)
    first = load_extracts(folder, settings=settings(cache))
    path = cache / f"{first.fingerprint}.json"
    entry = json.loads(path.read_text(encoding="utf-8"))
    if damage == "truncate":
        text = json.dumps(entry)[:100]
    elif damage == "other checks":
        entry["checks"] = "0" * 64  # kept by another version of the checks
        text = json.dumps(entry)
    elif damage == "dates":
        entry["files"][0]["dates"] = [20250415]  # not an ISO date
        text = json.dumps(entry)
    elif damage == "negative rows":
        entry["files"][0]["rows"] = -1
        text = json.dumps(entry)
    else:
        text = damage
    path.write_text(text, encoding="utf-8")
    again = load_extracts(folder, settings=settings(cache))
    assert not again.validation_reused
    assert again.warnings == first.warnings
    assert contents(again) == contents(first)
    # Validated again, the folder's entry is written anew and then reused.
    assert load_extracts(folder, settings=settings(cache)).validation_reused


def test_a_failed_validation_is_not_cached(tmp_path: Path) -> None:
    folder, cache = tmp_path / "extraits", tmp_path / "cache"
    folder.mkdir()
    (folder / "pieces.csv").write_text(
        PIECES_HEADER + "\n" + ROW.format(id="P1", done="31/02/2025") + "\n", encoding="utf-8"
    )
    for _ in range(2):
        with pytest.raises(ExtractError):
            load_extracts(folder, settings=settings(cache))
    assert not cache.exists() or not any(cache.iterdir())


def test_cache_folder_from_the_environment(tmp_path: Path) -> None:
    assert Settings.from_environment({}).cache_dir is None
    assert Settings.from_environment({"CPOG_DATA_DIR": "/srv/cpog"}).cache_dir == Path(
        "/srv/cpog/cache/extraits"
    )
    assert Settings.from_environment(
        {"CPOG_DATA_DIR": "/srv/cpog", "CPOG_EXTRACTS_CACHE_DIR": "/var/cache/cpog"}
    ).cache_dir == Path("/var/cache/cpog")


def test_an_unwritable_cache_folder_does_not_fail_the_load(tmp_path: Path) -> None:
    folder = tmp_path / "extraits"
    write_folder(folder)
    blocker = tmp_path / "cache"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    loaded = load_extracts(folder, settings=settings(blocker / "sub"))
    assert not loaded.validation_reused
    assert {f.table for f in loaded.files} == {"pieces", "recouvrements", "indus"}
