"""``cpog load | import | template``: getting the contract and the numbers into the store."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from cpog import clock
from cpog.contract import default_contract_path
from cpog.contract.loader import ContractLoadError
from cpog.errors import CpogError
from cpog.formatting import fr_number
from cpog.ingest.tables import SHOWN_ISSUES, ImportValidationError, issues_summary

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

if TYPE_CHECKING:
    from cpog.store.firstrun import FirstRun

import_app = typer.Typer(
    help="Importe des valeurs ou des cibles depuis un fichier CSV ou Excel, ou des données"
    " ouvertes de la Cnaf (data.caf.fr)."
)


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        err.print(f"Date non reconnue : « {escape(text)} » (attendu : JJ/MM/AAAA, ex. 27/11/2026).")
        raise typer.Exit(2) from None


def load(
    path: Annotated[
        Path | None, typer.Argument(help="Dossier du contrat (défaut : le contrat livré).")
    ] = None,
    amendment: Annotated[
        str | None, typer.Option("--avenant", help="Date de l'avenant, JJ/MM/AAAA.")
    ] = None,
    reason: Annotated[str, typer.Option("--motif", help="Motif de l'avenant.")] = "",
) -> None:
    """Load a contract folder into the store as a contract version."""
    from cpog.store.bootstrap import current_user, setup

    setup()
    from cpog.store.contracts import load_contract_version

    folder = path or default_contract_path()
    try:
        outcome = load_contract_version(folder, current_user(), _date(amendment), reason)
    except ContractLoadError as error:
        for issue in error.issues:
            err.print(f"[red]✗[/red] {escape(str(issue))}")
        err.print(f"Contrat non chargé : lancez « cpog check {folder} ».")
        raise typer.Exit(1) from None
    except CpogError as error:
        err.print(escape(str(error)))
        raise typer.Exit(error.exit_code) from None
    version = outcome.version
    if outcome.created:
        out.print(
            f"Contrat « {version.contract_id} » chargé : version {version.version}"
            + (f", avenant du {version.amendment_date:%d/%m/%Y}" if version.amendment_date else "")
            + f" ({outcome.targets_created} cibles du contrat enregistrées)."
        )
    else:
        out.print(
            f"Contrat « {version.contract_id} » déjà chargé à l'identique "
            f"(version {version.version}) : rien à faire."
        )


def _print_validation(error: ImportValidationError, errors_file: Path | None = None) -> None:
    """The first errors (a file of bad rows must not flood the terminal), the total, and the
    full list written to ``errors_file`` when asked."""
    shown = error.issues[:SHOWN_ISSUES]
    for issue in shown:
        err.print(f"[red]✗[/red] {escape(str(issue))}", soft_wrap=True)
    summary = issues_summary(error.total, len(shown)).replace("ci-dessous", "ci-dessus")
    err.print(
        f"\n{summary} : fichier refusé, rien n'a été enregistré. "
        "Corrigez les cellules indiquées puis relancez l'import."
    )
    if errors_file is not None:
        from cpog.ingest.issue_list import issues_csv

        try:
            errors_file.write_bytes(issues_csv(error.issues, error.total))
        except OSError as problem:
            from cpog.ingest.tables import os_reason

            err.print(
                f"Liste des erreurs non écrite dans {escape(str(errors_file))} :"
                f" {os_reason(problem)}."
            )
            return
        err.print(f"Liste complète des erreurs écrite dans {escape(str(errors_file))}.")
    elif error.total > len(shown):
        err.print("Pour la liste complète : relancez avec --erreurs erreurs.csv.")


def _print_to_confirm(changes: list[Any], file: Path, dry_run: bool) -> None:
    from cpog.store.imports import to_confirm_text

    stream = out if dry_run else err
    stream.print(f"\n{to_confirm_text(len(changes))} dans {escape(file.name)} :")
    for change in changes:
        for note in change.to_confirm:
            stream.print(
                f"[yellow]?[/yellow] ligne {change.line}, {escape(change.subject_id)}, "
                f"{escape(change.what)} : {escape(note)}",
                soft_wrap=True,
            )
    if dry_run:
        stream.print("Pour les enregistrer : relancez sans --dry-run, avec --confirmer.")
    else:
        stream.print(
            "Rien n'a été enregistré. Vérifiez ces valeurs : si elles sont justes, relancez avec"
            f" « cpog import values {escape(str(file))} --confirmer » ; sinon corrigez le fichier."
        )


def _run_import(
    kind: str,
    file: Path,
    dry_run: bool,
    confirm: bool = False,
    errors_file: Path | None = None,
    motif: str = "",
) -> None:
    from cpog.store.bootstrap import current_user, setup

    setup()
    from cpog.store.contracts import current_contract
    from cpog.store.imports import ConfirmationNeeded, import_targets, import_values

    try:
        _, contract = current_contract()
        if kind == "values":
            outcome = import_values(
                file,
                contract,
                user=current_user(),
                dry_run=dry_run,
                confirm=confirm,
                motif=motif,
            )
        else:
            outcome = import_targets(file, contract, user=current_user(), dry_run=dry_run)
    except ImportValidationError as error:
        _print_validation(error, errors_file)
        raise typer.Exit(1) from None
    except ConfirmationNeeded as needed:
        _print_to_confirm(needed.outcome.to_confirm, file, dry_run=False)
        raise typer.Exit(1) from None
    except CpogError as error:
        err.print(escape(str(error)))
        raise typer.Exit(error.exit_code) from None
    what = "valeurs" if kind == "values" else "cibles"
    if outcome.changes:
        table = RichTable(title=f"{'Changements prévus' if dry_run else 'Changements enregistrés'}")
        for column in (
            "Ligne",
            "Identifiant",
            "Période" if kind == "values" else "Année",
            "Avant",
            "Après",
            "Remarque",
        ):
            table.add_column(column)
        for change in outcome.changes[:50]:
            table.add_row(
                str(change.line),
                change.subject_id
                + (f" (territoire {change.territory})" if change.territory else ""),
                change.what,
                change.before or "—",
                change.after,
                escape(" ; ".join([*change.notes, *change.to_confirm])),
            )
        out.print(table)
        if len(outcome.changes) > 50:
            out.print(f"… et {len(outcome.changes) - 50} autres.")
    if dry_run and outcome.to_confirm:
        _print_to_confirm(outcome.to_confirm, file, dry_run=True)
    written = len(outcome.changes)
    noun = what if written > 1 else what[:-1]  # « 1 valeur enregistrée », « 2 cibles … »
    verb = ("seraient enregistrée" if dry_run else "enregistrée") + ("s" if written > 1 else "")
    skipped = f", {outcome.skipped_text}" if outcome.skipped else ""
    skipped += f" ({outcome.identical_text})" if outcome.identical_to else ""
    plural = "s" if outcome.rows > 1 else ""
    same = "s" if outcome.unchanged > 1 else ""
    out.print(
        f"{file.name} : {outcome.rows} ligne{plural} valide{plural}, {written} {noun} {verb}, "
        f"{outcome.unchanged} inchangée{same}{skipped}."
        + (" (simulation : rien n'a été écrit)" if dry_run else ""),
        soft_wrap=True,
    )


DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Montre ce qui changerait, sans rien enregistrer.")
]
Confirm = Annotated[
    bool,
    typer.Option(
        "--confirmer",
        help="Confirme les valeurs à confirmer (taux écrit comme une fraction, cellule au format"
        " %, valeur éloignée de sa série) ; sans lui, l'import les liste et n'écrit rien.",
    ),
]
Motif = Annotated[
    str,
    typer.Option(
        "--motif",
        help="Motif de la modification, pour les valeurs d'une année dont la revue annuelle est"
        " figée (sans lui, l'import de ces valeurs est refusé) ; une colonne « motif » du fichier"
        " le donne aussi ligne par ligne.",
    ),
]
FileArg = Annotated[Path, typer.Argument(help="Fichier CSV ou Excel (XLSX, XLS, ODS).")]
ErrorsFile = Annotated[
    Path | None,
    typer.Option(
        "--erreurs",
        help="Écrit la liste complète des erreurs dans ce fichier CSV (pour Excel) ; le terminal"
        f" n'en montre que les {SHOWN_ISSUES} premières.",
    ),
]


@import_app.command(
    "values", help="Importe des valeurs (réalisations) d'indicateurs et de mesures."
)
def import_values_command(
    file: FileArg,
    dry_run: DryRun = False,
    confirm: Confirm = False,
    errors_file: ErrorsFile = None,
    motif: Motif = "",
) -> None:
    _run_import("values", file, dry_run, confirm, errors_file, motif)


@import_app.command("targets", help="Importe des cibles (nationales, individualisées…).")
def import_targets_command(
    file: FileArg, dry_run: DryRun = False, errors_file: ErrorsFile = None
) -> None:
    _run_import("targets", file, dry_run, errors_file=errors_file)


@import_app.command(
    "purge-uploads",
    help="Supprime les fichiers déposés sur la page d'import depuis plus d'un jour (imports"
    " ni confirmés ni annulés, listes d'erreurs).",
)
def purge_uploads_command() -> None:
    from cpog.store.bootstrap import setup

    setup()
    from cpog.web.uploads import purge_stale

    removed = purge_stale()
    out.print(
        f"{removed} fichier{'s' if removed > 1 else ''} déposé{'s' if removed > 1 else ''}"
        f" depuis plus d'un jour supprimé{'s' if removed > 1 else ''}."
    )


def template(
    kind: Annotated[str, typer.Argument(help="values (valeurs) ou targets (cibles).")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Fichier à écrire (.xlsx ou .csv).")
    ] = None,
    contract_path: Annotated[
        Path | None, typer.Option("--contrat", help="Dossier du contrat (défaut : livré).")
    ] = None,
) -> None:
    """Write a ready-to-fill import template."""
    from cpog.contract.loader import load_contract
    from cpog.ingest.templates import write_template

    if kind not in {"values", "targets"}:
        err.print(f"Modèle « {escape(kind)} » inconnu : values ou targets.")
        raise typer.Exit(2)
    target = output or Path(f"modele-{'valeurs' if kind == 'values' else 'cibles'}.xlsx")
    if target.is_dir():
        err.print(f"{escape(str(target))} est un dossier : donnez un nom de fichier .xlsx ou .csv.")
        raise typer.Exit(2)
    if target.suffix.lower() not in {".xlsx", ".csv"}:
        err.print(f"Extension « {escape(target.suffix)} » non prise en charge : .xlsx ou .csv.")
        raise typer.Exit(2)
    try:
        contract = load_contract(contract_path or default_contract_path())
    except ContractLoadError as error:
        err.print(escape(str(error)))
        raise typer.Exit(1) from None
    from xlsxwriter.exceptions import FileCreateError

    try:
        write_template(contract, kind, target)
    except (OSError, FileCreateError) as error:
        reason = "dossier introuvable" if not target.parent.is_dir() else escape(str(error))
        err.print(f"Impossible d'écrire {escape(str(target))} : {reason}.")
        raise typer.Exit(1) from None
    out.print(f"Modèle écrit : {target}")


def demo(
    as_of: Annotated[
        str | None, typer.Option("--au", "--as-of", help="Jusqu'à cette date (JJ/MM/AAAA).")
    ] = None,
    caisses: Annotated[
        int | None,
        typer.Option(
            "--caisses",
            help="Ajoute un réseau de N caisses (la vôtre comprise, 101 au plus) avec leurs "
            "contrats, cibles et valeurs de démonstration.",
        ),
    ] = None,
    remove: Annotated[
        bool,
        typer.Option(
            "--retirer",
            help="Supprime toutes les données de démonstration (valeurs, cibles, suivi des"
            " actions, réseau, historique), après confirmation ; rien de ce qui a été saisi.",
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--oui", help="Avec --retirer : sans demander de confirmation.")
    ] = False,
) -> None:
    """Fill the store with a generated, labelled demonstration history from 2022 on; with
    --retirer, remove it."""
    from cpog.store.bootstrap import setup

    if remove:
        if as_of is not None or caisses is not None:
            err.print("--retirer ne se combine ni avec --au ni avec --caisses.")
            raise typer.Exit(2)
        setup()
        _remove_demo(yes)
        return
    if yes:
        err.print("--oui ne vaut qu'avec --retirer.")
        raise typer.Exit(2)
    setup()
    from cpog.store.demo import refuse_in_production

    try:
        refuse_in_production()
    except CpogError as error:
        err.print(escape(str(error)))
        raise typer.Exit(error.exit_code) from None
    from cpog.store.contracts import current_contract, load_contract_version
    from cpog.store.demo import load_demo, load_demo_actions
    from cpog.store.models import ContractVersion

    try:
        if not ContractVersion.objects.exists():
            from cpog.store.bootstrap import current_user

            load_contract_version(default_contract_path(), current_user())
        _, contract = current_contract()
        day = _date(as_of) or clock.today()
        outcome = load_demo(contract, day, by_commune=True)
        actions = load_demo_actions(contract, day)
        network = None
        if caisses is not None:
            from cpog.store.network_demo import load_network_demo

            network = load_network_demo(contract, day, caisses)
    except CpogError as error:
        err.print(escape(str(error)))
        raise typer.Exit(error.exit_code) from None
    out.print(
        f"Données de démonstration chargées : {outcome.values} valeurs et {outcome.targets} "
        f"cibles (déjà présentes à l'identique : rien n'est réécrit), le suivi de {actions} "
        "action(s) (celles déjà suivies restent telles quelles)"
        + (
            f", et {fr_number(outcome.commune_values)} valeurs par commune de quelques "
            "indicateurs (carte, statuts par EPCI)."
            if outcome.commune_values
            else "."
        )
    )
    if network is not None:
        out.print(
            f"Réseau de démonstration : {fr_number(network.caisses)} caisses, "
            f"{fr_number(network.contracts)} contrat(s) enregistré(s), "
            f"{fr_number(network.values)} valeurs et {fr_number(network.targets)} cibles écrites "
            f"en {fr_number(network.seconds)} s (données de démonstration)."
        )


def _remove_demo(yes: bool) -> None:
    from cpog.audit_text import demo_rows_text
    from cpog.store.bootstrap import current_user
    from cpog.store.demo_removal import check_no_frozen_year, demo_rows, remove_demo

    found = demo_rows()
    if not found.total:
        out.print("Aucune donnée de démonstration dans la base : rien à supprimer.")
        return
    check_no_frozen_year()  # before asking: a CpogError, printed by cpog.cli.main.run
    if not yes:
        question = f"Supprimer {demo_rows_text(found.counts())} de démonstration ? [o/N] "
        out.print(question, end="", markup=False, soft_wrap=True)
        try:
            answer = input()
        except EOFError:
            answer = ""
        if answer.strip().lower() not in {"o", "oui"}:
            out.print("Rien n'a été supprimé.")
            raise typer.Exit(1)
    removed = remove_demo(current_user())
    from cpog.web import page_cache

    page_cache.clear()  # the audit event of the removal already moved every page's data state
    out.print(
        f"Données de démonstration supprimées : {demo_rows_text(removed.counts())}.",
        markup=False,
        soft_wrap=True,
    )
    if removed.kept_contracts:
        out.print(
            f"Contrats du réseau de démonstration gardés (des données réelles s'y rapportent) :"
            f" {escape(', '.join(removed.kept_contracts))}."
        )


def first_run_lines(password: str) -> list[str]:
    """What the first run prints about the administrator: the password alone on its line (a
    terminal never cuts it, a mouse selects it whole), then how to change it."""
    return [
        "",
        "Compte administrateur créé — identifiant : admin, mot de passe :",
        "",
        f"    {password}",
        "",
        "Notez-le : il ne sera plus affiché.",
        "Pour le changer : cpog user password admin",
        "",
    ]


def _prepare_to_serve(no_demo: bool) -> FirstRun:
    """Migrate, then load the contract, the demo data and the first administrator if missing.
    In production (decision 022): nothing of this, only checks — the schema is up to date, the
    static files collected, the store initialised (``cpog migrate``, ``cpog static``,
    ``cpog init``)."""
    from cpog.store.bootstrap import current_user, production, setup

    setup()
    from cpog.steering import policy_of
    from cpog.store.contracts import current_contract
    from cpog.store.firstrun import FirstRun, check_initialised, prepare

    try:
        if production():
            from cpog.web.readiness import check_static

            check_initialised()
            check_static()
            done = FirstRun()
        else:
            done = prepare(clock.today(), current_user(), with_demo=not no_demo)
        policy_of(current_contract()[1])  # a caisse's policy is checked before serving
    except CpogError as error:
        err.print(escape(str(error)))
        raise typer.Exit(error.exit_code) from None
    return done


def serve(
    host: Annotated[str, typer.Option("--host", help="Adresse d'écoute.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port d'écoute.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Processus de service (défaut : un par cœur, de 2 à 4, sous Linux et macOS ;"
            " 1 sous Windows). Avec 1, un seul processus à plusieurs fils (waitress).",
        ),
    ] = None,
    threads: Annotated[
        int, typer.Option("--threads", min=1, max=64, help="Fils de traitement par processus.")
    ] = 8,
    no_demo: Annotated[
        bool, typer.Option("--sans-demo", help="Ne pas charger les données de démonstration.")
    ] = False,
) -> None:
    """Serve the web application; on a new store, load the contract and the demo data first."""
    from cpog.web import server

    processes = workers if workers is not None else server.default_workers()
    if processes > 1 and not server.can_fork():
        err.print(
            "Plusieurs processus (--workers) ne sont possibles que sous Linux ou macOS :"
            " relancez avec --workers 1."
        )
        raise typer.Exit(2)
    if not server.port_free(host, port):
        err.print(
            f"Le port {port} de {escape(host)} est déjà utilisé (cpog est-il déjà lancé ?) :"
            " arrêtez l'autre programme ou choisissez un autre port avec --port."
        )
        raise typer.Exit(1)
    # Preparation happens here, once, before any worker process exists. Stopped meanwhile
    # (Ctrl+C, SIGTERM: a first run migrates and loads the demo), it ends quietly with code 0.
    server.stop_on_sigterm()
    try:
        out.print("Préparation de la base…")
        done = _prepare_to_serve(no_demo)
        from cpog.web.wsgi import application
    except KeyboardInterrupt:
        out.print("cpog arrêté avant d'être servi.")
        return
    if done.contract_loaded:
        out.print("Contrat des Deux-Sèvres chargé.")
    if done.demo_values:
        out.print(
            f"Données de démonstration chargées ({done.demo_values} valeurs, "
            f"{done.demo_actions} actions suivies)."
        )
    if done.admin_password:
        for line in first_run_lines(done.admin_password):
            out.print(line, soft_wrap=True, markup=False)  # never cut, never styled
    how = (
        f"{processes} processus de {threads} fils"
        if processes > 1
        else f"1 processus de {threads} fils"
    )
    out.print(
        f"cpog est servi sur http://{host}:{port}/ ({how} ; Ctrl+C pour arrêter).", soft_wrap=True
    )

    def stopped() -> None:
        out.print("cpog arrêté.")

    if processes > 1:
        server.serve_processes(application, host, port, processes, threads, stopped)
    else:
        server.serve_threads(application, host, port, threads, stopped)
