"""Accounts of the directory (single sign-on, decision 025) get no local password, from the
« Comptes » page or the command line, and the account page says where they sign in."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from typer.testing import CliRunner

from cpog.cli.main import app
from cpog.web import accounts
from cpog.web.models import SsoIdentity

NEW = "un-nouveau-mot-de-passe-2026"


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
