"""The REST API /api/v1: schema, authentication, roles, validation as imports, statuses."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from openapi_spec_validator import validate

from cpog.store.models import AuditEvent, Measurement, Target
from cpog.web.models import ApiToken

URL = "/api/v1"


def _client(users: Any, who: str) -> Client:
    _, key = ApiToken.issue(getattr(users, who), f"jeton de {who}")
    return Client(headers={"Authorization": f"Bearer {key}"})


def _post(client: Client, path: str, body: Any) -> Any:
    return client.post(f"{URL}{path}", data=json.dumps(body), content_type="application/json")


def _measurements() -> int:
    return Measurement.objects.count()


# --- schema -------------------------------------------------------------------------------


def test_openapi_schema_is_valid_and_french(users: Any) -> None:
    response = Client().get(f"{URL}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["info"]["title"] == "cpog — API du CPOG"
    assert "Authentification" in schema["info"]["description"]
    tags = {"Contrat", "Indicateurs", "Valeurs", "Cibles", "Statuts"}
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) == 10
    for operation in operations:
        assert operation["summary"] and operation["tags"]
        assert set(operation["tags"]) <= tags
        assert {"401", "403", "404", "422"} <= set(operation["responses"])
        assert operation["responses"]["403"]["description"] == "Droits insuffisants"
    assert {t for op in operations for t in op["tags"]} == tags
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


# --- authentication -----------------------------------------------------------------------


def test_token_authenticates_and_records_use(users: Any) -> None:
    token, key = ApiToken.issue(users.lecteur, "tableur")
    assert token.last_used_at is None
    assert ApiToken.objects.get().key_hash == ApiToken.digest(key) != key
    response = Client(headers={"Authorization": f"Bearer {key}"}).get(f"{URL}/indicators")
    assert response.status_code == 200
    assert len(response.json()) == 36
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header", [None, "Bearer cpog_faux", "Bearer n-importe-quoi", "Basic YWRtaW46YWRtaW4="]
)
def test_missing_or_bad_token_is_401_in_french(users: Any, header: str | None) -> None:
    client = Client(headers={"Authorization": header} if header else {})
    response = client.get(f"{URL}/indicators")
    assert response.status_code == 401
    body = response.json()
    assert body["ok"] is False and body["status"] == 401
    assert "Authentification requise" in body["error"]
    assert body["errors"] == []
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_of_inactive_user_is_refused(users: Any) -> None:
    client = _client(users, "lecteur")
    users.lecteur.is_active = False
    users.lecteur.save()
    assert client.get(f"{URL}/indicators").status_code == 401


def test_session_reads_but_does_not_write(client_for: Any) -> None:
    client = client_for("controle")
    assert client.get(f"{URL}/indicators").status_code == 200
    response = _post(client, "/values", [{"subject": "cog-01-11", "period": "2024", "value": 1}])
    assert response.status_code == 401


# --- reading ------------------------------------------------------------------------------


def test_contract_is_the_normalised_json(users: Any, steering_data: Any) -> None:
    response = _client(users, "lecteur").get(f"{URL}/contract")
    assert response.status_code == 200
    assert response.json() == steering_data.model_dump(mode="json")
    assert "charset=utf-8" in response["Content-Type"]


def test_indicators_list_and_detail(users: Any) -> None:
    client = _client(users, "lecteur")
    rows = client.get(f"{URL}/indicators").json()
    first = next(r for r in rows if r["id"] == "cog-08-29")
    assert first["code"] == "COG 08-29"
    assert {"family", "group", "nature", "type", "unit", "direction", "target_kind"} <= set(first)
    assert "target_as_written" in first
    detail = client.get(f"{URL}/indicators/COG 08-29")
    assert detail.status_code == 200
    assert detail.json()["id"] == "cog-08-29"
    assert detail.json()["challenges"] == [5, 6]
    missing = client.get(f"{URL}/indicators/cog-99-99")
    assert missing.status_code == 404
    assert missing.json() == {
        "ok": False,
        "status": 404,
        "error": "Indicateur inconnu dans le contrat : « cog-99-99 ».",
        "errors": [],
    }


def test_targets_and_values_filters(users: Any) -> None:
    client = _client(users, "lecteur")
    targets = client.get(f"{URL}/targets", {"subject": "COG 08-29"}).json()
    assert targets and {t["subject_id"] for t in targets} == {"cog-08-29"}
    assert all(t["provenance"] == "démonstration" for t in targets)
    values = client.get(
        f"{URL}/values",
        {"subject": "cog-08-29", "period_from": "2024", "period_to": "juin 2024"},
    ).json()
    assert [v["period"] for v in values] == [f"2024-{m:02d}" for m in range(1, 7)]
    assert values[0]["period_label"] == "janvier 2024"
    assert all(
        {"numerator", "status", "source", "recorded_by", "recorded_at"} <= set(v) for v in values
    )
    assert values[0]["status"] in ("provisoire", "définitive")
    bad = client.get(f"{URL}/values", {"period_from": "13/2025"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "period_from"
    assert "13/2025" in bad.json()["error"]
    unknown = client.get(f"{URL}/values", {"subject": "inconnu"})
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "Identifiant inconnu dans le contrat : « inconnu »."


def test_statuses_for_every_indicator_and_measure(users: Any) -> None:
    client = _client(users, "lecteur")
    response = client.get(f"{URL}/statuses", {"as_of": "2026-06-30"})
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 78
    assert sum(r["subject_type"] == "indicator" for r in rows) == 36
    french = {
        "atteint",
        "en_avance",
        "conforme",
        "a_surveiller",
        "en_retard",
        "non_renseigne",
        "sans_cible",
    }
    assert {r["status"] for r in rows} <= french
    assert {r["status_label"] for r in rows} & {"Atteint", "Conforme", "À surveiller", "En retard"}
    row = next(r for r in rows if r["subject_id"] == "cog-08-29")
    assert row["as_of"] == "2026-06-30"
    assert row["current"]["period"] == row["period"]
    assert row["targets"] and row["lateness"]["expected_period"]
    assert {"expected", "progress_annual", "progress_global", "projection"} <= set(row)
    bad = client.get(f"{URL}/statuses", {"as_of": "31/02/2026"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "as_of"


def test_challenge_status_rolls_up(users: Any) -> None:
    client = _client(users, "lecteur")
    body = client.get(f"{URL}/challenges/1/status").json()
    assert body["number"] == 1
    assert body["status"] in {"conforme", "a_surveiller", "en_retard", "non_renseigne"}
    assert body["n_expected"] >= 1
    assert any(s["subject_id"] == "cog-01-11" for s in body["subjects"])
    missing = client.get(f"{URL}/challenges/42/status")
    assert missing.status_code == 404
    assert missing.json()["error"] == "Défi inconnu dans le contrat : n°42."


def test_history_lists_every_revision(users: Any) -> None:
    client = _client(users, "controle")
    for value in ("41,5", "42,5"):
        response = _post(
            client, "/values", [{"subject": "cog-01-11", "period": "2021", "value": value}]
        )
        assert response.json() == {"ok": True, "written": 1, "unchanged": 0}
    rows = client.get(f"{URL}/values/COG 01-11/history").json()
    in_2021 = [r for r in rows if r["period"] == "2021"]
    assert [(r["value"], r["current"]) for r in in_2021] == [(41.5, False), (42.5, True)]
    events = AuditEvent.objects.filter(entity_id="indicator:cog-01-11:2021").order_by("id")
    assert [(e.action, e.user, (e.before or {}).get("value")) for e in events] == [
        ("create", "controle", None),
        ("revise", "controle", "41.500000"),
    ]
    assert client.get(f"{URL}/values/inconnu/history").status_code == 404


# --- writing values -----------------------------------------------------------------------


def test_lecteur_cannot_post_values(users: Any) -> None:
    before = _measurements()
    response = _post(
        _client(users, "lecteur"),
        "/values",
        [{"subject": "cog-01-11", "period": "2024", "value": 50}],
    )
    assert response.status_code == 403
    body = response.json()
    assert body["ok"] is False and body["status"] == 403
    assert body["error"] == "Vous n'avez pas le droit de saisir des valeurs."
    assert _measurements() == before


def test_pilot_writes_only_the_values_of_their_challenge(users: Any) -> None:
    client = _client(users, "pilote")
    ok = _post(client, "/values", [{"subject": "cog-01-11", "period": "2021", "value": "55,5"}])
    assert ok.status_code == 200, ok.json()
    assert ok.json() == {"ok": True, "written": 1, "unchanged": 0}
    row = Measurement.objects.get(subject_id="cog-01-11", period_key="2021")
    assert (row.value, row.source, row.recorded_by) == (Decimal("55.5"), "api", "pilote")
    event = AuditEvent.objects.get(entity_id="indicator:cog-01-11:2021")
    assert (event.user, event.action, event.context) == ("pilote", "create", "api")

    before = _measurements()
    refused = _post(
        client,
        "/values",
        [
            {"subject": "cog-01-11", "period": "2021", "value": 56},
            {"subject": "COG 08-29", "period": "2021-01", "value": 12},
        ],
    )
    assert refused.status_code == 403
    body = refused.json()
    assert body["errors"] == [
        {
            "item": 2,
            "field": "subject",
            "value": "COG 08-29",
            "message": body["errors"][0]["message"],
        }
    ]
    assert "défi n°5, n°6" in body["errors"][0]["message"]
    assert _measurements() == before


def test_controle_posts_values_then_reads_them_and_reposting_writes_nothing(users: Any) -> None:
    client = _client(users, "controle")
    items = [
        {
            "subject": "cog-08-29",
            "period": "2021-01",
            "value": 12.5,
            "status": "définitive",
            "comment": "saisie API",
        },
        {
            "subject": "COG 01-11",
            "period": "2021",
            "value": "61,25 %",
            "numerator": "1 225",
            "denominator": 2000,
        },
    ]
    first = _post(client, "/values", items)
    assert first.status_code == 200, first.json()
    assert first.json() == {"ok": True, "written": 2, "unchanged": 0}

    values = client.get(f"{URL}/values", {"period_from": "2021", "period_to": "2021"}).json()
    shown = {(v["subject_id"], v["period"]): v for v in values}
    monthly = shown[("cog-08-29", "2021-01")]
    assert (monthly["value"], monthly["status"], monthly["comment"]) == (
        12.5,
        "définitive",
        "saisie API",
    )
    assert (monthly["source"], monthly["recorded_by"]) == ("api", "controle")
    annual = shown[("cog-01-11", "2021")]
    assert (annual["value"], annual["numerator"], annual["denominator"]) == (61.25, 1225, 2000)
    assert annual["status"] == "provisoire"

    before = (_measurements(), AuditEvent.objects.count())
    again = _post(client, "/values", items)
    assert again.json() == {"ok": True, "written": 0, "unchanged": 2}
    assert (_measurements(), AuditEvent.objects.count()) == before


def test_invalid_values_list_every_error_and_write_nothing(users: Any) -> None:
    client = _client(users, "controle")
    before = _measurements()
    response = _post(
        client,
        "/values",
        [
            {"subject": "cog-01-11", "period": "2021", "value": 40},  # valid, not written
            {"subject": "inconnu", "period": "13/2025", "value": "12,3,4"},
            {"subject": "cog-01-11", "period": "2099", "value": 1, "status": "peut-être"},
            {"subject": "cog-01-11", "period": "2021", "value": 41},
            {"subject": "cog-01-11", "period": "", "value": ""},
            {"subject": "cog-01-11", "period": "2021-03", "value": 1, "denominator": "0"},
        ],
    )
    assert response.status_code == 422
    body = response.json()
    assert body["ok"] is False and body["status"] == 422
    assert "rien n'a été enregistré" in body["error"]
    found = {(e["item"], e["field"]) for e in body["errors"]}
    assert {
        (2, "subject"),
        (2, "period"),
        (2, "value"),
        (3, "period"),
        (3, "status"),
        (4, "period"),
        (5, "period"),
        (5, "value"),
        (6, "denominator"),
    } <= found
    assert (1, "subject") not in found
    by_key = {(e["item"], e["field"]): e for e in body["errors"]}
    assert by_key[(2, "value")] == {
        "item": 2,
        "field": "value",
        "value": "12,3,4",
        "message": "nombre non reconnu : il y a plusieurs virgules",
    }
    assert by_key[(4, "period")]["message"] == "valeur déjà donnée ligne 1 pour la même période"
    assert by_key[(6, "denominator")]["message"] == "dénominateur nul"
    assert body["errors"] == sorted(body["errors"], key=lambda e: e["item"])
    assert _measurements() == before


def test_badly_shaped_items_are_422_in_french(users: Any) -> None:
    client = _client(users, "controle")
    response = _post(
        client, "/values", [{"subject": "cog-01-11", "value": True, "valeur": 3}, "texte"]
    )
    assert response.status_code == 422
    body = response.json()
    by_key = {(e["item"], e["field"]): e["message"] for e in body["errors"]}
    assert by_key[(1, "period")] == "valeur manquante"
    assert by_key[(1, "value")] == "type non permis (nombre ou texte attendu)"
    assert by_key[(1, "valeur")] == "champ inconnu"
    assert by_key[(2, "")] == "objet JSON attendu"
    unreadable = client.post(f"{URL}/values", data="{", content_type="application/json")
    assert unreadable.status_code == 400
    assert unreadable.json()["error"] == "Corps de la requête illisible : du JSON est attendu."
    empty = _post(client, "/values", [])
    assert empty.status_code == 422


# --- writing targets ----------------------------------------------------------------------


def _target(**changes: Any) -> dict[str, Any]:
    return {
        "subject": "cog-01-11",
        "year": 2026,
        "value": "70",
        "kind": "individualisée",
        "provenance": "notification Cnaf",
        "comparator": "≥",
        **changes,
    }


def test_only_admin_and_controle_set_targets(users: Any) -> None:
    for who in ("lecteur", "pilote"):
        response = _post(_client(users, who), "/targets", [_target()])
        assert response.status_code == 403
        assert response.json()["error"] == "Vous n'avez pas le droit de fixer les cibles."
    response = _post(_client(users, "admin"), "/targets", [_target()])
    assert response.json() == {"ok": True, "written": 1, "unchanged": 0}


def test_target_change_needs_a_reason(users: Any) -> None:
    client = _client(users, "controle")
    assert _post(client, "/targets", [_target()]).json()["written"] == 1
    assert _post(client, "/targets", [_target()]).json() == {
        "ok": True,
        "written": 0,
        "unchanged": 1,
    }
    before = Target.objects.count()
    refused = _post(client, "/targets", [_target(), _target(value=72.5)])
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert [(e["item"], e["field"]) for e in errors] == [(2, "year")]  # same year twice

    refused = _post(client, "/targets", [_target(value=72.5)])
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {
            "item": 1,
            "field": "reason",
            "value": "",
            "message": "la cible 2026 passe de 70 à 72,5 : indiquez le motif du changement",
        }
    ]
    assert Target.objects.count() == before

    done = _post(client, "/targets", [_target(value=72.5, reason="avenant n°1")])
    assert done.json() == {"ok": True, "written": 1, "unchanged": 0}
    shown = _client(users, "lecteur").get(f"{URL}/targets", {"subject": "cog-01-11"}).json()
    current = next(t for t in shown if t["year"] == 2026 and t["kind"] == "individualisée")
    assert (current["value"], current["reason"], current["set_by"]) == (
        72.5,
        "avenant n°1",
        "controle",
    )
    assert (current["provenance"], current["comparator"]) == ("notification Cnaf", "≥")


def test_invalid_targets_are_reported_like_imports(users: Any) -> None:
    response = _post(
        _client(users, "controle"),
        "/targets",
        [_target(year=2031, kind="ambitieuse", provenance="", value="beaucoup")],
    )
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert fields["year"] == "année hors de la période du contrat (2023-2027)"
    assert fields["kind"].startswith("valeur non permise (valeurs permises : ")
    assert fields["provenance"].startswith("valeur non permise")
    assert set(fields) == {"year", "kind", "provenance", "value"}
