"""The page of one indicator or of one measure of a targeted result: its definition (with the
readings still to confirm), its status in words, its chart, every revision of its values with
their sources, and its analyses. Built from the situation and the store reader; the web page adds
its forms, the API, the CLI and the reports serialize or render the same context."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from cpog.assess.types import Assessment
from cpog.assess.wording import (
    display_unit,
    lateness_text,
    next_value_text,
    objective_text,
    of_text,
    signed_target_text,
    to_confirm_text,
    value_text,
    verdict_label,
    verdict_text,
)
from cpog.clock import TIME_ZONE
from cpog.contexts.charts import nothing_to_draw, trajectory_chart
from cpog.contexts.reader import Reader, ValueRecord
from cpog.contexts.serialize import record
from cpog.contexts.situation import OFF_TRACK, Situation
from cpog.contexts.status_rows import StatusRowData, status_row
from cpog.contract.model import (
    Basis,
    ChallengeFile,
    Confidence,
    Contract,
    Indicator,
    Measure,
    MeasureKind,
    Periodicity,
    TargetedResult,
)
from cpog.contract.units import quantity_text
from cpog.formatting import capitalised, fr_date, fr_number
from cpog.periods import PeriodError, parse_period
from cpog.steering import (
    StatusRow,
    challenges_of_subject,
    provenance_text,
    stated_baseline,
    stated_target,
)
from cpog.vocabulary import (
    COMPARATOR,
    CONFIDENCE,
    CUMULATION,
    DIRECTION_EXPLAINED,
    MEASURE_FIELD,
    MEASURE_KIND,
    NATURE,
    PERIODICITY,
    PROJECTION_METHOD,
    STATUS,
    VALUE_SOURCE,
    VALUE_STATUS,
    target_kind,
)

# --- the contract's definition of the subject ---------------------------------------------------


@dataclass(frozen=True)
class Found:
    """The contract's definition of the subject of a page."""

    subject_type: str
    subject_id: str
    indicator: Indicator | None = None
    measure: Measure | None = None
    challenge: ChallengeFile | None = None
    result: TargetedResult | None = None

    @property
    def code(self) -> str:
        if self.indicator is not None:
            return self.indicator.code or self.indicator.id
        return self.subject_id

    @property
    def label(self) -> str:
        if self.indicator is not None:
            return self.indicator.label
        assert self.measure is not None
        return self.measure.label


def find_subject(contract: Contract, subject_type: str, subject_id: str) -> Found | None:
    if subject_type == "indicator":
        indicator = next((i for i in contract.indicators if i.id == subject_id), None)
        return None if indicator is None else Found("indicator", subject_id, indicator=indicator)
    if subject_type != "measure":
        return None
    for challenge, result, measure in contract.measures():
        if measure.id == subject_id:
            return Found("measure", subject_id, measure=measure, challenge=challenge, result=result)
    return None


# --- the context ---------------------------------------------------------------------------------


@record
class DefinitionItem:
    label: str
    value: str
    notes: list[str]
    link_page: str = ""  # "challenge" | "indicator": the page the value links to
    link_id: str = ""  # the défi's number or the indicator's id


@record
class SubjectSituation:
    """The status block of the page, in words."""

    status: str
    status_label: str
    current: str
    current_period: str
    annual_target: str
    final_target: str
    expected: str
    progress_annual: float | None
    progress_global: float | None
    projection: str
    projected_status: str | None
    freshness: list[str]
    late: bool
    reasons: list[str]
    baseline: str
    target_origin: str
    verdict: str  # « objectif 2025 non atteint »
    years: list[str]  # each closed year's verdict, in a sentence
    to_check: str
    closing: bool


@record
class ComputedView:
    """Where a computed value comes from, as the page shows it."""

    definition: str  # the definition's name: its page is /calculs/<definition>/
    label: str
    file: str
    version: int
    parameters_text: str  # « jours = calendaires » (« aucun »)
    query: str  # the parameters as a URL query: the SQL page shows the query as run
    fingerprint: str
    fingerprint_short: str
    data_end: date | None
    data_end_text: str  # « 31/10/2026 »
    folder: str


