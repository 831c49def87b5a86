"""``cpog compute``: indicators computed from the Caf's operational extracts, stored with their
provenance (:mod:`cpog.warehouse` computes, :mod:`cpog.store.computations` records)."""

from __future__ import annotations

import contextlib
import dataclasses
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from cpog import clock
from cpog.errors import CpogError
from cpog.formatting import fr_date, fr_number
from cpog.periods import Period, PeriodError, PeriodUnit, parse_period

if TYPE_CHECKING:
    from cpog.contract.model import Contract
    from cpog.geography import Geography
    from cpog.store.computations import ComputationOutcome
    from cpog.warehouse.definitions import Definition
    from cpog.warehouse.extracts import LoadedExtracts

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

SHOWN = 20  # lines of a list (non calculable, unusual) printed before « … et N autres »
DIMENSIONS = ("caisse", "epci", "commune")
UNUSUAL = "valeurs inhabituelles"


class ComputeUsageError(CpogError):
    exit_code = 2


def _month(text: str, option: str) -> Period:
    try:
        period = parse_period(text)
    except PeriodError as error:
        raise ComputeUsageError(f"{option} « {text} » : {error}") from None
    if period.unit is not PeriodUnit.MONTH:
        raise ComputeUsageError(f"{option} « {text} » : un mois est attendu (ex. 2023-01).")
    return period


def _month_of(day: date) -> Period:
    return Period(PeriodUnit.MONTH, day.year, day.month)


def _previous(month: Period) -> Period:
    if month.index == 1:
        return Period(PeriodUnit.MONTH, month.year - 1, 12)
    return Period(PeriodUnit.MONTH, month.year, month.index - 1)


def last_complete_month(data_end: date, today: date) -> Period:
    """The last month that ended on or before both the data's last day and today."""
    limit = min(data_end, today)
    month = _month_of(limit)
    return month if month.end <= limit else _previous(month)


def data_bounds(extracts: LoadedExtracts) -> tuple[date | None, date | None]:
    """The first and last day the extracts cover: their dates, and their months (the
    ``allocataires`` extract is dated by month only: a month counts from its first to its last
    day)."""
    from cpog.warehouse.schema import TABLES, ColumnType

    starts: list[date] = []
    ends: list[date] = [extracts.data_end] if extracts.data_end != date.min else []
    for table in TABLES:
        if table.name not in extracts.tables:
            continue
        for column in table.columns:
            if column.type not in (ColumnType.DATE, ColumnType.MONTH):
                continue
            row = extracts.connection.execute(
                f"SELECT MIN({column.name}), MAX({column.name}) FROM {table.name}"
            ).fetchone()
            if row is None or row[0] is None:
                continue
            if column.type is ColumnType.DATE:
                starts.append(row[0])
                continue
            with contextlib.suppress(PeriodError):
                starts.append(parse_period(str(row[0])).start)
                ends.append(parse_period(str(row[1])).end)
    found = getattr(extracts, "data_start", None)
    if isinstance(found, date):
        starts.append(found)
    return (min(starts) if starts else None), (max(ends) if ends else None)


def default_range(
    contract: Contract, extracts: LoadedExtracts, today: date
) -> tuple[Period, Period]:
    """From January of the contract's first year (or the extracts' first month, whichever is
    later) to the last complete month within both the data and today (and the contract)."""
    first = Period(PeriodUnit.MONTH, contract.period.start, 1)
    start, end = data_bounds(extracts)
    if start is not None and _month_of(start).end > first.end:
        first = _month_of(start)
    if end is None:
        raise ComputeUsageError("Les extraits ne contiennent aucune date : rien à calculer.")
    last = last_complete_month(end, today)
    end_of_contract = Period(PeriodUnit.MONTH, contract.period.end, 12)
    if last.end > end_of_contract.end:
        last = end_of_contract
    return first, last


