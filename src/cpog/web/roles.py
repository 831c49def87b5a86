"""Roles and what each may do. Enforced in every view and API call, not only in menus.

| role | sees | writes |
|---|---|---|
| administrateur (superuser) | everything | everything, users and roles (Django admin) |
| contrôle de gestion | everything | values, targets, actions, analyses of every défi; imports |
| pilote de défi | everything | values, actions and analyses of the défis they pilot |
| lecteur | everything | nothing |
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from cpog.contract.model import Contract
from cpog.steering import challenges_of_subject
from cpog.store.roles import Role, role_of


def piloted(user: Any, contract: Contract) -> set[int]:
    return piloted_in(user, contract.id)


def piloted_in(user: Any, contract_id: str) -> set[int]:
    from cpog.web.models import ChallengePilot

    return set(
        ChallengePilot.objects.filter(user=user, contract_id=contract_id).values_list(
            "challenge_number", flat=True
        )
    )


def can_write_challenge(user: Any, contract: Contract, number: int) -> bool:
    role = role_of(user)
    if role in (Role.ADMIN, Role.CONTROLE):
        return True
    return role == Role.PILOTE and number in piloted(user, contract)


def can_write_subject(user: Any, contract: Contract, subject_type: str, subject_id: str) -> bool:
    role = role_of(user)
    if role in (Role.ADMIN, Role.CONTROLE):
        return True
    if role != Role.PILOTE:
        return False
    return bool(piloted(user, contract) & challenges_of_subject(contract, subject_type, subject_id))


def can_write_targets(user: Any) -> bool:
    """Targets are set by the direction's side only (notified by the Cnaf, or amended)."""
    return role_of(user) in (Role.ADMIN, Role.CONTROLE)


def can_import(user: Any) -> bool:
    """Files may hold values of any défi, and targets: the same people as for targets."""
    return can_write_targets(user)


def caisse_of_user(user: Any) -> str | None:
    """The caisse ``user`` is limited to, or None for a network user (every caisse)."""
    from cpog.store.contracts import default_caisse_code
    from cpog.web.models import UserScope

    if not getattr(user, "is_authenticated", False):
        return default_caisse_code()
    if hasattr(user, "_cpog_caisse"):
        cached: str | None = user._cpog_caisse
        return cached
    scope = UserScope.objects.filter(user=user).first()
    if scope is not None and scope.network:
        found: str | None = None
    elif scope is not None and scope.caisse_code:
        found = scope.caisse_code
    else:
        found = default_caisse_code()
    user._cpog_caisse = found
    return found


def can_see_network(user: Any) -> bool:
    """The network pages (every caisse side by side): network users only."""
    return role_of(user) is not None and caisse_of_user(user) is None


def can_see_caisse(user: Any, code: str) -> bool:
    """A caisse's figures: its own users and network users."""
    if role_of(user) is None:
        return False
    mine = caisse_of_user(user)
    return mine is None or mine == code


def require(allowed: bool, what: str) -> None:
    if not allowed:
        raise PermissionDenied(f"Vous n'avez pas le droit de {what}.")
