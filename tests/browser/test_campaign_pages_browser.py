"""The campaign pages and the « Mot de passe oublié ? » pages in Chromium (decision 026): no
sideways scrolling at 390 px (the table scrolls in its own named box), axe-core clean."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from test_browser import axe_violations, describe, visit
from test_phone_widths import overflow

pytestmark = pytest.mark.browser


@pytest.fixture
def campaign_id(site: Any) -> int:
    """A campaign of November 2026 of the caisse, opened before Chromium starts."""
    from cpog.periods import parse_period
    from cpog.web.campaigns import open_campaign

    opened = open_campaign("79", parse_period("2026-11"), date(2026, 12, 4), None, [], "test")
    return opened.id


def test_campaign_pages_fit_a_phone_and_pass_axe(
    campaign_id: int, site: Any, logged_in: Callable[..., Any]
) -> None:
    page = logged_in("controle")
    page.set_viewport_size({"width": 390, "height": 844})
    wrong = {}
    for path in ("/campagnes/", f"/campagnes/{campaign_id}/"):
        visit(page, site(path))
        if excess := overflow(page):
            wrong[f"{path} : {excess} px de trop"] = []
        if violations := axe_violations(page):
            wrong[path] = violations
    assert not wrong, "\n".join(f"{k}\n{describe(v)}" for k, v in wrong.items())
    box = page.locator(".table-scroll").first
    assert box.get_attribute("role") == "region" and box.get_attribute("tabindex") == "0"


def test_password_reset_pages_pass_axe(site: Any, new_page: Callable[..., Any]) -> None:
    page = new_page(viewport={"width": 390, "height": 844})
    visit(page, site("/connexion/"))
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.wait_for_load_state("networkidle")
    assert page.url == site("/mot-de-passe-oublie/")
    assert axe_violations(page) == [] and overflow(page) == 0
    page.get_by_label("Adresse électronique du compte").fill("personne@example.org")
    page.get_by_role("button", name="Recevoir un lien").click()
    page.wait_for_load_state("networkidle")
    assert page.url == site("/mot-de-passe-oublie/envoye/")
    assert axe_violations(page) == [] and overflow(page) == 0
    visit(page, site("/reinitialiser/MQ/jeton-invalide/"))
    assert "Ce lien n'est pas valable" in page.content()
    assert axe_violations(page) == []


def test_a_campaign_opened_from_the_page_at_phone_width(
    site: Any, logged_in: Callable[..., Any]
) -> None:
    page = logged_in("controle")
    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, site("/campagnes/"))
    assert page.get_by_label("Période").input_value() == "octobre 2026"  # the month just ended
    page.get_by_label("Période").fill("novembre 2026")
    page.get_by_label("Échéance de saisie").fill("30/11/2026")  # before the month's end
    page.get_by_role("button", name="Ouvrir la campagne").click()
    page.wait_for_load_state("networkidle")
    summary = page.get_by_role("alert")
    assert "elle doit suivre la fin de la période novembre 2026" in summary.inner_text()
    assert "rien n'a été enregistré" in summary.inner_text()
    assert axe_violations(page) == [] and overflow(page) == 0
    page.get_by_label("Échéance de saisie").fill("04/12/2026")
    page.get_by_role("button", name="Ouvrir la campagne").click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"/campagnes/[0-9]+/\?caisse=79$", page.url), page.url
    status = page.get_by_role("status").first.inner_text()
    assert "novembre 2026 ouverte : du 27/11/2026 au 04/12/2026" in status
    assert axe_violations(page) == [] and overflow(page) == 0