def _parameters(items: list[str], definitions: list[Definition]) -> dict[str, str | int]:
    from cpog.warehouse.definitions import DefinitionError

    known = {p.name for d in definitions for p in d.parameters}
    chosen: dict[str, str | int] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise ComputeUsageError(f"--param « {item} » : écrivez nom=valeur (ex. jours=ouvres).")
        if name not in known:
            raise ComputeUsageError(
                f"--param « {item} » : aucun des calculs demandés n'a de paramètre « {name} »"
                f" (paramètres : {', '.join(sorted(known)) or 'aucun'})."
            )
        chosen[name] = value
    for definition in definitions:
        try:
            definition.values(chosen)
        except DefinitionError as error:
            raise ComputeUsageError(str(error)) from None
    return chosen


def _selected(codes: list[str]) -> list[Definition]:
    from cpog.warehouse.definitions import DefinitionError, all_definitions, definition_for

    if not codes:
        return list(all_definitions())
    try:
        return list({d.name: d for d in (definition_for(code) for code in codes)}.values())
    except DefinitionError as error:
        raise ComputeUsageError(str(error)) from None


def _from_to(first: Period, last: Period) -> str:
    """« de janvier 2023 à octobre 2026 », « d'avril 2025 à août 2026 »."""
    start = str(first)
    of = "d'" if start[:1] in "aeiouyâéèêAEIOU" else "de "
    return f"{of}{start} à {last}"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{fr_number(count)} {word if count < 2 else plural or word + 's'}"


def compute(
    extracts: Annotated[
        Path | None,
        typer.Option("--extracts", "--extraits", help="Dossier des extraits (Parquet ou CSV)."),
    ] = None,
    first: Annotated[
        str | None,
        typer.Option(
            "--du",
            "--from",
            help="Premier mois calculé, AAAA-MM (défaut : janvier de la première année du"
            " contrat, ou le premier mois des extraits s'il est plus tardif).",
        ),
    ] = None,
    last: Annotated[
        str | None,
        typer.Option(
            "--au",
            "--to",
            help="Dernier mois calculé, AAAA-MM (défaut : le dernier mois complet des extraits,"
            " terminé à la date du jour).",
        ),
    ] = None,
    by: Annotated[
        str,
        typer.Option(
            "--par",
            "--by",
            help="Détail par territoire en plus de la caisse : caisse (aucun), epci ou commune.",
        ),
    ] = "caisse",
    params: Annotated[
        list[str] | None,
        typer.Option("--param", help="Paramètre d'une définition, nom=valeur (répétable)."),
    ] = None,
    codes: Annotated[
        list[str] | None,
        typer.Option(
            "--definition", help="Calcule seulement cet indicateur (ex. cog-08-29 ; répétable)."
        ),
    ] = None,
    results: Annotated[
        Path | None,
        typer.Option(
            "--resultats",
            "--results",
            help="Enregistre les résultats d'un calcul fait ailleurs (calcul national sur Spark,"
            " fichier Parquet ou CSV) au lieu de calculer.",
        ),
    ] = None,
    motif: Annotated[
        str,
        typer.Option(
            "--motif",
            help="Motif de la modification, pour changer des valeurs d'une année dont la revue"
            " annuelle est figée (sans lui, un calcul qui les changerait est refusé en entier).",
        ),
    ] = "",
) -> None:
    """Compute the indicators from the extracts and store their values with their provenance."""
    try:
        if (extracts is None) == (results is None):
            raise ComputeUsageError(
                "Indiquez soit --extraits DOSSIER (calculer), soit --resultats FICHIER"
                " (enregistrer un calcul fait ailleurs)."
            )
        if results is not None:
            if first or last or by != "caisse" or params:
                raise ComputeUsageError(
                    "Avec --resultats, la période, le détail et les paramètres sont ceux du"
                    " fichier : --du, --au, --par et --param ne s'emploient pas."
                )
            _record_results(results, codes or [], motif)
            return
        assert extracts is not None
        _compute(extracts, first, last, by, params or [], codes or [], motif)
    except CpogError as error:
        err.print(escape(str(error)), soft_wrap=True)
        raise typer.Exit(error.exit_code) from None


