"""The four roles, as Django groups (the administrator is a superuser). What each may do is checked
by :mod:`cpog.web.roles`; the store only creates the groups and reads a user's role."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from cpog import vocabulary


class Role(StrEnum):
    ADMIN = "administrateur"
    CONTROLE = "controle_gestion"
    PILOTE = "pilote"
    LECTEUR = "lecteur"

    @property
    def label_fr(self) -> str:
        return vocabulary.ROLE[self]


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
