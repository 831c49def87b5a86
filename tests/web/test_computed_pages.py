"""Computed values on the pages: their provenance on the indicator page (and its JSON), the SQL
page of a definition, the key figures beside the signed ones on the contract page, and every
other page, the API, the export and the reports unbothered by key figures stored as values."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook

from computed_extracts import FIGURE_DEFINITION, run_computation, write_extracts
from cpog.contexts.annual import annual_review
from cpog.contexts.board import board_report
from cpog.contexts.serialize import to_data
from cpog.contexts.situation import situation
from cpog.store.reader import StoreReader
from cpog.warehouse.definitions import definition_for, parse_definition
from cpog.web.models import ApiToken


@pytest.fixture
def computed(steering_data: Any, tmp_path: Path) -> Any:
    """The demo data, then COG 08-29 computed for 2026 by EPCI, and the number of allocataires
    of 2025 (3, see tests/computed_extracts.py)."""
    folder = write_extracts(tmp_path / "extraits", allocataires=True)
    outcome = run_computation(steering_data, folder, by="epci")
    figure = parse_definition(FIGURE_DEFINITION, "kf-allocataires.sql")
    run_computation(
        steering_data,
        folder,
        first="2025-01",
        last="2025-12",
        definitions=[definition_for("cog-08-29"), figure],
    )
    return outcome


def test_the_indicator_page_shows_the_provenance(client_for: Any, computed: Any) -> None:
    client = client_for("lecteur")
    html = client.get("/indicateurs/cog-08-29/").content.decode()
    short = computed.fingerprint[:12]
    definition = definition_for("cog-08-29")
    used = definition.values()  # the defaults: jours = calendaires…
    parameters = ", ".join(f"{name} = {value}" for name, value in used.items())
    query = urlencode(used)
    assert (
        f'Définition : <a href="/calculs/cog-08-29/?{query.replace("&", "&amp;")}">'
        f"{definition.label}"
        f" (cog-08-29.sql)</a>, version {definition.version} ; paramètres : {parameters} ;"
        f' extraits <abbr title="empreinte SHA-256 : {computed.fingerprint}">'
        f"{short}</abbr>, données au 21/10/2026 ; numérateur 60 / dénominateur 3." in html
    )
    assert "jours = calendaires" in parameters
    data = client.get("/indicateurs/cog-08-29/?format=json").json()["contenu"]
    october = next(p for p in data["periodes"] if p["periode"] == "2026-10")
    latest = october["revisions"][0]
    assert latest["source"] == "computed" and latest["en_vigueur"]
    assert (latest["valeur"], latest["numerateur"], latest["denominateur"]) == (20, 60, 3)
    assert latest["calcul"] == {
        "definition": "cog-08-29",
        "libelle": definition.label,
        "fichier": "cog-08-29.sql",
        "version": definition.version,
        "parametres_texte": parameters,
        "requete_parametres": query,
        "empreinte": computed.fingerprint,
        "empreinte_courte": short,
        "fin_des_donnees": "2026-10-21",
        "fin_des_donnees_texte": "21/10/2026",
        "dossier": str(computed.batch.details["folder"]),
    }
    # The demo's revision of October stays in the history, replaced.
    assert [r["source"] for r in october["revisions"]] == ["computed", "demo"]


@pytest.mark.parametrize("who", ["lecteur", "pilote", "controle", "admin"])
def test_every_signed_in_user_reads_the_sql_of_a_definition(client_for: Any, who: str) -> None:
    response = client_for(who).get("/calculs/cog-08-29/?format=json")
    assert response.status_code == 200
    page = response.json()["contenu"]
    assert page["sql"] == definition_for("cog-08-29").sql_for("duckdb", {})
    assert "WHEN 'calendaires' = 'ouvres'" in page["sql"]
    shown = {p["nom"]: (p["valeur"], p["a_confirmer"]) for p in page["parametres"]}
    assert shown["jours"] == ("calendaires", True)


def test_the_sql_page_fills_in_the_parameters_asked(client_for: Any) -> None:
    client = client_for("lecteur")
    page = client.get("/calculs/cog-08-29/?jours=ouvres&format=json").json()["contenu"]
    assert "WHEN 'ouvres' = 'ouvres'" in page["sql"]
    refused = client.get("/calculs/cog-08-29/?jours=semaines&format=json").json()["contenu"]
    assert "WHEN 'calendaires' = 'ouvres'" in refused["sql"]
    assert "valeur « semaines » refusée pour le paramètre jours" in refused["erreur_de_parametre"]
    html = client.get("/calculs/cog-08-29/").content.decode()
    assert f"<h1>COG 08-29 — {definition_for('cog-08-29').label}</h1>" in html
    assert "FROM demarches AS d" in html
    assert client.get("/calculs/cog-99-99/").status_code == 404


def test_the_contract_page_shows_the_computed_key_figure(client_for: Any, computed: Any) -> None:
    client = client_for("lecteur")
    html = client.get("/contrat/").content.decode()
    # 64 498 allocataires signed for 2022; 3 computed from the tiny extracts for 2025.
    assert "calculé à partir des extraits : 3\u00a0allocataires en 2025" in html
    figures = client.get("/contrat/?format=json").json()["contenu"]["chiffres_cles"]
    row = next(f for f in figures if f["id"] == "kf-allocataires")
    assert (row["valeur"], row["valeur_calculee"], row["periode_calculee"]) == (64498, 3, "2025")


def test_no_page_trips_on_key_figures_and_territories(
    client_for: Any, computed: Any, users: Any, steering_data: Any
) -> None:
    client = client_for("controle")
    for url in (
        "/",
        "/indicateurs/",
        "/defis/",
        "/defis/1/",
        "/historique/",
        "/rapports/",
        "/contrat/",
        "/?format=json",
        "/historique/?format=json",
    ):
        assert client.get(url).status_code == 200, url
    history = client.get("/historique/?format=json").json()["contenu"]["lignes"]
    sentences = [row["phrase"] for row in history]
    assert any(
        s.startswith("Chiffre du diagnostic « Nombre d'allocataires » — 2025 : 3")
        for s in sentences
    )
    assert any(", territoire " in s for s in sentences)
    workbook = load_workbook(
        io.BytesIO(b"".join(client.get("/export/cpog.xlsx").streaming_content)), read_only=True
    )
    subjects = {row[0] for row in workbook["valeurs"].iter_rows(min_row=2, values_only=True)}
    # The sheet is re-imported as is: no key figure in it, the indicators' values are.
    assert "kf-allocataires" not in subjects and "COG 08-29" in subjects
    _, key = ApiToken.issue(users.lecteur, "jeton")
    api = client_for("lecteur")
    headers = {"Authorization": f"Bearer {key}"}
    statuses = api.get("/api/v1/statuses", headers=headers)
    assert statuses.status_code == 200
    assert all(row["type"] != "figure" for row in statuses.json())
    values = api.get("/api/v1/values", headers=headers).json()
    [figure] = [v for v in values if v["type"] == "figure"]
    assert (figure["libelle"], figure["valeur"], figure["type_libelle"]) == (
        "Nombre d'allocataires",
        3,
        "chiffre du diagnostic",
    )
    # The caisse's values only: the EPCI's are not among them.
    assert all(
        v["identifiant"] != "cog-08-29" or v["valeur"] in (10, 20)
        for v in values
        if v["periode"] in ("2026-09", "2026-10")
    )
    assert json.dumps(values)  # plain JSON
    # The reports' contexts: the annual review of 2025 and the board's of October 2026.
    reader = StoreReader()
    data = situation(reader, steering_data, date(2026, 11, 27))
    review = to_data(annual_review(data, reader, 2025))
    assert review["annee"] == 2025
    board = to_data(board_report(data, reader, 2026, 10))
    assert board
