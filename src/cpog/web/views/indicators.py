"""Indicateurs: the list by family, and the page of one indicator or one measure of a targeted
result (definition, status, chart, every revision of its values, analyses, and the forms to
enter a value or write an analysis)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from cpog.assess import Observation
from cpog.assess.types import Assessment, Status, Target
from cpog.assess.wording import (
    display_unit,
    lateness_text,
    next_value_text,
    objective_text,
    of_text,
    value_text,
    verdict_label,
    verdict_text,
)
from cpog.contexts.charts import trajectory_chart
from cpog.contexts.situation import Situation
from cpog.contract.model import (
    Basis,
    ChallengeFile,
    Confidence,
    Contract,
    Indicator,
    IndicatorType,
    Measure,
    MeasureKind,
    Nature,
    Periodicity,
    TargetedResult,
)
from cpog.contract.units import with_number
from cpog.formatting import NBSP, capitalised, fr_date, fr_number, fr_signed
from cpog.ingest.value_rule import Subject as ValueSubject
from cpog.ingest.value_rule import plain_key, subjects_of
from cpog.periods import Period, PeriodError, parse_period
from cpog.steering import StatusRow, provenance_text, stated_baseline, stated_target
from cpog.store import audit
from cpog.store.imports import StoredSeries
from cpog.store.locks import lock_values
from cpog.store.models import Analysis, ImportBatch, Measurement
from cpog.store.values import NewValue, history, record_values
from cpog.vocabulary import (
    COMPARATOR,
    COMPARATOR_SIGN,
    CONFIDENCE,
    CUMULATION,
    DIRECTION_EXPLAINED,
    INDICATOR_TYPE,
    MEASURE_FIELD,
    MEASURE_KIND,
    NATURE,
    PERIODICITY,
    target_kind,
)
from cpog.web import roles
from cpog.web.forms import AnalysisForm, ValueForm
from cpog.web.offtrack import OFF_TRACK, missing_analyses
from cpog.web.page_cache import cached_page
from cpog.web.views.common import page, steering

PROJECTION_METHODS = {"trend": "tendance", "trend+saisonnalite": "tendance et saisonnalité"}


# --- the list --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    arrow: str
    text: str


def trend_of(series: Sequence[Observation]) -> Trend | None:
    """From the last two values: « en hausse », « en baisse » or « stable »."""
    if len(series) < 2:
        return None
    previous, last = sorted(series, key=lambda o: o.period)[-2:]
    if last.value > previous.value:
        return Trend("↗", "en hausse")
    if last.value < previous.value:
        return Trend("↘", "en baisse")
    return Trend("→", "stable")


def short_target(target: Target | None, unit: str | None) -> str:
    if target is None:
        return ""
    sign = COMPARATOR_SIGN[target.comparator]
    return f"{sign + NBSP if sign else ''}{value_text(target.value, unit)} en {target.year}"


@dataclass
class ListRow:
    row: StatusRow
    indicator: Indicator
    url: str
    nature: str
    type: str
    current: str
    period: str
    target: str
    trend: Trend | None
    late: bool


@dataclass
class ListGroup:
    id: str
    title: str | None
    rows: list[ListRow]


@dataclass
class ListFamily:
    id: str
    title: str
    groups: list[ListGroup]

    @property
    def count(self) -> int:
        return sum(len(g.rows) for g in self.groups)


@dataclass
class Choice:
    value: str
    label: str
    selected: bool


@dataclass
class Filter:
    name: str
    label: str
    choices: list[Choice]


@dataclass
class IndicatorListContext:
    families: list[ListFamily]
    filters: list[Filter]
    shown: int
    total: int
    active: bool


def _choice(request: HttpRequest, name: str, allowed: set[str]) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""


def _filter(name: str, label: str, options: list[tuple[str, str]], current: str) -> Filter:
    return Filter(
        name,
        label,
        [Choice("", "Tous", current == "")] + [Choice(v, t, v == current) for v, t in options],
    )


def list_row(row: StatusRow, indicator: Indicator) -> ListRow:
    a = row.assessment
    unit = display_unit(a.subject)
    if a.final_target is not None:
        target = short_target(a.final_target, unit)
    elif indicator.type == IndicatorType.MONITORING:
        target = "—"
    else:
        target = f"{indicator.target.as_written or 'non fixée'} (valeur non fixée)"
    return ListRow(
        row=row,
        indicator=indicator,
        url=reverse("indicator", args=[indicator.id]),
        nature=capitalised(NATURE[indicator.nature]),
        type=capitalised(INDICATOR_TYPE[indicator.type]),
        current=value_text(a.current.value, unit) if a.current else "—",
        period=str(a.current.period) if a.current else "",
        target=target,
        trend=trend_of(row.series),
        late=a.freshness.is_late,
    )


def build_list(request: HttpRequest) -> IndicatorListContext:
    data = steering(request)
    contract = data.contract
    famille = _choice(request, "famille", {f.id for f in contract.catalogue})
    statut = _choice(request, "statut", {s.value for s in Status})
    nature = _choice(request, "nature", {n.value for n in Nature})
    kind = _choice(request, "type", {t.value for t in IndicatorType})
    indicators = {i.id: i for i in contract.indicators}
    rows = {r.subject_id: r for r in data.status.rows if r.subject_type == "indicator"}

    def keep(row: StatusRow, indicator: Indicator) -> bool:
        return (
            (not statut or row.assessment.status.value == statut)
            and (not nature or indicator.nature.value == nature)
            and (not kind or indicator.type.value == kind)
        )

    families: list[ListFamily] = []
    shown = 0
    for family in contract.catalogue:
        if famille and family.id != famille:
            continue
        groups = []
        for group in family.groups:
            kept = [
                list_row(rows[i], indicators[i])
                for i in group.indicators
                if i in rows and i in indicators and keep(rows[i], indicators[i])
            ]
            if kept:
                groups.append(ListGroup(group.id, group.title, kept))
                shown += len(kept)
        if groups:
            families.append(ListFamily(family.id, family.title, groups))
    filters = [
        _filter("famille", "Famille", [(f.id, f.title) for f in contract.catalogue], famille),
        _filter("statut", "Statut", [(s.value, s.label_fr) for s in Status], statut),
        _filter("nature", "Nature", [(n.value, capitalised(NATURE[n])) for n in Nature], nature),
        _filter(
            "type", "Type", [(t.value, capitalised(INDICATOR_TYPE[t])) for t in IndicatorType], kind
        ),
    ]
    return IndicatorListContext(
        families=families,
        filters=filters,
        shown=shown,
        total=len(rows),
        active=bool(famille or statut or nature or kind),
    )


def _partial(request: HttpRequest) -> bool:
    """An HTMX request that swaps part of the page (a history restore wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not getattr(htmx, "history_restore_request", False)


@login_required
@cached_page
def indicator_list(request: HttpRequest) -> HttpResponse:
    ctx = build_list(request)
    if _partial(request):
        return render(request, "web/partials/subject_list_table.html", {"ctx": ctx, "oob": True})
    return page(request, "web/indicators.html", "indicators", "Indicateurs", ctx=ctx)


# --- one indicator or measure ----------------------------------------------------------------


@dataclass
class DefinitionItem:
    label: str
    value: str
    notes: list[str] = field(default_factory=list)
    url: str = ""


@dataclass
class Revision:
    measurement: Measurement
    source: str
    current: bool


@dataclass
class PeriodValues:
    key: str
    label: str
    revisions: list[Revision]


@dataclass
class StatusView:
    status: Status
    current: str
    current_period: str
    annual_target: str
    final_target: str
    expected: str
    progress_annual: float | None
    progress_global: float | None
    projection: str
    projected_status: Status | None
    freshness: list[str]
    late: bool
    reasons: list[str]
    baseline: str
    target_origin: str = ""
    verdict: str = ""  # « objectif 2025 non atteint »
    years: list[str] = field(default_factory=list)  # each closed year's verdict, in a sentence
    to_check: str = ""
    closing: bool = False


@dataclass
class AnalysisView:
    analysis: Analysis
    period: str
    title: str


@dataclass
class LinkedChallenge:
    number: int
    title: str
    url: str


@dataclass
class SubjectContext:
    subject_type: str
    subject_id: str
    heading: str
    kind_label: str
    code: str
    label: str
    url: str
    row: StatusRow
    status: StatusView
    definition: list[DefinitionItem]
    other_notes: list[str]
    challenges: list[LinkedChallenge]
    chart: dict[str, Any]
    chart_id: str
    periods: list[PeriodValues]
    revision_count: int
    analyses: list[AnalysisView]
    missing_analysis: bool
    off_track: bool
    can_write: bool
    value_form: ValueForm | None
    analysis_form: AnalysisForm | None
    notice: str = ""
    unit: str | None = None
    family_title: str = ""
    family_url: str = ""
    values_from: str = ""  # the code of the indicator whose values a linked measure takes
    values_from_url: str = ""


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

    @property
    def url(self) -> str:
        name = "indicator" if self.subject_type == "indicator" else "measure"
        return reverse(name, args=[self.subject_id])


def find_subject(contract: Contract, subject_type: str, subject_id: str) -> Found | None:
    if subject_type == "indicator":
        indicator = next((i for i in contract.indicators if i.id == subject_id), None)
        return None if indicator is None else Found("indicator", subject_id, indicator=indicator)
    for challenge, result, measure in contract.measures():
        if measure.id == subject_id:
            return Found("measure", subject_id, measure=measure, challenge=challenge, result=result)
    return None


def _value_form(data: Situation, found: Found, post: QueryDict | None = None) -> ValueForm:
    """The entry form of the subject, checked by the value rule of every door."""
    subject: ValueSubject = subjects_of(data.contract)[plain_key(found.subject_id)]
    return ValueForm(
        post,
        subject=subject,
        today=data.as_of,
        series=StoredSeries(data.contract) if post is not None else None,
        initial={"statut": Measurement.Status.PROVISIONAL},
    )


def _to_confirm_note(confidence: Confidence | str, note: str) -> str:
    return f"à confirmer (confiance {CONFIDENCE[Confidence(confidence)]}) : {note}"


def indicator_definition(indicator: Indicator) -> tuple[list[DefinitionItem], list[str]]:
    notes: dict[str, list[str]] = {}
    for item in indicator.to_confirm:
        notes.setdefault(item.field, []).append(_to_confirm_note(item.confidence, item.note))
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
            url=reverse("challenge", args=[challenge.number]),
        ),
        DefinitionItem("Résultat visé", result.text),
        DefinitionItem("Nature de la mesure", MEASURE_KIND[measure.kind]),
        DefinitionItem("Unité", unit or "—"),
        DefinitionItem("Sens d'amélioration", DIRECTION_EXPLAINED[measure.direction]),
        DefinitionItem("Périodicité", _measure_periodicity(measure, contract)),
    ]
    if measure.comparator is not None:
        items.append(DefinitionItem("Condition", COMPARATOR[measure.comparator]))
    if measure.per_year:
        items.append(DefinitionItem("Portée de la cible", "chaque année du contrat"))
    if measure.baseline is not None:
        base = measure.baseline
        notes = [base.note] if base.note else []
        if base.basis == Basis.TO_CONFIRM:
            notes.append(_to_confirm_note(measure.confidence, "valeur de référence par défaut"))
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
            written = value_text(target.value, unit)
            if measure.kind == MeasureKind.RELATIVE_CHANGE:
                written = with_number(fr_signed(target.value), target.value, "%")
            elif measure.kind == MeasureKind.POINT_CHANGE:
                written = with_number(fr_signed(target.value), target.value, "points")
            if measure.per_year:
                written += " par an"
            parts.append(written)
        if target.reference:
            parts.append(target.reference)
        year = target.year or contract.period.end
        if target.implied_level is not None:
            parts.append(f"soit {value_text(target.implied_level, unit)}")
        origin = provenance_text(stated_target(measure))
        shown = f"{' ; '.join(parts) or '—'} en {year}"
        items.append(
            DefinitionItem("Cible", f"{shown} ({origin})" if origin != "aucune" else shown)
        )
    if measure.indicator:
        linked = next((i for i in contract.indicators if i.id == measure.indicator), None)
        if linked is not None:
            items.append(
                DefinitionItem(
                    "Indicateur qui la mesure",
                    f"{linked.code or linked.id} — {linked.label}",
                    url=reverse("indicator", args=[linked.id]),
                )
            )
    other: list[str] = []
    if measure.reading:
        if measure.confidence != Confidence.HIGH:
            other.append(_to_confirm_note(measure.confidence, measure.reading))
        else:
            items.append(DefinitionItem("Lecture du texte", measure.reading))
    for item in measure.to_confirm:
        field = MEASURE_FIELD.get(item.field, item.field)
        other.append(_to_confirm_note(item.confidence, f"{field} : {item.note}"))
    return items, other


