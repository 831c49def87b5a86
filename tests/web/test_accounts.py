"""Accounts (decision 008): the login lockout is per account and address, passwords follow
Django's validators in French, a session lasts a working day."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

PASSWORD = "mot-de-passe-de-test-1"  # the users fixture's (tests/web/conftest.py)
PROXY = "10.0.0.1"  # every colleague of a Caf behind one proxy


def sign_in(username: str, password: str, address: str = PROXY) -> Any:
    client = Client(REMOTE_ADDR=address)
    return client, client.post("/connexion/", {"username": username, "password": password})


@pytest.fixture
def steering_data(db: None) -> Any:
    """The contract without the demo values: signing in needs users, not numbers."""
    from cpog.contract import default_contract_path
    from cpog.store.contracts import current_contract, load_contract_version

    load_contract_version(default_contract_path(), "test:setup")
    return current_contract()[1]


def test_five_failures_lock_that_account_from_that_address_only(users: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _, response = sign_in("pilote", "pas-le-bon")
        assert response.status_code == 200  # the form again, « incorrect »
    _, locked = sign_in("pilote", "pas-le-bon")
    assert locked.status_code == 429  # the fifth failure locks
    _, locked = sign_in("pilote", PASSWORD)  # even with the right password
    assert locked.status_code == 429
    assert "Connexion temporairement bloquée" in locked.content.decode()

    # A colleague behind the same proxy still signs in…
    client, response = sign_in("lecteur", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    # … and so does the same person from another address.
    _, response = sign_in("pilote", PASSWORD, address="10.0.0.2")
    assert response.status_code == 302


def test_the_lockout_pairs_account_and_address() -> None:
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("court", "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères."),
        ("123456789012345", "Ce mot de passe est entièrement numérique."),
        ("qwerty123456", "Ce mot de passe est trop courant."),
        (
            "dupont-durand",
            "Le mot de passe est trop semblable au champ «\xa0nom d’utilisateur\xa0».",
        ),
    ],
)
def test_passwords_follow_django_validators_in_french(
    db: None, password: str, message: str
) -> None:
    user = User(username="dupont-durand")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert message in refused.value.messages


def test_a_good_password_passes(db: None) -> None:
    validate_password("une phrase de passe assez longue", User(username="martin"))


def test_a_session_lasts_a_working_day(users: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == 10 * 3600
    _, response = sign_in("lecteur", PASSWORD)
    assert response.cookies["sessionid"]["max-age"] == 10 * 3600


def test_the_admin_refuses_a_weak_password_in_french(client_for: Any) -> None:
    response = client_for("admin").post(
        "/admin/auth/user/add/",
        {
            "username": "nouveau",
            "password1": "court",
            "password2": "court",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert "Ce mot de passe est trop court." in response.content.decode()
    assert not User.objects.filter(username="nouveau").exists()