@record
class Revision:
    value: float
    value_text: str  # with its decimals (up to 3) and its unit: « 19,36 jours »
    status: str
    status_label: str
    confirmed_unusual: bool
    in_force: bool  # the latest revision of its period: the value in force
    source: str
    source_label: str  # « import de fichier « valeurs.csv » »
    recorded_by: str
    recorded_at: datetime
    comment: str
    numerator: float | None = None
    denominator: float | None = None
    numerator_text: str = ""  # « 1 234 »
    denominator_text: str = ""
    computed: ComputedView | None = None  # a value computed from extracts


@record
class PeriodValues:
    period: str
    period_label: str
    revisions: list[Revision]


@record
class AnalysisView:
    period: str
    period_label: str
    title: str  # « Analyse d'octobre 2026, écrite par pilote le 27/11/2026 »
    analysis: str
    risks: str
    corrective_action: str
    author: str
    written_at: datetime


@record
class LinkedChallenge:
    number: int
    title: str


@record
class ValuesFrom:
    """The indicator whose values a linked measure takes (listed, and entered, there)."""

    subject_id: str
    code: str


@record
class ValuePages:
    """Which periods of the values table a page shows: ``per_page`` periods a page, newest
    first (a monthly indicator has 60 periods over the contract)."""

    page: int
    pages: int
    per_page: int
    period_count: int
    page_numbers: list[int]
    shown_periods: str  # « périodes 1 à 24 sur 58 »


@record
class SubjectContext:
    as_of: date
    subject_type: str
    subject_id: str
    heading: str
    kind_label: str
    code: str
    label: str
    unit: str | None
    row: StatusRowData
    situation: SubjectSituation
    definition: list[DefinitionItem]
    other_notes: list[str]
    challenges: list[LinkedChallenge]
    family: str | None
    family_title: str
    chart: dict[str, Any] | None  # None: neither value nor target to draw
    periods: list[PeriodValues]  # the periods of this page of the values table
    revision_count: int
    value_pages: ValuePages
    to_confirm_count: int
    analyses: list[AnalysisView]
    missing_analysis: bool
    off_track: bool
    values_from: ValuesFrom | None


_CONFIDENCE_CODE = re.compile(r"\bconfiance (NF|[HML])\b")


def confidence_in_words(text: str) -> str:
    """The contract's notes say « (§1, confiance L) »: « confiance faible », in words."""
    return _CONFIDENCE_CODE.sub(lambda m: f"confiance {CONFIDENCE[Confidence(m.group(1))]}", text)


def _to_confirm(confidence: Confidence | str, note: str) -> str:
    return confidence_in_words(to_confirm_text(confidence, note))


def indicator_definition(indicator: Indicator) -> tuple[list[DefinitionItem], list[str]]:
    notes: dict[str, list[str]] = {}
    for item in indicator.to_confirm:
        notes.setdefault(item.field, []).append(_to_confirm(item.confidence, item.note))
    type_text = indicator.type_as_written
    if indicator.type_from_year:
        type_text += f" (à partir de {indicator.type_from_year})"
    written = indicator.target
    target = written.as_written or "—"
    if written.value is not None:
        year = f" en {written.year}" if written.year else ""
        target += f" : {value_text(written.value, indicator.unit)}{year}"
    fields: list[tuple[str, str, str]] = [
        ("code", "Code", indicator.code_as_written or indicator.code or "—"),
        ("nature", "Nature", capitalised(NATURE[indicator.nature])),
        ("type", "Type", type_text),
        ("target", "Cible (telle qu'écrite)", target),
        ("target_kind", "Type de cible", target_kind(written.kind, written.from_year)),
        ("unit", "Unité", indicator.unit),
        ("direction", "Sens d'amélioration", DIRECTION_EXPLAINED[indicator.direction]),
        ("periodicity", "Périodicité", PERIODICITY[indicator.periodicity]),
        ("cumulation", "Mode de cumul", CUMULATION[indicator.cumulation]),
        (
            "availability_lag_days",
            "Délai de disponibilité",
            f"{value_text(indicator.availability_lag_days, 'jours')} après la fin de la période",
        ),
        ("calculation_method", "Mode de calcul", indicator.calculation_method),
        ("numerator", "Numérateur", indicator.numerator or ""),
        ("denominator", "Dénominateur", indicator.denominator or ""),
        ("data_source", "Source des données", indicator.data_source),
    ]
    items = [
        DefinitionItem(label, value, notes.pop(name, []))
        for name, label, value in fields
        if value or name in notes
    ]
    other = [n for group in notes.values() for n in group]
    return items, other


