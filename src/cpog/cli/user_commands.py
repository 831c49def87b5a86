"""``cpog user create | password | roles | scope | list | deactivate | reactivate``: accounts
without a Python shell or a browser (decision 008); ``scope``, ``--caisse`` and ``--reseau``
give an account its caisse or the network (decision 017).

Passwords are read from a prompt (typed twice, hidden), a file or standard input (``-``), checked
by Django's password validators (French messages), and never printed. Every change goes through
:mod:`cpog.web.accounts`, as on the « Comptes » page: checked the same way and written to the
audit trail (without the password). Roles are those of :mod:`cpog.store.roles`; « administrateur »
is Django's superuser; a pilot's défis are ``ChallengePilot`` rows of the current contract.
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


CaisseOption = Annotated[
    str | None,
    typer.Option(
        "--caisse",
        help="Code de la caisse du compte (« 79 ») : il ne voit que ses chiffres. Par défaut, la "
        "caisse de l'installation.",
    ),
]
NetworkOption = Annotated[
    bool,
    typer.Option("--reseau", help="Compte du réseau : voit toutes les caisses et choisit."),
]
_DEFAULT = object()  # neither --caisse nor --reseau: the installation's caisse


def _scope(caisse: str | None, network: bool) -> Any:
    """None for the network, a caisse code, or :data:`_DEFAULT`; exit 2 when both are given."""
    if caisse and network:
        err.print("--caisse et --reseau s'excluent : un compte a une caisse, ou le réseau.")
        raise typer.Exit(2)
    if network:
        return None
    return caisse.strip() if caisse and caisse.strip() else _DEFAULT


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


def checked_password(source: Path | None, user: Any, *, strip: bool = False) -> str:
    """A password Django's validators accept for ``user``, or their French messages and exit 1.
    ``strip``: spaces around it dropped too (``cpog init``'s file)."""
    from cpog.web.accounts import AccountError, check_password

    password = _read_password(source)
    if strip:
        password = password.strip()
    try:
        return check_password(password, user)
    except AccountError as error:
        if not password:
            err.print(escape(error.messages[0]))
        else:
            err.print("Mot de passe refusé :")
            for message in error.messages:
                err.print(f"  ✗ {escape(message)}")
        raise typer.Exit(1) from None


def _refused(error: Any) -> typer.Exit:
    """An :class:`cpog.web.accounts.AccountError` printed; exit 2 for a wrong argument."""
    for message in error.messages:
        err.print(escape(message))
    return typer.Exit(2 if error.field == "challenges" else 1)


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


def _summary(user: Any) -> str:
    from cpog.web.accounts import piloted, stored_role

    text = f"{user.get_username()} : {stored_role(user).label_fr}"
    if not user.is_active:
        text += " (compte désactivé)"
    numbers = piloted(user)
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
    caisse: CaisseOption = None,
    network: NetworkOption = False,
    password_file: PasswordFile = None,
) -> None:
    _setup()
    from django.contrib.auth import get_user_model

    from cpog.store.bootstrap import current_user
    from cpog.store.roles import Role
    from cpog.web import accounts

    wanted = _role(role)
    User = get_user_model()
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        err.print(
            f"Le compte « {escape(username)} » existe déjà : cpog user password ou "
            "cpog user roles pour le modifier."
        )
        raise typer.Exit(1)
    try:
        accounts.check_username(username)
    except accounts.AccountError as error:
        raise _refused(error) from None
    if challenges and wanted != Role.PILOTE:
        err.print("--defi ne vaut que pour le rôle pilote.")
        raise typer.Exit(2)
    scope = _scope(caisse, network)
    contract_id, numbers = _challenges(challenges or []) if challenges else ("", set())
    draft = User(username=username, email=email, first_name=first_name, last_name=last_name)
    password = checked_password(password_file, draft)
    try:
        draft = accounts.create(
            username,
            wanted,
            password,
            current_user(),
            challenges=numbers,
            contract_id=contract_id,
            email=email,
            first_name=first_name,
            last_name=last_name,
            caisse="" if scope is _DEFAULT else scope,
        )
    except accounts.AccountError as error:
        raise _refused(error) from None
    out.print(f"Compte créé — {escape(_summary(draft))}.")
    out.print(f"Périmètre : {accounts.scope_text(accounts.scope_of(draft))}.")


