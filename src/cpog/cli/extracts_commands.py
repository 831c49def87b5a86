"""``cpog generate-extracts``: deterministic synthetic extracts for demos, tests and benchmarks."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from cpog.formatting import fr_number
from cpog.periods import Period, PeriodError, PeriodUnit, parse_period

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

USAGE_ERROR = 2


def _fail(message: str, code: int = USAGE_ERROR) -> typer.Exit:
    err.print(escape(f"Erreur : {message}"), soft_wrap=True)
    return typer.Exit(code)


def _scale(text: str) -> float:
    try:
        value = float(text.strip().replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except ValueError:
        raise _fail(
            f"échelle invalide : « {text} » (attendu un nombre, par exemple 1, 0,5 ou 10)."
        ) from None
    if not math.isfinite(value) or value <= 0:
        raise _fail(f"échelle invalide : « {text} » (attendu un nombre strictement positif).")
    return value


def _month(text: str, option: str) -> Period:
    try:
        period = parse_period(text)
    except PeriodError:
        raise _fail(
            f"{option} : « {text} » n'est pas un mois (attendu AAAA-MM, par exemple 2022-01)."
        ) from None
    if period.unit is not PeriodUnit.MONTH or period.to_date:
        raise _fail(
            f"{option} : « {text} » n'est pas un mois (attendu AAAA-MM, par exemple 2022-01)."
        )
    return period


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{fr_number(count / 1024 / 1024, 1)} Mo"
    return f"{fr_number(count / 1024, 1)} ko"


def generate_extracts(
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--sortie", help="Dossier où écrire les extraits (créé s'il n'existe pas)."
        ),
    ],
    scale: Annotated[
        str,
        typer.Option(
            "--scale",
            "--echelle",
            help="Taille : 1 = la Caf des Deux-Sèvres ; 10 = dix fois plus de dossiers et de flux.",
        ),
    ] = "1",
    seed: Annotated[
        int,
        typer.Option(
            "--seed", "--graine", help="Graine : les mêmes options redonnent les mêmes fichiers."
        ),
    ] = 42,
    first: Annotated[
        str, typer.Option("--from", "--du", help="Premier mois (AAAA-MM).")
    ] = "2022-01",
    last: Annotated[
        str | None,
        typer.Option(
            "--to", "--au", help="Dernier mois (AAAA-MM) ; par défaut le dernier mois complet."
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="parquet, ou csv (séparateur « ; », dates JJ/MM/AAAA, virgule décimale, oui/non).",
        ),
    ] = "parquet",
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Écrit dans un dossier qui n'est pas vide (remplace les extraits)."
        ),
    ] = False,
) -> None:
    """Write deterministic synthetic extracts (every table of the extract schema) into OUTPUT."""
    from cpog.warehouse.synthetic import SyntheticError, default_last, generate

    fmt = fmt.strip().lower()
    if fmt not in ("parquet", "csv"):
        raise _fail(f"format inconnu : « {fmt} » (attendu : parquet ou csv).")
    if seed < 0:
        raise _fail(f"graine invalide : « {seed} » (attendu un entier positif ou nul).")
    value = _scale(scale)
    start = _month(first, "--from")
    end = _month(last, "--to") if last else default_last()
    if output.exists() and not output.is_dir():
        raise _fail(f"« {output} » existe et n'est pas un dossier.")
    if output.is_dir() and any(output.iterdir()) and not force:
        raise _fail(
            f"le dossier « {output} » n'est pas vide ; ajoutez --force pour y écrire"
            " (les extraits déjà présents seront remplacés)."
        )
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("Préparation du modèle", total=None)

        def progress(step: str, done: int, total: int) -> None:
            following = "" if done >= total else " — extrait suivant"
            bar.update(task, completed=done, total=total, description=f"{step}{following}")

        try:
            summary = generate(
                output,
                scale=value,
                seed=seed,
                first=start,
                last=end,
                fmt="csv" if fmt == "csv" else "parquet",
                progress=progress,
            )
        except SyntheticError as error:
            message = str(error)
            raise _fail(message[:1].lower() + message[1:]) from None
        except OSError as error:
            raise _fail(f"impossible d'écrire dans « {output} » ({error.strerror}).", 1) from None
    out.print(
        escape(
            f"Extraits synthétiques écrits dans « {output} » : échelle {fr_number(value)},"
            f" graine {seed}, de {start} à {end}."
        ),
        soft_wrap=True,
    )
    width = max(len(table.path.name) for table in summary.tables)
    for table in summary.tables:
        out.print(
            escape(
                f"  {table.path.name:<{width}}  {fr_number(table.rows):>13} lignes"
                f"  {_size(table.bytes):>10}"
            )
        )
    out.print(escape(f"  {summary.readme.name:<{width}}  (avertissement : données synthétiques)"))
    out.print(
        escape(
            f"Total : {fr_number(summary.rows)} lignes, {_size(summary.bytes)},"
            f" en {fr_number(summary.seconds, 1)} s."
        )
    )
    out.print(
        "Données synthétiques de démonstration : elles ne décrivent aucun allocataire réel.",
        soft_wrap=True,
    )
