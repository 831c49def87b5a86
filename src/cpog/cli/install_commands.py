"""``cpog migrate | init | static``: the explicit steps of a production install (decision 022,
docs/deploy.md). In production no other command migrates, loads demo data or creates an
administrator; these do, once, when the IT engineer runs them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from cpog.errors import CpogError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def migrate(
    check: Annotated[
        bool,
        typer.Option(
            "--verifier",
            help="N'applique rien : code de sortie 1 si des migrations sont en attente (pour la"
            " supervision et les scripts de mise à jour), 0 sinon.",
        ),
    ] = False,
) -> None:
    """Apply the pending migrations of the store, or with --verifier only tell them."""
    from cpog.store.bootstrap import pending_migrations, schema_behind_text, setup

    setup(migrate=False)
    pending = pending_migrations()
    if check:
        if pending:
            err.print(schema_behind_text(len(pending)))
            for name in pending:
                err.print(f"  • {escape(name)}")
            raise typer.Exit(1)
        out.print("Le schéma de la base est à jour : aucune migration en attente.")
        return
    if not pending:
        out.print("Le schéma de la base est à jour : aucune migration à appliquer.")
        return
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    out.print(f"{len(pending)} migration(s) appliquée(s) :")
    for name in pending:
        out.print(f"  • {escape(name)}")


def _init_password(source: Path | None, username: str) -> str:
    """The first administrator's password, from the file (first line, stripped) or typed twice
    at a terminal; checked by Django's validators; never printed."""
    from django.contrib.auth import get_user_model

    from cpog.cli.user_commands import checked_password

    if source is None and not sys.stdin.isatty():
        err.print(
            "Pas de terminal pour saisir le mot de passe de l'administrateur : donnez-le dans un"
            " fichier avec --mot-de-passe-fichier FICHIER (première ligne ; « - » : l'entrée"
            " standard)."
        )
        raise typer.Exit(1)
    return checked_password(source, get_user_model()(username=username), strip=True)


def init(
    contract: Annotated[
        Path | None,
        typer.Option(
            "--contrat",
            help="Dossier du contrat à charger si la base n'en a pas (défaut : CPOG_CONTRACT ou"
            " le contrat livré).",
        ),
    ] = None,
    admin: Annotated[
        str,
        typer.Option(
            "--admin", metavar="IDENTIFIANT", help="Identifiant du premier administrateur."
        ),
    ] = "admin",
    password_file: Annotated[
        Path | None,
        typer.Option(
            "--mot-de-passe-fichier",
            help="Lit le mot de passe de l'administrateur dans ce fichier (première ligne) ;"
            " « - » : l'entrée standard. Sans cette option, il est demandé deux fois, sans"
            " s'afficher.",
        ),
    ] = None,
) -> None:
    """First start without demo data: contract, role groups, first administrator."""
    from cpog.store.bootstrap import current_user, setup

    setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from cpog.contract.loader import ContractLoadError
    from cpog.store.firstrun import ensure_contract, ensure_groups
    from cpog.store.models import ContractVersion
    from cpog.store.roles import Role
    from cpog.web import accounts

    User = get_user_model()
    username = admin.strip()
    existing = User.objects.filter(username__iexact=username).first()
    admins = list(
        User.objects.filter(is_superuser=True, is_active=True)
        .order_by("username")
        .values_list("username", flat=True)
    )
    password = None
    if existing is None and not admins:
        try:
            accounts.check_username(username)
        except accounts.AccountError as error:
            for message in error.messages:
                err.print(escape(message))
            raise typer.Exit(2) from None
        password = _init_password(password_file, username)
    by = current_user()
    try:
        with transaction.atomic():
            loaded = ensure_contract(contract, by)
            groups = ensure_groups()
            if password is not None:
                accounts.create(username, Role.ADMIN, password, by)
    except ContractLoadError as error:
        for issue in error.issues:
            err.print(f"[red]✗[/red] {escape(str(issue))}")
        err.print("Contrat non chargé : rien n'a été enregistré.")
        raise typer.Exit(1) from None
    except accounts.AccountError as error:
        for message in error.messages:
            err.print(escape(message))
        raise typer.Exit(1) from None
    except CpogError as error:
        err.print(escape(str(error)))
        raise typer.Exit(error.exit_code) from None
    done: list[str] = []
    if loaded is not None:
        version = loaded.version
        done.append(f"Contrat « {version.contract_id} » chargé (version {version.version}).")
    else:
        first = ContractVersion.objects.order_by("id").first()
        assert first is not None
        done.append(f"Contrat déjà chargé : « {first.contract_id} ».")
    done.append(f"Rôles créés : {', '.join(groups)}." if groups else "Rôles déjà présents.")
    if password is not None:
        done.append(
            f"Compte administrateur « {escape(username)} » créé (mot de passe : celui donné,"
            " jamais affiché)."
        )
    elif existing is not None:
        done.append(f"Le compte « {escape(existing.get_username())} » existe déjà : inchangé.")
    else:
        done.append(
            f"Administrateur déjà présent ({escape(', '.join(admins))}) : aucun compte créé."
        )
    for line in done:
        out.print(line)
    if loaded is None and not groups and password is None:
        out.print("Base déjà initialisée : rien n'a été changé.")
    else:
        out.print("Base initialisée, sans données de démonstration : lancez « cpog serve ».")


def static() -> None:
    """Collect the static files with hashed names and compressed copies (production)."""
    from cpog.store.bootstrap import setup

    setup(migrate=False)
    from django.conf import settings
    from django.core.management import call_command

    from cpog.web.readiness import manifest_path

    if settings.STATIC_ROOT is None:
        err.print(
            "Aucun dossier pour les fichiers statiques : définissez CPOG_STATIC_ROOT (en"
            " production, CPOG_DATA_DIR/static par défaut). Hors production, ils sont servis"
            " depuis le paquet, sans cette étape."
        )
        raise typer.Exit(2)
    try:
        call_command("collectstatic", interactive=False, verbosity=0)
    except (OSError, ValueError) as error:
        err.print(
            f"Fichiers statiques non collectés dans {escape(str(settings.STATIC_ROOT))} :"
            f" {escape(str(error))}"
        )
        raise typer.Exit(1) from None
    manifest = manifest_path()
    if manifest is not None and manifest.is_file():
        import json

        count = len(json.loads(manifest.read_text(encoding="utf-8")).get("paths", {}))
        compressed = "gzip et Brotli" if _has_brotli() else "gzip"
        out.print(
            f"{count} fichiers statiques collectés dans {escape(str(settings.STATIC_ROOT))}"
            f" (noms avec empreinte, copies compressées {compressed})."
        )
    else:
        out.print(f"Fichiers statiques collectés dans {escape(str(settings.STATIC_ROOT))}.")


def _has_brotli() -> bool:
    import importlib.util

    return importlib.util.find_spec("brotli") is not None