def _measure_periodicity(measure: Measure, contract: Contract) -> str:
    linked = contract.indicator(measure.indicator) if measure.indicator else None
    if linked is None:
        return PERIODICITY[Periodicity.ANNUAL]
    return f"{PERIODICITY[linked.periodicity]} (valeurs de l'indicateur {linked.code or linked.id})"


def measure_definition(found: Found, contract: Contract) -> tuple[list[DefinitionItem], list[str]]:
    measure, challenge, result = found.measure, found.challenge, found.result
    assert measure is not None and challenge is not None and result is not None
    unit = measure.unit or ("%" if measure.kind == MeasureKind.MILESTONE else None)
    items = [
        DefinitionItem(
            "Défi",
            f"Défi n°{challenge.number} — {challenge.title}",
            [],
            link_page="challenge",
            link_id=str(challenge.number),
        ),
        DefinitionItem("Résultat visé", result.text, []),
        DefinitionItem("Nature de la mesure", MEASURE_KIND[measure.kind], []),
        DefinitionItem("Unité", unit or "—", []),
        DefinitionItem("Sens d'amélioration", DIRECTION_EXPLAINED[measure.direction], []),
        DefinitionItem("Périodicité", _measure_periodicity(measure, contract), []),
    ]
    if measure.comparator is not None:
        items.append(DefinitionItem("Condition", COMPARATOR[measure.comparator], []))
    if measure.per_year:
        items.append(DefinitionItem("Portée de la cible", "chaque année du contrat", []))
    if measure.baseline is not None:
        base = measure.baseline
        notes = [confidence_in_words(base.note)] if base.note else []
        if base.basis == Basis.TO_CONFIRM:
            notes.append(_to_confirm(measure.confidence, "valeur de référence par défaut"))
        items.append(
            DefinitionItem(
                "Valeur de référence",
                f"{value_text(base.value, unit)} en {base.year} "
                f"({provenance_text(stated_baseline(measure))})",
                notes,
            )
        )
    if measure.target is not None:
        target = measure.target
        parts = []
        if target.value is not None:
            parts.append(signed_target_text(target.value, unit, measure.kind, measure.per_year))
        if target.reference:
            parts.append(target.reference)
        year = target.year or contract.period.end
        if target.implied_level is not None:
            parts.append(f"soit {value_text(target.implied_level, unit)}")
        origin = provenance_text(stated_target(measure))
        shown = f"{' ; '.join(parts) or '—'} en {year}"
        items.append(
            DefinitionItem("Cible", f"{shown} ({origin})" if origin != "aucune" else shown, [])
        )
    if measure.indicator:
        linked = next((i for i in contract.indicators if i.id == measure.indicator), None)
        if linked is not None:
            items.append(
                DefinitionItem(
                    "Indicateur qui la mesure",
                    f"{linked.code or linked.id} — {linked.label}",
                    [],
                    link_page="indicator",
                    link_id=linked.id,
                )
            )
    other: list[str] = []
    if measure.reading:
        if measure.confidence != Confidence.HIGH:
            other.append(_to_confirm(measure.confidence, measure.reading))
        else:
            items.append(DefinitionItem("Lecture du texte", measure.reading, []))
    for item in measure.to_confirm:
        field = MEASURE_FIELD.get(item.field, item.field)
        other.append(_to_confirm(item.confidence, f"{field} : {item.note}"))
    return items, other


