"""The map page in Chromium at 1280 and 390 px: the Vega view draws the eight EPCI (and the 252
communes), no console error, no accessibility violation, nothing wider than a phone; the table
scrolls in its own box. With ``CPOG_SCREENSHOTS=1`` (``make screenshots``) its first screen is
saved for the user guide (docs/images/ecrans/carte-*.png)."""

from __future__ import annotations

import os
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from test_browser import axe_violations, describe, visit

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parents[2]
WIDTHS = {"bureau": (1280, 800), "telephone": (390, 844)}


@pytest.fixture
def territory_values(site: Any) -> None:
    """COG 08-29 of September 2026 for every commune (from 8 to 20 jours); the EPCI are made
    from their communes by ratio of sums."""
    from cpog.geography import geography_of
    from cpog.periods import parse_period
    from cpog.store.values import NewValue, record_values

    period = parse_period("2026-09")
    for i, commune in enumerate(geography_of("79").communes):
        days = Decimal(8 + (i * 7919) % 120 / 10)
        record_values(
            site.contract.id,
            commune.code,
            [NewValue("indicator", "cog-08-29", period, days, days * 10, Decimal(10))],
            source="import",
            user="test",
            scope_type="territory",
        )


def _paths(page: Any) -> int:
    """How many shapes the map's SVG draws (the geoshape marks' paths)."""
    return int(
        page.evaluate("() => document.querySelectorAll('.map-chart svg g.mark-shape path').length")
    )


@pytest.mark.parametrize("name", list(WIDTHS))
def test_the_map_draws_the_territories_without_error(
    territory_values: None,
    site: Any,
    logged_in: Callable[..., Any],
    problems: Any,
    name: str,
) -> None:
    width, height = WIDTHS[name]
    page = logged_in("lecteur", viewport={"width": width, "height": height})
    visit(page, site("/carte/?sujet=cog-08-29&par=epci"))
    holder = page.locator(".map-chart")
    assert holder.get_attribute("data-chart-ready") == "1"
    assert _paths(page) == 8
    box = holder.bounding_box()
    assert box is not None and box["width"] <= width  # the map scales to the screen
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"la page déborde de {overflow} px à {width} px"
    assert page.locator(".map-table .table-scroll[tabindex='0'][role='region']").count() == 1
    if violations := axe_violations(page):
        pytest.fail(f"violations axe-core à {width} px :\n" + describe(violations))
    if os.environ.get("CPOG_SCREENSHOTS") == "1":
        target = ROOT / "docs/images/ecrans" / f"carte-{name}.png"
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(target), full_page=False, scale="css", animations="disabled")
    # the communes, then back with the keyboard: the choices are a plain form
    visit(page, site("/carte/?sujet=cog-08-29&par=commune"))
    assert _paths(page) == 252
    page.get_by_label("par EPCI").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher").press("Enter")
    assert "par=epci" in page.url
    visit(page, page.url)
    assert _paths(page) == 8
    assert problems.items == [], "\n".join(problems.items)
