"""The import page keeps a refused file: it names it and checks it again without asking for it
again; kept per user, one at a time, dropped on request, after an import or after a day."""

from __future__ import annotations

import html
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cpog.store.models import ImportBatch, Measurement
from cpog.web import uploads

VALUES = "identifiant;libellé;période;valeur;statut;commentaire\nCOG 01-05;;2024;201;définitive;\n"
BAD = "identifiant;libellé;période;valeur;statut;commentaire\nCOG 01-05;;13/2024;201;;\n"


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def stored(data_dir: Path) -> list[Path]:
    folder = data_dir / "uploads"
    return sorted(p for p in folder.iterdir() if not p.name.endswith(".erreurs.csv"))


def text(response: Any) -> str:
    return html.unescape(response.content.decode("utf-8"))


def send(client: Client, kind: str | None, name: str | None, content: str = VALUES) -> Any:
    data: dict[str, Any] = {"etape": "verifier"}
    if kind:
        data["kind"] = kind
    if name:
        data["file"] = SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")
    return client.post("/import/", data)


def test_a_file_sent_as_the_wrong_kind_is_checked_again_without_choosing_it_again(
    client_for: Any, data_dir: Path
) -> None:
    client = client_for("controle")
    refused = send(client, "targets", "mes valeurs.csv")
    assert refused.status_code == 400
    body = text(refused)
    assert "colonne obligatoire absente" in body
    assert "Fichier reçu : « mes valeurs.csv »" in body and "fichier de cibles" in body
    assert "Laissez vide pour vérifier à nouveau « mes valeurs.csv »" in body
    assert "Oublier « mes valeurs.csv »" in body
    [kept] = stored(data_dir)
    # The same page, later: still named.
    assert "Fichier reçu : « mes valeurs.csv »" in text(client.get("/import/"))

    before = Measurement.objects.count()
    checked = send(client, "values", None)  # no file chosen: the kept one
    assert checked.status_code == 200, text(checked)
    body = text(checked)
    assert "Vérification de « mes valeurs.csv » : fichier valide" in body
    assert f'name="stored" value="{kept.name}"' in body
    assert "Fichier reçu" not in body
    confirmed = client.post(
        "/import/",
        {"etape": "confirmer", "kind": "values", "stored": kept.name, "name": "mes valeurs.csv"},
    )
    assert confirmed.status_code == 302
    assert ImportBatch.objects.get().file_name == "mes valeurs.csv"
    assert Measurement.objects.count() == before + 1
    assert stored(data_dir) == []  # imported: nothing left
    assert "Fichier reçu" not in text(client.get("/import/"))


def test_a_file_sent_without_its_kind_is_kept(client_for: Any, data_dir: Path) -> None:
    client = client_for("controle")
    response = send(client, None, "valeurs.csv")
    assert response.status_code == 400
    body = text(response)
    assert "Données contenues dans le fichier : champ obligatoire." in body
    assert "Fichier reçu : « valeurs.csv »" in body
    assert len(stored(data_dir)) == 1
    assert send(client, "values", None).status_code == 200


def test_another_file_replaces_the_kept_one_and_forgetting_removes_it(
    client_for: Any, data_dir: Path
) -> None:
    client = client_for("controle")
    send(client, "values", "premier.csv", BAD)
    [first] = stored(data_dir)
    second = send(client, "values", "second.csv", BAD)
    assert "Fichier reçu : « second.csv »" in text(second) and "premier.csv" not in text(second)
    [kept] = stored(data_dir)
    assert kept != first  # one file per user at a time
    forgot = client.post("/import/", {"etape": "oublier"})
    assert forgot.status_code == 302
    assert stored(data_dir) == []
    page = text(client.get("/import/"))
    assert "Fichier reçu" not in page
    refused = send(client, "values", None)
    assert refused.status_code == 400
    assert "Fichier à importer : champ obligatoire." in text(refused)


def test_the_kept_file_is_its_users_only(client_for: Any, users: Any, data_dir: Path) -> None:
    controle = client_for("controle")
    send(controle, "values", "a-moi.csv", BAD)
    admin = client_for("admin")
    assert "a-moi.csv" not in text(admin.get("/import/"))
    assert send(admin, "values", None).status_code == 400  # nothing to check for the admin
    # The same session signed in as someone else does not see it either.
    session = controle.session
    session["_auth_user_id"] = str(users.admin.pk)
    assert uploads.kept_upload(session, users.admin.pk) is None


def test_a_file_refused_whole_is_not_kept(client_for: Any, data_dir: Path) -> None:
    response = send(client_for("controle"), "values", "vide.csv", "")
    assert response.status_code == 400
    assert "Fichier reçu" not in text(response)
    assert not (data_dir / "uploads").exists() or stored(data_dir) == []


def test_a_kept_file_goes_after_a_day(client_for: Any, data_dir: Path) -> None:
    client = client_for("controle")
    send(client, "values", "vieux.csv", BAD)
    [kept] = stored(data_dir)
    old = time.time() - uploads.MAX_AGE.total_seconds() - 60
    os.utime(kept, (old, old))
    assert uploads.purge_stale() == 1
    assert "Fichier reçu" not in text(client.get("/import/"))