def subject_situation(row: StatusRow, as_of: date) -> SubjectSituation:
    a: Assessment = row.assessment
    unit = display_unit(a.subject)
    fresh = a.freshness
    lines = []
    if fresh.latest_period is None:
        lines.append("Aucune valeur saisie.")
    else:
        lines.append(f"Dernière valeur connue : {fresh.latest_period}.")
    lines.append(f"Dernière période attendue à ce jour : {fresh.expected_period}.")
    late = lateness_text(fresh)
    lines.append(f"Saisie {late}." if not fresh.is_late else f"{late[0].upper()}{late[1:]}.")
    following = next_value_text(fresh, as_of)
    lines.append(f"{following[0].upper()}{following[1:]}.")
    projection = ""
    if a.projection is not None:
        p = a.projection
        method = PROJECTION_METHOD.get(p.method, p.method)
        projection = (
            f"{value_text(p.value, unit)} au {fr_date(p.at)} "
            f"({method}, sur {fr_number(p.n_points)} valeurs)"
        )
    baseline = ""
    if a.subject.baseline is not None:
        baseline = (
            f"{value_text(a.subject.baseline.value, unit)} en {a.subject.baseline.year} "
            f"({provenance_text(row.baseline)})"
        )
    return SubjectSituation(
        status=a.status.value,
        status_label=STATUS[a.status],
        current=value_text(a.current.value, unit) if a.current else "—",
        current_period=str(a.current.period) if a.current else "",
        annual_target=objective_text(a.subject, a.annual_target) if a.annual_target else "—",
        final_target=objective_text(a.subject, a.final_target) if a.final_target else "—",
        expected=value_text(a.expected, unit) if a.expected is not None else "—",
        progress_annual=a.progress_annual,
        progress_global=a.progress_global,
        projection=projection,
        projected_status=a.projection.projected_status.value if a.projection else None,
        freshness=lines,
        late=fresh.is_late,
        reasons=list(a.reasons),
        baseline=baseline,
        target_origin=provenance_text(row.target) if a.final_target else "",
        verdict=verdict_label(a.verdict) if a.verdict else "",
        years=[verdict_text(a.subject, v) for v in a.years],
        to_check=a.to_check or "",
        closing=a.closing,
    )


def _local_day(at: datetime) -> date:
    """The day of a timestamp in the caisses' time zone."""
    return at.astimezone(TIME_ZONE).date() if at.tzinfo is not None else at.date()


def period_label(key: str) -> str:
    try:
        return str(parse_period(key))
    except PeriodError:
        return key


def _period_end(key: str) -> date:
    try:
        return parse_period(key).end
    except PeriodError:
        return date.min


def computed_view(value: ValueRecord) -> ComputedView | None:
    found = value.computed
    if found is None:
        return None
    return ComputedView(
        definition=found.definition,
        label=found.label,
        file=found.file,
        version=found.version,
        parameters_text=", ".join(f"{k} = {v}" for k, v in found.parameters) or "aucun",
        query=urlencode(found.parameters),
        fingerprint=found.fingerprint,
        fingerprint_short=found.fingerprint[:12],
        data_end=found.data_end,
        data_end_text=fr_date(found.data_end) if found.data_end else "—",
        folder=found.folder,
    )


def _part(number: float | None) -> str:
    return "" if number is None else fr_number(number)


def source_label(value: ValueRecord) -> str:
    label = VALUE_SOURCE.get(value.source, value.source)
    return f"{label} « {value.batch_file} »" if value.batch_file else label


def values_by_period(values: list[ValueRecord], unit: str | None) -> list[PeriodValues]:
    """Every revision, newest period first, newest revision first within a period. ``values``
    come from :meth:`Reader.values`, oldest revision first within a period."""
    grouped: dict[str, list[ValueRecord]] = {}
    for value in values:
        grouped.setdefault(value.period_key, []).append(value)
    periods = [
        PeriodValues(
            key,
            period_label(key),
            [
                Revision(
                    value=v.value,
                    value_text=quantity_text(v.value, unit),
                    status=v.status,
                    status_label=VALUE_STATUS.get(v.status, v.status),
                    confirmed_unusual=v.confirmed_unusual,
                    in_force=v.current,
                    source=v.source,
                    source_label=source_label(v),
                    recorded_by=v.recorded_by,
                    recorded_at=v.recorded_at,
                    comment=v.comment,
                    numerator=v.numerator,
                    denominator=v.denominator,
                    numerator_text=_part(v.numerator),
                    denominator_text=_part(v.denominator),
                    computed=computed_view(v),
                )
                for v in reversed(revisions)
            ],
        )
        for key, revisions in grouped.items()
    ]
    periods.sort(key=lambda p: (_period_end(p.period), p.period), reverse=True)
    return periods


