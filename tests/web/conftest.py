"""Web fixtures: the shipped contract with demo data, and one user per role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from cpog import clock
from cpog.contract import default_contract_path
from cpog.store.roles import GROUPS, Role

PASSWORD = "mot-de-passe-de-test-1"


@dataclass
class Users:
    admin: User
    controle: User
    pilote: User  # pilots défi n°1 only
    lecteur: User


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Hash test passwords cheaply: the real hasher (PBKDF2, a million rounds) costs a quarter of
    a second per user, five users per test. Checking a password works the same way."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def steering_data(db: None) -> Any:
    from cpog.store.contracts import current_contract, load_contract_version
    from cpog.store.demo import load_demo

    load_contract_version(default_contract_path(), "test:setup")
    _, contract = current_contract()
    load_demo(contract, clock.today())
    return contract


@pytest.fixture
def users(steering_data: Any) -> Users:
    from cpog.web.models import ChallengePilot

    groups = {role: Group.objects.get_or_create(name=role.value)[0] for role in GROUPS}
    admin = User.objects.create_superuser("admin", "admin@example.org", PASSWORD)

    def make(name: str, role: Role) -> User:
        user = User.objects.create_user(name, f"{name}@example.org", PASSWORD)
        user.groups.add(groups[role])
        return user

    pilote = make("pilote", Role.PILOTE)
    ChallengePilot.objects.create(user=pilote, contract_id=steering_data.id, challenge_number=1)
    return Users(admin, make("controle", Role.CONTROLE), pilote, make("lecteur", Role.LECTEUR))


@pytest.fixture
def client_for(users: Users) -> Any:
    def _client(who: str) -> Client:
        client = Client()
        client.force_login(getattr(users, who))
        return client

    return _client


@pytest.fixture(autouse=True)
def _empty_page_cache() -> None:
    """Each test starts with no stored page (the page cache is a folder shared between runs)."""
    from cpog.web import page_cache

    page_cache.clear()
