"""Typer's and click's own words in French, for every ``cpog`` command's help (issue 10).

Imported once by :mod:`cpog.cli.main`, before any command runs. Typer vendors its own click
(``typer._click``) whose help words are plain English constants or go through ``gettext``
(« Usage », « Options », « Commands », « Arguments », « [default: …] », « [required] »,
« Show this message and exit. ») and its metavars name Python types (``<str>``, ``<int range>``).
Each is replaced where Typer reads it; the usage errors themselves are translated by
:func:`cpog.cli.main.french_usage_message`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import typer.core
import typer.rich_utils
from typer._click import core as click_core
from typer._click import formatting

USAGE = "Utilisation : "
HELP_OPTION = "Affiche cette aide et quitte."

# What Typer passes through gettext, in French (an untranslated message is returned as is).
MESSAGES = {
    "Arguments": "Arguments",
    "Options": "Options",
    "Commands": "Commandes",
    "default: {default}": "par défaut : {default}",
    "env var: {var}": "variable d'environnement : {var}",
    "required": "obligatoire",
    "(dynamic)": "(calculé)",
    "Aborted!": "Interrompu.",
    "Missing command.": "Commande manquante.",
}

# The words of a metavar (``<int range>``, ``<list[str]>``): what the value is, in French.
TYPE_WORDS = {
    "str": "texte",
    "text": "texte",
    "int": "entier",
    "integer": "entier",
    "float": "nombre",
    "bool": "oui/non",
    "boolean": "oui/non",
    "path": "chemin",
    "file": "fichier",
    "directory": "dossier",
    "datetime": "date",
    "uuid": "uuid",
    "range": "borné",
    "list": "liste",
    "tuple": "suite",
}
_WORD = re.compile(r"[A-Za-z_]+")


def french(message: str) -> str:
    """gettext for Typer: its English help words in French."""
    return MESSAGES.get(message, message)


def french_type(label: str) -> str:
    """``<int range>`` → ``<entier borné>``, ``<list[str]>`` → ``<liste[texte]>``."""
    return _WORD.sub(lambda word: TYPE_WORDS.get(word.group(0).lower(), word.group(0)), label)


def _usage_in_french(original: Callable[..., None]) -> Callable[..., None]:
    def write_usage(
        self: formatting.HelpFormatter, prog: str, args: str = "", prefix: str | None = None
    ) -> None:
        args = args.replace("COMMAND [ARGS]...", "COMMANDE [ARGUMENTS]...")
        original(self, prog, args, USAGE if prefix is None else prefix)

    return write_usage


def _help_option_in_french(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_help_option(self: click_core.Command, ctx: click_core.Context) -> Any:
        option = original(self, ctx)
        if option is not None:
            option.help = HELP_OPTION
        return option

    return get_help_option


def _type_in_french(original: Callable[..., str]) -> Callable[..., str]:
    def display_type(self: Any, ctx: Any) -> str:
        return french_type(original(self, ctx))

    return display_type


def install() -> None:
    """Put the French words in place; installing twice changes nothing."""
    if getattr(typer.core, "_cpog_french", False):
        return
    typer.core._cpog_french = True  # type: ignore[attr-defined]
    typer.core._ = french  # type: ignore[attr-defined]
    formatting.HelpFormatter.write_usage = _usage_in_french(  # type: ignore[method-assign]
        formatting.HelpFormatter.write_usage
    )
    click_core.Command.get_help_option = _help_option_in_french(  # type: ignore[method-assign]
        click_core.Command.get_help_option
    )
    owner = _display_type_owner()
    owner.display_type = _type_in_french(owner.display_type)  # type: ignore[attr-defined]
    # The rich help (when a command asks for it) reads these constants.
    rich = typer.rich_utils
    rich.DEPRECATED_STRING = "(obsolète) "
    rich.DEFAULT_STRING = "[par défaut : {}]"
    rich.ENVVAR_STRING = "[variable d'environnement : {}]"
    rich.REQUIRED_LONG_STRING = "[obligatoire]"
    rich.ARGUMENTS_PANEL_TITLE = "Arguments"
    rich.OPTIONS_PANEL_TITLE = "Options"
    rich.COMMANDS_PANEL_TITLE = "Commandes"
    rich.ERRORS_PANEL_TITLE = "Erreur"
    rich.ABORTED_TEXT = "Interrompu."
    rich.RICH_HELP = "Aide : [blue]{command_path} {help_option}[/]"


def _display_type_owner() -> type:
    """The class defining Typer's ``display_type`` (the base of its arguments and options)."""
    return next(cls for cls in typer.core.TyperOption.__mro__ if "display_type" in vars(cls))
