"""Accounts of the directory (single sign-on, decision 025) get no local password, from the
« Comptes » page or the command line, and the account page says where they sign in."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.web import accounts
from cpog.web.models import SsoIdentity

NEW = "un-nouveau-mot-de-passe-2026"
PASSWORD = "mot-de-passe-de-test-1"  # the users fixture's (tests/web/conftest.py)


@pytest.fixture
def directory_account(db: None) -> User:
    user = User.objects.create_user("mdupont", "m.dupont@caf.example")
    user.set_unusable_password()
    user.save()
    SsoIdentity.objects.create(user=user, issuer="https://sso.example", subject="abc")
    return user


def test_no_local_password_for_a_directory_account(directory_account: User) -> None:
    with pytest.raises(accounts.AccountError, match="se connecte par l'annuaire"):
        accounts.set_password(directory_account, NEW, "admin")
    directory_account.refresh_from_db()
    assert not directory_account.has_usable_password()


def test_nor_from_the_command_line(directory_account: User) -> None:
    done = CliRunner().invoke(
        app, ["user", "password", "mdupont", "--mot-de-passe-fichier", "-"], input=f"{NEW}\n"
    )
    assert done.exit_code == 1
    assert "« mdupont » se connecte par l'annuaire (authentification unique)" in done.output
    directory_account.refresh_from_db()
    assert not directory_account.has_usable_password()


def test_the_account_page_tells_it(directory_account: User, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from cpog.contract import default_contract_path
    from cpog.store.contracts import load_contract_version

    load_contract_version(default_contract_path(), "test:setup")
    admin = User.objects.create_superuser("admin", "admin@example.org", "mot-de-passe-de-test-1")
    local = User.objects.create_user("local", "local@example.org", "mot-de-passe-de-test-1")
    client = Client()
    client.force_login(admin)
    page = client.get(f"/comptes/{directory_account.pk}/").content.decode()
    assert "par l'annuaire (authentification unique)" in page
    other = client.get(f"/comptes/{local.pk}/").content.decode()
    assert "mot de passe local" in other and "authentification unique" not in other
    refused = client.post(
        f"/comptes/{directory_account.pk}/",
        {"operation": "mot-de-passe", "mdp-password1": NEW, "mdp-password2": NEW},
    )
    assert refused.status_code == 400
    assert "se connecte par l&#x27;annuaire" in refused.content.decode()


def test_a_deactivated_directory_account_loses_its_session(users: Any) -> None:
    """A session opened by single sign-on ends when the account is deactivated (lost every
    group, or by an administrator): the backend's get_user refuses inactive users."""
    client = Client()
    client.force_login(users.lecteur, backend="cpog.web.sso.SsoBackend")
    assert client.get("/").status_code == 200
    users.lecteur.is_active = False
    users.lecteur.save(update_fields=["is_active"])
    answer = client.get("/")
    assert answer.status_code == 302 and answer["Location"].startswith("/connexion/")


def _alert(page: str) -> str:
    found = re.search(r'<span class="error" role="alert">([^<]*)</span>', page)
    assert found is not None, page
    return html.unescape(found.group(1))


def test_closed_local_accounts_tell_nothing_of_the_password(users: Any, settings: Any) -> None:
    """With CPOG_COMPTES_LOCAUX=0, a non-administrator reads the same message, and counts the
    same failed attempt, with the right password as with a wrong one."""
    from axes.models import AccessAttempt

    settings.SSO_LOCAL_ACCOUNTS = False
    answers = []
    for password in (PASSWORD, "pas-le-bon"):
        answer = Client(REMOTE_ADDR="10.0.0.1").post(
            "/connexion/", {"username": "lecteur", "password": password}
        )
        assert answer.status_code == 200
        answers.append(_alert(answer.content.decode()))
    assert answers[0] == answers[1]
    assert answers[0].startswith("Identifiant ou mot de passe incorrect.")
    assert "seul un administrateur peut se connecter avec un mot de passe" in answers[0]
    attempt = AccessAttempt.objects.get(username="lecteur")
    assert attempt.failures_since_start == 2
    admin = Client(REMOTE_ADDR="10.0.0.1").post(
        "/connexion/", {"username": "admin", "password": PASSWORD}
    )
    assert admin.status_code == 302  # break-glass administrator
