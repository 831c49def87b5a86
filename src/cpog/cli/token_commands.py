"""``cpog token create | list | revoke``: API tokens without the web, e.g. for an administrator
setting up a scheduled script for someone else. Same rules and audit as the « Mes jetons
d'accès » page (:mod:`cpog.web.tokens`)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

token_app = typer.Typer(
    help="Jetons d'accès à l'API : créer, lister, révoquer.", no_args_is_help=True
)


def _setup() -> None:
    from cpog.store.bootstrap import setup

    setup()


def find_user(username: str) -> Any:
    """The account named ``username``, or a French error and exit code 1."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        err.print(
            f"Utilisateur « {escape(username)} » introuvable : vérifiez l'identifiant "
            "(cpog user create pour le créer)."
        )
        raise typer.Exit(1)
    return user


@token_app.command("create", help="Crée un jeton pour un utilisateur et l'affiche une seule fois.")
def create(
    username: Annotated[
        str, typer.Option("--utilisateur", help="Identifiant du propriétaire du jeton.")
    ],
    name: Annotated[str, typer.Option("--nom", help="Ce qui l'utilise, ex. « script BI ».")],
    expires: Annotated[
        str | None,
        typer.Option("--expire", help="Dernier jour de validité, JJ/MM/AAAA (défaut : 90 jours)."),
    ] = None,
) -> None:
    _setup()
    from cpog.cli.store_commands import _date
    from cpog.formatting import fr_date
    from cpog.store.bootstrap import current_user
    from cpog.web import tokens

    user = find_user(username)
    if not user.is_active:
        err.print(f"Le compte « {escape(username)} » est désactivé : pas de jeton.")
        raise typer.Exit(1)
    try:
        token, key = tokens.issue(user, name, _date(expires), by=current_user())
    except tokens.TokenError as error:
        err.print(escape(str(error)))
        raise typer.Exit(1) from None
    out.print(
        f"Jeton n°{token.pk} « {escape(token.name)} » créé pour {escape(username)}, valable "
        f"jusqu'au {fr_date(token.expires_on)} inclus.\n"
        "Copiez-le maintenant, il ne sera plus affiché :"
    )
    out.print(key, soft_wrap=True)


@token_app.command("list", help="Liste les jetons (de tous, ou d'un utilisateur), sans leur clé.")
def list_tokens(
    username: Annotated[
        str | None, typer.Option("--utilisateur", help="Seulement les jetons de cet utilisateur.")
    ] = None,
) -> None:
    _setup()
    from cpog.web import tokens
    from cpog.web.templatetags.cpog_fr import jour

    owner = find_user(username) if username else None
    rows = tokens.rows(owner)
    if not rows:
        out.print(
            "Aucun jeton." if owner is None else f"Aucun jeton pour {escape(username or '')}."
        )
        return
    table = RichTable(title="Jetons d'accès à l'API")
    for column in (
        "N°",
        "Utilisateur",
        "Nom",
        "Créé le",
        "Dernière utilisation",
        "Jusqu'au",
        "État",
    ):
        table.add_column(column)
    for row in rows:
        t = row.token
        table.add_row(
            str(t.pk),
            escape(t.user.get_username()),
            escape(t.name),
            jour(t.created_at),
            jour(t.last_used_at) if t.last_used_at else "jamais",
            jour(t.expires_on),
            row.state,
        )
    out.print(table)


@token_app.command("revoke", help="Révoque un jeton (son numéro : cpog token list).")
def revoke(
    token_id: Annotated[
        int,
        typer.Argument(metavar="NUMÉRO", help="Numéro du jeton (colonne N° de cpog token list)."),
    ],
) -> None:
    _setup()
    from cpog.store.bootstrap import current_user
    from cpog.web import tokens
    from cpog.web.models import ApiToken

    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None:
        err.print(f"Jeton n°{token_id} introuvable : cpog token list donne les numéros.")
        raise typer.Exit(1)
    if not tokens.revoke(token, by=current_user()):  # nothing to do is not a failure
        out.print(f"Le jeton n°{token_id} « {escape(token.name)} » était déjà révoqué.")
        return
    out.print(
        f"Jeton n°{token_id} « {escape(token.name)} » de {escape(token.user.get_username())} "
        "révoqué : il est refusé dès maintenant."
    )
