"""``cpog sso verifier``: check the groups file of single sign-on (decision 025) against the
store, and the identity provider's discovery document when SSO is on, before anyone signs in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

sso_app = typer.Typer(
    help="Authentification unique (OpenID Connect) : vérifier la configuration.",
    no_args_is_help=True,
)


@sso_app.command(
    "verifier",
    help="Vérifie la table des groupes (rôles, défis, caisses) et joint le fournisseur d'identité.",
)
def verify(
    file: Annotated[
        Path | None,
        typer.Argument(help="Table des groupes (défaut : CPOG_OIDC_GROUPES)."),
    ] = None,
) -> None:
    from cpog.store.bootstrap import setup

    setup()
    from cpog.web import sso, sso_mapping

    conf = sso.config()
    path = file or (conf.groups_file if conf else None)
    if path is None:
        typer.echo(
            "Authentification unique désactivée (CPOG_OIDC_ISSUER vide) : indiquez le fichier "
            "à vérifier, par exemple « cpog sso verifier deploy/oidc-groupes.exemple.yaml ».",
            err=True,
        )
        raise typer.Exit(1)
    try:
        mapping = sso_mapping.checked(path)
    except sso_mapping.MappingError as error:
        for message in error.messages:
            typer.echo(message, err=True)
        raise typer.Exit(1) from None
    count = len(mapping.rules)
    typer.echo(f"{path} : {count} groupe{'s' if count > 1 else ''} de l'annuaire, tous valides.")
    for rule in mapping.rules.values():
        what = rule.role.label_fr
        if rule.challenges:
            what += f", défi{'s' if len(rule.challenges) > 1 else ''} n°"
            what += ", ".join(map(str, rule.challenges))
        if rule.caisse:
            what += ", réseau" if rule.caisse == sso_mapping.NETWORK else f", caisse {rule.caisse}"
        typer.echo(f"  {rule.group} : {what}")
    if conf is None:
        return
    try:
        document = sso.provider(conf)
    except sso.ProviderUnavailable as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"Fournisseur d'identité joint : {conf.issuer} ({document['authorization_endpoint']})."
    )
