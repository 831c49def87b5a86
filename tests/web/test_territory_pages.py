"""Territories through the web: the API's optional « territoire » field, and the dashboard,
the indicator list and an indicator's page read at a territory (``?territoire=``)."""

from __future__ import annotations

import json
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cpog.periods import parse_period
from cpog.store.models import Measurement, Target
from cpog.web.models import ApiToken

URL = "/api/v1"
NIORTAIS = "200041317"
BOCAGE = "200040244"


def _token_client(users: Any, who: str) -> Client:
    _, key = ApiToken.issue(getattr(users, who), f"jeton de {who}")
    return Client(headers={"Authorization": f"Bearer {key}"})


def _post(client: Client, path: str, body: Any) -> Any:
    return client.post(f"{URL}{path}", data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_api_writes_values_and_targets_at_a_territory(users: Any) -> None:
    client = _token_client(users, "controle")
    before = Measurement.objects.filter(scope_type="territory").count()
    response = _post(
        client,
        "/values",
        [
            {
                "identifiant": "cog-08-29",
                "periode": "mars 2025",
                "numerateur": 30,
                "denominateur": 2,
                "territoire": NIORTAIS,
            }
        ],
    )
    assert response.status_code == 200, response.json()
    stored = Measurement.objects.get(scope_type="territory", scope_code=NIORTAIS)
    assert (stored.subject_id, stored.value) == ("cog-08-29", Decimal("15"))
    assert Measurement.objects.filter(scope_type="territory").count() == before + 1
    unknown = _post(
        client,
        "/values",
        [{"identifiant": "cog-08-29", "periode": "mars 2025", "valeur": 3, "territoire": "1"}],
    )
    assert unknown.status_code == 422
    [error] = unknown.json()["errors"]
    assert (error["item"], error["field"], error["value"]) == (1, "territoire", "1")
    assert error["message"].startswith("Territoire inconnu : « 1 »")
    target = _post(
        client,
        "/targets",
        [
            {
                "identifiant": "cog-08-29",
                "annee": 2026,
                "valeur": 12,
                "type_de_cible": "fixée",
                "provenance": "CPOG",
                "territoire": "79191",
            }
        ],
    )
    assert target.status_code == 200, target.json()
    assert Target.objects.get(scope_code="79191").scope_type == "territory"


def _territory_values(contract_id: str) -> None:
    from cpog.store.values import NewValue, record_values

    for code, top, bottom in ((NIORTAIS, 30, 2), (BOCAGE, 40, 2)):
        record_values(
            contract_id,
            code,
            [
                NewValue(
                    "indicator",
                    "cog-08-29",
                    parse_period("2026-10"),
                    Decimal(top) / Decimal(bottom),
                    Decimal(top),
                    Decimal(bottom),
                )
            ],
            source="import",
            user="test",
            scope_type="territory",
        )


@pytest.mark.django_db
def test_pages_read_at_a_territory(client_for: Any, steering_data: Any) -> None:
    _territory_values(steering_data.id)
    client = client_for("lecteur")
    page = client.get("/", {"territoire": NIORTAIS})
    assert page.status_code == 200
    html = unescape(page.content.decode())
    assert "Territoire : Communauté d'agglomération du Niortais (EPCI, CA)" in html
    assert 'href="/">revenir à la caisse (Caf des Deux-Sèvres)</a>' in html
    assert "Territoire :" not in client.get("/").content.decode()
    listing = unescape(client.get("/indicateurs/", {"territoire": NIORTAIS}).content.decode())
    assert "bandeau-territoire" in listing and "COG 08-29" in listing
    assert f'name="territoire" value="{NIORTAIS}"' in listing  # the filters keep it
    document = client.get("/indicateurs/", {"territoire": NIORTAIS, "format": "json"}).json()
    assert document["territoire"] == {
        "code": NIORTAIS,
        "nom": "Communauté d'agglomération du Niortais",
        "nature": "epci",
    }
    assert [r["code"] for g in document["contenu"]["familles"] for r in _rows(g)] == ["COG 08-29"]
    assert "territoire" not in client.get("/indicateurs/", {"format": "json"}).json()
    unknown = client.get("/", {"territoire": "99999"})
    assert unknown.status_code == 404
    assert "Territoire inconnu : « 99999 »" in unescape(unknown.content.decode())


def _rows(data: Any) -> list[dict[str, Any]]:
    """Every status row under a family of the indicator list's JSON, wherever it nests."""
    found = []
    if isinstance(data, dict):
        if "code" in data and "statut" in data:
            return [data]
        for value in data.values():
            found += _rows(value)
    elif isinstance(data, list):
        for value in data:
            found += _rows(value)
    return found


@pytest.mark.django_db
def test_an_indicator_page_by_territory(client_for: Any, steering_data: Any) -> None:
    _territory_values(steering_data.id)
    client = client_for("admin")
    html = unescape(client.get("/indicateurs/cog-08-29/").content.decode())
    assert 'id="par-territoire"' in html and 'id="carte-par-territoire"' in html
    assert "Valeurs par EPCI, octobre 2026 — agrégation : ratio des sommes" in html
    assert "15\u00a0jours" in html and "20\u00a0jours" in html
    at = unescape(client.get("/indicateurs/cog-08-29/", {"territoire": "dep-79"}).content.decode())
    assert "Territoire : Deux-Sèvres (département)" in at
    assert 'name="action" value="value"' not in at  # no entry form at a territory
    assert "17,5\u00a0jours" in at  # (30 + 40) / (2 + 2)
    missing = client.get("/indicateurs/cog-01-11/", {"territoire": NIORTAIS})
    assert missing.status_code == 404
    assert "avec une valeur pour Communauté d'agglomération du Niortais" in unescape(
        missing.content.decode()
    )


@pytest.mark.django_db
def test_the_import_page_previews_and_confirms_territory_lines(
    client_for: Any, settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path  # uploads, and no ctg.yaml
    client = client_for("controle")
    content = (
        "identifiant;période;valeur;numérateur;dénominateur;territoire\n"
        f"COG 08-29;03/2024;12,5;25;2;{NIORTAIS}\n"
        "COG 08-29;03/2024;13;;;\n"
    ).encode()
    upload = SimpleUploadedFile("territoires.csv", content, content_type="text/csv")
    response = client.post("/import/", {"etape": "verifier", "kind": "values", "file": upload})
    assert response.status_code == 200
    body = unescape(response.content.decode())
    assert "Confirmer l'import" in body and "2 changements sur 2 lignes" in body
    assert f"— territoire {NIORTAIS}" in body
    [stored] = sorted((tmp_path / "uploads").iterdir())
    response = client.post(
        "/import/",
        {"etape": "confirmer", "kind": "values", "stored": stored.name, "name": "t.csv"},
    )
    assert response.status_code == 302
    scopes = set(
        Measurement.objects.filter(period_key="2024-03", subject_id="cog-08-29").values_list(
            "scope_type", "scope_code", "value"
        )
    )
    assert ("territory", NIORTAIS, Decimal("12.5")) in scopes
    assert ("caisse", "79", Decimal("13")) in scopes
    bad = SimpleUploadedFile(
        "mauvais.csv", b"identifiant;periode;valeur;territoire\nCOG 08-29;03/2024;12;ctg-x\n"
    )
    response = client.post("/import/", {"etape": "verifier", "kind": "values", "file": bad})
    assert response.status_code == 400
    assert "Territoire inconnu : « ctg-x »" in unescape(response.content.decode())


@pytest.mark.django_db
def test_api_statuses_at_a_territory(users: Any, steering_data: Any) -> None:
    _territory_values(steering_data.id)
    client = _token_client(users, "lecteur")
    rows = client.get(f"{URL}/statuses", {"territoire": "dep-79"}).json()
    by_id = {r["identifiant"]: r for r in rows}
    assert set(by_id) == {"cog-08-29", "d05-r2-delai-prestations"}
    assert by_id["cog-08-29"]["valeur_courante"]["valeur"] == 17.5  # (30 + 40) / (2 + 2)
    assert len(client.get(f"{URL}/statuses").json()) > 40  # the caisse's, as before
    unknown = client.get(f"{URL}/statuses", {"territoire": "ctg-inconnue"})
    assert unknown.status_code == 400
    [error] = unknown.json()["errors"]
    assert (error["field"], error["value"]) == ("territoire", "ctg-inconnue")
