"""The page of an indicator or a measure as a pilot uses it (issue 10): the situation, the chart
and the entry form first; the definition folded with the confidence in words; the values by
pages; the confirmation of an entry next to the form, with or without HTMX."""

from __future__ import annotations

import re
from typing import Any

HX = {"HX-Request": "true"}
MEASURE = "/mesures/d01-r1-places-eaje/"  # défi n°1, piloted by « pilote »
MONTHLY = "/indicateurs/cog-08-32/"  # 58 monthly periods: three pages


def _value(client: Any, url: str, value: str, **extra: Any) -> Any:
    data = {"action": "value", "periode": "2025", "valeur": value, "statut": "provisional"}
    return client.post(url, data, **extra)


def test_situation_chart_and_form_come_before_the_definition_and_the_values(
    client_for: Any,
) -> None:
    html = client_for("pilote").get(MEASURE).content.decode()
    order = [
        html.index(marker)
        for marker in (
            'id="situation"',
            'data-chart="chart-d01-r1-places-eaje"',
            'id="saisir-titre"',
            'id="detail"',
            'id="definition"',
            'id="valeurs"',
            'id="analyse"',
        )
    ]
    assert order == sorted(order)
    # the definition is folded, the period expected to date already filled in
    assert re.search(r'<details class="subject-definition">\s*<summary><h2 id="definition">', html)
    assert 'name="periode" value="2025"' in html


def test_the_readings_to_confirm_say_their_confidence_in_words(client_for: Any) -> None:
    html = client_for("lecteur").get("/indicateurs/datamining-metier/").content.decode()
    assert "confiance faible" in html and "lectures du texte signé à confirmer" in html
    assert "<strong>élevée</strong>" in html  # what the three words mean
    assert not re.search(r"confiance (L|M|H)\b", html)


def test_values_by_pages_with_an_accessible_navigation(client_for: Any) -> None:
    client = client_for("lecteur")
    first = client.get(MONTHLY).content.decode()
    assert '<nav class="value-pages" aria-label="Pages du tableau des valeurs">' in first
    assert 'href="?page=1#valeurs" aria-current="page"' in first
    assert 'href="?page=2#valeurs" rel="next"' in first and 'rel="prev"' not in first
    assert first.count("<tbody>") == 24
    second = client.get(MONTHLY + "?page=2").content.decode()
    assert "Page 2 sur 3 : périodes 25 à 48 sur 58." in second
    assert 'rel="prev"' in second and 'rel="next"' in second
    assert "octobre 2024" in second
    last = client.get(MONTHLY + "?page=3").content.decode()
    assert last.count("<tbody>") == 10 and 'rel="next"' not in last
    assert client.get(MONTHLY + "?page=abc").status_code == 200  # page 1
    # a short series has no page navigation
    assert "value-pages" not in client.get(MEASURE).content.decode()


def test_after_an_entry_the_confirmation_is_next_to_the_form(client_for: Any) -> None:
    client = client_for("pilote")
    response = _value(client, MEASURE, "64")
    assert response.status_code == 302
    assert response["Location"] == MEASURE + "#confirmation-saisie"
    html = client.get(response["Location"]).content.decode()
    start = html.index('id="saisir-titre"')
    form = html[start : html.index("</form>", start)]
    assert 'id="confirmation-saisie"' in form and 'role="status"' in form
    assert "Valeur enregistrée : 64 pour 2025" in form and "data-autofocus" in form
    # not also at the top of the page, out of sight
    assert 'class="messages"' not in html
    # shown once
    assert "Valeur enregistrée" not in client.get(MEASURE).content.decode()


def test_after_an_htmx_entry_the_confirmation_is_next_to_the_form(client_for: Any) -> None:
    response = _value(client_for("pilote"), MEASURE, "65", headers=HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="suivi"')
    start = html.index('id="saisir-titre"')
    form = html[start : html.index("</form>", start)]
    assert 'id="confirmation-saisie"' in form and "Valeur enregistrée : 65 pour 2025" in form


def test_after_an_analysis_the_confirmation_is_next_to_its_form(client_for: Any) -> None:
    client = client_for("pilote")
    response = client.post(
        MEASURE,
        {"action": "analysis", "periode": "2025", "analyse": "Ouvertures prévues.", "risques": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == MEASURE + "#confirmation-analyse"
    html = client.get(response["Location"]).content.decode()
    form = html[html.index('id="analyser-titre"') :]
    assert 'id="confirmation-analyse"' in form and "Analyse de 2025 enregistrée" in form
    assert 'id="confirmation-saisie"' not in html


def test_a_subject_without_value_nor_target_has_no_chart(client_for: Any) -> None:
    html = client_for("lecteur").get("/mesures/d10-r4-etudes-territoriales/").content.decode()
    assert "Ni valeur ni cible à représenter : pas de graphique." in html
    assert "data-chart=" not in html