def _compute(
    folder: Path,
    first_text: str | None,
    last_text: str | None,
    by: str,
    param_items: list[str],
    codes: list[str],
    motif: str = "",
) -> None:
    from cpog.store.bootstrap import current_user, setup

    if by not in DIMENSIONS:
        raise ComputeUsageError(
            f"--par « {by} » : valeur non permise (valeurs permises : {', '.join(DIMENSIONS)})."
        )
    definitions = _selected(codes)
    parameters = _parameters(param_items, definitions)
    setup()
    from cpog.geography import geography_of
    from cpog.store.computations import record_computation
    from cpog.store.contracts import current_contract
    from cpog.warehouse.engine import Computation, Dimension, Result, RunSpec
    from cpog.warehouse.engine import compute as run
    from cpog.warehouse.extracts import ExtractError, Settings, load_extracts

    _, contract = current_contract()
    settings = Settings.from_environment()
    if settings.cache_dir is None:
        # the app's data folder (./data by default) keeps the validation outcomes too
        from django.conf import settings as django_settings

        settings = dataclasses.replace(
            settings, cache_dir=Path(django_settings.DATA_DIR) / "cache" / "extraits"
        )
    try:
        loaded = load_extracts(folder, settings=settings)
    except ExtractError as error:
        err.print(escape(str(error)), soft_wrap=True)
        err.print("Extraits refusés : rien n'a été calculé ni enregistré.")
        raise typer.Exit(1) from None
    if getattr(loaded, "validation_reused", False):
        err.print("Extraits inchangés depuis leur dernière vérification : vérification reprise.")
    for warning in loaded.warnings:
        err.print(f"[yellow]![/yellow] {escape(warning)}", soft_wrap=True)
    today = clock.today()
    first, last = default_range(contract, loaded, today)
    if first_text:
        first = _month(first_text, "--du")
    if last_text:
        last = _month(last_text, "--au")
    if first.end > last.end:
        raise ComputeUsageError(
            f"Période vide : du {first} au {last} (les extraits couvrent jusqu'au"
            f" {fr_date(loaded.data_end)})."
        )
    skipped: dict[str, str] = {}
    runnable = []
    for definition in definitions:
        missing = [t for t in definition.tables if t not in loaded.tables]
        if missing:
            skipped[definition.name] = f"extrait manquant : {', '.join(missing)}"
        else:
            runnable.append(definition)
    geography = geography_of(contract.organisation.code, _geography_cache())
    dimensions = [Dimension.CAISSE] + ([Dimension(by)] if by != "caisse" else [])
    specs = [
        RunSpec(
            first,
            last,
            dimension,
            contract.organisation.code,
            geography,
            loaded.data_end,
            dict(parameters),
        )
        for dimension in dimensions
    ]
    results: list[Result] = []
    used: dict[str, dict[str, str | int]] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=not runnable,
    ) as progress:
        task = progress.add_task("Calcul", total=len(runnable) * len(specs))
        for spec in specs:
            if not runnable:
                break
            progress.update(task, description=f"Calcul ({spec.dimension})")
            done = run(
                loaded.connection,
                runnable,
                spec,
                progress=lambda d: progress.advance(task),
            )
            results.extend(done.results)
            used.update(done.parameters)
            skipped.update(getattr(done, "skipped", None) or {})
    outcome = record_computation(
        contract,
        Computation(tuple(results), used),
        loaded,
        specs[-1],
        current_user(),
        definitions=runnable,
        folder=folder,
        skipped=skipped,
        motif=motif,
    )
    _summary(outcome, first, last, by, loaded, geography, contract.organisation.code)


