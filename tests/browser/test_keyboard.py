"""Keyboard only, at desktop and phone widths: through the dashboard (skip link, visible focus,
tab order), an entry on an indicator page (tab to the form, type, Enter, the confirmation
announced) and an import (the file input reached and opened from the keyboard). Each test has
data of its own (``site``): the entry and the import write."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

DATA = Path(__file__).parent / "data"
AXE = next((Path(__file__).parents[2] / "src/cpog/web/static/cpog/vendor").glob("axe-core-*.js"))
AXE_URL = f"/static/cpog/vendor/{AXE.name}"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

WIDTHS = {
    "bureau": {"viewport": {"width": 1280, "height": 800}},
    "telephone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
    },
}
INDICATOR = "cog-08-32"  # défis 4 and 6, monthly, about 19 jours in the demo data
MAIN_LINKS = [
    "Tableau de bord",
    "Contrat",
    "Défis",
    "Indicateurs",
    "Carte",
    "Actions",
    "Import",
    "Historique",
    "Rapports",
]
# Known failures of the pages another part of issue 10 reworks (see Pending); set to "" or
# remove an entry when the page is fixed (the test then says so).
CONFIRMATION_OUT_OF_VIEW = ""
KNOWN_AXE_FAILURES: dict[tuple[str, str], dict[str, str]] = {}
MAX_TABS = 400  # a page whose control is further than this is not usable from the keyboard

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return {
        tag: el.tagName.toLowerCase(),
        name: el.getAttribute("name"),
        text: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim(),
        href: el.getAttribute("href"),
        inNav: !!el.closest("nav.main"),
        inMain: !!el.closest("main"),
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== "none",
        visible: box.width > 0 && box.height > 0
            && box.bottom > 0 && box.top < window.innerHeight
            && box.right > 0 && box.left < window.innerWidth,
    };
}"""


def focused(page: Any) -> dict[str, Any] | None:
    result: dict[str, Any] | None = page.evaluate(FOCUSED)
    return result


def tab_to(page: Any, selector: str) -> int:
    """Press Tab until the focused element matches ``selector``; the number of presses."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return presses
    raise AssertionError(f"{selector} n'est pas atteint en {MAX_TABS} tabulations sur {page.url}")


def assert_focus_shown(page: Any) -> None:
    """The focused element is on screen and drawn with a focus indicator."""
    state = focused(page)
    assert state is not None, f"aucun élément n'a le focus sur {page.url}"
    assert state["visible"], f"élément focalisé hors de l'écran : {state}"
    assert state["outline"] or state["shadow"], f"focus invisible : {state}"


class Pending:
    """Known failures of pages another part of issue 10 reworks, checked like
    ``xfail(strict=True)`` without hiding the rest of the test: the test runs to its end, then is
    an expected failure if a known failure happened, and fails if a known failure is gone."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def check(self, failed: bool, known: str, detail: str) -> None:
        if known and not failed:
            pytest.fail(f"corrigé ({detail}) : retirez « {known} » des échecs connus")
        if known:
            self.seen.append(f"{known} ({detail})")
        else:
            assert not failed, detail

    def finish(self) -> None:
        if self.seen:
            pytest.xfail(" ; ".join(self.seen))


