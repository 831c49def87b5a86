"""Browser fixtures: the app served by pytest-django's live server, driven by Debian's Chromium.

The Chromium binary comes from the distribution (``apt-get install chromium``), never from
``playwright install``. Without it the browser tests are skipped, unless
``CPOG_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes its absence a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PASSWORD = "mot-de-passe-de-test-1"  # the same as tests/web/conftest.py
TIMEOUT_MS = 15_000
TODAY = "2026-11-27"  # tests/conftest.py's TODAY, for the fixtures wider than a test


def check_chromium() -> None:
    """Skip (or fail under CPOG_REQUIRE_BROWSER=1) when Debian's Chromium is absent."""
    if CHROMIUM.exists():
        return
    reason = (
        f"Chromium absent ({CHROMIUM}) : installez-le avec « apt-get install -y chromium » "
        "(jamais « playwright install »)."
    )
    if os.environ.get("CPOG_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} CPOG_REQUIRE_BROWSER=1 exige les tests navigateur.")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _require_chromium() -> None:
    """Skip (or fail under CPOG_REQUIRE_BROWSER=1) before any data is loaded."""
    check_chromium()


@dataclass
class Site:
    """The live server with the shipped contract, the demo data and one user per role."""

    url: str
    contract: Any
    users: dict[str, Any]

    def __call__(self, path: str) -> str:
        return self.url + path


def load_site_data() -> tuple[Any, dict[str, Any]]:
    """The shipped contract, the demo data and one user per role (as tests/web/conftest.py's
    ``steering_data`` and ``users``): the contract and the users by role."""
    from django.contrib.auth.models import Group, User

    from cpog import clock
    from cpog.contract import default_contract_path
    from cpog.store.contracts import current_contract, load_contract_version
    from cpog.store.demo import load_demo
    from cpog.store.roles import GROUPS, Role
    from cpog.web.models import ChallengePilot

    load_contract_version(default_contract_path(), "test:setup")
    _, contract = current_contract()
    load_demo(contract, clock.today())

    groups = {role: Group.objects.get_or_create(name=role.value)[0] for role in GROUPS}
    users: dict[str, Any] = {
        "admin": User.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    }

    def make(name: str, role: Role) -> Any:
        user = User.objects.create_user(name, f"{name}@example.org", PASSWORD)
        user.groups.add(groups[role])
        return user

    users["controle"] = make("controle", Role.CONTROLE)
    users["pilote"] = make("pilote", Role.PILOTE)  # pilots défi n°1 only
    users["lecteur"] = make("lecteur", Role.LECTEUR)
    ChallengePilot.objects.create(user=users["pilote"], contract_id=contract.id, challenge_number=1)
    return contract, users


@pytest.fixture
def site(live_server: Any, transactional_db: None, settings: Any, tmp_path: Path) -> Site:
    """Same data and users as tests/web/conftest.py (``steering_data`` and ``users``); uploaded
    files go to a temporary folder, not to the project's data/."""
    settings.DATA_DIR = tmp_path
    contract, users = load_site_data()
    return Site(live_server.url, contract, users)


@pytest.fixture(scope="module")
def shared_site(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The data of ``site``, loaded once for a whole module of read-only tests, served by a
    server of its own.

    pytest-django's ``live_server`` brings ``transactional_db``, which empties the database after
    every test: a module that only reads (page tours, screenshots, axe-core) pays the loading
    once with this fixture instead. Its tests must not write, and must not use the ORM (the
    database is emptied when the module ends)."""
    from django.core.management import call_command
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    from cpog import clock

    check_chromium()
    with (
        pytest.MonkeyPatch.context() as patch,
        override_settings(DATA_DIR=tmp_path_factory.mktemp("shared-site")),
        django_db_blocker.unblock(),
    ):
        patch.setenv(clock.ENV, TODAY)
        # Each test of such a module is marked django_db (so that pytest-django creates the
        # test database even when they run alone): its transaction opens while Playwright's
        # event loop is set, which Django refuses unless told the loop runs nothing concurrently.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        try:
            contract, users = load_site_data()
            from cpog.store.demo import load_demo_actions

            load_demo_actions(contract, clock.today())  # the actions as the demo shows them
            users["controle"].first_name, users["controle"].last_name = "Camille", "Durand"
            users["controle"].save()
            server = LiveServer("localhost")
            server._live_server_modified_settings.enable()
            try:
                yield Site(server.url, contract, users)
            finally:
                server._live_server_modified_settings.disable()
                server.stop()
        finally:
            call_command("flush", interactive=False, verbosity=0)


@dataclass
class Problems:
    """Console errors, uncaught exceptions and CSP violations seen by a page."""

    items: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        def on_console(message: Any) -> None:
            if message.type == "error":
                where = message.location.get("url") or ""
                self.items.append(f"{page.url} console : {message.text} [{where}]")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.items.append(f"{page.url} exception : {error}"))


@pytest.fixture
def browser(site: Site) -> Iterator[Any]:
    """One Chromium per test, started after the data is in place and stopped before the
    database is flushed: the ORM is never used while Playwright's event loop runs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def new_page(browser: Any, problems: Problems) -> Callable[..., Any]:
    """A fresh page in its own context (own cookies), watched for console errors; keyword
    arguments go to the context (viewport, is_mobile…)."""
    contexts: list[Any] = []

    def _new_page(**options: Any) -> Any:
        context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    return _new_page


@pytest.fixture
def log_in(site: Site) -> Callable[..., None]:
    """Log in through the real form (/connexion/) as a user of ``site``."""

    def _log_in(page: Any, who: str, password: str = PASSWORD) -> None:
        page.goto(site("/connexion/"))
        page.fill("#id_username", who)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.get_by_role("button", name="Se connecter").click()

    return _log_in


@pytest.fixture
def logged_in(
    site: Site, new_page: Callable[..., Any], log_in: Callable[..., None]
) -> Callable[..., Any]:
    """A page logged in as the given user (admin, controle, pilote, lecteur); keyword arguments
    go to the page's context."""

    def _logged_in(who: str, **options: Any) -> Any:
        page = new_page(**options)
        log_in(page, who)
        assert page.url == site("/"), f"la connexion de {who} n'a pas abouti : {page.url}"
        return page

    return _logged_in


@pytest.fixture(scope="module")
def shared_problems() -> Problems:
    return Problems()


@pytest.fixture(scope="module")
def shared_logged_in(shared_site: Site, shared_problems: Problems) -> Iterator[Callable[..., Any]]:
    """For a module on ``shared_site``: one Chromium, started after the data is loaded and
    stopped before it is emptied. ``shared_logged_in(who, **context_options)`` gives a page in
    a context of its own (viewport, is_mobile…), logged in through the real form (not logged in
    when ``who`` is None)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )

        def _logged_in(who: str | None, **options: Any) -> Any:
            context = chromium.new_context(locale="fr-FR", timezone_id="Europe/Paris", **options)
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            shared_problems.watch(page)
            if who is None:
                return page
            page.goto(shared_site("/connexion/"))
            page.fill("#id_username", who)
            page.fill("#id_password", PASSWORD)
            with page.expect_navigation():
                page.get_by_role("button", name="Se connecter").click()
            assert page.url == shared_site("/"), (
                f"la connexion de {who} n'a pas abouti : {page.url}"
            )
            return page

        try:
            yield _logged_in
        finally:
            chromium.close()