@user_app.command(
    "scope",
    help="Donne à un compte sa caisse (--caisse CODE) ou le réseau (--reseau : toutes les "
    "caisses).",
)
def scope(
    username: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant du compte.")],
    caisse: CaisseOption = None,
    network: NetworkOption = False,
) -> None:
    _setup()
    from cpog.store.bootstrap import current_user
    from cpog.web import accounts

    user = find_user(username)
    wanted = _scope(caisse, network)
    if wanted is _DEFAULT:
        err.print("Précisez --caisse CODE ou --reseau.")
        raise typer.Exit(2)
    try:
        changed = accounts.set_scope(user, wanted, current_user())
    except accounts.AccountError as error:
        raise _refused(error) from None
    text = accounts.scope_text(wanted)
    out.print(f"{escape(_summary(user))}" + ("" if changed else " (inchangé)") + f" — {text}.")


@user_app.command("list", help="Liste les comptes : rôle, périmètre (caisse ou réseau), état.")
def list_users() -> None:
    _setup()
    from rich.table import Table

    from cpog.web import accounts

    table = Table("Identifiant", "Rôle", "Périmètre", "Défis pilotés", "État")
    for row in accounts.rows():
        table.add_row(
            escape(row.user.get_username()),
            row.role.label_fr,
            accounts.scope_text(row.caisse),
            ", ".join(f"n°{n}" for n in row.challenges) or "—",
            "actif" if row.active else "désactivé",
        )
    out.print(table)


@user_app.command("password", help="Change le mot de passe d'un compte.")
def password(
    username: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant du compte.")],
    password_file: PasswordFile = None,
) -> None:
    _setup()
    from cpog.store.bootstrap import current_user
    from cpog.web import accounts

    user = find_user(username)
    if accounts.signs_in_by_directory(user):
        # before asking for a password that would be refused (single sign-on, decision 025)
        raise _refused(accounts.AccountError("password1", accounts.sso_password_refusal(user)))
    new = checked_password(password_file, user)
    try:
        accounts.set_password(user, new, current_user())
    except accounts.AccountError as error:
        raise _refused(error) from None
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
    from cpog.store.bootstrap import current_user
    from cpog.store.contracts import NoContractLoaded, current_contract
    from cpog.store.roles import Role
    from cpog.web import accounts

    user = find_user(username)
    added = _role(add) if add else None
    removed = _role(remove) if remove else None
    _challenges([*(pilot or []), *(unpilot or [])])  # every number checked before any change
    current = accounts.stored_role(user)
    role = added or (Role.LECTEUR if removed is not None and removed == current else current)
    if pilot and role != Role.PILOTE:
        err.print(
            f"« {escape(username)} » n'est pas pilote ({escape(_summary(user))}) : "
            "ajoutez --ajouter pilote pour lui confier des défis."
        )
        raise typer.Exit(2)
    try:
        contract_id = current_contract()[1].id
    except NoContractLoaded:
        contract_id = ""
    numbers = set(accounts.piloted(user, contract_id)) | set(pilot or [])
    numbers -= set(unpilot or [])
    try:
        accounts.change_role(
            user,
            role,
            current_user(),
            challenges=numbers if role == Role.PILOTE else None,
            contract_id=contract_id,
        )
    except accounts.AccountError as error:
        raise _refused(error) from None
    user.refresh_from_db()
    out.print(escape(_summary(user)) + ".")


def _set_active(username: str, active: bool) -> None:
    _setup()
    from cpog.store.bootstrap import current_user
    from cpog.web import accounts

    user = find_user(username)
    try:
        changed = accounts.set_active(user, active, current_user())
    except accounts.AccountError as error:
        raise _refused(error) from None
    state = "réactivé" if active else "désactivé"
    if changed:
        out.print(f"Compte « {escape(username)} » {state}.")
    else:
        out.print(f"Le compte « {escape(username)} » était déjà {state} : rien n'a changé.")


@user_app.command(
    "deactivate",
    help="Désactive un compte : il ne peut plus se connecter ni utiliser ses jetons ; "
    "il reste nommé dans l'historique.",
)
def deactivate(
    username: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant du compte.")],
) -> None:
    _set_active(username, False)


@user_app.command("reactivate", help="Réactive un compte désactivé.")
def reactivate(
    username: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant du compte.")],
) -> None:
    _set_active(username, True)
