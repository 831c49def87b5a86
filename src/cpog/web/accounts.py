"""Accounts: created, given a role and défis to pilot, deactivated, reactivated and given a new
password in one place, for the « Comptes » page and for ``cpog user`` (decision 008).

Every change is checked here (French messages that name the field) and written to the audit
trail as ``user_account`` events named by the login: the account's role, piloted défis and state
before and after — never a password, not even hashed. An account is never deleted: the audit
trail names its author. The last active administrator can be neither deactivated nor demoted,
so that someone can always manage the accounts.

Roles are those of :mod:`cpog.store.roles`: « administrateur » is Django's superuser (and staff,
for the Django admin), the others are groups, one per person; a pilot's défis are
``ChallengePilot`` rows of the current contract.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from cpog.store import audit
from cpog.store.contracts import caisses, default_caisse_code
from cpog.store.roles import GROUPS, Role
from cpog.web.models import ChallengePilot, SsoIdentity, UserScope

ENTITY = "user_account"
USERNAME_MAX = 150
# A generated password: four groups of four signs (80 bits), without look-alikes (0/o, 1/l/i),
# easy to read out and to type.
_SIGNS = "abcdefghjkmnpqrstuvwxyz23456789"


class AccountError(ValueError):
    """A change refused; ``field`` names the form field it is about ("" for the whole form),
    ``messages`` are French sentences."""

    def __init__(self, field: str, *messages: str) -> None:
        super().__init__(" ".join(messages))
        self.field = field
        self.messages = list(messages)


@dataclass(frozen=True)
class AccountRow:
    """One line of the « Comptes » page."""

    user: Any
    role: Role
    challenges: tuple[int, ...]
    active: bool
    last_login: datetime | None
    caisse: str | None = None  # None: a network account (every caisse)

    @property
    def name(self) -> str:
        return str(self.user.get_full_name() or self.user.get_username())


def stored_role(user: Any) -> Role:
    """The account's role, active or not (:func:`cpog.store.roles.role_of` says None for a
    deactivated account, which may do nothing)."""
    if user.is_superuser:
        return Role.ADMIN
    names = {g.name for g in user.groups.all()}
    for role in (Role.CONTROLE, Role.PILOTE, Role.LECTEUR):
        if role.value in names:
            return role
    return Role.LECTEUR


def piloted(user: Any, contract_id: str | None = None) -> tuple[int, ...]:
    rows = ChallengePilot.objects.filter(user=user)
    if contract_id is not None:
        rows = rows.filter(contract_id=contract_id)
    return tuple(sorted(set(rows.values_list("challenge_number", flat=True))))


NETWORK = "reseau"  # the scope choice of a network account, in forms and on the command line


def scopes() -> dict[int, str | None]:
    """Each account's caisse by user id (None: a network account), for those with a scope row;
    an account without one belongs to the installation's caisse."""
    return {
        user_id: None if network else code
        for user_id, code, network in UserScope.objects.values_list(
            "user_id", "caisse_code", "network"
        )
    }


def scope_of(user: Any, known: dict[int, str | None] | None = None) -> str | None:
    """The caisse of ``user`` read from the store (not the request's cached one)."""
    found = scopes() if known is None else known
    return found[user.pk] if user.pk in found else default_caisse_code()


def scope_text(caisse: str | None) -> str:
    return "réseau (toutes les caisses)" if caisse is None else f"caisse {caisse}"


def set_scope(user: Any, caisse: str | None, by: str) -> bool:
    """Give ``user`` the caisse ``caisse`` (None: the network). Audited; False when unchanged."""
    if caisse is not None and caisse not in {c.code for c in caisses()}:
        raise AccountError("caisse", f"Caisse : « {caisse} » inconnue (aucun contrat chargé).")
    with transaction.atomic():
        before = scope_of(user)
        if before == caisse and UserScope.objects.filter(user=user).exists():
            return False
        UserScope.objects.update_or_create(
            user=user, defaults={"caisse_code": caisse or "", "network": caisse is None}
        )
        if hasattr(user, "_cpog_caisse"):
            del user._cpog_caisse
        audit.record(
            ENTITY,
            user.get_username(),
            "update",
            by,
            before={"scope": scope_text(before)},
            after={"scope": scope_text(caisse)},
            caisse=caisse,
        )
    return before != caisse


