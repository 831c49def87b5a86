"""Verdicts, completeness, lateness and provenance: the same answer on every page, in the CLI
and in the API."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone
from typer.testing import CliRunner

from cpog import clock
from cpog.cli.main import app
from cpog.store.models import ActionState
from cpog.web.models import ApiToken

CHALLENGES = range(1, 11)


def _text(response: Any) -> str:
    text = html.unescape(response.content.decode())
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def _cli_status() -> dict[str, Any]:
    result = CliRunner().invoke(
        app, ["status", "--format", "json"], env={"COLUMNS": "200"}, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def test_dashboard_defi_list_defi_pages_and_cli_agree_on_completeness(client_for: Any) -> None:
    client = client_for("lecteur")
    cli = _cli_status()["defis"]
    dashboard = _text(client.get("/"))
    listing = _text(client.get("/defis/"))
    for number in CHALLENGES:
        expected = cli[str(number)]
        words = f"{expected['nombre_renseignes']} sur {expected['nombre_attendus']} renseigné"
        page = _text(client.get(f"/defis/{number}/"))
        for name, text in (("tableau de bord", dashboard), ("liste des défis", listing)):
            row = re.search(rf"Défi n°{number} — .*?(\d+) sur (\d+) renseigné", text)
            assert row is not None, (name, number)
            assert f"{row.group(1)} sur {row.group(2)} renseigné" == words, (name, number)
        assert words in page, number
        assert expected["complet"] == (expected["nombre_renseignes"] == expected["nombre_attendus"])
        assert expected["completude"] == words + "s"
        # what the défi page lists as missing is what the CLI lists
        for subject_id in expected["manquants"]:
            assert subject_id in page, (number, subject_id)
    assert any(not d["complet"] for d in cli.values())


def test_lateness_names_the_period_everywhere(client_for: Any, users: Any) -> None:
    late = next(r for r in _cli_status()["lignes"] if r["identifiant"] == "cog-08-27")
    words = late["saisie"]["libelle"].replace("\u00a0", " ")
    assert words == "valeur de septembre 2026 attendue le 30/10/2026 : 28 jours de retard"
    client = client_for("lecteur")
    assert words in _text(client.get("/"))
    assert words[0].upper() + words[1:] in _text(client.get("/indicateurs/cog-08-27/"))
    _, key = ApiToken.issue(users.lecteur, "tableur")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    rows = api.get("/api/v1/statuses").json()
    lateness = next(r for r in rows if r["identifiant"] == "cog-08-27")["saisie"]
    assert lateness == late["saisie"]  # the API and the CLI: one shape
    assert lateness["renseigne"] is False and lateness["periode_attendue"] == "2026-09"
    # the next value follows the latest one entered, and a date gone by says « depuis »
    assert "attendue depuis le" in lateness["prochaine_valeur"]


def test_verdict_beside_the_status(client_for: Any, users: Any) -> None:
    rows = _cli_status()["lignes"]
    judged = next(r for r in rows if r["identifiant"] == "iql0")
    label = judged["objectif_annee"]["libelle"]
    assert label is not None and label.startswith("objectif 2025 ")
    client = client_for("lecteur")
    assert label in _text(client.get("/indicateurs/iql0/"))
    assert "Objectifs des années closes" in _text(client.get("/indicateurs/iql0/"))
    _, key = ApiToken.issue(users.lecteur, "tableur")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    out = next(r for r in api.get("/api/v1/statuses").json() if r["identifiant"] == "iql0")
    assert out == judged
    # the demo's individualised targets start in 2024: one verdict per closed year since
    assert [v["annee"] for v in out["objectifs"]] == [2024, 2025]


def test_provenance_told_the_same_way(client_for: Any, users: Any) -> None:
    rows = _cli_status()["lignes"]
    departs = next(r for r in rows if r["identifiant"] == "d08-r1-taux-departs-volontaires")
    words = departs["reference"]["libelle"]
    assert words.startswith("moyenne de plusieurs années énoncée par le texte signé")
    page = _text(client_for("lecteur").get("/defis/8/"))
    assert " ".join(words.split()) in page
    _, key = ApiToken.issue(users.lecteur, "tableur")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    out = next(
        r
        for r in api.get("/api/v1/statuses").json()
        if r["identifiant"] == "d08-r1-taux-departs-volontaires"
    )
    assert out["reference"]["libelle"] == words
    assert out["reference"]["base"] == "average"


def test_a_measure_takes_its_indicator_values(client_for: Any) -> None:
    rows = {r["identifiant"]: r for r in _cli_status()["lignes"]}
    measure, indicator = rows["d05-r2-delai-prestations"], rows["cog-08-29"]
    assert measure["mesure_par"] == "cog-08-29"
    assert measure["valeur_courante"] == indicator["valeur_courante"]
    api = _text(client_for("lecteur").get("/api/v1/challenges/5/status"))
    payload = json.loads(api)
    weights = {s["ligne"]["identifiant"]: (s["poids"], s["compte_avec"]) for s in payload["sujets"]}
    assert weights["cog-08-29"] == (0.0, "d05-r2-delai-prestations")
    assert weights["d05-r2-delai-prestations"] == (1.0, None)


def test_overdue_actions_under_the_late_filter(client_for: Any, steering_data: Any) -> None:
    ActionState.objects.create(
        contract_id=steering_data.id,
        action_id="d02-a3",
        status=ActionState.Status.IN_PROGRESS,
        progress=30,
        due_date=clock.today() - timedelta(days=3),
        updated_by="test",
        updated_at=timezone.now(),
    )
    client = client_for("lecteur")
    assert "d02-a3" in _text(client.get("/"))  # the dashboard's « actions en retard »
    late = _text(client.get("/actions/", {"statut": "late"}))
    assert "/actions/d02-a3/" in client.get("/actions/", {"statut": "late"}).content.decode()
    assert "Mettre en place la « Boussole des jeunes »" in late


def test_a_linked_measure_page_shows_the_indicator_values_and_no_entry_form(
    client_for: Any,
) -> None:
    page = client_for("controle").get("/mesures/d05-r2-delai-prestations/").content.decode()
    text = _text_of(page)
    assert "Cette mesure prend les valeurs de l'indicateur" in text
    assert 'href="/indicateurs/cog-08-29/"' in page
    assert 'id="valeur-periode"' not in page  # no entry form that would always refuse
    assert "octobre 2026" in text  # the indicator's monthly values are listed


def _text_of(page: str) -> str:
    return " ".join(html.unescape(page).replace("\u202f", " ").replace("\u00a0", " ").split())


def test_a_bad_policy_is_told_in_french_by_the_api(
    users: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    bad = tmp_path / "politique.yaml"
    bad.write_text("ahaed: 1.2\n", encoding="utf-8")
    monkeypatch.setenv("CPOG_POLICY", str(bad))
    _, key = ApiToken.issue(users.lecteur, "tableur")
    response = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/statuses")
    assert response.status_code == 500
    body = response.json()
    assert body["ok"] is False and "clé inconnue « ahaed »" in body["error"]
