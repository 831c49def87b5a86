"""``cpog user create | password | roles``: accounts without a Python shell (decision 008).

Passwords are read from a prompt (typed twice, hidden), a file or standard input (``-``), checked
by Django's password validators (French messages), and never printed. Roles are the groups of
:mod:`cpog.web.roles`; « administrateur » is Django's superuser; a pilot's défis are
``ChallengePilot`` rows of the current contract.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from cpog.cli.token_commands import find_user

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

user_app = typer.Typer(
    help="Comptes utilisateurs : créer, changer le mot de passe, donner des rôles.",
    no_args_is_help=True,
)

# What an administrator may type for each role (accents and spaces optional).
ROLE_WORDS = {
    "administrateur": "administrateur",
    "admin": "administrateur",
    "controle_gestion": "controle_gestion",
    "controle": "controle_gestion",
    "contrôle": "controle_gestion",
    "controle de gestion": "controle_gestion",
    "contrôle de gestion": "controle_gestion",
    "pilote": "pilote",
    "lecteur": "lecteur",
}
ROLES_HELP = "administrateur, controle_gestion, pilote ou lecteur"

PasswordFile = Annotated[
    Path | None,
    typer.Option(
        "--mot-de-passe-fichier",
        help="Lit le mot de passe dans ce fichier (première ligne) ; « - » : l'entrée standard. "
        "Sans cette option, il est demandé deux fois, sans s'afficher.",
    ),
]


def _setup() -> None:
    from cpog.store.bootstrap import setup

    setup()


def _role(word: str) -> Any:
    from cpog.store.roles import Role

    key = ROLE_WORDS.get(" ".join(word.lower().replace("-", " ").split()))
    if key is None:
        err.print(f"Rôle « {escape(word)} » inconnu : {ROLES_HELP}.")
        raise typer.Exit(2)
    return Role(key)


def _read_password(source: Path | None) -> str:
    if source is None:
        # Asked twice by hand: click's own confirmation speaks English when they differ.
        for _ in range(3):
            first = str(typer.prompt("Mot de passe", hide_input=True))
            second = str(typer.prompt("Le même mot de passe, une seconde fois", hide_input=True))
            if first == second:
                return first
            err.print("Les deux mots de passe diffèrent : recommencez.")
        err.print("Trois essais sans les mêmes mots de passe : rien n'a été changé.")
        raise typer.Exit(1)
    if str(source) == "-":
        text = sys.stdin.readline()
    else:
        try:
            text = (
                source.read_text(encoding="utf-8").splitlines()[0] if source.stat().st_size else ""
            )
        except FileNotFoundError:
            err.print(f"Fichier de mot de passe introuvable : {escape(str(source))}.")
            raise typer.Exit(1) from None
        except (OSError, UnicodeDecodeError) as error:
            err.print(f"Fichier de mot de passe illisible : {escape(str(source))} ({error}).")
            raise typer.Exit(1) from None
    return text.rstrip("\r\n")


def _checked_password(source: Path | None, user: Any) -> str:
    """A password Django's validators accept for ``user``, or their French messages and exit 1."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    password = _read_password(source)
    if not password:
        err.print("Mot de passe vide : refusé.")
        raise typer.Exit(1)
    try:
        validate_password(password, user)
    except ValidationError as error:
        err.print("Mot de passe refusé :")
        for message in error.messages:
            err.print(f"  ✗ {escape(message)}")
        raise typer.Exit(1) from None
    return password


def _challenges(numbers: list[int]) -> tuple[str, set[int]]:
    """The current contract's id and the défi numbers asked, all checked."""
    from cpog.store.contracts import NoContractLoaded, current_contract

    try:
        _, contract = current_contract()
    except NoContractLoaded as error:
        err.print(escape(str(error)))
        raise typer.Exit(1) from None
    known = {c.number for c in contract.challenges}
    unknown = sorted(set(numbers) - known)
    if unknown:
        err.print(
            f"Défi n°{', '.join(map(str, unknown))} inconnu dans le contrat « {contract.id} » "
            f"(défis : {', '.join(map(str, sorted(known)))})."
        )
        raise typer.Exit(2)
    return contract.id, set(numbers)


def _set_role(user: Any, role: Any) -> None:
    from django.contrib.auth.models import Group

    from cpog.store.roles import GROUPS, Role

    if role == Role.ADMIN:
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
        return
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    # One role per person: a new one replaces the former (roles.role_of reads the strongest).
    others = [g.value for g in GROUPS if g != role]
    user.groups.remove(*Group.objects.filter(name__in=others))


