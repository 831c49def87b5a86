"""The one shape of a status row — an indicator or a targeted result's measure assessed at the
date of situation — as every page, the API, the CLI and the reports show it: the figures, and
the French words for them (the same wording as the pages)."""

from __future__ import annotations

from datetime import date

from cpog import vocabulary
from cpog.assess import Target
from cpog.assess.types import Projection, YearVerdict
from cpog.assess.wording import (
    display_unit,
    lateness_text,
    next_value_text,
    target_short,
    value_text,
    verdict_label,
)
from cpog.contexts.serialize import record
from cpog.steering import Provenance, StatusRow, provenance_text


@record
class CurrentValue:
    period: str
    period_label: str
    value: float
    value_text: str
    provisional: bool


@record
class TargetPointData:
    year: int
    value: float
    kind: str
    comparator: str | None


@record
class ResolvedTarget:
    year: int
    value: float
    value_text: str
    written: float
    source: str
    source_label: str
    comparator: str


@record
class ProjectionData:
    value: float
    value_text: str
    at: date
    method: str
    method_label: str
    n_points: int
    status: str
    status_label: str


@record
class Lateness:
    filled: bool
    expected_period: str
    expected_on: date
    latest_period: str | None
    is_late: bool
    days_late: int
    label: str
    next_period: str | None
    next_expected_date: date | None
    next_label: str


@record
class VerdictData:
    year: int
    met: bool | None
    value: float | None
    target: float
    provisional: bool
    awaited: bool
    to_check: bool
    label: str


@record
class ProvenanceData:
    origin: str
    value: float | None
    year: int | None
    basis: str | None
    confidence: str | None
    label: str


@record
class StatusRowData:
    as_of: date
    subject_type: str
    subject_type_label: str
    subject_id: str
    code: str
    label: str
    unit: str | None
    challenge: int | None
    family: str | None
    measured_by: str | None
    current: CurrentValue | None
    targets: list[TargetPointData]
    annual_target: ResolvedTarget | None
    final_target: ResolvedTarget | None
    expected: float | None
    expected_text: str | None
    progress_annual: float | None
    progress_global: float | None
    status: str
    status_label: str
    projection: ProjectionData | None
    lateness: Lateness
    closing: bool
    verdict: VerdictData | None
    years: list[VerdictData]
    to_check: str | None
    per_year: bool
    baseline: ProvenanceData
    target_provenance: ProvenanceData
    reasons: list[str]


def _resolved(target: Target | None, row: StatusRow) -> ResolvedTarget | None:
    if target is None:
        return None
    return ResolvedTarget(
        year=target.year,
        value=target.value,
        value_text=target_short(row.assessment.subject, target),
        written=target.written,
        source=target.source.value,
        source_label=vocabulary.TARGET_SOURCE[target.source],
        comparator=target.comparator.value,
    )


def _projection(projection: Projection | None, unit: str | None) -> ProjectionData | None:
    if projection is None:
        return None
    return ProjectionData(
        value=projection.value,
        value_text=value_text(projection.value, unit),
        at=projection.at,
        method=projection.method,
        method_label=vocabulary.PROJECTION_METHOD.get(projection.method, projection.method),
        n_points=projection.n_points,
        status=projection.projected_status.value,
        status_label=vocabulary.STATUS[projection.projected_status],
    )


def _verdict(verdict: YearVerdict) -> VerdictData:
    return VerdictData(
        year=verdict.year,
        met=verdict.met,
        value=verdict.value,
        target=verdict.target.value,
        provisional=verdict.provisional,
        awaited=verdict.awaited,
        to_check=verdict.to_check,
        label=verdict_label(verdict),
    )


def provenance_data(provenance: Provenance) -> ProvenanceData:
    return ProvenanceData(
        origin=provenance.origin,
        value=provenance.value,
        year=provenance.year,
        basis=None if provenance.basis is None else provenance.basis.value,
        confidence=None if provenance.confidence is None else provenance.confidence.value,
        label=provenance_text(provenance),
    )


def status_row(row: StatusRow) -> StatusRowData:
    """The status row as every edge shows it."""
    a = row.assessment
    unit = display_unit(a.subject)
    current, fresh = a.current, a.freshness
    return StatusRowData(
        as_of=a.as_of,
        subject_type=row.subject_type,
        subject_type_label=vocabulary.SUBJECT_TYPE[row.subject_type],
        subject_id=row.subject_id,
        code=row.code,
        label=row.label,
        unit=row.unit,
        challenge=row.challenge,
        family=row.family,
        measured_by=row.measured_by,
        current=None
        if current is None
        else CurrentValue(
            period=current.period.key,
            period_label=str(current.period),
            value=current.value,
            value_text=value_text(current.value, unit),
            provisional=current.provisional,
        ),
        targets=[
            TargetPointData(
                t.year, t.value, t.kind.value, None if t.comparator is None else t.comparator.value
            )
            for t in a.subject.targets
        ],
        annual_target=_resolved(a.annual_target, row),
        final_target=_resolved(a.final_target, row),
        expected=a.expected,
        expected_text=None if a.expected is None else value_text(a.expected, unit),
        progress_annual=a.progress_annual,
        progress_global=a.progress_global,
        status=a.status.value,
        status_label=vocabulary.STATUS[a.status],
        projection=_projection(a.projection, unit),
        lateness=Lateness(
            filled=fresh.filled,
            expected_period=fresh.expected_period.key,
            expected_on=fresh.expected_on,
            latest_period=None if fresh.latest_period is None else fresh.latest_period.key,
            is_late=fresh.is_late,
            days_late=fresh.days_late,
            label=lateness_text(fresh),
            next_period=None if fresh.next_period is None else fresh.next_period.key,
            next_expected_date=fresh.next_expected_date,
            next_label=next_value_text(fresh, a.as_of),
        ),
        closing=a.closing,
        verdict=None if a.verdict is None else _verdict(a.verdict),
        years=[_verdict(v) for v in a.years],
        to_check=a.to_check,
        per_year=a.subject.per_year,
        baseline=provenance_data(row.baseline),
        target_provenance=provenance_data(row.target),
        reasons=list(a.reasons),
    )
