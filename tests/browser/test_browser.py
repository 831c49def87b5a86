"""The web app in a real browser (Debian's Chromium driven by Playwright): logging in, charts,
HTMX value entry, file import, permissions, CSRF, the access tokens. Every page at desktop and
phone widths (axe-core, overflow, console errors, screenshots): test_pages.py; the keyboard:
test_keyboard.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

DATA = Path(__file__).parent / "data"
AXE = Path(__file__).parents[2] / "src/cpog/web/static/cpog/vendor/axe-core-4.14.1.min.js"
AXE_URL = f"/static/cpog/vendor/{AXE.name}"  # the same file, served by the app

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Défis 4 and 6; « en retard » in the demo data (scenario « évolution contraire au sens attendu »,
# about 19 jours for a final target of ≤ 14 jours).
INDICATOR = "cog-08-32"
OTHER_CHALLENGE_INDICATOR = "cog-08-25"  # linked to défi 6 only: the pilote (défi 1) may not write


def value_form(page: Any) -> Any:
    """The « Saisir une valeur » form of an indicator page."""
    return page.locator("form:has(input[name=action][value=value])")


def status_badge(page: Any) -> Any:
    """The status badge of an indicator page's « Situation » block."""
    return (
        page.locator("#suivi .status-block div")
        .filter(has=page.locator("dt", has_text=re.compile(r"^\s*Statut\s*$")))
        .locator(".badge")
    )


def test_login_refuses_a_wrong_password_then_reaches_the_dashboard(
    site: Any, new_page: Callable[[], Any], log_in: Callable[..., None]
) -> None:
    page = new_page()
    log_in(page, "controle", "pas-le-bon-mot-de-passe")
    assert page.url.startswith(site("/connexion/"))
    alert = page.get_by_role("alert")
    assert "Identifiant ou mot de passe incorrect" in alert.inner_text()
    assert page.locator("h1").inner_text() == "Connexion"

    log_in(page, "controle")
    assert page.url == site("/")
    assert page.locator("h1").inner_text() == "Tableau de bord"
    assert page.get_by_role("navigation", name="Navigation principale").is_visible()


def test_dashboard_shows_challenge_tiles_and_family_table(
    site: Any, logged_in: Callable[[str], Any]
) -> None:
    page = logged_in("lecteur")
    tiles = page.locator(".tiles li.tile")
    assert tiles.count() == len(site.contract.challenges)
    for number, tile in enumerate(tiles.all(), start=1):
        assert tile.locator("h3 a").inner_text().startswith(f"Défi n°{number} — ")
        assert tile.locator(".badge").count() >= 1  # the défi's status, as text
        assert tile.locator(".why").inner_text()

    table = page.locator(
        "table", has=page.locator("caption", has_text="Statut de chaque famille d'indicateurs")
    )
    assert table.locator("tbody th a").all_inner_texts() == [
        "Services à l'allocataire",
        "Politiques et gestion d'action sociale",
        "Performance économique et sociale",
        "Maîtrise des risques et lutte contre la fraude",
    ]
    tiles.first.locator("h3 a").click()
    assert page.url == site("/defis/1/")


def test_challenge_chart_is_drawn(site: Any, logged_in: Callable[[str], Any]) -> None:
    page = logged_in("lecteur")
    page.goto(site("/defis/4/"))
    assert page.locator("h1").inner_text().startswith("Défi n°4")
    chart = page.locator('[data-chart-ready="1"]').first
    chart.wait_for(state="visible")
    chart.locator("svg").first.wait_for(state="attached")
    assert chart.locator("svg").count() >= 1
    assert chart.get_attribute("aria-label")  # the description given by the template
    assert "Graphique indisponible" not in page.locator("main").inner_text()


def test_value_entry_changes_the_status_without_reload(
    site: Any, logged_in: Callable[[str], Any]
) -> None:
    page = logged_in("controle")
    page.goto(site(f"/indicateurs/{INDICATOR}/"))
    before = status_badge(page).inner_text()
    assert before == "En retard"
    # The latest period (the demo data follows today's date): « 19 jours (octobre 2026) ».
    current = page.locator("#suivi .status-block div").filter(has_text="Valeur actuelle")
    period = current.locator("dd .help").inner_text().strip("() ")

    page.evaluate("window.cpogNoReload = true")
    form = value_form(page)
    form.locator("input[name=periode]").fill(period)
    form.locator("input[name=valeur]").fill("12")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name="Enregistrer la valeur").click()
    assert posted.value.status == 200
    assert posted.value.request.headers.get("hx-request") == "true"
    # 12 days after about 20 in September is far from the series: a second step asks to confirm.
    confirm = value_form(page).get_by_role("button", name="Confirmer et enregistrer la valeur")
    confirm.wait_for()
    assert "confirmez la valeur" in page.locator("#valeur-a-confirmer").inner_text()
    assert status_badge(page).inner_text() == before  # nothing written yet
    with page.expect_response(lambda r: r.request.method == "POST") as confirmed:
        confirm.click()
    assert confirmed.value.status == 200
    page.locator("#suivi .notice.success").wait_for()

    after = status_badge(page).inner_text()
    assert after != before, f"statut inchangé après la saisie : {after}"
    assert after in {"Atteint", "En avance", "Conforme"}
    assert page.evaluate("window.cpogNoReload === true"), "la page a été rechargée en entier"
    # the value and its unit, kept on one line by a no-break space
    assert "12\u00a0jours" in page.locator("#suivi table.revisions").inner_text()


