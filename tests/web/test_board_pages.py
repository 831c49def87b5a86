"""The dashboard for the board and the défi pages that lead with results, as served: the
sentence, the two counts, one « À traiter » list with titles and pilots, the tiles; a défi's
state and why before its results, and its signed text folded below."""

from __future__ import annotations

import html
import re
from typing import Any

from cpog.web.models import ChallengePilot


def _text(response: Any) -> str:
    page = html.unescape(response.content.decode())
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return " ".join(page.replace("\u202f", " ").replace("\u00a0", " ").split())


def test_the_dashboard_says_where_the_contract_stands(client_for: Any) -> None:
    response = client_for("lecteur").get("/")
    assert response.status_code == 200
    page = response.content.decode()
    text = _text(response)
    assert re.search(
        r"Au 27/11/2026, \d+ résultats visés sur 35 et \d+ indicateurs sur \d+ évalués sont "
        r"atteints, en avance ou conformes ;",
        text,
    )
    assert "Résultats visés (35)" in text and "Indicateurs (36)" in text
    # each bar's legend reads without colour: counts and words
    legend = re.search(r'aria-label="Indicateurs par statut">(.*?)</ul>', page, re.S)
    assert legend is not None
    assert "8 sans cible" in _text_of(legend.group(1))
    assert page.count('class="seg seg-') >= 2
    # one « À traiter » list: the old duplicates are gone
    assert "À traiter" in text
    for gone in ("Analyses manquantes", "Valeurs en retard de saisie", "En retard, non atteints"):
        assert gone not in text
    # défi tiles, with a sparkline and its words
    for number in range(1, 11):
        assert f'href="/defis/{number}/"' in page
    assert page.count('data-chart="sparkline-') == 10
    assert "Avancement moyen : " in text and "fin 2025" in text


def _text_of(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(fragment)).replace("\u00a0", " ").split())


def test_a_todo_row_has_a_title_values_gap_pilot_and_analysis(client_for: Any, users: Any) -> None:
    users.pilote.first_name, users.pilote.last_name = "Anne", "Martin"
    users.pilote.save()
    ChallengePilot.objects.create(
        user=users.pilote, contract_id=ChallengePilot.objects.get().contract_id, challenge_number=2
    )
    page = client_for("lecteur").get("/").content.decode()
    table = page[page.index('id="a-traiter"') : page.index('id="defis"')]
    rows = re.findall(r"<tr>.*?</tr>", table, re.S)[1:]
    assert rows
    first = _text_of(rows[0])
    # the most serious first: défi n°2's service for young people, « en retard »
    assert first.startswith("Services logement jeunes créés depuis 2023") and "défi n°2" in first
    assert "En retard" in first and "Anne Martin" in first and "analyse attendue" in first
    assert "−1 service" in first and "2 services en 2027" in first
    # titles, not slugs, as link texts
    links = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', table)
    assert links and not [t for t in links if re.fullmatch(r"[a-z0-9-]+", t)]


def test_the_dashboard_is_also_a_document(client_for: Any) -> None:
    data = client_for("lecteur").get("/", {"format": "json"}).json()
    content = data["contenu"]
    assert content["phrase"].startswith("Au 27/11/2026")
    assert [b["total"] for b in content["barres"]] == [35, 36]
    assert len(content["tuiles"]) == 10 and content["a_traiter"]


def test_a_challenge_page_leads_with_its_state_and_why(client_for: Any) -> None:
    response = client_for("lecteur").get("/defis/2/")
    page = response.content.decode()
    text = _text(response)
    assert "Statut du défi : En retard — 1 résultat visé sur 3 en retard, 1 à surveiller." in text
    order = [
        page.index('id="situation"'),
        page.index('id="en-retard"'),
        page.index('id="resultats-vises"'),
        page.index('id="indicateurs"'),
        page.index('id="actions"'),
        page.index('id="texte-signe"'),
    ]
    assert order == sorted(order)
    late = page[page.index('id="en-retard"') : page.index('id="resultats-vises"')]
    assert "/mesures/d02-r1-services-logement-jeunes/" in late
    # the signed text is folded by section, each with a clear summary
    signed = page[page.index('id="texte-signe"') :]
    for summary in ("Diagnostic", "Objectifs", "Partenaires"):
        assert re.search(rf"<details[^>]*>\s*<summary>{summary}", signed), summary


def test_a_challenge_with_nothing_late_says_so(client_for: Any) -> None:
    text = _text(client_for("lecteur").get("/defis/3/"))
    assert "Conforme — 3 résultats visés sont atteints, en avance ou conformes." in text
    assert "Rien n'est en retard" in text
