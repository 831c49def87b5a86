"""« Réseau »: the network page, the comparison of an indicator, their JSON and the API routes;
network users only (a caisse's user gets 403, and the menu has no « Réseau » for them)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from cpog.web.models import ApiToken, UserScope


@pytest.fixture
def network(steering_data: Any) -> Any:
    from cpog.store.network_demo import load_network_demo

    return load_network_demo(steering_data, date(2026, 11, 27), 3)


def _as_network_user(user: Any) -> None:
    UserScope.objects.update_or_create(user=user, defaults={"network": True, "caisse_code": ""})


def test_a_network_user_sees_the_network_and_compares(network: Any, users: Any) -> None:
    _as_network_user(users.lecteur)
    client = Client()
    client.force_login(users.lecteur)
    page = client.get("/reseau/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Réseau des caisses" in text and "Caf de l&#x27;Ain" in text
    assert 'href="/reseau/"' in text  # the menu entry
    comparison = client.get("/reseau/indicateurs/COG 08-29/", {"caisse": "79"})
    assert comparison.status_code == 200
    html = comparison.content.decode()
    assert (
        "Valeur nationale" in html
        and "caisse choisie" in html
        and 'data-chart="spec-reseau"' in html
    )
    document = client.get("/reseau/indicateurs/cog-08-29/", {"format": "json"})
    data = json.loads(document.content)
    assert data["contenu"]["code"] == "COG 08-29" and len(data["contenu"]["lignes"]) == 3
    assert data["contenu"]["valeur_nationale"]["valeur"] is not None
    assert client.get("/reseau/indicateurs/XX/").status_code == 404
    assert client.get("/reseau/indicateurs/cog-08-29/", {"periode": "treize"}).status_code == 400


def test_a_caisse_user_is_refused_the_network(network: Any, users: Any, client_for: Any) -> None:
    client = client_for("admin")  # the installation's own caisse: not the network
    assert client.get("/reseau/").status_code == 403
    assert client.get("/reseau/indicateurs/cog-08-29/").status_code == 403
    assert 'href="/reseau/"' not in client.get("/").content.decode()
    UserScope.objects.create(user=users.pilote, caisse_code="01")
    other = client_for("pilote")
    assert other.get("/reseau/").status_code == 403


def test_a_page_cached_for_a_network_user_is_not_served_to_a_caisse_user(
    network: Any, users: Any, client_for: Any
) -> None:
    _as_network_user(users.controle)
    network_client = client_for("controle")
    assert network_client.get("/reseau/").status_code == 200
    assert 'href="/reseau/"' in network_client.get("/").content.decode()
    other = client_for("lecteur")
    assert other.get("/reseau/").status_code == 403
    assert 'href="/reseau/"' not in other.get("/").content.decode()


def test_the_api_routes_of_the_network(network: Any, users: Any) -> None:
    _, key = ApiToken.issue(users.lecteur, "réseau")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    refused = client.get("/api/v1/reseau/caisses")
    assert refused.status_code == 403 and refused.json()["ok"] is False
    assert client.get("/api/v1/reseau/indicateurs/cog-08-29").status_code == 403
    _as_network_user(users.lecteur)
    listing = client.get("/api/v1/reseau/caisses")
    assert listing.status_code == 200
    assert [r["code"] for r in listing.json()["lignes"]] == ["01", "02", "79"]
    compared = client.get("/api/v1/reseau/indicateurs/COG 08-29", {"caisse": "79"})
    assert compared.status_code == 200
    body = compared.json()
    assert body["quartiles"]["mediane"] is not None and body["caisse_choisie"] == "79"
    assert client.get("/api/v1/reseau/indicateurs/XX").status_code == 404


@pytest.mark.skipif(
    __import__("shutil").which("pdftotext") is None, reason="pdftotext (poppler-utils) absent"
)
@pytest.mark.parametrize(
    ("path", "title"),
    [("/reseau/", "Réseau des caisses"), ("/reseau/indicateurs/cog-08-29/", "COG 08-29")],
)
def test_the_network_pages_are_documents_too(
    network: Any, users: Any, path: str, title: str, tmp_path: Any
) -> None:
    import subprocess

    _as_network_user(users.lecteur)
    client = Client()
    client.force_login(users.lecteur)
    data = json.loads(client.get(path, {"format": "json"}).content)
    assert title in data["titre"] and data["contenu"]
    pdf = client.get(path, {"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    (tmp_path / "page.pdf").write_bytes(pdf.content)
    printed = subprocess.run(
        ["pdftotext", "-raw", str(tmp_path / "page.pdf"), "-"],
        capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip
    assert title in printed and "Ain" in printed


def test_the_situation_is_kept_in_a_store_of_several_caisses(network: Any, rf: Any) -> None:
    """The latest contract version is another caisse's: the installation's situation is still
    kept between requests (it was recomputed on every page)."""
    from django.contrib.auth.models import AnonymousUser

    from cpog.web.views import common

    def request() -> Any:
        found = rf.get("/")
        found.user = AnonymousUser()  # the installation's caisse
        return found

    common._LATEST.clear()
    first = common.steering(request())
    assert first.contract.organisation.code == "79"
    assert common.steering(request()) is first
