"""The sign-in page with single sign-on on (decision 025), in Chromium: the « Se connecter avec
… » button above the local form, reached by keyboard, no axe-core violation (WCAG 2.1 AA), with
local accounts open and closed (the break-glass form folded). The flow itself is tested against
a real provider in tests/web/test_sso_oidc.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_pages import axe_violations, describe

from cpog.web.sso_config import SsoConfig

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("local_accounts", [True, False])
def test_the_sign_in_page_with_sso(
    site: Any,
    new_page: Callable[..., Any],
    settings: Any,
    tmp_path: Path,
    local_accounts: bool,
) -> None:
    groups = tmp_path / "groupes.yaml"
    groups.write_text("groupes:\n  A:\n    role: lecteur\n", encoding="utf-8")
    settings.SSO_CONFIG = SsoConfig(
        issuer="https://sso.caf.example",
        client_id="cpog",
        client_secret="s",
        groups_file=groups,
        name="l'annuaire de la Caf",
    )
    settings.SSO_LOCAL_ACCOUNTS = local_accounts
    page = new_page()
    page.goto(site("/connexion/"))
    button = page.get_by_role("link", name="Se connecter avec l'annuaire de la Caf")
    assert button.get_attribute("href") == "/connexion/annuaire/"
    username = page.get_by_label("Identifiant")
    assert username.is_visible() == local_accounts
    if not local_accounts:
        page.get_by_text("Connexion de secours (administrateurs)").click()
        assert username.is_visible()
    for _ in range(20):  # the button is reached with Tab, before the local form
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "sso-login":
            break
    else:
        pytest.fail("bouton de l'annuaire jamais atteint au clavier")
    violations = axe_violations(page)
    assert not violations, "violations axe-core (WCAG 2.1 AA) :\n" + describe(violations)
