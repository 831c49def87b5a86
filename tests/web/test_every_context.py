"""Every page's context rendered three ways — the HTML page, its JSON and its PDF — with the same
figures and words: what a user reads on the screen, what a program reads, what a meeting prints."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cpog.contexts.serialize import to_data
from cpog.contexts.situation import situation
from cpog.contexts.status_rows import status_row
from cpog.store.reader import StoreReader

# (page, what its title must read in the three renderings)
PAGES = [
    ("/", "Tableau de bord"),
    ("/contrat/", "Contrat"),
    ("/defis/", "Défis"),
    ("/defis/3/", "Défi n°3"),
    ("/indicateurs/", "Indicateurs"),
    ("/indicateurs/cog-08-25/", "Taux de réclamations traitées dans le délai de 10 jours"),
    ("/mesures/d06-r3-indus-ppa-rsa-aah/", "indus"),
    ("/actions/", "Actions"),
    ("/historique/", "Historique"),
]

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) absent"
)


def _words(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True
    )
    return _words(out.stdout)


def _strings(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return [data] if isinstance(data, str) else []


@needs_pdftotext
@pytest.mark.parametrize(("path", "title"), PAGES)
def test_each_page_is_also_json_and_pdf(
    client_for: Any, path: str, title: str, tmp_path: Path
) -> None:
    admin_client: Client = client_for("admin")
    html = admin_client.get(path)
    assert html.status_code == 200
    page_text = _words(html.content.decode())
    assert title in page_text
    assert "?format=pdf" in page_text and "?format=json" in page_text

    document = admin_client.get(path, {"format": "json"})
    assert document.status_code == 200 and document["Content-Type"] == "application/json"
    data = json.loads(document.content)
    assert title in data["titre"]
    assert data["date_de_situation"] == "2026-11-27"
    assert data["contenu"]  # the page's context, French field names
    assert not {"status", "label", "value", "subject_id"} & set(data["contenu"])

    pdf = admin_client.get(path, {"format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    printed = _pdf_text(pdf.content, tmp_path)
    assert title in printed
    # figures of the page are in the print: a few of the context's longer French texts
    texts = [s for s in _strings(data["contenu"]) if 12 < len(s) < 60 and "\n" not in s]
    assert texts, path
    found = [t for t in texts[:40] if _words(t) in printed]
    assert len(found) >= min(5, len(texts[:40])) // 2, (path, texts[:10])


def test_the_json_of_a_page_is_the_api_s_status_row(client_for: Any, steering_data: Any) -> None:
    """The indicator page's JSON holds the same status row as the API and the CLI."""
    admin_client: Client = client_for("admin")
    data = json.loads(admin_client.get("/indicateurs/cog-08-25/", {"format": "json"}).content)
    expected = to_data(
        status_row(
            situation(StoreReader(), steering_data, date(2026, 11, 27)).status.row("cog-08-25")
        )
    )
    rows = [
        v for v in _dicts(data["contenu"]) if v.get("identifiant") == "cog-08-25" and "statut" in v
    ]
    assert expected in rows


def _dicts(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        return [data, *[d for v in data.values() for d in _dicts(v)]]
    if isinstance(data, list):
        return [d for v in data for d in _dicts(v)]
    return []


def test_a_reader_gets_the_documents_too(client_for: Any) -> None:
    client: Client = client_for("lecteur")
    assert client.get("/defis/3/", {"format": "json"}).status_code == 200
    assert client.get("/defis/3/", {"format": "xml"}).status_code == 200  # the page itself
    client.logout()
    assert client.get("/defis/3/", {"format": "json"}).status_code == 302  # login first
