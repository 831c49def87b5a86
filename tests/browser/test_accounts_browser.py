"""« Comptes » in a real browser (issue 10): an administrator creates a pilot of défi 4 without
the Django admin, at desktop and phone widths, with no accessibility violation; that pilot then
signs in and may enter a value of défi 4, not of défi 1."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from test_browser import axe_violations, describe, value_form

pytestmark = pytest.mark.browser

CHALLENGE_4_INDICATOR = "cog-08-32"  # défis 4 and 6
CHALLENGE_1_INDICATOR = "cog-01-02"  # défi 1 only


def no_violation(page: Any) -> None:
    if violations := axe_violations(page):
        raise AssertionError(f"{page.url}\n{describe(violations)}")


def no_page_overflow(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 0, f"{page.url} : la page déborde de {width} px en largeur"


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_an_administrator_creates_a_pilot_of_defi_4_without_the_django_admin(
    site: Any,
    new_page: Callable[[], Any],
    log_in: Callable[..., None],
    logged_in: Callable[[str], Any],
    width: int,
    height: int,
) -> None:
    page = logged_in("admin")
    page.set_viewport_size({"width": width, "height": height})
    with page.expect_navigation():
        page.get_by_role("navigation", name="Navigation principale").get_by_role(
            "link", name="Comptes"
        ).click()
    assert page.url == site("/comptes/")
    no_violation(page)
    no_page_overflow(page)

    with page.expect_navigation():
        page.get_by_role("link", name="Créer un compte").click()
    page.get_by_label("Identifiant").fill("pilote4")
    page.get_by_label("Prénom").fill("Paul")
    page.get_by_label("Nom", exact=True).fill("Martin")
    page.get_by_role("radio", name=re.compile(r"^Pilote de défi")).check()
    page.get_by_role("checkbox", name=re.compile(r"^Défi n°4 — ")).check()
    assert page.get_by_role("radio", name=re.compile(r"^Le générer")).is_checked()
    no_violation(page)
    no_page_overflow(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Créer le compte").click()

    heading = page.get_by_role("heading", name="Compte créé : Pilote de défi, pilote du défi n°4")
    assert heading.evaluate("node => node === document.activeElement")
    password = page.get_by_label("Mot de passe initial").input_value()
    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", password), password
    no_violation(page)
    no_page_overflow(page)
    page.goto(site("/comptes/"))
    assert password not in page.content()  # shown once
    row = page.get_by_role("row").filter(has_text="pilote4")
    assert "Pilote de défi" in row.inner_text() and "n°4" in row.inner_text()

    # The new pilot signs in with that password and may write défi 4's values, not défi 1's.
    pilot = new_page()
    pilot.set_viewport_size({"width": width, "height": height})
    log_in(pilot, "pilote4", password)
    assert pilot.url == site("/"), pilot.url
    assert pilot.get_by_role("link", name="Comptes").count() == 0
    pilot.goto(site(f"/indicateurs/{CHALLENGE_4_INDICATOR}/"))
    form = value_form(pilot)
    assert form.count() == 1 and form.get_by_role("button").first.is_enabled()
    pilot.goto(site(f"/indicateurs/{CHALLENGE_1_INDICATOR}/"))
    form = value_form(pilot)
    assert form.count() == 0 or form.get_by_role("button").first.is_disabled()
    assert pilot.goto(site("/comptes/")).status == 403
