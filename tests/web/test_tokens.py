"""API tokens for real (decision 008): the « Mes jetons d'accès » page, expiry and revocation
enforced by the API, the last use noted cheaply, the admin consistent with the page, the audit
trail."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cpog.store.models import AuditEvent
from cpog.web import tokens
from cpog.web.models import ApiToken

API = "/api/v1/indicators"


@pytest.fixture
def steering_data(db: None) -> Any:
    """The contract without the demo values: tokens need users, not numbers (and it is faster)."""
    from cpog.contract import default_contract_path
    from cpog.store.contracts import current_contract, load_contract_version

    load_contract_version(default_contract_path(), "test:setup")
    return current_contract()[1]


KEY = re.compile(r"cpog_[A-Za-z0-9_-]{40,}")


def html_text(response: Any) -> str:
    return unescape(response.content.decode())


def api_get(key: str) -> Any:
    return Client(headers={"Authorization": f"Bearer {key}"}).get(API)


def test_a_reader_creates_a_token_shown_once_then_calls_the_api(client_for: Any) -> None:
    client = client_for("lecteur")
    page = client.get("/jetons/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mes jetons d'accès" in html and "Aucun jeton pour l'instant." in html
    assert 'for="id_name"' in html and 'for="id_expires_on"' in html  # labelled fields
    assert "le 25/02/2027 si laissé vide" in html  # 90 days after 27/11/2026

    created = client.post("/jetons/", {"name": "  tableur   du contrôle ", "expires_on": ""})
    assert created.status_code == 200
    assert created["Cache-Control"].startswith("max-age=0")  # never cached: the key is in it
    html = created.content.decode()
    keys = set(KEY.findall(html))
    assert len(keys) == 1
    key = keys.pop()
    assert "il ne sera plus jamais affiché" in html
    token = ApiToken.objects.get()
    assert token.name == "tableur du contrôle"
    assert token.key_hash == ApiToken.digest(key) and key not in token.key_hash
    assert token.expires_on == date(2027, 2, 25)

    listed = client.get("/jetons/").content.decode()
    assert key not in listed and not KEY.search(listed)  # never shown again
    assert "tableur du contrôle" in listed and "25/02/2027" in listed and "jamais" in listed

    assert api_get(key).status_code == 200
    assert "jamais" not in client.get("/jetons/").content.decode().split("<tbody>")[1]

    event = AuditEvent.objects.get(entity_type="api_token")
    assert (event.action, event.user, event.entity_id) == ("create", "lecteur", str(token.pk))
    assert key not in str(event.after)
    history = html_text(client.get("/historique/"))
    assert "Jeton d'accès à l'API « tableur du contrôle » de lecteur" in history
    assert "valable jusqu'au 25/02/2027 (création)" in history
    assert "Jeton d'accès" not in html_text(client.get("/"))  # not a steering update


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "   "}, "Nom du jeton : champ obligatoire."),
        ({"name": "x", "expires_on": "26/11/2026"}, "le 26/11/2026 est passé"),
        ({"name": "x", "expires_on": "28/11/2027"}, "un jeton vaut 365 jours au plus"),
        ({"name": "x", "expires_on": "31/02/2027"}, "Valable jusqu'au :"),
        ({"name": "x" * 101}, "Nom du jeton : 101 caractères, 100 au plus"),
    ],
)
def test_a_bad_token_form_is_refused_in_french(
    client_for: Any, fields: dict[str, str], message: str
) -> None:
    response = client_for("pilote").post("/jetons/", fields)
    assert response.status_code == 400
    html = html_text(response)
    assert message in html and "rien n'a été enregistré" in html
    assert not KEY.search(html)
    assert (
        not ApiToken.objects.exists()
        and not AuditEvent.objects.filter(entity_type="api_token").exists()
    )


def test_the_last_day_counts_and_the_next_day_is_refused_in_french(users: Any, today: Any) -> None:
    _, key = ApiToken.issue(users.lecteur, "script", expires_on=date(2026, 11, 30))
    today("30/11/2026")
    assert api_get(key).status_code == 200  # valid up to and including its last day
    today("01/12/2026")
    response = api_get(key)
    assert response.status_code == 401
    body = response.json()
    assert body["ok"] is False and body["status"] == 401
    assert body["error"].startswith(
        "Jeton « script » expiré : il était valable jusqu'au 30/11/2026"
    )
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoking_asks_confirmation_then_the_api_refuses_the_token(client_for: Any) -> None:
    client = client_for("controle")
    client.post("/jetons/", {"name": "BI"})
    token = ApiToken.objects.get()
    _, key = token, None
    # A fresh key for the same stored token: the page showed the real one only once.
    key = ApiToken.new_key()
    ApiToken.objects.filter(pk=token.pk).update(key_hash=ApiToken.digest(key))
    assert api_get(key).status_code == 200

    confirm = client.get(f"/jetons/{token.pk}/revoquer/")
    assert confirm.status_code == 200
    assert "Révoquer ce jeton" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # a GET changes nothing

    done = client.post(f"/jetons/{token.pk}/revoquer/", follow=True)
    assert done.redirect_chain[-1][0] == "/jetons/"
    assert "Jeton « BI » révoqué" in done.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == "controle"
    refused = api_get(key)
    assert refused.status_code == 401
    assert "révoqué le" in refused.json()["error"]
    again = client.post(f"/jetons/{token.pk}/revoquer/", follow=True)
    assert "était déjà révoqué" in again.content.decode()
    actions = list(
        AuditEvent.objects.filter(entity_type="api_token").order_by("id").values_list("action")
    )
    assert actions == [("create",), ("revoke",)]


def test_nobody_sees_or_revokes_someone_elses_token(users: Any, client_for: Any) -> None:
    token, _ = ApiToken.issue(users.lecteur, "à moi")
    client = client_for("admin")  # even an administrator: that is the admin's job
    assert "à moi" not in client.get("/jetons/").content.decode()
    assert client.get(f"/jetons/{token.pk}/revoquer/").status_code == 404
    assert client.post(f"/jetons/{token.pk}/revoquer/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_page_needs_signing_in(users: Any) -> None:
    response = Client().get("/jetons/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")
    assert Client().post("/jetons/", {"name": "x"}).status_code in (302, 403)
    assert not ApiToken.objects.exists()


def test_the_last_use_is_written_at_most_once_a_minute(users: Any) -> None:
    token, key = ApiToken.issue(users.lecteur, "boucle")
    api_get(key)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api_get(key)
    token.refresh_from_db()
    assert token.last_used_at == first
    earlier = timezone.now() - tokens.LAST_USE_STEP - timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    api_get(key)
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > earlier


def test_the_admin_lists_and_revokes_but_never_deletes(users: Any, client_for: Any) -> None:
    active, key = ApiToken.issue(users.pilote, "actif")
    expired, _ = ApiToken.issue(users.lecteur, "ancien", expires_on=date(2026, 11, 1))
    client = client_for("admin")
    listing = client.get("/admin/web/apitoken/").content.decode()
    assert "actif" in listing and "expiré" in listing
    assert "ancien" not in client.get("/admin/web/apitoken/?etat=actif").content.decode()
    assert "delete_selected" not in listing
    added = client.get("/admin/web/apitoken/add/", follow=True)
    assert added.redirect_chain[-1][0] == "/jetons/"
    assert "cpog token create" in added.content.decode()
    response = client.post(
        "/admin/web/apitoken/",
        {"action": "revoke_selected", "_selected_action": [active.pk, expired.pk]},
        follow=True,
    )
    assert "2 jetons révoqués" in response.content.decode()
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 2
    assert {e.user for e in AuditEvent.objects.filter(action="revoke")} == {"admin"}
    assert api_get(key).status_code == 401
    assert client.post(f"/admin/web/apitoken/{active.pk}/delete/").status_code == 403
    assert ApiToken.objects.count() == 2


def test_the_user_menu_links_to_the_page(client_for: Any) -> None:
    html = client_for("lecteur").get("/").content.decode()
    assert '<a href="/jetons/"' in html and "Mes jetons d'accès" in html


def test_the_openapi_description_tells_how_to_get_and_send_a_token(users: Any) -> None:
    description = " ".join(
        Client().get("/api/v1/openapi.json").json()["info"]["description"].split()
    )
    assert "Mes jetons d'accès" in description and "cpog token create" in description
    assert "Authorization: Bearer cpog_" in description and "curl" in description


@pytest.mark.django_db(transaction=True)
def test_tokens_issued_before_the_migration_get_the_default_validity() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("web", "0001_initial")])
    old_apps = executor.loader.project_state([("web", "0001_initial")]).apps
    owner = old_apps.get_model("auth", "User").objects.create(username="ancien")
    old_apps.get_model("web", "ApiToken").objects.create(
        user_id=owner.pk, name="d'avant", key_hash="0" * 64
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    token = ApiToken.objects.get(name="d'avant")
    assert token.expires_on == date(2027, 2, 25)  # 27/11/2026 + 90 days: no script stops
    assert token.revoked_at is None and tokens.state_of(token) == "actif"
