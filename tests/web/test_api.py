"""The REST API /api/v1: schema, authentication, roles, validation as imports, statuses."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from openapi_spec_validator import validate
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.contexts.serialize import to_data
from cpog.contexts.situation import situation
from cpog.contexts.status_rows import status_row
from cpog.store.models import AuditEvent, Measurement, Target
from cpog.store.reader import StoreReader
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
    tags = {"Contrat", "Indicateurs", "Valeurs", "Cibles", "Statuts", "Réseau"}
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) == 12
    for operation in operations:
        assert operation["summary"] and operation["tags"]
        assert set(operation["tags"]) <= tags
        assert {"401", "403", "404", "422"} <= set(operation["responses"])
        assert operation["responses"]["403"]["description"] == "Droits insuffisants"
    assert {t for op in operations for t in op["tags"]} == tags
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_openapi_document_shows_the_french_field_names(users: Any) -> None:
    schema = Client().get(f"{URL}/openapi.json").json()
    components = schema["components"]["schemas"]
    row = components["StatusRowData"]["properties"]
    assert {"statut", "statut_libelle", "valeur_courante", "date_de_situation", "saisie"} <= set(
        row
    )
    assert not {"status", "current", "as_of", "subject_id"} & set(row)
    assert "« a_surveiller »" in row["statut"]["description"]
    assert row["valeur_courante"]["description"].startswith("Valeur de la dernière période")
    statuses = schema["paths"]["/api/v1/statuses"]["get"]["responses"]["200"]["content"]
    assert statuses["application/json"]["schema"]["items"]["$ref"].endswith("StatusRowData")
    assert {"synthese", "sujets", "numero", "titre"} <= set(
        components["ChallengeStatusData"]["properties"]
    )
    assert {"identifiant", "periode", "valeur", "en_vigueur"} <= set(
        components["ValueData"]["properties"]
    )
    assert set(components["ValueIn"]["properties"]) == {
        "identifiant",
        "periode",
        "valeur",
        "numerateur",
        "denominateur",
        "statut",
        "commentaire",
        "territoire",
        "motif",  # a value of a frozen year (decision 027)
    }
    assert set(components["TargetIn"]["properties"]) == {
        "identifiant",
        "annee",
        "valeur",
        "type_de_cible",
        "provenance",
        "comparateur",
        "motif",
        "territoire",
    }


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
    response = _post(
        client, "/values", [{"identifiant": "cog-01-11", "periode": "2024", "valeur": 1}]
    )
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
    first = next(r for r in rows if r["identifiant"] == "cog-08-29")
    assert first["code"] == "COG 08-29"
    assert {"famille", "groupe", "nature", "type", "unite", "sens", "type_de_cible"} <= set(first)
    assert "cible_telle_qu_ecrite" in first
    assert (first["sens"], first["sens_libelle"]) == ("down", "baisse")
    detail = client.get(f"{URL}/indicators/COG 08-29")
    assert detail.status_code == 200
    assert detail.json()["identifiant"] == "cog-08-29"
    assert detail.json()["defis"] == [5, 6]
    assert detail.json()["mode_de_calcul"]
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
    targets = client.get(f"{URL}/targets", {"identifiant": "COG 08-29"}).json()
    assert targets and {t["identifiant"] for t in targets} == {"cog-08-29"}
    assert all(t["provenance"] == "données de démonstration" for t in targets)
    assert all(t["en_vigueur"] for t in targets)
    values = client.get(
        f"{URL}/values",
        {"identifiant": "cog-08-29", "periode_debut": "2024", "periode_fin": "juin 2024"},
    ).json()
    assert [v["periode"] for v in values] == [f"2024-{m:02d}" for m in range(1, 7)]
    assert values[0]["periode_libelle"] == "janvier 2024"
    assert all(
        {"numerateur", "statut", "source", "enregistree_par", "enregistree_le"} <= set(v)
        for v in values
    )
    assert values[0]["statut"] in ("provisional", "definitive")
    assert values[0]["statut_libelle"] in ("provisoire", "définitive")
    assert values[0]["source_libelle"] == "données de démonstration"
    bad = client.get(f"{URL}/values", {"periode_debut": "13/2025"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "periode_debut"
    assert "13/2025" in bad.json()["error"]
    unknown = client.get(f"{URL}/values", {"identifiant": "inconnu"})
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "Identifiant inconnu dans le contrat : « inconnu »."


def test_statuses_for_every_indicator_and_measure(users: Any) -> None:
    client = _client(users, "lecteur")
    response = client.get(f"{URL}/statuses", {"date_de_situation": "2026-06-30"})
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 78
    assert sum(r["type"] == "indicator" for r in rows) == 36
    french = {
        "atteint",
        "en_avance",
        "conforme",
        "a_surveiller",
        "en_retard",
        "non_renseigne",
        "sans_cible",
    }
    assert {r["statut"] for r in rows} <= french
    assert {r["statut_libelle"] for r in rows} & {
        "Atteint",
        "Conforme",
        "À surveiller",
        "En retard",
    }
    row = next(r for r in rows if r["identifiant"] == "cog-08-29")
    assert row["date_de_situation"] == "2026-06-30"
    assert row["valeur_courante"]["periode"] and row["valeur_courante"]["valeur_texte"]
    assert row["cibles"] and row["saisie"]["periode_attendue"]
    assert {"valeur_attendue", "avancement_annuel", "avancement_global", "projection"} <= set(row)
    bad = client.get(f"{URL}/statuses", {"date_de_situation": "31/02/2026"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "date_de_situation"


def test_statuses_are_the_status_rows_of_the_situation(users: Any, steering_data: Any) -> None:
    """One shape: the API answers exactly what the serializer makes of the status rows."""
    day = date(2026, 6, 30)
    rows = _client(users, "lecteur").get(f"{URL}/statuses", {"date_de_situation": "30/06/2026"})
    found = situation(StoreReader(), steering_data, day)
    assert rows.json() == [to_data(status_row(r)) for r in found.status.rows]


def test_cli_writes_the_rows_the_api_answers(users: Any) -> None:
    """``cpog status --format json`` and the API: the same rows; the CSV flattens them."""
    api = _client(users, "lecteur").get(f"{URL}/statuses", {"date_de_situation": "27/11/2026"})
    runner = CliRunner()
    cli = runner.invoke(app, ["status", "--au", "27/11/2026", "--format", "json"])
    assert cli.exit_code == 0, cli.output
    data = json.loads(cli.output)
    assert data["lignes"] == api.json()
    assert data["date_de_situation"] == "2026-11-27" and set(data["defis"]) == {
        str(n) for n in range(1, 11)
    }
    one = runner.invoke(app, ["status", "--au", "27/11/2026", "--defi", "5", "--format", "json"])
    five = json.loads(one.output)
    assert set(five["defis"]) == {"5"}
    body = _client(users, "lecteur").get(f"{URL}/challenges/5/status?date_de_situation=27/11/2026")
    assert five["lignes"] == [s["ligne"] for s in body.json()["sujets"]]
    assert five["defis"]["5"] == body.json()["synthese"]
    table = runner.invoke(app, ["status", "--au", "27/11/2026", "--format", "csv"]).output
    rows = list(csv.DictReader(io.StringIO(table), delimiter=";"))
    assert len(rows) == len(data["lignes"])
    first, row = data["lignes"][0], rows[0]
    assert row["identifiant"] == first["identifiant"]
    assert row["statut_libelle"] == first["statut_libelle"]
    assert row["saisie_libelle"] == first["saisie"]["libelle"]
    assert row["saisie_attendue_le"] == date.fromisoformat(first["saisie"]["attendue_le"]).strftime(
        "%d/%m/%Y"
    )
    assert row["valeur_courante_valeur"] == str(first["valeur_courante"]["valeur"]).replace(
        ".", ","
    )
    assert row["verdict_final"] in ("oui", "non")
    assert row["explications"] == " | ".join(first["explications"])


def test_challenge_status_rolls_up(users: Any) -> None:
    client = _client(users, "lecteur")
    body = client.get(f"{URL}/challenges/1/status").json()
    assert body["numero"] == 1 and body["titre"]
    synthesis = body["synthese"]
    assert synthesis["statut"] in {"conforme", "a_surveiller", "en_retard", "non_renseigne"}
    assert synthesis["nombre_attendus"] >= 1
    assert sum(c["nombre"] for c in synthesis["effectifs"]) == len(body["sujets"])
    assert any(s["ligne"]["identifiant"] == "cog-01-11" for s in body["sujets"])
    statuses = {r["identifiant"]: r for r in client.get(f"{URL}/statuses").json()}
    for subject in body["sujets"]:  # the same row as /statuses
        assert subject["ligne"] == statuses[subject["ligne"]["identifiant"]]
    missing = client.get(f"{URL}/challenges/42/status")
    assert missing.status_code == 404
    assert missing.json()["error"] == "Défi inconnu dans le contrat : n°42."


def test_history_lists_every_revision(users: Any) -> None:
    client = _client(users, "controle")
    for value in ("41,5", "42,5"):
        response = _post(
            client, "/values", [{"identifiant": "cog-01-11", "periode": "2021", "valeur": value}]
        )
        assert response.json() == {"ok": True, "enregistres": 1, "inchanges": 0}
    rows = client.get(f"{URL}/values/COG 01-11/history").json()
    in_2021 = [r for r in rows if r["periode"] == "2021"]
    assert [(r["valeur"], r["en_vigueur"]) for r in in_2021] == [(41.5, False), (42.5, True)]
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
        [{"identifiant": "cog-01-11", "periode": "2024", "valeur": 50}],
    )
    assert response.status_code == 403
    body = response.json()
    assert body["ok"] is False and body["status"] == 403
    assert body["error"] == "Vous n'avez pas le droit de saisir des valeurs."
    assert _measurements() == before


def test_pilot_writes_only_the_values_of_their_challenge(users: Any) -> None:
    client = _client(users, "pilote")
    ok = _post(
        client, "/values", [{"identifiant": "cog-01-11", "periode": "2021", "valeur": "55,5"}]
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json() == {"ok": True, "enregistres": 1, "inchanges": 0}
    row = Measurement.objects.get(subject_id="cog-01-11", period_key="2021")
    assert (row.value, row.source, row.recorded_by) == (Decimal("55.5"), "api", "pilote")
    event = AuditEvent.objects.get(entity_id="indicator:cog-01-11:2021")
    assert (event.user, event.action, event.context) == ("pilote", "create", "api")

    before = _measurements()
    refused = _post(
        client,
        "/values",
        [
            {"identifiant": "cog-01-11", "periode": "2021", "valeur": 56},
            {"identifiant": "COG 08-29", "periode": "2021-01", "valeur": 12},
        ],
    )
    assert refused.status_code == 403
    body = refused.json()
    assert body["errors"] == [
        {
            "item": 2,
            "field": "identifiant",
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
            "identifiant": "cog-08-29",
            "periode": "2021-01",
            "valeur": 12.5,
            "statut": "définitive",
            "commentaire": "saisie API",
        },
        {
            "identifiant": "COG 01-11",
            "periode": "2021",
            "valeur": "61,25 %",
            "numerateur": "1 225",
            "denominateur": 2000,
        },
    ]
    first = _post(client, "/values", items)
    assert first.status_code == 200, first.json()
    assert first.json() == {"ok": True, "enregistres": 2, "inchanges": 0}

    values = client.get(f"{URL}/values", {"periode_debut": "2021", "periode_fin": "2021"}).json()
    shown = {(v["identifiant"], v["periode"]): v for v in values}
    monthly = shown[("cog-08-29", "2021-01")]
    assert (monthly["valeur"], monthly["statut_libelle"], monthly["commentaire"]) == (
        12.5,
        "définitive",
        "saisie API",
    )
    assert (monthly["source"], monthly["enregistree_par"]) == ("api", "controle")
    annual = shown[("cog-01-11", "2021")]
    assert (annual["valeur"], annual["numerateur"], annual["denominateur"]) == (61.25, 1225, 2000)
    assert (annual["statut"], annual["statut_libelle"]) == ("provisional", "provisoire")
    # What is read can be posted back as is (the input's fields are among the output's).
    fields = ("identifiant", "periode", "valeur", "numerateur", "denominateur", "statut")
    back = {k: annual[k] for k in fields}
    assert _post(client, "/values", [back]).json() == {"ok": True, "enregistres": 0, "inchanges": 1}

    before = (_measurements(), AuditEvent.objects.count())
    again = _post(client, "/values", items)
    assert again.json() == {"ok": True, "enregistres": 0, "inchanges": 2}
    assert (_measurements(), AuditEvent.objects.count()) == before


def test_invalid_values_list_every_error_and_write_nothing(users: Any) -> None:
    client = _client(users, "controle")
    before = _measurements()
    response = _post(
        client,
        "/values",
        [
            {"identifiant": "cog-01-11", "periode": "2021", "valeur": 40},  # valid, not written
            {"identifiant": "inconnu", "periode": "13/2025", "valeur": "12,3,4"},
            {"identifiant": "cog-01-11", "periode": "2099", "valeur": 1, "statut": "peut-être"},
            {"identifiant": "cog-01-11", "periode": "2021", "valeur": 41},
            {"identifiant": "cog-01-11", "periode": "", "valeur": ""},
            {"identifiant": "cog-01-11", "periode": "2021-03", "valeur": 1, "denominateur": "0"},
        ],
    )
    assert response.status_code == 422
    body = response.json()
    assert body["ok"] is False and body["status"] == 422
    assert "rien n'a été enregistré" in body["error"]
    found = {(e["item"], e["field"]) for e in body["errors"]}
    assert {
        (2, "identifiant"),
        (2, "periode"),
        (2, "valeur"),
        (3, "periode"),
        (3, "statut"),
        (4, "periode"),
        (5, "periode"),
        (5, "valeur"),
        (6, "denominateur"),
    } <= found
    assert (1, "identifiant") not in found
    by_key = {(e["item"], e["field"]): e for e in body["errors"]}
    assert by_key[(2, "valeur")] == {
        "item": 2,
        "field": "valeur",
        "value": "12,3,4",
        "message": "nombre non reconnu : il y a plusieurs virgules",
    }
    assert by_key[(4, "periode")]["message"] == "valeur déjà donnée ligne 1 pour la même période"
    assert by_key[(6, "denominateur")]["message"] == "dénominateur nul"
    assert body["errors"] == sorted(body["errors"], key=lambda e: e["item"])
    assert _measurements() == before


def test_badly_shaped_items_are_422_in_french(users: Any) -> None:
    client = _client(users, "controle")
    response = _post(
        client, "/values", [{"identifiant": "cog-01-11", "valeur": True, "value": 3}, "texte"]
    )
    assert response.status_code == 422
    body = response.json()
    by_key = {(e["item"], e["field"]): e["message"] for e in body["errors"]}
    assert by_key[(1, "periode")] == "valeur manquante"
    assert by_key[(1, "valeur")] == "type non permis (nombre ou texte attendu)"
    assert by_key[(1, "value")] == "champ inconnu"
    assert by_key[(2, "")] == "objet JSON attendu"
    unreadable = client.post(f"{URL}/values", data="{", content_type="application/json")
    assert unreadable.status_code == 400
    assert unreadable.json()["error"] == "Corps de la requête illisible : du JSON est attendu."
    empty = _post(client, "/values", [])
    assert empty.status_code == 422


# --- writing targets ----------------------------------------------------------------------


def _target(**changes: Any) -> dict[str, Any]:
    return {
        "identifiant": "cog-01-11",
        "annee": 2026,
        "valeur": "70",
        "type_de_cible": "individualisée",
        "provenance": "notification Cnaf",
        "comparateur": "≥",
        **changes,
    }


def test_only_admin_and_controle_set_targets(users: Any) -> None:
    for who in ("lecteur", "pilote"):
        response = _post(_client(users, who), "/targets", [_target()])
        assert response.status_code == 403
        assert response.json()["error"] == "Vous n'avez pas le droit de fixer les cibles."
    response = _post(_client(users, "admin"), "/targets", [_target()])
    assert response.json() == {"ok": True, "enregistres": 1, "inchanges": 0}


def test_target_change_needs_a_reason(users: Any) -> None:
    client = _client(users, "controle")
    assert _post(client, "/targets", [_target()]).json()["enregistres"] == 1
    assert _post(client, "/targets", [_target()]).json() == {
        "ok": True,
        "enregistres": 0,
        "inchanges": 1,
    }
    before = Target.objects.count()
    refused = _post(client, "/targets", [_target(), _target(valeur=72.5)])
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert [(e["item"], e["field"]) for e in errors] == [(2, "annee")]  # same year twice

    refused = _post(client, "/targets", [_target(valeur=72.5)])
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {
            "item": 1,
            "field": "motif",
            "value": "",
            "message": "la cible 2026 passe de 70 à 72,5 : indiquez le motif du changement",
        }
    ]
    assert Target.objects.count() == before

    done = _post(client, "/targets", [_target(valeur=72.5, motif="avenant n°1")])
    assert done.json() == {"ok": True, "enregistres": 1, "inchanges": 0}
    shown = _client(users, "lecteur").get(f"{URL}/targets", {"identifiant": "cog-01-11"}).json()
    current = next(
        t for t in shown if t["annee"] == 2026 and t["type_de_cible"] == "individualisée"
    )
    assert (current["valeur"], current["motif"], current["fixee_par"]) == (
        72.5,
        "avenant n°1",
        "controle",
    )
    assert (current["provenance"], current["comparateur"]) == ("notification Cnaf", "≥")
    assert current["provenance_libelle"] == "notification de la Cnaf"


def test_invalid_targets_are_reported_like_imports(users: Any) -> None:
    response = _post(
        _client(users, "controle"),
        "/targets",
        [_target(annee=2031, type_de_cible="ambitieuse", provenance="", valeur="beaucoup")],
    )
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert fields["annee"] == "année hors de la période du contrat (2023-2027)"
    assert fields["type_de_cible"].startswith("valeur non permise (valeurs permises : ")
    assert fields["provenance"].startswith("valeur non permise")
    assert set(fields) == {"annee", "type_de_cible", "provenance", "valeur"}


def test_target_words_are_those_the_import_reads() -> None:
    """What ``GET /targets`` says of a target's kind and provenance, the import reads back."""
    from cpog.contexts.values import KIND_WORD, PROVENANCE_WORD
    from cpog.ingest.imports import PROVENANCES, TARGET_KINDS
    from cpog.ingest.value_rule import plain_key

    assert {TARGET_KINDS[plain_key(w)] for w in KIND_WORD.values()} == set(KIND_WORD)
    assert {PROVENANCES[plain_key(w)] for w in PROVENANCE_WORD.values()} == set(PROVENANCE_WORD)