def assert_axe_clean(page: Any, pending: Pending, known: dict[str, str] | None = None) -> None:
    """No axe-core violation, but for the rules of ``known`` (rule id: reason)."""
    known = known or {}
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    result = page.evaluate(
        """async (tags) => await axe.run(document,
            {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        AXE_TAGS,
    )
    violations = {v["id"]: [n["target"] for n in v["nodes"]][:5] for v in result["violations"]}
    for rule, reason in known.items():
        pending.check(rule in violations, reason, f"axe-core {rule} sur {page.url}")
    unknown = {rule: targets for rule, targets in violations.items() if rule not in known}
    assert not unknown, f"axe-core sur {page.url} : {json.dumps(unknown)}"


@pytest.mark.parametrize("width", list(WIDTHS))
def test_dashboard_by_keyboard(site: Any, logged_in: Callable[..., Any], width: str) -> None:
    page = logged_in("lecteur", **WIDTHS[width])

    # First Tab: the skip link, shown when focused; Enter moves the focus to the content.
    page.keyboard.press("Tab")
    state = focused(page)
    assert state and state["text"] == "Aller au contenu", state
    assert_focus_shown(page)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
    page.keyboard.press("Tab")
    state = focused(page)
    assert state and state["inMain"], f"après l'évitement, le focus sort du contenu : {state}"
    assert_focus_shown(page)

    # From the top, every focus stop is visible, and the order reaches the main links, in the
    # menu's order, then the content's links.
    page.goto(site("/"))
    stops: list[dict[str, Any]] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        state = focused(page)
        if state is None or (stops and state == stops[0]):
            break
        assert state["visible"], f"élément focalisé hors de l'écran : {state}"
        assert state["outline"] or state["shadow"], f"focus invisible : {state}"
        stops.append(state)
        if state["inMain"] and state["tag"] == "a" and len(stops) > len(MAIN_LINKS) + 2:
            break
    menu = [stop["text"] for stop in stops if stop["inNav"]]
    assert [text for text in menu if text in MAIN_LINKS] == MAIN_LINKS, menu
    content_links = [stop for stop in stops if stop["inMain"] and stop["tag"] == "a"]
    assert content_links, f"aucun lien du contenu atteint au clavier : {stops}"

    # Enter follows the focused link of the content.
    target = content_links[0]["href"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == site(target) or page.url.startswith(site(target.split("#")[0])), page.url


@pytest.mark.parametrize("width", list(WIDTHS))
def test_value_entry_by_keyboard(site: Any, logged_in: Callable[..., Any], width: str) -> None:
    page = logged_in("controle", **WIDTHS[width])
    page.goto(site(f"/indicateurs/{INDICATOR}/"))
    page.evaluate("window.cpogNoReload = true")

    form = "form:has(input[name=action][value=value])"
    tab_to(page, f"{form} input[name=periode]")
    assert_focus_shown(page)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("octobre 2026")
    tab_to(page, f"{form} input[name=valeur]")
    page.keyboard.type("18")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.keyboard.press("Enter")
    assert posted.value.status == 200

    # Announced to screen readers (role=status), on screen where the user is, and not a reload.
    status = page.get_by_role("status").filter(has_text="enregistrée")
    status.first.wait_for()
    assert status.first.is_visible()
    assert page.evaluate("window.cpogNoReload === true"), "la page a été rechargée en entier"
    assert "18\u00a0jours" in page.locator("main").inner_text()

    pending = Pending()
    assert_axe_clean(page, pending, KNOWN_AXE_FAILURES.get(("indicateur", width)))
    box = status.first.bounding_box()
    viewport = page.viewport_size
    assert box and viewport
    pending.check(
        # on screen, to the pixel's rounding
        not (box["y"] >= -1 and box["y"] + box["height"] <= viewport["height"] + 1),
        CONFIRMATION_OUT_OF_VIEW,
        f"confirmation à y = {box['y']:.0f} px, écran de {viewport['height']} px",
    )
    pending.finish()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_import_by_keyboard(site: Any, logged_in: Callable[..., Any], width: str) -> None:
    page = logged_in("controle", **WIDTHS[width])
    # Playwright turns on Chromium's file-chooser interception when the first listener is added,
    # without waiting for it: a listener added only by expect_file_chooser() can race the key
    # press, and the chooser then opens natively, unseen (CI failure of 02/12/2026). Subscribed
    # before the page loads, the interception is on long before the press.
    page.on("filechooser", lambda _chooser: None)
    page.goto(site("/import/"))

    # The kind of file: a radio group, chosen with the arrow keys.
    tab_to(page, "input[type=radio]")
    assert_focus_shown(page)
    for _ in range(5):
        if page.get_by_role("radio", name=re.compile("^Valeurs")).is_checked():
            break
        page.keyboard.press("ArrowDown")
    assert page.get_by_role("radio", name=re.compile("^Valeurs")).is_checked()

    # The file input, opened from the keyboard.
    tab_to(page, "input[type=file]")
    assert_focus_shown(page)
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(DATA / "valeurs-bonnes.csv")
    tab_to(page, "button[type=submit]:not(.link)")
    assert focused(page)["text"] == "Vérifier le fichier"  # type: ignore[index]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("alert").count() == 0
    assert "est valide" in page.get_by_role("status").first.inner_text()

    tab_to(page, "button[type=submit]:not(.link)")
    assert focused(page)["text"] == "Confirmer l'import"  # type: ignore[index]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    done = page.get_by_role("status").filter(has_text="Import enregistré")
    assert "2 valeurs enregistrées" in done.inner_text()
    pending = Pending()
    assert_axe_clean(page, pending)
    pending.finish()
