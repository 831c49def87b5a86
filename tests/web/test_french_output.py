"""French output without leftovers on the pages: plural units, typographic minus, « indice 98,3 »,
enum values in words, and the history and latest updates told in sentences."""

from __future__ import annotations

import html
import re
from typing import Any

from django.test import Client
from django.utils import timezone

from cpog.store.models import AuditEvent

NBSP = "\u00a0"
# Keys the store and the contract use, which a page must never show as such.
RAW_WORDS = re.compile(
    r"\b(monthly|quarterly|annual|year_to_date|snapshot|individualised(_from)?|"
    r"cog_then_individualised|hors_cog|cumulative_count|relative_change|point_change|"
    r"create|revise|manual|provisional|definitive|in_progress|not_started|"
    r"indicator:|measure:)\b"
)


def text(response: Any) -> str:
    return html.unescape(response.content.decode("utf-8"))


def visible(page: str) -> str:
    """What a reader sees: the page without its tags and scripts, no-break spaces as spaces."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page).replace(NBSP, " ")


def rows(page: str) -> list[str]:
    return [" ".join(visible(r).split()) for r in re.findall(r"<tr>.*?</tr>", page, re.S)]


def _value(client: Client, url: str, period: str, value: str, status: str = "provisional") -> None:
    data = {"action": "value", "periode": period, "valeur": value, "statut": status}
    response = client.post(url, data)
    if response.status_code == 200 and "Valeur à confirmer" in text(response):
        # an unusual value: confirm that very input, as the form's second step does
        response = client.post(url, {**data, "confirmer": f"{period}|{value}||"})
    assert response.status_code == 302


# --- history and latest updates --------------------------------------------------------------


def test_history_tells_each_write_in_words(client_for: Any) -> None:
    controle = client_for("controle")
    _value(controle, "/indicateurs/cog-08-32/", "octobre 2026", "19,36")
    _value(controle, "/indicateurs/cog-08-32/", "octobre 2026", "13,5")
    _value(controle, "/mesures/d01-r3-creches-avip/", "2025", "1", "provisional")
    page = text(controle.get("/historique/", {"utilisateur": "controle"}))
    lines = rows(page)[1:]
    assert len(lines) == 3
    subject = r"COG 08-32 [^—]+— octobre 2026 : "
    assert re.search(
        subject + r"19,36 → 13,5 jours, valeur inhabituelle confirmée \(révision, saisie\)",
        lines[1],
    ), lines[1]
    assert re.search(subject + r"[\d,]+ → 19,36 jours \(révision, saisie\)", lines[2]), lines[2]
    assert re.search(
        r"d01-r3 Crèches labellisées AVIP — 2025 : \d+ → 1 crèche, définitive → provisoire "
        r"\(révision, saisie\)",
        lines[0],
    ), lines[0]
    assert 'href="/indicateurs/cog-08-32/"' in page
    table = visible(page[page.index("<table") : page.index("</table>")])
    assert not RAW_WORDS.search(table), RAW_WORDS.search(table)


def test_history_filters_keep_working(client_for: Any) -> None:
    client_for("pilote").post(
        "/actions/d01-a1/",
        {
            "owner": "Service petite enfance",
            "start_date": "01/02/2024",
            "due_date": "31/12/2027",
            "status": "in_progress",
            "progress": "40",
            "milestone_label": "",
            "milestone_due": "",
            "comment_on": "",
            "comment": "Point de décembre.",
        },
    )
    client = client_for("lecteur")
    actions = text(client.get("/historique/", {"type": "action_state"}))
    [line] = rows(actions)[1:]
    at = AuditEvent.objects.get(entity_type="action_state").at
    assert line.startswith(timezone.localtime(at).strftime("%d/"))  # Paris time, as shown
    assert "pilote Action d01-a1 « S'appuyer sur les projets lauréats" in line
    assert "statut en cours, avancement 40 %" in line and "(création, page de l'action)" in line
    targets = rows(text(client.get("/historique/", {"type": "target"})))[1:]
    assert targets and all(" Cible 20" in r for r in targets)
    values = rows(text(client.get("/historique/", {"type": "measurement"})))[1:]
    assert values and all("(création, données de démonstration)" in r for r in values)
    options = text(client.get("/historique/"))
    assert '<option value="measurement">Valeur</option>' in options
    assert '<option value="action_state">État d\'une action</option>' in options


def test_dashboard_latest_updates_in_words(client_for: Any) -> None:
    controle = client_for("controle")
    _value(controle, "/mesures/d08-r3-emissions-ges/", "2025", "98,3", "definitive")
    page = text(controle.get("/"))
    section = page[page.index("Dernières mises à jour") :]
    first = rows(section)[1]
    assert "controle d08-r3 Émissions de gaz à effet de serre" in first
    assert re.search(r"— 2025 : indice [\d,]+ → 98,3 \(révision, saisie\)", first), first
    assert len(rows(section)) == 7  # the heading and the 6 latest writes
    assert not RAW_WORDS.search(visible(section[: section.index("</table>")]))


# --- definitions, lists, contract ---------------------------------------------------------------


def test_indicator_definition_in_words(client_for: Any) -> None:
    page = text(client_for("lecteur").get("/indicateurs/cog-08-29/"))
    definition = visible(page[page.index('id="definition"') : page.index('id="valeurs"')])
    for words in (
        "mensuelle",
        "cumul depuis le 1er janvier",
        "à la baisse (plus c'est bas, mieux c'est)",
        "à confirmer (confiance faible) :",
        "30 jours après la fin de la période",
        "individualisée",
    ):
        assert words in definition, words
    assert not RAW_WORDS.search(definition)
    assert "(confiance L) :" not in definition
    ranked = text(client_for("lecteur").get("/indicateurs/cog-12-49/"))
    assert "Type de cible" in ranked and "individualisée à partir de 2024" in ranked


def test_measure_definitions_sign_their_changes(client_for: Any) -> None:
    client = client_for("lecteur")
    points = visible(text(client.get("/mesures/d04-r5-teleprocedures-logement/")))
    assert "évolution en points" in points and "+15 points ; soit 78 % en 2027" in points
    ges = visible(text(client.get("/mesures/d08-r3-emissions-ges/")))
    assert "−5 % par an" in ges and "- 5" not in ges and "− 5" not in ges
    creches = visible(text(client.get("/mesures/d01-r3-creches-avip/")))
    assert "1 crèche en 2022" in creches and "5 crèches en 2027" in creches


def test_revisions_table_writes_the_unit_with_its_number(client_for: Any) -> None:
    controle = client_for("controle")
    _value(controle, "/mesures/d01-r3-creches-avip/", "2025", "1")
    page = text(controle.get("/mesures/d01-r3-creches-avip/"))
    table = visible(page[page.index('id="valeurs"') : page.index('id="analyse"')])
    assert "1 crèche" in table
    _value(controle, "/mesures/d08-r3-emissions-ges/", "2025", "98,3")
    page = text(controle.get("/mesures/d08-r3-emissions-ges/"))
    table = visible(page[page.index('id="valeurs"') : page.index('id="analyse"')])
    assert "indice 98,3" in table and "98,3 indice" not in table


def test_indicator_list_nature_and_type_in_words(client_for: Any) -> None:
    page = text(client_for("lecteur").get("/indicateurs/"))
    assert '<option value="hors_cog">Hors COG</option>' in page
    assert '<option value="monitoring">Suivi</option>' in page
    table = visible(page[page.index("<table") :])
    assert "Hors COG" in table and "Résultat" in table
    assert not RAW_WORDS.search(table)


def test_contract_key_figures_signed_and_plural(client_for: Any) -> None:
    page = text(client_for("lecteur").get("/contrat/"))
    section = page[page.index('id="chiffres-cles"') : page.index('id="orientations"')]
    values = [visible(v) for v in re.findall(r'<td class="num">(.*?)</td>', section)]
    assert "−526 assistants maternels" in values
    assert "−2,4 %" in values and "−0,1 %" in values
    assert not any("-" in v for v in values)  # a typographic minus, never a hyphen


def test_admin_audit_list_in_words(users: Any) -> None:
    client = Client()
    client.force_login(users.admin)
    page = text(client.get("/admin/store/auditevent/"))
    assert "création" in page and "valeur" in page
    assert ">create<" not in page and ">measurement<" not in page
    filtered = text(client.get("/admin/store/auditevent/", {"action": "create"}))
    assert "création" in filtered
