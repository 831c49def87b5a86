"""The API within bounds: rights checked before the body is read, a capped number of items and
body size (413 in the API's JSON error shape, nothing logged as an error), a capped error list,
and an OpenAPI document that says which periods, dates and identifiers are accepted."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client

from cpog.store.models import AuditEvent, Measurement
from cpog.web.models import ApiToken

URL = "/api/v1"
EMPTY_ITEMS = "[" + ",".join(["{}"] * 800_000) + "]"  # the 2,4 MB body that took 37 s


def client_of(users: Any, who: str) -> Client:
    _, key = ApiToken.issue(getattr(users, who), f"jeton de {who}")
    return Client(headers={"Authorization": f"Bearer {key}"})


def post(client: Client, path: str, body: str) -> Any:
    return client.post(f"{URL}{path}", data=body, content_type="application/json")


def no_error_logged(caplog: pytest.LogCaptureFixture) -> bool:
    return not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["ok"] is False and body["status"] == status and body["error"]
    return body


@pytest.mark.parametrize(("who", "path"), [("lecteur", "/values"), ("pilote", "/targets")])
def test_rights_are_checked_before_the_body_is_read(
    users: Any, who: str, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = client_of(users, who)
    body = assert_problem(post(client, path, EMPTY_ITEMS), 403)
    assert body["error"].startswith("Vous n'avez pas le droit")
    # Not even read: a body that is not JSON gets the same answer, not « illisible ».
    assert assert_problem(post(client, path, "pas du JSON"), 403)["error"] == body["error"]
    assert no_error_logged(caplog)


def test_a_body_beyond_the_limit_gets_413_in_json_without_being_read(
    users: Any, caplog: pytest.LogCaptureFixture
) -> None:
    before = (Measurement.objects.count(), AuditEvent.objects.count())
    client = client_of(users, "controle")
    body = assert_problem(post(client, "/values", EMPTY_ITEMS + " " * 700_000), 413)
    assert body["error"].startswith("Corps de la requête de 3 Mo : au plus 2 Mo acceptés")
    assert "5\u202f000 au plus chacune" in body["error"]
    assert (Measurement.objects.count(), AuditEvent.objects.count()) == before
    assert no_error_logged(caplog)


def test_more_items_than_allowed_are_refused_before_they_are_validated(users: Any) -> None:
    client = client_of(users, "controle")
    item = {"identifiant": "cog-01-11", "periode": "2021", "valeur": "12"}
    body = assert_problem(post(client, "/values", json.dumps([item] * 5_001)), 422)
    assert body["errors"] == [
        {
            "item": None,
            "field": "",
            "value": "",
            "message": "liste trop longue : au plus 5\u202f000 éléments par requête",
        }
    ]


def test_the_error_list_is_capped_and_gives_the_total(users: Any) -> None:
    client = client_of(users, "controle")
    items = [{"identifiant": "inconnu", "periode": "2021", "valeur": "douze"}] * 300
    body = assert_problem(post(client, "/values", json.dumps(items)), 422)
    assert body["error"] == "600 erreurs : rien n'a été enregistré. Les 200 premières sont listées."
    assert len(body["errors"]) == 200
    # Shape errors too: two unknown fields, identifiant and periode missing, for 1 000 items.
    shapes = [{"item": None, "field": "subject"}] * 1_000
    body = assert_problem(post(client, "/values", json.dumps(shapes)), 422)
    assert len(body["errors"]) == 200
    assert body["error"] == (
        "La requête ne respecte pas le format attendu."
        " 4\u202f000 erreurs ; les 200 premières sont listées."
    )


def test_the_openapi_document_tells_the_accepted_forms(users: Any) -> None:
    schema = client_of(users, "lecteur").get(f"{URL}/openapi.json").json()
    value_in = schema["components"]["schemas"]["ValueIn"]["properties"]
    for form in ("2025-03", "03/2025", "T1 2025", "cumul à fin mars 2025"):
        assert form in value_in["periode"]["description"]
    assert value_in["periode"]["examples"][0] == "2025"
    assert value_in["identifiant"]["pattern"] == "^[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}$"
    assert "COG 08-29" in value_in["identifiant"]["examples"]
    body = schema["paths"]["/api/v1/values"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["maxItems"] == 5_000
    statuses = schema["paths"]["/api/v1/statuses"]["get"]["parameters"]
    as_of = next(p for p in statuses if p["name"] == "date_de_situation")
    assert "27/11/2026" in as_of["description"] and "2026-11-27" in as_of["description"]
    assert "413" in schema["paths"]["/api/v1/values"]["post"]["responses"]
    assert "5\u202f000 éléments par requête" in schema["info"]["description"]