def status_view(row: StatusRow, as_of: date) -> StatusView:
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
        method = PROJECTION_METHODS.get(p.method, p.method)
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
    return StatusView(
        status=a.status,
        current=value_text(a.current.value, unit) if a.current else "—",
        current_period=str(a.current.period) if a.current else "",
        annual_target=objective_text(a.subject, a.annual_target) if a.annual_target else "—",
        final_target=objective_text(a.subject, a.final_target) if a.final_target else "—",
        expected=value_text(a.expected, unit) if a.expected is not None else "—",
        progress_annual=a.progress_annual,
        progress_global=a.progress_global,
        projection=projection,
        projected_status=a.projection.projected_status if a.projection else None,
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


def _period_label(key: str) -> str:
    try:
        return str(parse_period(key))
    except PeriodError:
        return key


def values_by_period(data: Situation, found: Found) -> tuple[list[PeriodValues], int]:
    """Every revision, newest period first, newest revision first within a period."""
    scope = data.contract.organisation.code
    rows = history(data.contract.id, scope, found.subject_type, found.subject_id)
    batches = ImportBatch.objects.in_bulk({r.batch_id for r in rows if r.batch_id is not None})
    grouped: dict[str, list[Measurement]] = {}
    for row in rows:
        grouped.setdefault(row.period_key, []).append(row)
    periods = []
    for key, revisions in grouped.items():
        ordered = sorted(revisions, key=lambda m: (m.recorded_at, m.id), reverse=True)
        periods.append(
            PeriodValues(
                key,
                _period_label(key),
                [
                    Revision(m, _source_label(m, batches), index == 0)
                    for index, m in enumerate(ordered)
                ],
            )
        )
    periods.sort(key=lambda p: (p.revisions[0].measurement.period_end, p.key), reverse=True)
    return periods, len(rows)


def _source_label(row: Measurement, batches: dict[int, ImportBatch]) -> str:
    label = str(row.get_source_display())
    batch = batches.get(row.batch_id) if row.batch_id is not None else None
    if batch is not None:
        label = f"{label} « {batch.file_name} »"
    return label


def _default_analysis_period(row: StatusRow) -> Period:
    a = row.assessment
    return a.current.period if a.current is not None else a.freshness.expected_period


def _analysis_form(row: StatusRow, today: date, data: QueryDict | None = None) -> AnalysisForm:
    status = row.assessment.status
    return AnalysisForm(
        data,
        today=today,
        off_track=status in OFF_TRACK,
        status_label=status.label_fr,
        initial={"periode": str(_default_analysis_period(row))},
    )


def build_subject(
    request: HttpRequest,
    data: Situation,
    found: Found,
    *,
    value_form: ValueForm | None = None,
    analysis_form: AnalysisForm | None = None,
    notice: str = "",
) -> SubjectContext:
    contract = data.contract
    row = data.row(found.subject_type, found.subject_id)
    assert row is not None
    can_write = roles.can_write_subject(
        request.user, contract, found.subject_type, found.subject_id
    )
    if found.indicator is not None:
        definition, other = indicator_definition(found.indicator)
        kind_label = "Indicateur"
        heading = f"{found.code} — {found.label}"
    else:
        definition, other = measure_definition(found, contract)
        kind_label = "Mesure d'un résultat visé"
        heading = found.label
    numbers = sorted(roles.challenges_of_subject(contract, found.subject_type, found.subject_id))
    challenges = [
        LinkedChallenge(c.number, c.title, reverse("challenge", args=[c.number]))
        for c in contract.challenges
        if c.number in numbers
    ]
    # A measure linked to an indicator takes its values: they are listed, and entered, there.
    source = found
    values_from = ""
    if found.measure is not None and found.measure.indicator:
        linked = find_subject(contract, "indicator", found.measure.indicator)
        if linked is not None:
            source = linked
            values_from = linked.code
    periods, count = values_by_period(data, source)
    analyses = [
        AnalysisView(
            a,
            _period_label(a.period_key),
            f"Analyse {of_text(_period_label(a.period_key))}, écrite par {a.author}"
            f" le {fr_date(timezone.localtime(a.created_at).date())}",
        )
        for a in Analysis.objects.filter(
            contract_id=contract.id,
            subject_type=found.subject_type,
            subject_id=found.subject_id,
        ).order_by("-created_at", "-id")
    ]
    family_title = family_url = ""
    if found.indicator is not None:
        family = next((f for f in contract.catalogue if f.id == found.indicator.family), None)
        if family is not None:
            family_title = family.title
            family_url = f"{reverse('indicators')}?famille={family.id}"
    if can_write:
        if not values_from:
            value_form = value_form or _value_form(data, found)
        analysis_form = analysis_form or _analysis_form(row, data.as_of)
    return SubjectContext(
        subject_type=found.subject_type,
        subject_id=found.subject_id,
        heading=heading,
        kind_label=kind_label,
        code=found.code,
        label=found.label,
        url=found.url,
        row=row,
        status=status_view(row, data.as_of),
        definition=definition,
        other_notes=other,
        challenges=challenges,
        chart=trajectory_chart(row.assessment, row.series),
        chart_id=f"chart-{found.subject_id}",
        periods=periods,
        revision_count=count,
        analyses=analyses,
        missing_analysis=bool(missing_analyses(contract, [row])),
        off_track=row.assessment.status in OFF_TRACK,
        can_write=can_write,
        value_form=value_form if can_write else None,
        analysis_form=analysis_form if can_write else None,
        notice=notice,
        unit=display_unit(row.assessment.subject),
        family_title=family_title,
        family_url=family_url,
        values_from=values_from,
        values_from_url=source.url if values_from else "",
    )


def _fresh_steering(request: HttpRequest) -> Situation:
    """The status again, after a write: the cached one of this request is stale."""
    if hasattr(request, "_cpog_steering"):
        delattr(request, "_cpog_steering")
    return steering(request)


def _record_value(request: HttpRequest, data: Situation, found: Found, form: ValueForm) -> str:
    entry = form.entry
    period: Period = entry.period
    value: Decimal = entry.value
    status: str = entry.status
    with transaction.atomic():
        lock_values(data.contract.id, data.contract.organisation.code)
        written = record_values(
            data.contract.id,
            data.contract.organisation.code,
            [
                NewValue(
                    found.subject_type,
                    found.subject_id,
                    period,
                    value,
                    entry.numerator,
                    entry.denominator,
                    status=status,
                    comment=entry.comment,
                    confirmed_unusual=entry.unusual is not None,
                )
            ],
            source=Measurement.Source.MANUAL,
            user=request.user.get_username(),
        )
    status_label = Measurement.Status(status).label
    if not written:
        return (
            f"Valeur identique à la valeur en vigueur pour {period} ({status_label}) :"
            " rien n'a été enregistré."
        )
    return f"Valeur enregistrée : {fr_number(value)} pour {period} ({status_label})."


def _record_analysis(
    request: HttpRequest, data: Situation, found: Found, form: AnalysisForm
) -> str:
    period: Period = form.cleaned_data["periode"]
    user = request.user.get_username()
    with transaction.atomic():
        analysis = Analysis.objects.create(
            contract_id=data.contract.id,
            subject_type=found.subject_type,
            subject_id=found.subject_id,
            period_key=period.key,
            analysis=form.cleaned_data["analyse"],
            risks=form.cleaned_data["risques"].strip(),
            corrective_action=form.cleaned_data["action_corrective"],
            author=user,
            created_at=timezone.now(),
        )
        audit.record(
            "analysis",
            f"{found.subject_type}:{found.subject_id}:{period.key}",
            "create",
            user,
            after={
                "id": analysis.pk,
                "analysis": analysis.analysis,
                "risks": analysis.risks,
                "corrective_action": analysis.corrective_action,
            },
            context="saisie",
        )
    return f"Analyse {of_text(str(period))} enregistrée."


def _error(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    return render(request, "web/error.html", {"title": title, "message": message}, status=status)


def subject_view(request: HttpRequest, subject_type: str, subject_id: str) -> HttpResponse:
    data = steering(request)
    found = find_subject(data.contract, subject_type, subject_id)
    section = "indicators" if subject_type == "indicator" else "challenges"
    if found is None:
        what = "Indicateur" if subject_type == "indicator" else "Mesure de résultat visé"
        return _error(
            request,
            "Page introuvable",
            f"{what} introuvable dans le contrat : « {subject_id} ».",
            404,
        )
    value_form: ValueForm | None = None
    analysis_form: AnalysisForm | None = None
    notice = ""
    status = 200
    if request.method == "POST":
        roles.require(
            roles.can_write_subject(request.user, data.contract, subject_type, subject_id),
            f"saisir les valeurs ni les analyses de « {found.code} »",
        )
        row = data.row(subject_type, subject_id)
        assert row is not None
        action = request.POST.get("action", "")
        if action == "value":
            value_form = _value_form(data, found, request.POST)
            if value_form.is_valid() and value_form.to_confirm:
                notice = ""  # second step: the form shows what to confirm, nothing is written
            elif value_form.is_valid():
                notice = _record_value(request, data, found, value_form)
                value_form = None
        elif action == "analysis":
            analysis_form = _analysis_form(row, data.as_of, request.POST)
            if analysis_form.is_valid():
                notice = _record_analysis(request, data, found, analysis_form)
                analysis_form = None
        else:
            return _error(
                request, "Requête invalide", "Formulaire inconnu : rien n'a été enregistré.", 400
            )
        if notice:
            data = _fresh_steering(request)
            row = data.row(subject_type, subject_id)
            assert row is not None
            notice += f" Statut : {row.assessment.status.label_fr}."
            if not _partial(request):
                messages.success(request, notice)
                return redirect(f"{found.url}#suivi")
        elif value_form is None or not value_form.to_confirm:
            status = 400
    ctx = build_subject(
        request,
        data,
        found,
        value_form=value_form,
        analysis_form=analysis_form,
        notice=notice,
    )
    if request.method == "POST" and _partial(request):
        return render(
            request,
            "web/partials/subject_status.html",
            {"ctx": ctx, "today": data.as_of},
            status=status,
        )
    response = page(request, "web/subject.html", section, ctx.heading, ctx=ctx)
    response.status_code = status
    return response


@login_required
@cached_page
def indicator_page(request: HttpRequest, subject_id: str) -> HttpResponse:
    return subject_view(request, "indicator", subject_id)


@login_required
@cached_page
def measure_page(request: HttpRequest, subject_id: str) -> HttpResponse:
    return subject_view(request, "measure", subject_id)