PER_PAGE = 24  # periods of the values table a page: two years of a monthly indicator


def value_page(
    periods: list[PeriodValues], page: int, per_page: int = PER_PAGE
) -> tuple[list[PeriodValues], ValuePages]:
    """One page of the values table; a page out of range shows the nearest one."""
    count = len(periods)
    pages = max(1, -(-count // per_page))
    page = min(max(page, 1), pages)
    first = (page - 1) * per_page
    shown = periods[first : first + per_page]
    if count == 0:
        text = "aucune période"
    elif pages == 1:
        text = f"{fr_number(count)} période{'s' if count > 1 else ''}"
    else:
        text = (
            f"périodes {fr_number(first + 1)} à {fr_number(first + len(shown))}"
            f" sur {fr_number(count)}"
        )
    return shown, ValuePages(page, pages, per_page, count, list(range(1, pages + 1)), text)


def subject_context(
    situation: Situation,
    reader: Reader,
    subject_type: str,
    subject_id: str,
    page: int = 1,
) -> SubjectContext | None:
    """The page of an indicator or a measure; None when the contract has no such subject.
    ``page``: the page of the values table (newest periods on the first)."""
    contract = situation.contract
    found = find_subject(contract, subject_type, subject_id)
    row = situation.row(subject_type, subject_id)
    if found is None or row is None:
        return None
    if found.indicator is not None:
        definition, other = indicator_definition(found.indicator)
        kind_label = "Indicateur"
        heading = f"{found.code} — {found.label}"
    else:
        definition, other = measure_definition(found, contract)
        kind_label = "Mesure d'un résultat visé"
        heading = found.label
    numbers = challenges_of_subject(contract, subject_type, subject_id)
    challenges = [
        LinkedChallenge(c.number, c.title) for c in contract.challenges if c.number in numbers
    ]
    # A measure linked to an indicator takes its values: they are listed, and entered, there.
    source: Found = found
    values_from = None
    if found.measure is not None and found.measure.indicator:
        linked = find_subject(contract, "indicator", found.measure.indicator)
        if linked is not None:
            source = linked
            values_from = ValuesFrom(linked.subject_id, linked.code)
    unit = display_unit(row.assessment.subject)
    values = reader.values(contract, situation.scope, (source.subject_type, source.subject_id))
    # newest first; the reader gives them oldest first (by time, then as written)
    written = sorted(
        (
            a
            for a in situation.analyses
            if (a.subject_type, a.subject_id) == (subject_type, subject_id)
        ),
        key=lambda a: a.created_at,
    )[::-1]
    analyses = [
        AnalysisView(
            period=a.period_key,
            period_label=period_label(a.period_key),
            title=f"Analyse {of_text(period_label(a.period_key))}, écrite par {a.author}"
            f" le {fr_date(_local_day(a.created_at))}",
            analysis=a.analysis,
            risks=a.risks,
            corrective_action=a.corrective_action,
            author=a.author,
            written_at=a.created_at,
        )
        for a in written
    ]
    periods, value_pages = value_page(values_by_period(values, unit), page)
    chart = trajectory_chart(row.assessment, row.series)
    family_title = ""
    family = None
    if found.indicator is not None:
        match = next((f for f in contract.catalogue if f.id == found.indicator.family), None)
        if match is not None:
            family, family_title = match.id, match.title
    missing = situation.needs_analysis(row) and not any(
        a.complete and a.period_key == row.assessment.current.period.key  # type: ignore[union-attr]
        for a in written
    )
    return SubjectContext(
        as_of=situation.as_of,
        subject_type=subject_type,
        subject_id=subject_id,
        heading=heading,
        kind_label=kind_label,
        code=found.code,
        label=found.label,
        unit=unit,
        row=status_row(row),
        situation=subject_situation(row, situation.as_of),
        definition=definition,
        other_notes=other,
        challenges=challenges,
        family=family,
        family_title=family_title,
        chart=None if nothing_to_draw(chart) else chart,
        periods=periods,
        revision_count=len(values),
        value_pages=value_pages,
        to_confirm_count=sum(len(d.notes) for d in definition) + len(other),
        analyses=analyses,
        missing_analysis=missing,
        off_track=row.assessment.status in OFF_TRACK,
        values_from=values_from,
    )