def _summary(user: Any) -> str:
    from cpog.store.roles import role_of
    from cpog.web.models import ChallengePilot

    role = role_of(user)
    text = f"{user.get_username()} : {role.label_fr if role else 'compte désactivé'}"
    numbers = sorted(
        ChallengePilot.objects.filter(user=user).values_list("challenge_number", flat=True)
    )
    if numbers:
        text += f", pilote des défis n°{', '.join(map(str, numbers))}"
    return text


@user_app.command("create", help="Crée un compte avec son rôle (lecteur par défaut).")
def create(
    username: Annotated[
        str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant de connexion.")
    ],
    role: Annotated[str, typer.Option("--role", help=f"Rôle : {ROLES_HELP}.")] = "lecteur",
    challenges: Annotated[
        list[int] | None,
        typer.Option("--defi", help="Numéro d'un défi piloté (pour un pilote ; répétable)."),
    ] = None,
    email: Annotated[str, typer.Option("--email", help="Adresse électronique.")] = "",
    first_name: Annotated[str, typer.Option("--prenom", help="Prénom.")] = "",
    last_name: Annotated[str, typer.Option("--nom", help="Nom.")] = "",
    password_file: PasswordFile = None,
) -> None:
    _setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from cpog.store.roles import Role
    from cpog.web.models import ChallengePilot

    wanted = _role(role)
    User = get_user_model()
    username = username.strip()
    if not username or len(username) > 150:
        err.print("Identifiant : de 1 à 150 caractères.")
        raise typer.Exit(2)
    if User.objects.filter(username=username).exists():
        err.print(
            f"Le compte « {escape(username)} » existe déjà : cpog user password ou "
            "cpog user roles pour le modifier."
        )
        raise typer.Exit(1)
    if challenges and wanted != Role.PILOTE:
        err.print("--defi ne vaut que pour le rôle pilote.")
        raise typer.Exit(2)
    contract_id, numbers = _challenges(challenges or []) if challenges else ("", set())
    draft = User(username=username, email=email, first_name=first_name, last_name=last_name)
    password = _checked_password(password_file, draft)
    with transaction.atomic():
        draft.set_password(password)
        draft.save()
        _set_role(draft, wanted)
        for number in sorted(numbers):
            ChallengePilot.objects.create(
                user=draft, contract_id=contract_id, challenge_number=number
            )
    out.print(f"Compte créé — {escape(_summary(draft))}.")


@user_app.command("password", help="Change le mot de passe d'un compte.")
def password(
    username: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant du compte.")],
    password_file: PasswordFile = None,
) -> None:
    _setup()
    user = find_user(username)
    new = _checked_password(password_file, user)
    user.set_password(new)
    user.save(update_fields=["password"])
    out.print(f"Mot de passe de « {escape(username)} » changé.")


@user_app.command("roles", help="Donne ou retire un rôle, ou des défis à piloter.")
def roles(
    username: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant du compte.")],
    add: Annotated[
        str | None, typer.Option("--ajouter", help=f"Rôle à donner : {ROLES_HELP}.")
    ] = None,
    remove: Annotated[
        str | None, typer.Option("--retirer", help="Rôle à retirer (le compte devient lecteur).")
    ] = None,
    pilot: Annotated[
        list[int] | None, typer.Option("--piloter", help="Numéro d'un défi à piloter (répétable).")
    ] = None,
    unpilot: Annotated[
        list[int] | None,
        typer.Option("--ne-plus-piloter", help="Numéro d'un défi à ne plus piloter (répétable)."),
    ] = None,
) -> None:
    _setup()
    from django.contrib.auth.models import Group
    from django.db import transaction

    from cpog.store.roles import Role, role_of
    from cpog.web.models import ChallengePilot

    user = find_user(username)
    added = _role(add) if add else None
    removed = _role(remove) if remove else None
    contract_id, to_pilot = _challenges(pilot) if pilot else ("", set())
    if unpilot:
        contract_id, to_unpilot = _challenges(unpilot)
    else:
        to_unpilot = set()
    with transaction.atomic():
        if removed == Role.ADMIN:
            user.is_superuser = user.is_staff = False
            user.save(update_fields=["is_superuser", "is_staff"])
        elif removed is not None:
            user.groups.remove(*Group.objects.filter(name=removed.value))
        if added is not None:
            _set_role(user, added)
        if to_pilot:
            if role_of(user) != Role.PILOTE:
                err.print(
                    f"« {escape(username)} » n'est pas pilote ({_summary(user)}) : "
                    "ajoutez --ajouter pilote pour lui confier des défis."
                )
                raise typer.Exit(2)
            for number in sorted(to_pilot):
                ChallengePilot.objects.get_or_create(
                    user=user, contract_id=contract_id, challenge_number=number
                )
        if to_unpilot:
            ChallengePilot.objects.filter(
                user=user, contract_id=contract_id, challenge_number__in=to_unpilot
            ).delete()
    user.refresh_from_db()
    out.print(escape(_summary(user)) + ".")
