"""Roles and what each may do. Enforced in every view and API call, not only in menus.

| role | sees | writes |
|---|---|---|
| administrateur (superuser) | everything | everything, users and roles (Django admin) |
| contrôle de gestion | everything | values, targets, actions, analyses of every défi; imports |
| pilote de défi | everything | values, actions and analyses of the défis they pilot |
| lecteur | everything | nothing |
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied

from cpog.contract.model import Contract


class Role(StrEnum):
    ADMIN = "administrateur"
    CONTROLE = "controle_gestion"
    PILOTE = "pilote"
    LECTEUR = "lecteur"

    @property
    def label_fr(self) -> str:
        return {
            Role.ADMIN: "Administrateur",
            Role.CONTROLE: "Contrôle de gestion",
            Role.PILOTE: "Pilote de défi",
            Role.LECTEUR: "Lecteur",
        }[self]


GROUPS = [Role.CONTROLE, Role.PILOTE, Role.LECTEUR]


def role_of(user: Any) -> Role | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    names = set(user.groups.values_list("name", flat=True))
    for role in (Role.CONTROLE, Role.PILOTE, Role.LECTEUR):
        if role.value in names:
            return role
    return Role.LECTEUR


def piloted(user: Any, contract: Contract) -> set[int]:
    return piloted_in(user, contract.id)


def piloted_in(user: Any, contract_id: str) -> set[int]:
    from cpog.web.models import ChallengePilot

    return set(
        ChallengePilot.objects.filter(user=user, contract_id=contract_id).values_list(
            "challenge_number", flat=True
        )
    )


def challenges_of_subject(contract: Contract, subject_type: str, subject_id: str) -> set[int]:
    """Défis a value belongs to: the measure's défi, or the défis linking the indicator."""
    found: set[int] = set()
    for challenge in contract.challenges:
        if subject_type == "measure":
            if any(m.id == subject_id for r in challenge.targeted_results for m in r.measures):
                found.add(challenge.number)
        elif any(link.indicator == subject_id for link in challenge.indicators):
            found.add(challenge.number)
    return found


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


def require(allowed: bool, what: str) -> None:
    if not allowed:
        raise PermissionDenied(f"Vous n'avez pas le droit de {what}.")