def rows(caisse: str | None = None) -> list[AccountRow]:
    """Every account (with ``caisse``: that caisse's only), active ones first, then by login."""
    User = get_user_model()
    known = scopes()
    pilots: dict[int, set[int]] = {}
    for user_id, number in ChallengePilot.objects.values_list("user_id", "challenge_number"):
        pilots.setdefault(user_id, set()).add(number)
    users = User.objects.prefetch_related("groups").order_by("-is_active", "username")
    return [
        AccountRow(
            user,
            stored_role(user),
            tuple(sorted(pilots.get(user.pk, ()))),
            user.is_active,
            user.last_login,
            scope_of(user, known),
        )
        for user in users
        if caisse is None or scope_of(user, known) == caisse
    ]


def snapshot(user: Any) -> dict[str, Any]:
    """What the audit trail keeps of an account (never its password)."""
    return {
        "username": user.get_username(),
        "name": user.get_full_name(),
        "email": user.email,
        "role": stored_role(user).value,
        "challenges": list(piloted(user)),
        "active": user.is_active,
    }


# --- checks -----------------------------------------------------------------------------------


def check_username(username: str) -> str:
    cleaned = username.strip()
    if not cleaned or len(cleaned) > USERNAME_MAX:
        raise AccountError("username", f"Identifiant : de 1 à {USERNAME_MAX} caractères.")
    if any(c.isspace() for c in cleaned):
        raise AccountError("username", "Identifiant : sans espace (par exemple « mdupont »).")
    if not all(c.isalnum() or c in "@.+-_" for c in cleaned):
        raise AccountError(
            "username", "Identifiant : lettres, chiffres et « @ . + - _ » seulement."
        )
    if get_user_model().objects.filter(username__iexact=cleaned).exists():
        raise AccountError(
            "username", f"Le compte « {cleaned} » existe déjà : choisissez un autre identifiant."
        )
    return cleaned


def check_password(password: str, user: Any) -> str:
    """``password`` if Django's validators accept it for ``user``; their French messages
    otherwise."""
    if not password:
        raise AccountError("password1", "Mot de passe vide : refusé.")
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise AccountError("password1", *error.messages) from None
    return password


def check_challenges(numbers: Iterable[int], known: Iterable[int], contract_id: str) -> set[int]:
    wanted, known_set = set(numbers), set(known)
    unknown = sorted(wanted - known_set)
    if unknown:
        raise AccountError(
            "challenges",
            f"Défi n°{', '.join(map(str, unknown))} inconnu dans le contrat « {contract_id} » "
            f"(défis : {', '.join(map(str, sorted(known_set)))}).",
        )
    return wanted


def generated_password() -> str:
    """« k7mq-2xrt-9hbd-4wne »: shown once to the administrator, who passes it on."""
    groups = ("".join(secrets.choice(_SIGNS) for _ in range(4)) for _ in range(4))
    return "-".join(groups)


def active_admins() -> int:
    return int(get_user_model().objects.filter(is_superuser=True, is_active=True).count())


def _keep_an_admin(user: Any, what: str) -> None:
    if user.is_superuser and user.is_active and active_admins() <= 1:
        raise AccountError(
            "role" if what == "retirer son rôle" else "",
            f"« {user.get_username()} » est le dernier administrateur actif : impossible de "
            f"{what} ; nommez d'abord un autre administrateur.",
        )


# --- writes -------------------------------------------------------------------------------------


