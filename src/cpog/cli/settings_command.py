"""``cpog parametres``: the reference of the environment variables (docs/parametres.md), or, with
``--valeurs``, which of them this installation sets (secrets hidden)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from cpog.environment import VARIABLES, reference_markdown


def parameters(
    values: Annotated[
        bool,
        typer.Option(
            "--valeurs",
            help="Affiche les variables posées ici (secrets masqués) au lieu de la référence.",
        ),
    ] = False,
) -> None:
    """Print the settings reference, or the values set in this environment."""
    if not values:
        typer.echo(reference_markdown())
        return
    for variable in VARIABLES:
        if variable.name not in os.environ:
            continue
        shown = "(masqué)" if variable.secret else os.environ[variable.name]
        typer.echo(f"{variable.name}={shown}")
