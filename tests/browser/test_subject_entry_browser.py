"""The page of an indicator or a measure in a real browser (issue 10): a pilot enters a value
from it without scrolling, sees the confirmation where they are, and the page holds at phone
width, with axe-core clean, no console error and no Vega warning."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_browser import axe_violations, describe, visit

pytestmark = pytest.mark.browser

MEASURE = "d01-r1-places-eaje"  # a measure of défi n°1, which the « pilote » user pilots
MONTHLY = "cog-08-32"  # a monthly indicator: 58 periods, three pages of values
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# CPOG_SCREENSHOTS=<folder>: keep the screenshots (to look at the pages, or for the user guide)
SHOTS = os.environ.get("CPOG_SCREENSHOTS")


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def _in_viewport(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"]
    )


def _overflow(page: Any) -> int:
    """How many pixels the page is wider than the window (0: no horizontal scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_a_pilot_enters_a_value_from_an_indicator_page_without_scrolling(
    site: Any, logged_in: Callable[[str], Any], problems: Any
) -> None:
    page = logged_in("pilote")
    warnings: list[str] = []
    page.on(
        "console",
        lambda m: warnings.append(f"{page.url} : {m.text}") if m.type == "warning" else None,
    )
    page.set_viewport_size(DESKTOP)
    visit(page, site(f"/mesures/{MEASURE}/"))
    assert page.evaluate("window.scrollY") == 0
    _shot(page, "mesure-1280")

    # the status, the chart and the whole entry form in the first screen
    form = page.locator("form:has(input[name=action][value=value])")
    assert page.locator("#situation").is_visible()
    assert _in_viewport(page, page.locator("#suivi .status-block").first)
    assert _in_viewport(page, form), f"formulaire hors du premier écran : {form.bounding_box()}"
    assert page.locator('.subject-chart [data-chart-ready="1"] svg').count() == 1
    # the period expected to date is already filled in
    period = form.locator("input[name=periode]").input_value()
    assert period == "2025"
    found = {}
    if violations := axe_violations(page):
        found[f"{MEASURE} 1280"] = describe(violations)

    form.locator("input[name=valeur]").fill("64")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        form.get_by_role("button", name="Enregistrer la valeur").click()
    assert posted.value.status == 200
    confirm = form.get_by_role("button", name="Confirmer et enregistrer la valeur")
    if confirm.count():  # a value far from its series takes a second step
        with page.expect_response(lambda r: r.request.method == "POST"):
            confirm.click()
    notice = page.locator("#confirmation-saisie")
    notice.wait_for()
    assert "Valeur enregistrée : 64 pour 2025" in notice.inner_text()
    assert notice.get_attribute("role") == "status"
    assert _in_viewport(page, notice), f"confirmation hors de vue : {notice.bounding_box()}"
    assert page.evaluate("document.activeElement && document.activeElement.id") == (
        "confirmation-saisie"
    )
    assert page.evaluate("window.scrollY") == 0
    assert "64" in page.locator("#suivi table.revisions").inner_text()
    page.locator('.subject-chart [data-chart-ready="1"] svg').wait_for()  # redrawn after the swap
    _shot(page, "mesure-saisie-1280")

    # at phone width: no horizontal scrolling of the page, here and on a long monthly indicator
    page.set_viewport_size(PHONE)
    for path in (f"/mesures/{MEASURE}/", f"/indicateurs/{MONTHLY}/?page=2"):
        visit(page, site(path))
        assert _overflow(page) <= 0, f"{path} : {_overflow(page)} px de trop en largeur"
        if violations := axe_violations(page):
            found[f"{path} 390"] = describe(violations)
    _shot(page, "indicateur-390")
    assert "Page 2 sur 3" in page.locator("nav.value-pages").inner_text()

    assert not found, "violations axe-core (WCAG 2.1 AA) :\n" + "\n".join(
        f"{where}\n{text}" for where, text in found.items()
    )
    assert problems.items == [], "erreurs dans la console :\n" + "\n".join(problems.items)
    assert warnings == [], "avertissements (Vega) dans la console :\n" + "\n".join(warnings)
