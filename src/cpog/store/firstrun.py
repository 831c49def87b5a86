"""What ``cpog serve`` does before serving on a store: migrate, load the default contract and the
demo data when the store is empty, create the role groups and a first administrator."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import Group, User

from cpog.contract import default_contract_path
from cpog.store.contracts import current_contract, load_contract_version
from cpog.store.demo import load_demo, load_demo_actions
from cpog.store.models import ContractVersion, Measurement
from cpog.store.roles import GROUPS


@dataclass
class FirstRun:
    contract_loaded: bool = False
    demo_values: int = 0
    demo_actions: int = 0
    admin_password: str | None = None  # shown once, never stored in clear


def prepare(today: date, user: str, with_demo: bool = True) -> FirstRun:
    done = FirstRun()
    if not ContractVersion.objects.exists():
        load_contract_version(default_contract_path(), user)
        done.contract_loaded = True
    _, contract = current_contract()
    if with_demo and not Measurement.objects.filter(contract_id=contract.id).exists():
        done.demo_values = load_demo(contract, today, by_commune=True).values
        done.demo_actions = load_demo_actions(contract, today)
    for role in GROUPS:
        Group.objects.get_or_create(name=role.value)
    if not User.objects.filter(is_superuser=True).exists():
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser("admin", "", password)
        done.admin_password = password
    return done
