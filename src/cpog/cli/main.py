"""The ``cpog`` command: a thin shell over the domain packages. Messages are French."""

from __future__ import annotations

import re
import sys

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from cpog.cli import (
    backup_commands,
    campaign_commands,
    compute_commands,
    contract_commands,
    export_commands,
    extracts_commands,
    french_help,
    install_commands,
    opendata_commands,
    purge_command,
    settings_command,
    status_command,
    store_commands,
    territories_command,
)
from cpog.cli.compare_command import compare
from cpog.cli.explain_command import explain
from cpog.cli.report_commands import report_app
from cpog.cli.sso_commands import sso_app
from cpog.cli.token_commands import token_app
from cpog.cli.user_commands import list_users, user_app
from cpog.errors import CpogError

french_help.install()  # Typer's own help words (« Usage », « Options »…) in French

app = typer.Typer(
    name="cpog",
    help="cpog — piloter le contrat pluriannuel d'objectifs et de gestion (CPOG) d'une Caf.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        typer.echo(f"cpog {version('cpog')}")
        raise typer.Exit(0)


@app.callback()
def _root(
    show_version: bool = typer.Option(
        False,
        "--version",
        help="Affiche la version de cpog et s'arrête.",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    """cpog — piloter le contrat pluriannuel d'objectifs et de gestion (CPOG) d'une Caf."""


app.command("check", help="Vérifie un dossier de contrat et liste tous les problèmes.")(
    contract_commands.check
)
app.command("show", help="Affiche le contrat, un défi ou un indicateur.")(contract_commands.show)
app.command(
    "export", help="Exporte le contrat normalisé (JSON) ou, avec xlsx, les données en Excel."
)(export_commands.export)
app.command("schema", help="Affiche le schéma JSON de l'export ou d'un type de fichier.")(
    contract_commands.schema
)
app.command("load", help="Charge un contrat dans la base (une nouvelle version par avenant).")(
    store_commands.load
)
store_commands.import_app.command(
    "opendata", help="Importe un fichier de données ouvertes de la Cnaf (data.caf.fr), tel quel."
)(opendata_commands.import_opendata)
app.add_typer(store_commands.import_app, name="import")
app.add_typer(opendata_commands.opendata_app, name="opendata")  # decision 019
opendata_commands.opendata_app.command(
    "comparer", help="Chiffres clés du diagnostic et données ouvertes, par territoire."
)(opendata_commands.compare)
app.command("status", help="Situation de chaque indicateur et résultat visé à une date.")(
    status_command.status
)
app.command("territories", help="Liste les EPCI, les communes et les CTG de la caisse.")(
    territories_command.territories
)
app.command(
    "demo",
    help="Remplit la base de données de démonstration (2022 à aujourd'hui) ; avec --retirer, les"
    " supprime. Jamais de démonstration en production.",
)(store_commands.demo)
app.command(
    "serve",
    help="Lance l'application web (hors production, premier lancement : contrat et démo chargés ;"
    " en production : après cpog migrate, cpog static et cpog init).",
)(store_commands.serve)
app.command(
    "migrate",
    help="Applique les migrations du schéma de la base (en production, la seule commande qui le"
    " fait).",
)(install_commands.migrate)
app.command(
    "init",
    help="Premier lancement sans démonstration : contrat, rôles et premier administrateur.",
)(install_commands.init)
app.command(
    "static",
    help="Collecte les fichiers statiques (noms avec empreinte, compressés) pour la production.",
)(install_commands.static)
app.command("template", help="Écrit un modèle d'import (XLSX ou CSV) prêt à remplir.")(
    store_commands.template
)
app.command("explain", help="Affiche la définition d'un indicateur calculé et sa requête SQL.")(
    explain
)
app.command("compare", help="Compare un indicateur entre les caisses du réseau.")(compare)
app.command(
    "compute", help="Calcule les indicateurs depuis les extraits et enregistre leurs valeurs."
)(compute_commands.compute)
app.add_typer(token_app, name="token")  # API tokens (decision 008)
app.add_typer(user_app, name="user")  # accounts without a shell (decision 008)
app.command("users", help="Liste les comptes : rôle, périmètre (caisse ou réseau), état.")(
    list_users
)
app.command("parametres", help="Référence des variables d'environnement (docs/parametres.md).")(
    settings_command.parameters
)
app.add_typer(sso_app, name="sso")  # single sign-on (decision 025)
app.add_typer(report_app, name="report")  # PDF reports (decision 012)
app.command(  # retention of personal data (decision 027)
    "purge",
    help="Supprime les données personnelles conservées au-delà de leur durée (sessions expirées,"
    " connexions anciennes, fichiers déposés abandonnés, jetons révoqués ou expirés).",
)(purge_command.purge)
app.add_typer(campaign_commands.campaign_app, name="campagne")  # decision 026
app.command("backup", help="Sauvegarde toute la base dans un fichier (cohérent, à chaud).")(
    backup_commands.backup
)
app.command("restore", help="Restaure une sauvegarde (refusé sur une base non vide).")(
    backup_commands.restore
)
app.command("generate-extracts", help="Écrit des extraits synthétiques de démonstration.")(
    extracts_commands.generate_extracts
)


_INVALID_DETAILS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Input should be a valid integer"), "nombre entier attendu"),
    (re.compile(r"^Input should be a valid (number|decimal)"), "nombre attendu"),
    (re.compile(r"^Input should be less than or equal to (\S+)"), "au plus {0}"),
    (re.compile(r"^Input should be greater than or equal to (\S+)"), "au moins {0}"),
    (re.compile(r"^Input should be less than (\S+)"), "moins de {0}"),
    (re.compile(r"^Input should be greater than (\S+)"), "plus de {0}"),
    (re.compile(r"^Value (.+) is not a valid (\S+?)\.?$"), "{0} n'est pas valide"),
]
_MISSING_KINDS = {
    "argument": "argument « {0} » manquant",
    "option": "option « {0} » manquante",
    "parameter": "paramètre « {0} » manquant",
}


def _invalid_detail(detail: str) -> str:
    detail = detail.strip()
    for pattern, french in _INVALID_DETAILS:
        found = pattern.match(detail)
        if found:
            return french.format(*found.groups())
    return detail.rstrip(".")


def french_usage_message(message: str) -> str:
    """Translate a click usage message into the French line printed after « Erreur : »."""
    if found := re.match(r"^Missing (argument|option|parameter) '?([^'.]+)'?\.?", message):
        return "Erreur : " + _MISSING_KINDS[found.group(1)].format(found.group(2))
    if found := re.match(r"^No such option: (\S+)(?: \(Possible options: (.*)\))?", message):
        text = f"Erreur : option « {found.group(1)} » inconnue"
        return text + (f" (options possibles : {found.group(2)})" if found.group(2) else "")
    if found := re.match(r"^Invalid value for ('[^:]+'|[^:]+): (.*)$", message, re.DOTALL):
        name = found.group(1).replace("'", "")
        return f"Erreur : valeur invalide pour « {name} » : {_invalid_detail(found.group(2))}"
    if found := re.match(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)", message):
        return f"Erreur : argument en trop : {found.group(1)}"
    if found := re.match(r"^Option '(.+?)' requires an argument", message):
        return f"Erreur : l'option « {found.group(1)} » attend une valeur"
    if found := re.match(r"^No such command '(.+?)'", message):
        return f"Erreur : commande « {found.group(1)} » inconnue"
    return f"Erreur d'utilisation : {message}"


def _setup_problem(error: Exception) -> tuple[str, int] | None:
    """A bad setting (its French message, exit 2) or an unreachable database (which one, never
    its password, exit 1), without a traceback. Django is only imported by the commands that use
    it: its classes are looked up, not imported, to keep every command's start light."""
    exceptions = sys.modules.get("django.core.exceptions")
    if exceptions is not None and isinstance(error, exceptions.ImproperlyConfigured):
        return f"Configuration : {error}", 2
    database = sys.modules.get("django.db")
    if database is not None and isinstance(error, database.DatabaseError):
        from cpog.store.bootstrap import database_problem

        return database_problem(error), 1
    return None


def run(args: list[str] | None = None) -> int:
    """Run the command line with French usage errors; return the exit code."""
    try:
        result = app(args=args, prog_name="cpog", standalone_mode=False)
    except NoArgsIsHelpError as error:
        typer.echo(error.format_message(), err=True)
        return error.exit_code
    except UsageError as error:
        command = error.ctx.command_path if error.ctx is not None else "cpog <commande>"
        if command == "cpog":
            command = "cpog <commande>"
        typer.echo(french_usage_message(error.format_message()), err=True)
        typer.echo(f"Aide : {command} --help", err=True)
        return 2
    except ClickException as error:
        typer.echo(f"Erreur : {error.format_message()}", err=True)
        return error.exit_code
    except typer.Abort:
        typer.echo("Interrompu.", err=True)
        return 130
    except typer.Exit as error:
        return error.exit_code
    except CpogError as error:  # a problem the user can fix, e.g. a bad CPOG_TODAY
        typer.echo(str(error), err=True)
        return error.exit_code
    except Exception as error:
        problem = _setup_problem(error)
        if problem is None:
            raise
        typer.echo(problem[0], err=True)
        return problem[1]
    return result if isinstance(result, int) else 0


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(run())


if __name__ == "__main__":  # pragma: no cover
    main()
