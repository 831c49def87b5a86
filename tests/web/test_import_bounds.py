"""The import page under hostile files: a normal page with a French error (the server stays up),
the first errors with their total and the full list to download, and no upload left behind."""

from __future__ import annotations

import csv
import html
import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

import hostile_files as hostile
from cpog.store.models import ImportBatch, Measurement


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR  # type: ignore[no-any-return]


def page(response: Any) -> str:
    return html.unescape(response.content.decode("utf-8"))


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def uploads(data_dir: Path) -> list[Path]:
    folder = data_dir / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def check(client: Any, path: Path) -> Any:
    return client.post("/import/", {"etape": "verifier", "kind": "values", "file": upload(path)})


@pytest.mark.parametrize(
    ("name", "expected"),
    [("loin.xlsx", "1\u202f048\u202f576 lignes"), ("creux.ods", "1\u202f048\u202f576 lignes")],
)
def test_hostile_workbooks_get_a_normal_page(
    client_for: Any, data_dir: Path, tmp_path: Path, name: str, expected: str
) -> None:
    path = tmp_path / name
    if name.endswith(".ods"):
        hostile.sparse_ods(path)
    else:
        hostile.one_cell_at(path, "XFD1048576")
    response = check(client_for("controle"), path)
    assert response.status_code == 400
    body = page(response)
    assert "Import de fichiers" in body and f"Fichier refusé : {name} (" in body
    assert expected in body and "1 erreur : rien n'a été enregistré" in body
    assert uploads(data_dir) == []


def test_bad_rows_show_the_first_errors_and_the_full_list_downloads(
    client_for: Any, data_dir: Path, tmp_path: Path
) -> None:
    path = hostile.bad_rows_csv(tmp_path / "mauvais.csv", 40_000)
    lines = path.read_text(encoding="utf-8").count("\n") - 1
    client = client_for("controle")
    response = check(client, path)
    assert response.status_code == 400
    body = page(response)
    total = f"{2 * lines:,}".replace(",", "\u202f")
    assert f"{total} erreurs : rien n'a été enregistré. Les 200 premières sont listées" in body
    table = body.split('class="issue-table"')[1].split("</table>")[0]
    assert table.count("<tr>") == 1 + 200
    link = body.split('href="/import/erreurs/')[1].split('"')[0]
    download = client.get(f"/import/erreurs/{link}")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="erreurs-import.csv"')
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert len(rows) == 1 + 2 * lines and rows[1][0] == "mauvais.csv"
    # The list is the importers': a lecteur cannot fetch it, a wrong key is not found.
    assert client_for("lecteur").get(f"/import/erreurs/{link}").status_code == 403
    assert client.get("/import/erreurs/" + "x" * 32 + ".csv").status_code == 404
    # The error list is kept, and the file for its user to check again (one file per user).
    kept = sorted(p.name for p in uploads(data_dir))
    assert f"{link[:-4]}.erreurs.csv" in kept and len(kept) == 2
    assert "Fichier reçu : « mauvais.csv »" in body


def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "valeurs.csv"
    path.write_text("identifiant;période;valeur\nCOG 01-05;2024;201\n", encoding="utf-8")
    return path


def test_a_confirmed_import_removes_its_upload(
    client_for: Any, data_dir: Path, tmp_path: Path
) -> None:
    client = client_for("controle")
    assert check(client, good_file(tmp_path)).status_code == 200
    [stored] = uploads(data_dir)
    response = client.post(
        "/import/",
        {"etape": "confirmer", "kind": "values", "stored": stored.name, "name": "valeurs.csv"},
    )
    assert response.status_code == 302 and ImportBatch.objects.count() == 1
    assert uploads(data_dir) == []


def test_a_cancelled_import_removes_its_upload_and_writes_nothing(
    client_for: Any, data_dir: Path, tmp_path: Path
) -> None:
    client = client_for("controle")
    before = Measurement.objects.count()
    body = page(check(client, good_file(tmp_path)))
    assert 'name="etape" value="annuler"' in body
    [stored] = uploads(data_dir)
    response = client.post("/import/", {"etape": "annuler", "stored": stored.name})
    assert response.status_code == 302 and response["Location"] == "/import/"
    assert uploads(data_dir) == [] and Measurement.objects.count() == before


def test_uploads_older_than_a_day_go_at_the_next_upload(
    client_for: Any, data_dir: Path, tmp_path: Path
) -> None:
    folder = data_dir / "uploads"
    folder.mkdir(parents=True)
    stale, recent = folder / ("a" * 32 + ".xlsx"), folder / ("b" * 32 + ".erreurs.csv")
    stale.write_bytes(b"x")
    recent.write_bytes(b"x")
    two_days_ago = time.time() - 2 * 86_400
    os.utime(stale, (two_days_ago, two_days_ago))
    check(client_for("controle"), good_file(tmp_path))
    assert not stale.exists() and recent.exists()