def test_import_lists_every_error_then_imports_a_good_file(
    site: Any, logged_in: Callable[[str], Any]
) -> None:
    page = logged_in("controle")
    page.goto(site("/import/"))

    def check(name: str) -> None:
        page.get_by_role("radio", name=re.compile("^Valeurs")).check()
        page.get_by_label("Fichier à importer").set_input_files(DATA / name)
        with page.expect_navigation():
            page.get_by_role("button", name="Vérifier le fichier").click()

    check("valeurs-erreurs.csv")
    errors = page.get_by_role("alert")
    assert "3 erreurs" in errors.inner_text()
    rows = errors.locator("tbody tr")
    assert rows.count() == 3, errors.inner_text()
    for row, (line, bad) in zip(
        rows.all(), [(2, "COG 99-99"), (3, "13/2026"), (4, "quatre-vingts")], strict=True
    ):
        cells = row.locator("td").all_inner_texts()
        assert cells[0] == str(line), cells
        assert f"« {bad} »" in cells[2], cells
        assert cells[3].strip(), cells  # the reason

    check("valeurs-bonnes.csv")
    assert page.get_by_role("alert").count() == 0
    preview = page.locator("table", has=page.locator("caption", has_text="Changements"))
    lines = preview.locator("tbody tr").all_inner_texts()
    assert len(lines) == 2, lines
    assert "COG 08-25" in lines[0]
    assert "90,7" in lines[0]
    assert "88,3" in lines[1]
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer l'import").click()
    assert "lot=" in page.url
    done = page.get_by_role("status").filter(has_text="Import enregistré")
    assert "2 valeurs enregistrées" in done.inner_text()

    page.goto(site("/indicateurs/cog-08-25/"))
    assert "90,7" in page.locator("table.revisions").inner_text()


def test_pilote_cannot_write_another_challenge(site: Any, logged_in: Callable[[str], Any]) -> None:
    page = logged_in("pilote")
    url = site(f"/indicateurs/{OTHER_CHALLENGE_INDICATOR}/")
    page.goto(url)
    form = value_form(page)
    assert form.count() == 0 or form.get_by_role("button").is_disabled()

    # The form's POST, forged with the page's own CSRF token: refused by the view.
    token = page.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken']")
    response = page.request.post(
        url,
        form={
            "csrfmiddlewaretoken": token,
            "action": "value",
            "periode": "octobre 2026",
            "valeur": "95",
            "statut": "provisional",
        },
        headers={"Referer": url},
    )
    assert response.status == 403
    assert "Accès refusé" in response.text()

    # The same pilote may write the indicators of défi 1.
    page.goto(site("/indicateurs/cog-01-02/"))
    assert value_form(page).count() == 1


def test_htmx_post_without_csrf_token_is_refused(
    site: Any, logged_in: Callable[[str], Any]
) -> None:
    page = logged_in("controle")
    url = site(f"/indicateurs/{INDICATOR}/")
    page.goto(url)
    status = page.evaluate(
        """async (url) => {
            const response = await fetch(url, {
                method: "POST", headers: {"HX-Request": "true"}, body: new FormData()
            });
            return response.status;
        }""",
        url,
    )
    assert status == 403

    # The same request with the token sent by base.html's hx-headers passes the CSRF check (the
    # view then refuses the empty form with its own 400): the 403 above is the CSRF refusal.
    status = page.evaluate(
        """async (url) => {
            const headers = JSON.parse(document.body.getAttribute("hx-headers"));
            headers["HX-Request"] = "true";
            const response = await fetch(url, {method: "POST", headers, body: new FormData()});
            return response.status;
        }""",
        url,
    )
    assert status == 400


def visit(page: Any, url: str) -> None:
    """Open a page, check it answers 200, and wait until its scripts and charts are done (also
    used by test_board.py)."""
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, f"{url} : HTTP {response.status}"
    page.wait_for_load_state("networkidle")
    for holder in page.locator("[data-chart]").all():
        page.wait_for_function(
            "el => el.dataset.chartReady === '1' || el.textContent.includes('indisponible')",
            arg=holder.element_handle(),
        )


def axe_violations(page: Any) -> list[dict[str, Any]]:
    # The page's CSP (script-src 'self') refuses an inline script: axe-core is loaded from the
    # app's own static files, the same file as AXE.
    page.add_script_tag(url=AXE_URL)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    assert result["passes"], f"axe-core n'a rien vérifié sur {page.url}"
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = [node["target"] for node in v["nodes"]]
        lines.append(f"  {v['id']} ({v['impact']}) : {v['help']} — {json.dumps(targets)}")
    return "\n".join(lines)


def test_a_token_is_created_shown_once_accessibly_then_revoked(
    site: Any, logged_in: Callable[[str], Any]
) -> None:
    """« Mes jetons d'accès » from the user menu: create, the key shown once (focused, copyable,
    no accessibility violation), then revoked after a confirmation."""
    page = logged_in("lecteur")
    page.goto(site("/"))
    with page.expect_navigation():
        page.get_by_role("link", name="Mes jetons d'accès").click()
    page.get_by_label("Nom du jeton").fill("tableur")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer le jeton").click()
    key = page.get_by_label("Votre jeton").input_value()
    assert re.fullmatch(r"cpog_[A-Za-z0-9_-]{40,}", key), key
    heading = page.get_by_role("heading", name="Jeton « tableur » créé")
    assert heading.evaluate("node => node === document.activeElement")
    if violations := axe_violations(page):
        raise AssertionError(describe(violations))
    page.goto(site("/jetons/"))
    assert key not in page.content()
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Révoquer")).click()
    if violations := axe_violations(page):
        raise AssertionError(describe(violations))
    with page.expect_navigation():
        page.get_by_role("button", name="Révoquer ce jeton").click()
    assert "Jeton « tableur » révoqué" in page.get_by_role("status").inner_text()
    assert "Révoqué" in page.locator("tbody").inner_text()