def _record_results(path: Path, codes: list[str], motif: str = "") -> None:
    """Store the results of a computation run elsewhere (the national Spark job), with the
    fingerprint of the extracts it read."""
    from cpog.store.bootstrap import current_user, setup

    selected = {d.name for d in _selected(codes)}
    setup()
    from cpog.geography import geography_of
    from cpog.store.computations import record_computation
    from cpog.store.contracts import current_contract
    from cpog.warehouse.engine import Computation, Dimension, RunSpec
    from cpog.warehouse.extracts import ExtractFile
    from cpog.warehouse.results_file import ResultsFileError, read_results_file

    _, contract = current_contract()
    caisse = contract.organisation.code
    try:
        read = read_results_file(path, caisse)
    except ResultsFileError as error:
        err.print(escape(str(error)), soft_wrap=True)
        err.print("Fichier de résultats refusé : rien n'a été enregistré.")
        raise typer.Exit(1) from None
    kept = tuple(r for r in read.computation.results if r.definition in selected)
    if not kept:
        raise ComputeUsageError(f"{path.name} : aucun résultat pour les définitions demandées.")
    starts = [parse_period(r.period_key).start for r in kept]
    ends = [parse_period(r.period_key).end for r in kept]
    territories = {r.scope_code for r in kept if r.scope_type == "territory"}
    dimension = (
        Dimension.CAISSE
        if not territories
        else Dimension.EPCI
        if all(len(code) == 9 for code in territories)
        else Dimension.COMMUNE
    )
    geography = geography_of(caisse, _geography_cache())
    spec = RunSpec(
        _month_of(min(starts)),
        _month_of(max(ends)),
        dimension,
        caisse,
        geography,
        read.data_end,
    )
    source = _ResultsSource(
        read.fingerprint,
        read.data_end,
        (ExtractFile("resultats", path, _sha256(path), len(kept)),),
    )
    computation = Computation(
        kept, {name: p for name, p in read.computation.parameters.items() if name in selected}
    )
    outcome = record_computation(
        contract, computation, source, spec, current_user(), folder=path.parent, motif=motif
    )
    by = "caisse" if dimension is Dimension.CAISSE else str(dimension)
    _summary(outcome, spec.first, spec.last, by, source, geography, caisse)


def _geography_cache() -> Path | None:
    """The app's data folder (./data by default) keeps the geography read once, too."""
    from django.conf import settings as django_settings

    from cpog.geography import default_cache_dir

    return default_cache_dir() or Path(django_settings.DATA_DIR) / "cache" / "geographie"


class _ResultsSource:
    """The provenance of results computed elsewhere: the fingerprint of the extracts they were
    computed from (written in the file), and the results file itself."""

    def __init__(self, fingerprint: str, data_end: date, files: tuple[object, ...]) -> None:
        self.fingerprint = fingerprint
        self.data_end = data_end
        self.files = files


def _sha256(path: Path) -> str:
    import hashlib

    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _summary(
    outcome: ComputationOutcome,
    first: Period,
    last: Period,
    by: str,
    loaded: LoadedExtracts | _ResultsSource,
    geography: Geography,
    caisse: str,
) -> None:
    from cpog.store.computations import territory_name

    out.print(
        f"Calcul {_from_to(first, last)}"
        + (f", par {by}" if by != "caisse" else "")
        + f" — extraits au {fr_date(loaded.data_end)}, empreinte {outcome.fingerprint[:12]}.",
        soft_wrap=True,
    )
    for name, reason in sorted(outcome.skipped.items()):
        out.print(f"[yellow]–[/yellow] {escape(name)} non calculé : {escape(reason)}.")
    missing = outcome.not_computable
    if missing:
        out.print(
            f"{_plural(len(missing), 'résultat non calculable', 'résultats non calculables')}"
            " (dénominateur nul, jamais enregistré comme 0) :"
        )
        for result in missing[:SHOWN]:
            where = territory_name(result.scope_type, result.scope_code, geography, caisse)
            out.print(
                f"  {escape(result.definition)}, {parse_period(result.period_key)}, {escape(where)}"
            )
        if len(missing) > SHOWN:
            out.print(f"  … et {fr_number(len(missing) - SHOWN)} autres.")
    if outcome.unusual:
        out.print(
            f"[yellow]{_plural(len(outcome.unusual), 'valeur inhabituelle', UNUSUAL)}[/yellow]"
            " (enregistrées, à vérifier) :"
        )
        for unusual in outcome.unusual[:SHOWN]:
            out.print(f"  ? {escape(unusual.text)}", soft_wrap=True)
        if len(outcome.unusual) > SHOWN:
            out.print(f"  … et {fr_number(len(outcome.unusual) - SHOWN)} autres.")
    if outcome.batch is None:
        out.print(
            "Aucune valeur modifiée : "
            f"{_plural(outcome.unchanged, 'valeur inchangée', 'valeurs inchangées')}."
        )
        return
    out.print(
        f"{_plural(outcome.written, 'valeur enregistrée', 'valeurs enregistrées')},"
        f" {_plural(outcome.unchanged, 'inchangée', 'inchangées')}"
        f" — calcul n°{outcome.batch.pk}, empreinte des extraits {outcome.fingerprint}.",
        soft_wrap=True,
    )
