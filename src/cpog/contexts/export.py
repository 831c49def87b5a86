"""The Excel export (``cpog export xlsx``, the app's download) as plain data: the contract's
referential, every target and value revision, the status rows and the actions, at a date of
situation. :mod:`cpog.reports.xlsx` writes it; the JSON serializer reads it as any context.

Nothing is re-derived here: statuses and verdicts are the :class:`Situation`'s status rows
(:func:`cpog.contexts.status_rows.status_row`), labels come from :mod:`cpog.vocabulary`."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from cpog import vocabulary
from cpog.contexts.reader import Reader
from cpog.contexts.serialize import record, to_data
from cpog.contexts.situation import Situation
from cpog.contexts.status_rows import StatusRowData, status_row
from cpog.contexts.values import TargetData, ValueData, subject_names, target_data, value_data
from cpog.contract.model import Contract, Measure
from cpog.steering import action_late


@record
class SheetNote:
    name: str
    description: str


@record
class ExportAbout:
    contract_title: str
    organisation: str
    contract_version: int
    as_of: date
    fingerprint: str
    demo: bool
    sheets: list[SheetNote]


@record
class ReferentialItem:
    """One part of the contract: an axis, a commitment, a défi, a targeted result, a measure."""

    kind: str
    kind_label: str
    item_id: str
    challenge: int | None
    attached_to: str
    label: str
    unit: str | None = None
    direction_label: str | None = None
    measure_kind_label: str | None = None
    baseline_value: float | None = None
    baseline_year: int | None = None
    target_value: float | None = None
    target_year: int | None = None
    indicator: str | None = None


@record
class IndicatorItem:
    """An indicator of the contract with its definition."""

    subject_id: str
    code: str
    label: str
    family: str
    nature_label: str
    type_label: str
    unit: str
    direction_label: str
    periodicity_label: str
    cumulation_label: str
    target_label: str
    target_value: float | None
    target_year: int | None
    calculation_method: str
    numerator: str | None
    denominator: str | None
    data_source: str
    challenges: list[int]
    to_confirm: list[str]


@record
class ActionLine:
    challenge: int
    action_id: str
    label: str
    status: str
    status_label: str
    owner: str
    start_date: date | None
    due_date: date | None
    progress: int
    late: bool
    updated_by: str
    updated_at: datetime | None


@record
class ExportContext:
    about: ExportAbout
    contract_years: list[int]
    referential: list[ReferentialItem]
    indicators: list[IndicatorItem]
    targets: list[TargetData]
    values: list[ValueData]
    statuses: list[StatusRowData]
    actions: list[ActionLine]


# The sheets of the workbook, in order, and what each holds (the « À propos » sheet lists them).
SHEETS: list[tuple[str, str]] = [
    ("À propos", "cette page : le contrat, la date de situation, l'empreinte des données"),
    (
        "Contrat",
        "le référentiel : axes et engagements de la Caf, défis, résultats visés et leurs "
        "mesures (référence, cible)",
    ),
    (
        "Indicateurs",
        "les indicateurs et leur définition : famille, nature, unité, sens, périodicité, "
        "cible, mode de calcul, source",
    ),
    (
        "Cibles",
        "toutes les cibles enregistrées, révisions comprises (colonne « en vigueur »), avec "
        "leur type, leur provenance, le motif, qui et quand",
    ),
    (
        "valeurs",
        "les valeurs en vigueur, dans les colonnes du modèle d'import : le fichier se "
        "réimporte tel quel par « cpog import values » ou la page Import",
    ),
    (
        "Révisions des valeurs",
        "toutes les valeurs enregistrées, révisions comprises : source (avec le fichier "
        "importé), commentaire, qui et quand, en vigueur ou remplacée",
    ),
    (
        "Statuts",
        "la situation de chaque indicateur et mesure à la date de situation : valeur, "
        "valeur attendue, cibles, avancement, statut, objectif de chaque année, retard de saisie",
    ),
    ("Actions", "les actions des défis : état, responsable, dates, avancement, retard"),
]


def _measure_item(number: int, result_id: str, measure: Measure) -> ReferentialItem:
    return ReferentialItem(
        kind="measure",
        kind_label=vocabulary.CONTRACT_PART["measure"],
        item_id=measure.id,
        challenge=number,
        attached_to=result_id,
        label=measure.label,
        unit=measure.unit,
        direction_label=vocabulary.DIRECTION[measure.direction],
        measure_kind_label=vocabulary.MEASURE_KIND[measure.kind],
        baseline_value=None if measure.baseline is None else measure.baseline.value,
        baseline_year=None if measure.baseline is None else measure.baseline.year,
        target_value=None if measure.target is None else measure.target.value,
        target_year=None if measure.target is None else measure.target.year,
        indicator=measure.indicator,
    )


def referential(contract: Contract) -> list[ReferentialItem]:
    part = vocabulary.CONTRACT_PART
    items: list[ReferentialItem] = []
    for axis in contract.commitments.caf.axes:
        items.append(
            ReferentialItem("axis", part["axis"], axis.id, None, "", f"{axis.number}. {axis.title}")
        )
        items += [
            ReferentialItem("theme", part["theme"], t.id, None, axis.id, t.title)
            for t in axis.themes
        ]
    for challenge in contract.challenges:
        number = challenge.number
        items.append(
            ReferentialItem(
                "challenge", part["challenge"], challenge.id, number, "", challenge.title
            )
        )
        for result in challenge.targeted_results:
            items.append(
                ReferentialItem(
                    "targeted_result", part["targeted_result"], result.id, number, challenge.id,
                    result.text,
                )
            )  # fmt: skip
            items += [_measure_item(number, result.id, m) for m in result.measures]
    return items


def indicators(contract: Contract) -> list[IndicatorItem]:
    families = {f.id: f.title for f in contract.catalogue}
    linked: dict[str, list[int]] = {}
    for challenge in contract.challenges:
        for link in challenge.indicators:
            linked.setdefault(link.indicator, []).append(challenge.number)
    return [
        IndicatorItem(
            subject_id=i.id,
            code=i.code or i.id,
            label=i.label,
            family=families.get(i.family, i.family),
            nature_label=vocabulary.NATURE[i.nature],
            type_label=vocabulary.INDICATOR_TYPE[i.type],
            unit=i.unit,
            direction_label=vocabulary.DIRECTION[i.direction],
            periodicity_label=vocabulary.PERIODICITY[i.periodicity],
            cumulation_label=vocabulary.CUMULATION[i.cumulation],
            target_label=vocabulary.target_kind(i.target.kind, i.target.from_year),
            target_value=i.target.value,
            target_year=i.target.year,
            calculation_method=i.calculation_method,
            numerator=i.numerator,
            denominator=i.denominator,
            data_source=i.data_source,
            challenges=linked.get(i.id, []),
            to_confirm=[f"{c.field} : {c.note}" for c in i.to_confirm],
        )
        for i in contract.indicators
    ]


def actions(situation: Situation) -> list[ActionLine]:
    lines: list[ActionLine] = []
    for challenge in situation.contract.challenges:
        for action in challenge.actions:
            state = situation.actions.get(action.id)
            status = state.status if state else "not_started"
            due = state.due_date if state else None
            lines.append(
                ActionLine(
                    challenge=challenge.number,
                    action_id=action.id,
                    label=action.text,
                    status=status,
                    status_label=vocabulary.ACTION_STATUS.get(status, status),
                    owner=state.owner if state else "",
                    start_date=state.start_date if state else None,
                    due_date=due,
                    progress=state.progress if state else 0,
                    late=action_late(status, due, situation.as_of),
                    updated_by=state.updated_by if state else "",
                    updated_at=state.updated_at if state else None,
                )
            )
    return lines


def fingerprint(*parts: list[Any]) -> str:
    """A short SHA-256 of the exported data (their JSON, item by item): the same data give the
    same fingerprint."""
    digest = hashlib.sha256()
    for part in parts:
        for item in part:
            digest.update(json.dumps(to_data(item), ensure_ascii=False, sort_keys=True).encode())
            digest.update(b"\n")
        digest.update(b"\x00")
    return digest.hexdigest()[:16]


def export_context(situation: Situation, reader: Reader) -> ExportContext:
    """Everything the Excel export shows at the situation's date."""
    contract, scope = situation.contract, situation.scope
    names = subject_names(contract)
    target_lines = [target_data(t, names) for t in reader.targets(contract, scope)]
    # The sheet is re-imported as is: the diagnosis's key figures computed from extracts are not
    # values an import file can carry (they stay in the store, the contract page shows them).
    value_lines = [
        value_data(v, names) for v in reader.values(contract, scope) if v.subject_type != "figure"
    ]
    order = {key: n for n, key in enumerate(names)}
    value_lines.sort(
        key=lambda v: (
            order.get((v.subject_type, v.subject_id), len(order)),
            v.period_end or date.min,
            v.period,
            v.recorded_at,
        )
    )
    target_lines.sort(
        key=lambda t: (order.get((t.subject_type, t.subject_id), len(order)), t.year, t.set_at)
    )
    statuses = [status_row(r) for r in situation.status.rows]
    action_lines = actions(situation)
    ref = referential(contract)
    defs = indicators(contract)
    about = ExportAbout(
        contract_title=contract.title,
        organisation=contract.organisation.name,
        contract_version=situation.state.contract_version,
        as_of=situation.as_of,
        fingerprint=fingerprint(ref, defs, target_lines, value_lines, statuses, action_lines),
        demo=situation.demo,
        sheets=[SheetNote(name, text) for name, text in SHEETS],
    )
    return ExportContext(
        about=about,
        contract_years=list(range(contract.period.start, contract.period.end + 1)),
        referential=ref,
        indicators=defs,
        targets=target_lines,
        values=value_lines,
        statuses=statuses,
        actions=action_lines,
    )
