"""A board member sees in one screen where the contract stands: the dashboard as a lecteur, at
desktop (1280×800) and phone (390 px) widths, in Debian's Chromium."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from test_browser import axe_violations, describe, visit

pytestmark = pytest.mark.browser


def _bottom(page: Any, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} n'est pas affiché"
    return float(box["y"] + box["height"])


def test_a_board_member_sees_in_one_screen_where_the_contract_stands(
    site: Any, logged_in: Callable[[str], Any], problems: Any
) -> None:
    page = logged_in("lecteur")
    page.set_viewport_size({"width": 1280, "height": 800})
    visit(page, site("/"))
    assert page.evaluate("window.scrollY") == 0
    sentence = page.locator(".board-sentence")
    assert sentence.inner_text().startswith("Au 27/11/2026, ")
    bars = page.locator(".status-bar")
    assert bars.count() == 2
    assert bars.locator("h2").all_inner_texts() == ["Résultats visés (35)", "Indicateurs (36)"]
    for selector in (
        ".board-sentence",
        ".status-bar >> nth=0",
        ".status-bar >> nth=1",
        "#a-traiter",
    ):
        assert _bottom(page, selector) <= 800, f"{selector} sous la ligne de flottaison"
    # the legends say in words what the colours show
    assert "sans cible" in bars.nth(1).locator(".legend").inner_text()
    # every sparkline is drawn, with its words
    sparklines = page.locator('.sparkline [data-chart-ready="1"]')
    assert sparklines.count() == len(site.contract.challenges)
    assert all(s.get_attribute("aria-label") for s in sparklines.all())
    violations = axe_violations(page)
    assert not violations, "axe-core à 1280 px :\n" + describe(violations)

    # the défi tiles lead to the défi pages
    page.locator(".tile h3 a").first.click()
    assert page.url == site("/defis/1/")

    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, site("/"))
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, f"le tableau de bord fait {width} px de large à 390 px"
    violations = axe_violations(page)
    assert not violations, "axe-core à 390 px :\n" + describe(violations)
    assert not problems.items, "\n".join(problems.items)
