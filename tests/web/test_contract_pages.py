"""Pages Contrat, Défis and Défi: content, French formats, charts, 404 and login."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cpog.store.models import ActionState


def _text(response: Any) -> str:
    """The page as text, thin and no-break spaces turned into plain spaces."""
    text = html.unescape(response.content.decode())
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def _ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


@pytest.mark.parametrize("url", ["/contrat/", "/defis/", "/defis/1/", "/defis/4/", "/defis/10/"])
def test_pages_ok_for_reader(client_for: Any, url: str) -> None:
    response = client_for("lecteur").get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1") == 1
    duplicates = [i for i, n in Counter(_ids(page)).items() if n > 1]
    assert duplicates == []
    assert 'style="' not in page
    assert "<script>" not in page  # no inline script: only src= or json_script blocks


@pytest.mark.parametrize("url", ["/contrat/", "/defis/", "/defis/4/", "/defis/99/"])
def test_anonymous_redirected_to_login(db: None, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_contract_page(client_for: Any, steering_data: Any) -> None:
    response = client_for("lecteur").get("/contrat/")
    text = _text(response)
    assert "64 498 allocataires" in text
    for challenge in steering_data.challenges:
        assert challenge.title in text
        assert f'href="/defis/{challenge.number}/"' in text
    assert "Sommaire" in text
    assert "2023-2027" in text and "2 023" not in text
    for anchor in (
        "#preambule",
        "#engagements-caf",
        "#engagements-cnaf",
        "#diagnostic",
        "#chiffres-cles",
        "#orientations",
        "#corrections",
    ):
        assert f'href="{anchor}"' in text
    assert text.count("<details") == sum(len(a.themes) for a in steering_data.commitments.caf.axes)
    assert "Isabelle SANCERNI" in text
    assert steering_data.parent in text
    assert "Innovier" in text  # the erratum shows the signed spelling and the correction
    assert "le texte encodé dans cpog corrige" in text.lower()
    # nested bullets are kept as nested lists
    assert re.search(r"<li>[^<]*<ul><li>", text)
    assert len(steering_data.diagnosis.priorities.orientations) == 4
    for o in steering_data.diagnosis.priorities.orientations:
        assert f'id="{o.id}"' in text


def test_challenge_list(client_for: Any, steering_data: Any) -> None:
    text = _text(client_for("lecteur").get("/defis/"))
    for challenge in steering_data.challenges:
        assert f'href="/defis/{challenge.number}/"' in text
        assert challenge.title in text
    assert "badge-" in text
    # défi 4's trend (no figure) has no progress rate: the list says it is incomplete
    assert re.search(r"\d+ sur \d+ renseignés", text)


def test_challenge_4_page(client_for: Any) -> None:
    response = client_for("lecteur").get("/defis/4/")
    text = _text(response)
    assert "Défi n°4 — Renforcer l'accès et le maintien dans le logement pour tous" in text
    assert "+ 15 points" in text
    assert "78 %" in text
    # a trajectory chart for the quantified measure, its spec in a json_script block
    match = re.search(
        r'<script id="chart-d04-r5-teleprocedures-logement" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match is not None
    spec = json.loads(match.group(1))
    assert "Trajectoire attendue" in {row["serie"] for row in spec["data"]["values"]}
    assert 'data-chart="chart-d04-r5-teleprocedures-logement"' in text
    assert "vega-embed-7.3.0.min.js" in text
    # no chart for the trend measure, a text instead
    assert "chart-d04-r1-allocataires-al" not in text
    assert "depuis 2022" in text
    # baseline provenance, measure links, reading notes
    assert "déduite de chiffres du texte signé" in text
    assert "valeur 2022" in text
    assert 'href="/mesures/d04-r5-teleprocedures-logement/"' in text
    assert "Lecture du texte" in text and "confiance moyenne" in text
    # actions and linked indicators
    assert 'href="/actions/d04-a1/"' in text and "non démarrée" in text
    assert 'href="/indicateurs/cog-08-28/"' in text
    assert "COG 08-28" in text
    # roll-up: every subject has its value for the latest period due (a trend has no progress
    # rate, yet it is « renseigné »)
    assert "Situation au" in text
    assert "7 sur 7 renseignés" in text
    assert "Éléments manquants" not in text
    assert "d04-r1-allocataires-al" in text
    assert "Le Corbusier" in text
    # years are not written as numbers with a thousands separator
    assert "2 022" not in text and "2 027" not in text
    assert "fin 2027" in text


def test_challenge_page_lists_what_is_late_naming_the_period(client_for: Any) -> None:
    text = _text(client_for("lecteur").get("/defis/6/"))
    # COG 08-27 misses its last months (demo « late » scenario): named with the period awaited
    assert "Éléments manquants" in text
    assert "COG 08-27" in text
    assert "valeur de septembre 2026 attendue le 30/10/2026 : 28 jours de retard" in text
    # COG 08-28 takes the values of the measure d06-r4: counted once, with it
    assert "compté avec la mesure" in text and "d06-r4-taux-teleservices" in text


def test_challenge_page_shows_action_state(client_for: Any, steering_data: Any) -> None:
    ActionState.objects.create(
        contract_id=steering_data.id,
        action_id="d04-a2",
        status=ActionState.Status.IN_PROGRESS,
        progress=40,
        updated_by="test",
        updated_at=timezone.now(),
    )
    text = _text(client_for("lecteur").get("/defis/4/"))
    row = re.search(r'href="/actions/d04-a2/".*?</tr>', text, re.S)
    assert row is not None
    assert "en cours" in row.group(0) and "40 %" in row.group(0)


def test_milestone_shown_as_percent_done(client_for: Any, steering_data: Any) -> None:
    from cpog.contract.model import MeasureKind

    found = [
        (c.number, m.id) for c, _, m in steering_data.measures() if m.kind is MeasureKind.MILESTONE
    ]
    assert found
    number, measure_id = found[0]
    text = _text(client_for("lecteur").get(f"/defis/{number}/"))
    assert f"chart-{measure_id}" not in text
    assert re.search(r"(\d+ % réalisé|non renseigné)", text)


def test_unknown_challenge_is_404_in_french(client_for: Any) -> None:
    response = client_for("lecteur").get("/defis/99/")
    assert response.status_code == 404
    text = _text(response)
    assert "Page introuvable" in text
    assert 'lang="fr"' in text


def test_challenge_page_shows_the_analyses_of_its_subjects_off_track(
    client_for: Any, steering_data: Any
) -> None:
    from cpog import clock
    from cpog.contexts.situation import situation
    from cpog.store import audit
    from cpog.store.models import Analysis
    from cpog.store.reader import StoreReader

    found = situation(StoreReader(), steering_data, clock.today())
    row = next(r for r in found.missing_analyses() if r.subject_type == "measure")
    assert row.assessment.current is not None
    client = client_for("lecteur")
    text = _text(client.get(f"/defis/{row.challenge}/"))
    section = text[text.index('id="analyses"') :]
    assert f"{row.code} — " in section
    assert "analyse et action corrective attendues" in section

    Analysis.objects.create(
        contract_id=steering_data.id,
        subject_type="measure",
        subject_id=row.subject_id,
        period_key=row.assessment.current.period.key,
        analysis="La montée en charge est plus lente que prévu.",
        corrective_action="Relancer les porteurs de projet.",
        author="pilote",
        created_at=timezone.now(),
    )
    audit.record("analysis", f"measure:{row.subject_id}", "create", "pilote", after={})
    section = _text(client.get(f"/defis/{row.challenge}/"))
    section = section[section.index('id="analyses"') :]
    assert "Relancer les porteurs de projet." in section
