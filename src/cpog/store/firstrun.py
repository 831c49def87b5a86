"""What ``cpog serve`` does before serving on a store: migrate, load the default contract and the
demo data when the store is empty, create the role groups and a first administrator.

In production (decision 022) ``cpog serve`` does none of this: ``cpog init`` loads the contract,
creates the groups and the first administrator (:func:`ensure_contract`, :func:`ensure_groups`),
and the server only checks that it was done (:func:`check_initialised`)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.contrib.auth.models import Group, User

from cpog.contract import default_contract_path
from cpog.errors import CpogError
from cpog.store.bootstrap import DEPLOY_DOC
from cpog.store.contracts import LoadOutcome, current_contract, load_contract_version
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
    ensure_groups()
    if not User.objects.filter(is_superuser=True).exists():
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser("admin", "", password)
        done.admin_password = password
    return done


class NotInitialised(CpogError):
    pass


def check_initialised() -> None:
    """Raise :class:`NotInitialised` on a store without a contract or an active administrator."""
    if (
        not ContractVersion.objects.exists()
        or not User.objects.filter(is_superuser=True, is_active=True).exists()
    ):
        raise NotInitialised(f"Base non initialisée : lancez « cpog init » (voir {DEPLOY_DOC}).")


def ensure_contract(folder: Path | None, user: str) -> LoadOutcome | None:
    """Load the contract of ``folder`` (default: ``CPOG_CONTRACT`` or the shipped one) when the
    store holds none; None when one is there already."""
    if ContractVersion.objects.exists():
        return None
    return load_contract_version(folder or default_contract_path(), user)


def ensure_groups() -> list[str]:
    """The role groups (:data:`cpog.store.roles.GROUPS`); the names of those created now."""
    return [role.value for role in GROUPS if Group.objects.get_or_create(name=role.value)[1]]