def _give_role(user: Any, role: Role) -> None:
    admin = role == Role.ADMIN
    if user.is_superuser != admin or user.is_staff != admin:
        user.is_superuser = user.is_staff = admin
        user.save(update_fields=["is_superuser", "is_staff"])
    others = [g.value for g in GROUPS if g != role]
    user.groups.remove(*Group.objects.filter(name__in=others))
    if not admin:  # one role per person: the group replaces the former
        user.groups.add(Group.objects.get_or_create(name=role.value)[0])


def _give_challenges(user: Any, role: Role, contract_id: str, numbers: set[int]) -> None:
    if role != Role.PILOTE:
        ChallengePilot.objects.filter(user=user).delete()  # défis are a pilot's only
        return
    ChallengePilot.objects.filter(user=user, contract_id=contract_id).exclude(
        challenge_number__in=numbers
    ).delete()
    for number in sorted(numbers):
        ChallengePilot.objects.get_or_create(
            user=user, contract_id=contract_id, challenge_number=number
        )


def create(
    username: str,
    role: Role,
    password: str,
    by: str,
    *,
    challenges: Iterable[int] = (),
    contract_id: str = "",
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    caisse: str | None = "",
) -> Any:
    """Create an account with its role, défis (a pilot's only), a checked password and its
    caisse (None: the network; empty: the installation's caisse); audited."""
    User = get_user_model()
    numbers = set(challenges)
    if numbers and role != Role.PILOTE:
        raise AccountError("challenges", "Défis pilotés : seulement pour le rôle « pilote ».")
    if numbers and not contract_id:
        raise AccountError("challenges", "Défis pilotés : aucun contrat chargé.")
    draft = User(
        username=check_username(username),
        email=email.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    check_password(password, draft)
    with transaction.atomic():
        draft.set_password(password)
        draft.save()
        _give_role(draft, role)
        _give_challenges(draft, role, contract_id, numbers)
        scope = default_caisse_code() if caisse == "" else caisse
        UserScope.objects.create(user=draft, caisse_code=scope or "", network=scope is None)
        audit.record(
            ENTITY,
            draft.get_username(),
            "create",
            by,
            after={**snapshot(draft), "scope": scope_text(scope)},
            caisse=scope,
        )
    return draft


def change_role(
    user: Any,
    role: Role,
    by: str,
    *,
    challenges: Iterable[int] | None = None,
    contract_id: str = "",
) -> bool:
    """Give ``user`` this role and, for a pilot, exactly these défis of the current contract
    (None: keep them). Another role takes the défis away. Audited; False when nothing changed."""
    numbers = set(challenges) if challenges is not None else None
    if numbers and role != Role.PILOTE:
        raise AccountError("challenges", "Défis pilotés : seulement pour le rôle « pilote ».")
    if numbers and not contract_id:
        raise AccountError("challenges", "Défis pilotés : aucun contrat chargé.")
    with transaction.atomic():
        User = get_user_model()
        user = User.objects.select_for_update().get(pk=user.pk)
        if role != Role.ADMIN:
            _lock_admins()
            _keep_an_admin(user, "retirer son rôle")
        before = snapshot(user)
        _give_role(user, role)
        if numbers is None:
            numbers = set(piloted(user, contract_id)) if role == Role.PILOTE else set()
        _give_challenges(user, role, contract_id, numbers)
        after = snapshot(user)
        if after == before:
            return False
        audit.record(
            ENTITY,
            user.get_username(),
            "update",
            by,
            before=before,
            after=after,
            caisse=scope_of(user),
        )
    return True


def _lock_admins() -> None:
    """Two administrators demoting each other at once must not leave none (PostgreSQL)."""
    list(get_user_model().objects.select_for_update().filter(is_superuser=True, is_active=True))


def set_active(user: Any, active: bool, by: str) -> bool:
    """Deactivate (the account can no longer sign in nor use its tokens; its name stays in the
    audit trail) or reactivate. Audited; False when it already was so."""
    with transaction.atomic():
        User = get_user_model()
        if not active:
            _lock_admins()
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active == active:
            return False
        if not active:
            if user.get_username() == by:
                raise AccountError(
                    "",
                    "Vous ne pouvez pas désactiver votre propre compte : demandez-le à un "
                    "autre administrateur.",
                )
            _keep_an_admin(user, "le désactiver")
        before = snapshot(user)
        user.is_active = active
        user.save(update_fields=["is_active"])
        action = "reactivate" if active else "deactivate"
        audit.record(
            ENTITY,
            user.get_username(),
            action,
            by,
            before=before,
            after=snapshot(user),
            caisse=scope_of(user),
        )
    return True


def signs_in_by_directory(user: Any) -> bool:
    """Whether ``user`` is an account of the directory (single sign-on, decision 025)."""
    return bool(SsoIdentity.objects.filter(user=user).exists())


def sso_password_refusal(user: Any) -> str:
    return (
        f"« {user.get_username()} » se connecte par l'annuaire (authentification unique) : "
        "pas de mot de passe local."
    )


def set_password(user: Any, password: str, by: str) -> None:
    """A new password, checked by Django's validators; audited without the password. Refused
    to an account of the directory (single sign-on, decision 025): a local password would be a
    second door the directory does not close."""
    if signs_in_by_directory(user):
        raise AccountError("password1", sso_password_refusal(user))
    check_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(
            ENTITY,
            user.get_username(),
            "password_reset",
            by,
            after=snapshot(user),
            caisse=scope_of(user),
        )


def set_access(
    user: Any,
    role: Role,
    pilots: Iterable[tuple[str, int]],
    caisse: str | None,
    by: str,
    *,
    context: str = "",
) -> bool:
    """Give an active ``user`` exactly this role, these défis (``(contract id, number)``, a
    pilot's only) and this caisse (None: the network), as the identity provider's groups say at
    each single sign-on (decision 025). One audited event when anything changed (reactivated
    included); False otherwise. The last-administrator guard does not apply: the directory
    decides, and a local administrator keeps the break-glass door."""
    wanted = set(pilots) if role == Role.PILOTE else set()
    with transaction.atomic():
        User = get_user_model()
        user = User.objects.select_for_update().get(pk=user.pk)
        was_active = user.is_active
        before = {**snapshot(user), "scope": scope_text(scope_of(user))}
        _give_role(user, role)
        held = set(
            ChallengePilot.objects.filter(user=user).values_list("contract_id", "challenge_number")
        )
        for contract_id, number in held - wanted:
            ChallengePilot.objects.filter(
                user=user, contract_id=contract_id, challenge_number=number
            ).delete()
        for contract_id, number in sorted(wanted - held):
            ChallengePilot.objects.create(
                user=user, contract_id=contract_id, challenge_number=number
            )
        UserScope.objects.update_or_create(
            user=user, defaults={"caisse_code": caisse or "", "network": caisse is None}
        )
        if not was_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        after = {**snapshot(user), "scope": scope_text(caisse)}
        if after == before:
            return False
        audit.record(
            ENTITY,
            user.get_username(),
            "update" if was_active else "reactivate",
            by,
            before=before,
            after=after,
            context=context,
            caisse=caisse,
        )
    return True


def withdraw(user: Any, by: str, *, context: str = "") -> bool:
    """Deactivate ``user`` whose identity provider no longer gives any role (decision 025):
    audited; False when already inactive. Unlike :func:`set_active`, no guard: the directory
    decides."""
    with transaction.atomic():
        User = get_user_model()
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            return False
        before = snapshot(user)
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit.record(
            ENTITY,
            user.get_username(),
            "deactivate",
            by,
            before=before,
            after=snapshot(user),
            context=context,
            caisse=scope_of(user),
        )
    return True
