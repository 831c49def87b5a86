"""``cpog check | show | export | schema``: the contract as checked data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from cpog.assess.policy import PolicyError
from cpog.assess.wording import value_text
from cpog.contract import default_contract_path
from cpog.contract.export import SCHEMA_PARTS, contract_json, schema_json
from cpog.contract.issues import Layer
from cpog.contract.loader import read_contract
from cpog.contract.model import (
    Block,
    ChallengeFile,
    Contract,
    Direction,
    Indicator,
    IndicatorType,
    Measure,
    MeasureKind,
    Nature,
)
from cpog.contract.units import with_number
from cpog.formatting import NBSP, capitalised, fr_number, fr_signed
from cpog.steering import (
    challenge_items,
    policy_of,
    provenance_text,
    stated_baseline,
    stated_target,
)
from cpog.vocabulary import (
    COMPARATOR_SIGN,
    CONFIDENCE,
    CUMULATION,
    DIRECTION,
    MEASURE_FIELD,
    MEASURE_KIND,
    NATURE,
    PERIODICITY,
    target_kind,
)

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

ContractPath = Annotated[
    Path | None,
    typer.Argument(
        help="Dossier du contrat (par défaut : $CPOG_CONTRACT ou le contrat livré).",
        show_default=False,
    ),
]


def _load_or_exit(path: Path | None) -> Contract:
    folder = path or default_contract_path()
    result = read_contract(folder)
    if result.contract is None or not result.ok:
        for issue in result.issues:
            err.print(f"[red]✗[/red] {escape(str(issue))}")
        err.print(f"Le contrat {folder} n'est pas valide : lancez « cpog check {folder} ».")
        raise typer.Exit(1)
    return result.contract


def check(path: ContractPath = None) -> None:
    """Validate a contract folder in layers and print every problem, in French."""
    folder = path or default_contract_path()
    result = read_contract(folder)
    errors = [i for i in result.issues if i.severity == "erreur"]
    for issue in sorted(result.issues, key=lambda i: i.sort_key()):
        mark = "[red]✗[/red]" if issue.severity == "erreur" else "[yellow]![/yellow]"
        out.print(f"{mark} {escape(str(issue))}", soft_wrap=True)
    if errors:
        layers = sorted({i.layer for i in errors}, key=list(Layer).index)
        out.print(
            f"\n[bold red]{len(errors)} erreur(s)[/bold red] dans {folder} "
            f"(couche : {', '.join(layer.value for layer in layers)})."
        )
        if Layer.RULES not in layers:
            out.print(
                "Les règles entre fichiers n'ont pas été vérifiées : "
                "corrigez d'abord les erreurs ci-dessus."
            )
        raise typer.Exit(1)
    contract = result.contract
    assert contract is not None
    try:
        policy_of(contract)  # policy.yaml: thresholds that hold together, and CPOG_POLICY
    except PolicyError as error:
        out.print(f"[red]✗[/red] {escape(str(error))}", soft_wrap=True)
        raise typer.Exit(1) from None
    measures = contract.measures()
    quantified = sum(1 for _, _, m in measures if m.kind != MeasureKind.MILESTONE)
    out.print(
        f"[green]✓[/green] Contrat valide : {contract.short_title} — "
        f"{contract.organisation.short_name}\n"
        f"  {len(contract.challenges)} défis, {len(contract.indicators)} indicateurs, "
        f"{sum(len(c.targeted_results) for c in contract.challenges)} résultats visés, "
        f"{len(measures)} mesures ({quantified} chiffrées ou orientées, "
        f"{len(measures) - quantified} jalons)."
    )


def show(
    path: ContractPath = None,
    challenge: Annotated[
        int | None, typer.Option("--challenge", "-d", help="Numéro du défi à afficher.")
    ] = None,
    indicator: Annotated[
        str | None, typer.Option("--indicator", "-i", help="Code ou identifiant d'indicateur.")
    ] = None,
) -> None:
    """Show the contract summary, one défi or one indicator, for people."""
    contract = _load_or_exit(path)
    if challenge is not None:
        found = contract.challenge(challenge)
        if found is None:
            numbers = ", ".join(str(c.number) for c in contract.challenges)
            err.print(f"Défi n°{challenge} inconnu. Défis du contrat : {numbers}.")
            raise typer.Exit(1)
        _show_challenge(contract, found)
    elif indicator is not None:
        found_indicator = contract.indicator(indicator)
        if found_indicator is None:
            err.print(
                f"Indicateur « {indicator} » inconnu. Essayez un code comme « COG 08-25 » "
                "ou un identifiant comme « iql0 » (liste : cpog show)."
            )
            raise typer.Exit(1)
        _show_indicator(contract, found_indicator)
    else:
        _show_summary(contract)


def export(
    path: ContractPath = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="Format de sortie : json.")
    ] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Fichier de sortie (défaut : écran).")
    ] = None,
) -> None:
    """Export the normalised contract for programs (schema: ``cpog schema``)."""
    if format != "json":
        err.print(f"Format « {format} » non pris en charge. Formats disponibles : json.")
        raise typer.Exit(2)
    text = contract_json(_load_or_exit(path))
    if output is None:
        typer.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            err.print(f"Impossible d'écrire {escape(str(output))} : {_os_reason(error)}.")
            raise typer.Exit(1) from None
        err.print(f"Contrat exporté dans {output}.")


def _os_reason(error: OSError) -> str:
    """A short French reason for a failed write."""
    if isinstance(error, FileNotFoundError):
        return "dossier introuvable"
    if isinstance(error, IsADirectoryError):
        return "c'est un dossier"
    if isinstance(error, PermissionError):
        return "permission refusée"
    return escape(error.strerror or str(error))


def schema(
    part: Annotated[
        str,
        typer.Option(
            "--part", "-p", help=f"Schéma voulu : {', '.join(SCHEMA_PARTS)} (défaut : export)."
        ),
    ] = "export",
) -> None:
    """Print the JSON Schema of the export, or of one kind of contract file."""
    if part not in SCHEMA_PARTS:
        err.print(f"Schéma « {part} » inconnu. Schémas disponibles : {', '.join(SCHEMA_PARTS)}.")
        raise typer.Exit(2)
    typer.echo(schema_json(part), nl=False)


# --- rendering ----------------------------------------------------------------------------


def measure_target_text(measure: Measure) -> str:
    """The target of a measure in French: '1 crèche (2022) → 5 crèches en 2027',
    '+15 points (soit 78 %) en 2027', '−5 % par an en 2027'."""
    target = measure.target
    year = f" en {target.year}" if target and target.year else ""
    per_year = " par an" if measure.per_year else ""
    if measure.kind == MeasureKind.MILESTONE:
        return "jalon à réaliser" + year
    if measure.kind == MeasureKind.TREND:
        return DIRECTION[measure.direction] + year
    if target is None:
        return "—"
    if target.value is None:
        if target.reference:
            word = "sous" if measure.direction == Direction.DOWN else "au-dessus de"
            return f"{word} la {target.reference}{year}"
        return "non chiffrée" + year
    if measure.kind == MeasureKind.RELATIVE_CHANGE:
        text = with_number(fr_signed(target.value), target.value, "%") + per_year
    elif measure.kind == MeasureKind.POINT_CHANGE:
        text = with_number(fr_signed(target.value), target.value, "points") + per_year
        if target.implied_level is not None:
            text += f" (soit {value_text(target.implied_level, measure.unit)})"
    else:
        text = value_text(target.value, measure.unit) + per_year
        if measure.kind == MeasureKind.THRESHOLD:
            sign = (
                COMPARATOR_SIGN[measure.comparator]
                if measure.comparator is not None
                else ("<" if measure.direction == Direction.DOWN else ">")
            )
            text = f"{sign}{NBSP}{text}" if sign else text
    if measure.baseline is not None and measure.kind in {
        MeasureKind.LEVEL,
        MeasureKind.THRESHOLD,
    }:
        baseline = value_text(measure.baseline.value, measure.unit)
        text = f"{baseline} ({measure.baseline.year}) → {text}"
    return text + year


def _show_summary(contract: Contract) -> None:
    out.print(
        f"[bold]{contract.title}[/bold] — {contract.short_title}\n"
        f"{contract.organisation.name} et {contract.counterpart.name}, "
        f"{contract.period.start}-{contract.period.end}\n"
    )
    table = Table(title="Les défis", show_lines=False)
    table.add_column("N°", justify="right")
    table.add_column("Défi")
    table.add_column("Résultats visés", justify="right")
    table.add_column("Actions", justify="right")
    for c in contract.challenges:
        table.add_row(str(c.number), c.title, str(len(c.targeted_results)), str(len(c.actions)))
    out.print(table)
    families = Table(title="Les indicateurs")
    families.add_column("Famille")
    families.add_column("Indicateurs", justify="right")
    families.add_column("COG", justify="right")
    families.add_column("Résultat", justify="right")
    for family in contract.catalogue:
        members = [i for i in contract.indicators if i.family == family.id]
        families.add_row(
            family.title,
            str(len(members)),
            str(sum(1 for i in members if i.nature == Nature.COG)),
            str(sum(1 for i in members if i.type == IndicatorType.RESULT)),
        )
    out.print(families)
    out.print("Détail : cpog show --challenge N, cpog show --indicator CODE.")


def _blocks(tree: Tree, blocks: list[Block]) -> None:
    for block in blocks:
        node = tree.add(block.text) if block.text else tree
        for item in block.items:
            sub = node.add(item.text)
            for nested in item.items:
                sub.add(nested.text)


def _show_challenge(contract: Contract, c: ChallengeFile) -> None:
    root = Tree(f"[bold]Défi n°{c.number} — {c.title}[/bold]")
    for title, lines in (
        ("Éléments marquants du diagnostic", c.diagnosis),
        ("Résultats marquants 2018-2022", c.results_2018_2022),
    ):
        if lines:
            branch = root.add(f"[bold]{title}[/bold]")
            for line in lines:
                branch.add(line)
    objectives = root.add("[bold]Objectifs 2023-2027[/bold]")
    for objective in c.objectives:
        node = objectives.add(objective.text)
        for item in objective.items:
            node.add(item.text)
    actions = root.add("[bold]Actions[/bold]")
    for action in c.actions:
        actions.add(f"{action.text} [dim]({action.id})[/dim]")
    partners = root.add("[bold]Partenaires clés[/bold]")
    for partner in c.partners:
        partners.add(partner.name)
    out.print(root)
    table = Table(title="Résultats visés et mesures")
    table.add_column("Résultat visé")
    table.add_column("Mesure")
    table.add_column("Type")
    table.add_column("Cible")
    for targeted in c.targeted_results:
        for n, measure in enumerate(targeted.measures):
            table.add_row(
                targeted.text if n == 0 else "",
                measure.label,
                capitalised(MEASURE_KIND[measure.kind]),
                measure_target_text(measure),
            )
    out.print(table)
    readings = root_readings(contract, c)
    if readings.children:
        out.print(readings)
    if c.indicators:
        out.print(escape(linked_indicators_text(contract, c)))
    if c.quote:
        out.print(f"\n[italic]« {c.quote.text} »[/italic] {c.quote.author or ''}")


def root_readings(contract: Contract, c: ChallengeFile) -> Tree:
    """Where each measure's figures come from and how the text was read, in the words of the
    web pages (cpog.steering.provenance_text)."""
    tree = Tree("[bold]Provenance et lectures du texte[/bold]")
    for targeted in c.targeted_results:
        for measure in targeted.measures:
            node = tree.add(f"{escape(measure.label)} [dim]({measure.id})[/dim]")
            baseline = stated_baseline(measure)
            if baseline.origin != "none":
                shown = value_text(baseline.value or 0.0, measure.unit)
                origin = escape(provenance_text(baseline))
                node.add(f"Référence {shown} en {baseline.year} : {origin}")
            target = stated_target(measure)
            if target.origin != "none":
                node.add(f"Cible : {escape(provenance_text(target))}")
            linked = contract.indicator(measure.indicator) if measure.indicator else None
            if linked is not None:
                node.add(f"Prend les valeurs de l'indicateur {escape(linked.code or linked.id)}")
            if measure.reading:
                node.add(
                    f"Lecture (confiance {CONFIDENCE[measure.confidence]}) : "
                    f"{escape(measure.reading)}"
                )
            for item in measure.to_confirm:
                field = MEASURE_FIELD.get(item.field, item.field)
                node.add(
                    f"À confirmer — {escape(field)} (confiance {CONFIDENCE[item.confidence]}) :"
                    f" {escape(item.note)}"
                )
            if not node.children:
                tree.children.remove(node)
    return tree


def linked_indicators_text(contract: Contract, c: ChallengeFile) -> str:
    """« Indicateurs liés (poids dans le défi) : COG 08-29 (compté avec la mesure …), … »."""
    parts = []
    for item in challenge_items(contract)[c.number]:
        if item.subject_type != "indicator":
            continue
        indicator = contract.indicator(item.subject_id)
        name = (indicator.code or indicator.label) if indicator else item.subject_id
        if item.counted_with:
            parts.append(f"{name} (compté avec la mesure {item.counted_with})")
        else:
            parts.append(f"{name} (poids {fr_number(item.weight)})")
    return "Indicateurs liés, lecture de cpog à confirmer : " + ", ".join(parts)


def _show_indicator(contract: Contract, i: Indicator) -> None:
    family = next(f for f in contract.catalogue if f.id == i.family)
    table = Table(title=f"{i.code or 'Hors COG'} — {i.label}", show_header=False)
    table.add_column("Champ", style="bold")
    table.add_column("Valeur")
    to_confirm = {t.field: t for t in i.to_confirm}

    def row(label: str, field: str, value: str) -> None:
        note = to_confirm.get(field)
        if note is None:
            table.add_row(label, escape(value))
            return
        table.add_row(
            label,
            f"{escape(value)}\n[yellow]à confirmer (confiance {CONFIDENCE[note.confidence]}) : "
            f"{escape(note.note)}[/yellow]",
        )

    target = i.target.as_written or capitalised(target_kind(i.target.kind, i.target.from_year))
    table.add_row("Famille", family.title)
    table.add_row("Nature", capitalised(NATURE[i.nature]))
    table.add_row("Type", i.type_as_written)
    table.add_row("Cible", escape(target))
    row("Unité", "unit", i.unit)
    row("Sens", "direction", capitalised(DIRECTION[i.direction]))
    row("Périodicité", "periodicity", capitalised(PERIODICITY[i.periodicity]))
    row("Cumul", "cumulation", capitalised(CUMULATION[i.cumulation]))
    row(
        "Délai de disponibilité",
        "availability_lag_days",
        f"{value_text(i.availability_lag_days, 'jours')} après la fin de la période",
    )
    row("Méthode de calcul", "calculation_method", i.calculation_method)
    if i.numerator:
        row("Numérateur", "numerator", i.numerator)
    if i.denominator:
        row("Dénominateur", "denominator", i.denominator)
    row("Source des données", "data_source", i.data_source)
    for reference in i.references:
        table.add_row("Référence", f"{reference.text} ({reference.source or 's. d.'})")
    out.print(table)
