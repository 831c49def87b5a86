"""Indicateurs: the list with its filters, the indicator and measure pages, value entry and
analyses (permissions, French validation, revisions, status recomputed after a write)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.test import Client

from cpog import clock
from cpog.assess import Observation
from cpog.contexts.indicators import trend_of
from cpog.periods import Period
from cpog.store.models import Analysis, AuditEvent, Measurement

HX = {"HX-Request": "true"}


def _manual(subject_id: str) -> list[Measurement]:
    return list(Measurement.objects.filter(subject_id=subject_id, source=Measurement.Source.MANUAL))


def _counts() -> tuple[int, int, int]:
    return Measurement.objects.count(), AuditEvent.objects.count(), Analysis.objects.count()


def _value(client: Client, url: str, period: str, value: str, **extra: Any) -> Any:
    data = {"action": "value", "periode": period, "valeur": value, "statut": "provisional"}
    data.update(extra.pop("data", {}))
    return client.post(url, data, **extra)


def _status_block(html: str) -> str:
    start = html.index('id="situation"')
    return html[start : html.index('id="evolution"')]


# --- the list ------------------------------------------------------------------------------


def test_list_groups_by_family_and_shows_columns(client_for: Any) -> None:
    response = client_for("lecteur").get("/indicateurs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1>") == 1
    for family in ("Services à l&#x27;allocataire", "Performance économique et sociale"):
        assert family in html
    assert "Information famille" in html  # a sub-group heading
    assert 'href="/indicateurs/cog-08-29/"' in html
    assert "COG 08-29" in html
    assert "Dernière valeur" in html and "Cible finale" in html
    assert re.search(r"en (hausse|baisse)|stable", html)
    assert "<caption" in html and 'scope="col"' in html
    assert "hx-get" in html and "hx-push-url" in html


def test_list_filter_by_status_shows_only_that_status(client_for: Any) -> None:
    response = client_for("lecteur").get("/indicateurs/?statut=en_retard")
    html = response.content.decode()
    table = html[html.index('id="liste-indicateurs"') :]
    badges = re.findall(r'class="badge badge-([a-z_]+)"', table)
    assert badges and set(badges) == {"en_retard"}
    assert "cog-12-48" in table and "cog-08-29" not in table
    assert 'value="en_retard" selected' in html


def test_list_filters_combine_and_htmx_gets_the_table_only(client_for: Any) -> None:
    client = client_for("lecteur")
    response = client.get(
        "/indicateurs/?famille=maitrise-risques&type=result&nature=cog", headers=HX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="liste-indicateurs"' in html and 'hx-swap-oob="innerHTML"' in html
    assert "COG 10-41" in html and 'href="/indicateurs/cog-10-41/"' in html
    assert 'href="/indicateurs/iql0/"' not in html  # hors COG
    assert 'href="/indicateurs/cog-08-29/"' not in html  # another family
    assert "Hors COG" not in html.split('id="liste-indicateurs"')[1]
    nothing = client.get("/indicateurs/?statut=sans_cible&type=result")
    assert "Aucun indicateur ne correspond" in nothing.content.decode()
    ignored = client.get("/indicateurs/?statut=inconnu")
    assert ignored.status_code == 200 and "COG 08-29" in ignored.content.decode()


def test_trend_from_the_last_two_values() -> None:
    def obs(month: int, value: float) -> Observation:
        return Observation(Period.month_of(2025, month), value)

    assert trend_of([obs(2, 5), obs(1, 3)]).text == "en hausse"  # type: ignore[union-attr]
    assert trend_of([obs(1, 5), obs(2, 3)]).text == "en baisse"  # type: ignore[union-attr]
    assert trend_of([obs(1, 5), obs(2, 5)]).arrow == "→"  # type: ignore[union-attr]
    assert trend_of([obs(1, 5)]) is None


# --- the pages -----------------------------------------------------------------------------


def test_indicator_page_shows_definition_status_chart_and_values(client_for: Any) -> None:
    response = client_for("lecteur").get("/indicateurs/cog-08-29/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1>") == 1
    assert "Délai moyen de démarche des prestations légales" in html
    assert "à confirmer (confiance faible) : " in html
    assert "Statistiques de production Cnaf" in html
    assert "Cible annuelle" in html and "Cible finale" in html and "Projection" in html
    assert 'data-chart="chart-cog-08-29"' in html and 'id="chart-cog-08-29"' in html
    assert "vega-embed-7.3.0.min.js" in html
    assert "valeur en vigueur" in html and "données de démonstration" in html
    assert 'id="analyse"' in html
    # read-only for a lecteur: no form, but a French note
    assert 'name="action"' not in html
    assert "Votre rôle permet de consulter" in html
    assert "style=" not in html and "<script>" not in html


def test_measure_page_shares_the_template(client_for: Any) -> None:
    response = client_for("controle").get("/mesures/d01-r1-places-eaje/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Places nouvelles nettes créées en EAJE depuis 2023" in html
    assert 'href="/defis/1/"' in html
    assert 'name="action" value="value"' in html and 'name="action" value="analysis"' in html


def test_unknown_subject_is_a_french_404(client_for: Any) -> None:
    client = client_for("lecteur")
    response = client.get("/indicateurs/nexiste-pas/")
    assert response.status_code == 404
    assert "Indicateur introuvable dans le contrat : « nexiste-pas »" in response.content.decode()
    assert client.get("/mesures/nexiste-pas/").status_code == 404
    # a measure id is not an indicator id
    assert client.get("/indicateurs/d01-r1-places-eaje/").status_code == 404


def test_pages_need_login(steering_data: Any) -> None:
    response = Client().get("/indicateurs/cog-08-29/")
    assert response.status_code == 302 and "/connexion/" in response["Location"]


# --- value entry ---------------------------------------------------------------------------


def test_lecteur_reads_but_cannot_post(client_for: Any) -> None:
    client = client_for("lecteur")
    assert client.get("/indicateurs/cog-01-11/").status_code == 200
    before = _counts()
    response = _value(client, "/indicateurs/cog-01-11/", "2025", "98,5")
    assert response.status_code == 403
    assert "droit" in response.content.decode()
    analysis = client.post(
        "/indicateurs/cog-08-32/",
        {"action": "analysis", "periode": "octobre 2026", "analyse": "x", "action_corrective": "y"},
    )
    assert analysis.status_code == 403
    assert _counts() == before


def test_pilot_writes_only_the_subjects_of_their_challenge(client_for: Any) -> None:
    client = client_for("pilote")
    response = _value(client, "/indicateurs/cog-01-11/", "2025", "98,5")
    assert response.status_code == 302
    assert response["Location"] == "/indicateurs/cog-01-11/#confirmation-saisie"
    [row] = _manual("cog-01-11")
    assert row.value == Decimal("98.5") and row.recorded_by == "pilote"
    assert row.period_key == "2025"
    assert AuditEvent.objects.filter(
        entity_type="measurement", entity_id="indicator:cog-01-11:2025", action="revise"
    ).exists()
    page = client.get("/indicateurs/cog-01-11/").content.decode()
    assert "Valeur enregistrée : 98,5 pour 2025" in page  # the success message
    assert "saisie" in page and "pilote" in page

    before = _counts()
    refused = _value(client, "/indicateurs/cog-08-29/", "octobre 2026", "12")
    assert refused.status_code == 403
    assert _counts() == before
    # a measure of défi n°1 is theirs too, one of défi n°2 is not
    assert _value(client, "/mesures/d01-r1-mam/", "2025", "7").status_code == 302
    assert (
        _value(client, "/mesures/d02-r1-services-logement-jeunes/", "2025", "1").status_code == 403
    )


def test_htmx_post_shows_the_new_status_without_reload(client_for: Any) -> None:
    client = client_for("controle")
    url = "/indicateurs/cog-12-48/"  # coût par unité d'œuvre, en retard, cible ≤ 86 en 2027
    before = client.get(url).content.decode()
    assert "badge-atteint" not in _status_block(before)
    response = _value(client, url, "2025", "80", headers=HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and html.lstrip().startswith('<div id="suivi"')
    status = _status_block(html)
    assert "Atteint" in status and "badge-atteint" in status
    assert "Valeur enregistrée : 80 pour 2025 (provisoire). Statut : Atteint." in html
    assert 'data-chart="chart-cog-12-48"' in html
    # the values table shows the new revision in force and the replaced one
    assert "remplacée" in html
    # the dashboard agrees
    dashboard = client.get("/").content.decode()
    assert 'href="/indicateurs/cog-12-48/#analyse"' not in dashboard


def test_bad_period_is_refused_in_french_and_nothing_written(client_for: Any) -> None:
    client = client_for("controle")
    before = _counts()
    response = _value(client, "/indicateurs/cog-12-48/", "13/2025", "80")
    assert response.status_code == 400
    html = response.content.decode()
    assert "« 13/2025 »" in html and "Période non reconnue" in html
    assert 'role="alert"' in html and 'aria-invalid="true"' in html
    assert 'value="13/2025"' in html  # what was typed is kept
    htmx = _value(client, "/indicateurs/cog-12-48/", "13/2025", "80", headers=HX)
    assert htmx.status_code == 400 and "« 13/2025 »" in htmx.content.decode()
    assert "<html" not in htmx.content.decode()
    assert _counts() == before


def test_value_validation_messages(client_for: Any) -> None:
    client = client_for("controle")
    next_year = str(clock.today().year + 1)
    before = _counts()
    cases = [
        ("/indicateurs/cog-12-48/", "2025", "12,3,4", "« 12,3,4 »"),
        ("/indicateurs/cog-12-48/", "2025", "", "Valeur : valeur manquante"),
        ("/indicateurs/cog-12-48/", next_year, "80", "pas encore terminée"),
        ("/indicateurs/cog-08-29/", "2025", "12", "COG 08-29 se saisit par mois"),
        ("/indicateurs/cog-12-48/", "mars 2025", "12", "COG 12-48 se saisit par année"),
        ("/mesures/d09-r1-jumelage-production/", "2025", "150", "de 0 à 100"),
        ("/indicateurs/cog-12-48/", "cumul à fin mars 2025", "12", "ne sont pas cumulées"),
    ]
    for url, period, value, message in cases:
        response = _value(client, url, period, value)
        assert response.status_code == 400, (url, period, value)
        assert message in response.content.decode(), (url, period, value)
    assert _counts() == before


def test_year_to_date_period_is_the_month_of_a_cumulated_indicator(client_for: Any) -> None:
    client = client_for("controle")
    response = _value(client, "/indicateurs/cog-08-29/", "cumul à fin mars 2025", "14,5")
    assert response.status_code == 302
    [row] = _manual("cog-08-29")
    assert row.period_key == "2025-03"


def test_two_posts_make_two_revisions_in_the_table(client_for: Any) -> None:
    client = client_for("controle")
    url = "/indicateurs/cog-12-48/"
    assert _value(client, url, "2024", "91,25", data={"commentaire": "premier"}).status_code == 302
    assert _value(client, url, "2024", "90,5", data={"statut": "definitive"}).status_code == 302
    assert len(_manual("cog-12-48")) == 2
    html = client.get(url).content.decode()
    table = html[html.index('id="valeurs"') : html.index('id="analyse"')]
    assert "91,25" in table and "90,5" in table and "premier" in table
    first, second = table.index("90,5"), table.index("91,25")
    assert first < second  # newest revision first
    assert table.count("valeur en vigueur") >= 1 and "remplacée" in table
    assert "définitive" in table and "controle" in table
    # the same value again writes nothing
    again = _value(client, url, "2024", "90,5", data={"statut": "definitive"}, headers=HX)
    assert "rien n&#x27;a été enregistré" in again.content.decode()
    assert len(_manual("cog-12-48")) == 2


def test_htmx_post_without_csrf_token_is_refused(users: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.controle)
    before = _counts()
    response = _value(client, "/indicateurs/cog-12-48/", "2025", "80", headers=HX)
    assert response.status_code == 403
    assert _counts() == before


# --- analyses ------------------------------------------------------------------------------


def test_analysis_clears_the_missing_analysis_flag(client_for: Any) -> None:
    client = client_for("controle")
    link = 'href="/indicateurs/cog-08-32/#analyse"'
    assert link in client.get("/").content.decode()
    page = client.get("/indicateurs/cog-08-32/").content.decode()
    assert "sont attendues et n'ont pas encore été écrites" in page
    assert 'value="octobre 2026"' in page  # default period: the current value's

    before = _counts()
    missing = client.post(
        "/indicateurs/cog-08-32/",
        {"action": "analysis", "periode": "octobre 2026", "analyse": "Hausse des délais."},
        headers=HX,
    )
    assert missing.status_code == 400
    assert "Action corrective : obligatoire" in missing.content.decode()
    assert _counts() == before

    response = client.post(
        "/indicateurs/cog-08-32/",
        {
            "action": "analysis",
            "periode": "octobre 2026",
            "analyse": "Hausse des délais liée au pic saisonnier.",
            "risques": "Dérive en fin d'année.",
            "action_corrective": "Renfort de deux gestionnaires en novembre.",
        },
        headers=HX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Analyse d&#x27;octobre 2026 enregistrée." in html
    assert "Renfort de deux gestionnaires en novembre." in html
    assert "n'ont pas encore été écrites" not in html
    [analysis] = Analysis.objects.filter(subject_id="cog-08-32")
    assert analysis.period_key == "2026-10" and analysis.author == "controle"
    assert AuditEvent.objects.filter(
        entity_type="analysis", entity_id="indicator:cog-08-32:2026-10", user="controle"
    ).exists()
    assert link not in client.get("/").content.decode()


def test_analysis_needs_its_text(client_for: Any) -> None:
    client = client_for("pilote")
    before = _counts()
    response = client.post(
        "/mesures/d01-r1-mam/", {"action": "analysis", "periode": "2025", "analyse": "  "}
    )
    assert response.status_code == 400
    assert "Analyse : l&#x27;analyse est obligatoire." in response.content.decode()
    assert _counts() == before
    ok = client.post(
        "/mesures/d01-r1-mam/", {"action": "analysis", "periode": "2025", "analyse": "RAS."}
    )
    assert ok.status_code == 302  # en avance: no corrective action needed
    assert Analysis.objects.filter(subject_id="d01-r1-mam", subject_type="measure").count() == 1


def test_unknown_form_is_refused(client_for: Any) -> None:
    response = client_for("controle").post("/indicateurs/cog-12-48/", {"action": "autre"})
    assert response.status_code == 400
    assert "Formulaire inconnu" in response.content.decode()
