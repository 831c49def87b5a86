"""Where the whole contract stands: every indicator and measure assessed, rolled up per défi and
per family. Pure: takes the contract and plain values, so the store, the web pages, the reports
and the benchmarks share it.

Baselines: a measure's baseline is the one the contract states. When the contract gives none
(indicators; measures such as « +10 % »), the baseline is the value of the last period of the
year before the contract starts (2022 for 2023-2027), if one is known — the reference the text
implies — and the row says so (:class:`Provenance`).

A measure linked to an indicator (``indicator:`` in the contract) takes that indicator's values,
at its periodicity: the two are one subject, counted once in their défi's roll-up, the measure
keeping its own target. An indicator a défi lists is counted in that défi only when no measure of
the défi takes its values.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cpog import vocabulary
from cpog.assess import (
    Assessment,
    BaselinePoint,
    Observation,
    Policy,
    RollUp,
    Subject,
    TargetPoint,
    TargetSource,
    assess,
    roll_up,
)
from cpog.assess.policy import policy_from_mapping, read_policy_file
from cpog.contract.model import (
    Basis,
    Comparator,
    Confidence,
    Contract,
    Cumulation,
    Indicator,
    IndicatorType,
    Measure,
    MeasureKind,
    Periodicity,
    TargetKind,
)
from cpog.contract.units import adds_up, value_range
from cpog.gcpause import paused_collection

POLICY_ENV = "CPOG_POLICY"

SubjectKey = tuple[str, str]  # (subject type, subject id)

# Measures of targeted results are followed year by year; their values arrive with the annual
# review, hence a longer availability delay than monthly production indicators.
MEASURE_LAG_DAYS = 90


CLOSED_ACTIONS = frozenset({"done", "cancelled"})


def action_late(status: str, due_date: date | None, today: date) -> bool:
    """The one definition of a late action: marked « en retard », or past its due date while
    neither done nor abandoned."""
    if status in CLOSED_ACTIONS:
        return False
    return status == "late" or (due_date is not None and due_date < today)


def as_of_problem(contract: Contract, day: date) -> str | None:
    """Why ``day`` cannot be a date of situation for ``contract``, in French (None if it can)."""
    first, last = contract.period.start - 20, contract.period.end + 20
    if not first <= day.year <= last:
        return f"date de situation hors des années {first} à {last}"
    return None


def policy_of(contract: Contract) -> Policy:
    """The assessment policy: the shipped one, overridden by the contract folder's policy.yaml,
    then by the file named in ``CPOG_POLICY``. Raises :class:`cpog.assess.PolicyError` (French,
    naming the file and the key) when one cannot be used."""
    written: dict[str, object] = {}
    origin = "politique par défaut"
    if contract.policy is not None:
        written = contract.policy.model_dump(exclude_none=True)
        origin = f"{contract.id}/policy.yaml"
    path = os.environ.get(POLICY_ENV, "").strip()
    if path:
        written = {**written, **read_policy_file(path)}
        origin = path if contract.policy is None else f"{origin} et {path}"
    return policy_from_mapping(written, origin=origin)


@dataclass(frozen=True)
class StoredTarget:
    year: int
    value: float
    kind: str  # individualised | fixed | national | trajectory
    comparator: str = ""  # lt | le | ge | gt | ""
    provenance: str = ""  # cog_annex | cnaf_notification | cpog | derived | demo


@dataclass(frozen=True)
class Provenance:
    """Where a baseline or a target comes from, told the same way by every page and command.

    ``origin``: ``contract`` (the signed text, read by cpog), ``store`` (a value or a target
    entered in cpog), or ``none``. ``basis`` and ``confidence`` are the contract's reading
    (stated, stated elsewhere, derived, an average, a cpog default to confirm); ``kind`` and
    ``source`` those of a stored target (individualised…, notification Cnaf…); ``note`` says
    more in French.
    """

    origin: str
    value: float | None = None
    year: int | None = None
    basis: Basis | None = None
    confidence: Confidence | None = None
    note: str = ""
    kind: str = ""
    source: str = ""


NO_PROVENANCE = Provenance("none")


def provenance_text(provenance: Provenance) -> str:
    """Where a baseline or target comes from, in French, the same on every page and command:
    « énoncée dans une autre partie du texte signé, confiance élevée — Résultats 2018-2022 … »,
    « individualisée, notification de la Cnaf », « valeur 2022 enregistrée dans cpog (le contrat
    n'en donne pas) », « aucune »."""
    if provenance.origin == "none":
        return "aucune"
    parts: list[str] = []
    if provenance.kind:
        parts.append(vocabulary.target_kind(provenance.kind))
    if provenance.source:
        parts.append(vocabulary.TARGET_PROVENANCE.get(provenance.source, provenance.source))
    if provenance.basis is not None:
        parts.append(vocabulary.BASIS[provenance.basis])
    if provenance.confidence is not None:
        parts.append(f"confiance {vocabulary.CONFIDENCE[provenance.confidence]}")
    text = ", ".join(parts)
    if provenance.note:
        text = f"{text} — {provenance.note}" if text else provenance.note
    return text


@dataclass(frozen=True)
class StatusRow:
    subject_type: str
    subject_id: str
    code: str
    label: str
    unit: str | None
    challenge: int | None
    family: str | None
    baseline: Provenance
    assessment: Assessment
    series: tuple[Observation, ...] = ()  # the values it was assessed on, for charts and tables
    target: Provenance = NO_PROVENANCE  # of the final target
    measured_by: str | None = None  # the indicator whose values a measure takes


@dataclass(frozen=True)
class RolledItem:
    """A subject counted in a défi's roll-up, with its weight; ``counted_with`` names the measure
    an indicator of the défi is counted with (weight 0 here, the measure counts)."""

    subject_type: str
    subject_id: str
    weight: float
    counted_with: str | None = None


@dataclass(frozen=True)
class ContractStatus:
    as_of: date
    rows: list[StatusRow]
    challenges: dict[int, RollUp] = field(default_factory=dict)
    families: dict[str, RollUp] = field(default_factory=dict)
    challenge_items: dict[int, list[RolledItem]] = field(default_factory=dict)

    def row(self, subject_id: str) -> StatusRow:
        return next(r for r in self.rows if r.subject_id == subject_id)

    def challenge_rows(self, number: int) -> list[tuple[StatusRow, RolledItem]]:
        """The subjects of défi ``number`` with their weight, in the contract's order."""
        by_key = {(r.subject_type, r.subject_id): r for r in self.rows}
        return [
            (by_key[(i.subject_type, i.subject_id)], i)
            for i in self.challenge_items.get(number, [])
            if (i.subject_type, i.subject_id) in by_key
        ]


def signed_targets(contract: Contract) -> list[tuple[str, str, int, Decimal, str]]:
    """The targets the signed text states, as (subject type, subject id, year, value,
    comparator): the figures of targeted results' measures, and the « Cible » cells of the
    indicator table that give a value (« Cible : 100% en 2027 »). Other cells (« COG »,
    « Individualisée à partir de 2024 ») name the kind of target to come, not a value."""
    found: list[tuple[str, str, int, Decimal, str]] = []
    for indicator in contract.indicators:
        stated = indicator.target
        if stated.kind is TargetKind.FIXED and stated.value is not None and stated.year:
            found.append(("indicator", indicator.id, stated.year, Decimal(str(stated.value)), ""))
    for _, _, measure in contract.measures():
        target = measure.target
        if target is None or target.value is None or target.year is None:
            continue
        if measure.kind in {MeasureKind.TREND, MeasureKind.MILESTONE}:
            continue
        comparator = measure.comparator.value if measure.comparator else ""
        found.append(("measure", measure.id, target.year, Decimal(str(target.value)), comparator))
    return found


def _points(stored: Sequence[StoredTarget]) -> list[TargetPoint]:
    return [
        TargetPoint(
            t.year,
            t.value,
            TargetSource(t.kind),
            Comparator(t.comparator) if t.comparator else None,
        )
        for t in stored
    ]


def _reference(observations: Sequence[Observation], year: int) -> BaselinePoint | None:
    """The value of the last period that ends in ``year``."""
    in_year = [o for o in observations if o.period.end.year == year]
    if not in_year:
        return None
    last = max(in_year, key=lambda o: o.period)
    return BaselinePoint(last.value, year)


def _store_reference(point: BaselinePoint | None) -> Provenance:
    if point is None:
        return NO_PROVENANCE
    return Provenance(
        "store",
        point.value,
        point.year,
        note=f"valeur {point.year} enregistrée dans cpog (le contrat n'en donne pas)",
    )


def _bounds(unit: str | None, declared: object) -> tuple[float | None, float | None]:
    allowed = value_range(unit, declared)  # type: ignore[arg-type]
    return allowed.min, allowed.max


def yearly_total(indicator: Indicator) -> bool:
    """Whether an indicator's year-to-date values grow toward a yearly total."""
    if indicator.cumulation is not Cumulation.YEAR_TO_DATE:
        return False
    if indicator.yearly_total is not None:
        return indicator.yearly_total
    return adds_up(indicator.unit)


def _final(stored: Sequence[StoredTarget], end: int) -> StoredTarget | None:
    ranks = {"individualised": 0, "fixed": 1, "national": 2, "trajectory": 3}
    kept = [t for t in stored if t.year <= end]
    if not kept:
        return None
    year = max(t.year for t in kept)
    return min((t for t in kept if t.year == year), key=lambda t: ranks.get(t.kind, 9))


def target_provenance(
    stored: Sequence[StoredTarget], end: int, measure: Measure | None = None
) -> Provenance:
    """Where the final target comes from: the stored target, with the contract's reading when it
    is the one the signed text states."""
    final = _final(stored, end)
    if final is None:
        return NO_PROVENANCE
    basis: Basis | None = None
    confidence: Confidence | None = None
    note = ""
    if final.provenance == "cpog" and measure is not None and measure.target is not None:
        stated = stated_target(measure)
        basis, confidence, note = stated.basis, stated.confidence, stated.note
    return Provenance(
        "store",
        final.value,
        final.year,
        basis,
        confidence,
        note,
        kind=final.kind,
        source=final.provenance,
    )


def indicator_subject(
    contract: Contract,
    indicator: Indicator,
    targets: Sequence[StoredTarget],
    observations: Sequence[Observation],
) -> tuple[Subject, Provenance]:
    baseline = _reference(observations, contract.period.start - 1)
    return (
        Subject(
            id=indicator.id,
            label=indicator.label,
            direction=indicator.direction,
            contract_start=contract.period.start,
            contract_end=contract.period.end,
            unit=indicator.unit,
            assessed=indicator.type == IndicatorType.RESULT,
            periodicity=indicator.periodicity,
            cumulation=indicator.cumulation,
            availability_lag_days=indicator.availability_lag_days,
            baseline=baseline,
            targets=_points(targets),
            yearly_total=yearly_total(indicator),
            bounds=_bounds(indicator.unit, indicator.value_range),
        ),
        _store_reference(baseline),
    )


def measure_subject(
    contract: Contract,
    measure: Measure,
    targets: Sequence[StoredTarget],
    observations: Sequence[Observation],
) -> tuple[Subject, Provenance]:
    """The measure as a subject; a measure linked to an indicator is assessed on the indicator's
    values (``observations`` are then the indicator's), at the indicator's periodicity."""
    if measure.baseline is not None:
        baseline: BaselinePoint | None = BaselinePoint(
            measure.baseline.value, measure.baseline.year
        )
        source = stated_baseline(measure)
    else:
        baseline = _reference(observations, contract.period.start - 1)
        source = _store_reference(baseline)
    points = _points(targets)  # a milestone without one is due at the end (targets.py)
    linked = contract.indicator(measure.indicator) if measure.indicator else None
    unit = measure.unit if measure.kind is not MeasureKind.MILESTONE else "%"
    return (
        Subject(
            id=measure.id,
            label=measure.label,
            direction=measure.direction,
            contract_start=contract.period.start,
            contract_end=contract.period.end,
            unit=measure.unit,
            baseline=baseline,
            targets=points,
            measure_kind=measure.kind,
            per_year=measure.per_year,
            bounds=_bounds(unit, measure.value_range),
            # Values come yearly with the annual review, or as the linked indicator's do.
            periodicity=linked.periodicity if linked else Periodicity.ANNUAL,
            cumulation=linked.cumulation if linked else Cumulation.NONE,
            availability_lag_days=(linked.availability_lag_days if linked else MEASURE_LAG_DAYS),
            yearly_total=yearly_total(linked) if linked else False,
        ),
        source,
    )


def stated_baseline(measure: Measure) -> Provenance:
    """The baseline the contract states for ``measure``, with its reading; « aucune » when the
    text gives none (the store's value of the year before the contract is then used)."""
    if measure.baseline is None:
        return NO_PROVENANCE
    return Provenance(
        "contract",
        measure.baseline.value,
        measure.baseline.year,
        measure.baseline.basis,
        _confidence_of(measure, "baseline"),
        measure.baseline.note or "",
    )


def stated_target(measure: Measure) -> Provenance:
    """The target the contract states for ``measure``, with its reading."""
    target = measure.target
    if target is None or (target.value is None and target.reference is None):
        return NO_PROVENANCE
    return Provenance(
        "contract",
        target.value,
        target.year,
        target.basis,
        _confidence_of(measure, "target"),
        target.note or "",
    )


def _confidence_of(measure: Measure, field_name: str) -> Confidence:
    """The confidence of one reading of a measure: its own to_confirm entry (« baseline »,
    « baseline.year »…), else the measure's."""
    return next(
        (
            c.confidence
            for c in measure.to_confirm
            if c.field == field_name or c.field.startswith(f"{field_name}.")
        ),
        measure.confidence,
    )


def contract_status(
    contract: Contract,
    targets: Mapping[SubjectKey, Sequence[StoredTarget]],
    observations: Mapping[SubjectKey, Sequence[Observation]],
    as_of: date,
    policy: Policy | None = None,
) -> ContractStatus:
    """Assess every indicator and measure of ``contract`` at ``as_of``."""
    with paused_collection():  # thousands of small objects, no cycles worth collecting midway
        return _contract_status(contract, targets, observations, as_of, policy or Policy())


def _contract_status(
    contract: Contract,
    targets: Mapping[SubjectKey, Sequence[StoredTarget]],
    observations: Mapping[SubjectKey, Sequence[Observation]],
    as_of: date,
    policy: Policy,
) -> ContractStatus:
    end = contract.period.end
    rows: list[StatusRow] = []
    challenge_of: dict[str, int] = {}
    for challenge in contract.challenges:
        for targeted in challenge.targeted_results:
            for measure in targeted.measures:
                challenge_of[measure.id] = challenge.number
    series_of: dict[str, list[Observation]] = {}
    for indicator in contract.indicators:
        key = ("indicator", indicator.id)
        row = indicator_status(
            contract, indicator, targets.get(key, ()), observations.get(key, ()), as_of, policy
        )
        series_of[indicator.id] = list(row.series)
        rows.append(row)
    for _, _, measure in contract.measures():
        key = ("measure", measure.id)
        linked = contract.indicator(measure.indicator) if measure.indicator else None
        if linked is not None:
            series = series_of[linked.id]
        else:
            series = _same_grain(observations.get(key, ()), Periodicity.ANNUAL)
        stored = targets.get(key, ())
        subject, source = measure_subject(contract, measure, stored, series)
        rows.append(
            StatusRow(
                "measure",
                measure.id,
                measure.id,
                measure.label,
                measure.unit,
                challenge_of[measure.id],
                None,
                source,
                assess(subject, series, as_of, policy),
                tuple(series),
                target_provenance(stored, end, measure),
                linked.id if linked is not None else None,
            )
        )
    items = challenge_items(contract)
    closing = as_of.year > end
    return ContractStatus(
        as_of,
        rows,
        _challenge_rollups(contract, rows, items, closing),
        _family_rollups(rows, closing),
        items,
    )


def indicator_status(
    contract: Contract,
    indicator: Indicator,
    stored: Sequence[StoredTarget],
    observations: Sequence[Observation],
    as_of: date,
    policy: Policy,
) -> StatusRow:
    """One indicator of ``contract`` assessed at ``as_of`` (its values at its periodicity)."""
    series = _same_grain(observations, indicator.periodicity)
    subject, source = indicator_subject(contract, indicator, stored, series)
    return StatusRow(
        "indicator",
        indicator.id,
        indicator.code or indicator.id,
        indicator.label,
        indicator.unit,
        None,
        indicator.family,
        source,
        assess(subject, series, as_of, policy),
        tuple(series),
        target_provenance(stored, contract.period.end),
    )


def challenge_items(contract: Contract) -> dict[int, list[RolledItem]]:
    """The subjects each défi counts, once each: its measures (weight 1), then the indicators it
    lists with their weight — an indicator whose values a measure of the défi takes is counted
    with that measure (shown with weight 0)."""
    result: dict[int, list[RolledItem]] = {}
    for challenge in contract.challenges:
        measures = [m for r in challenge.targeted_results for m in r.measures]
        measured = {m.indicator: m.id for m in measures if m.indicator}
        items = [RolledItem("measure", m.id, 1.0) for m in measures]
        for link in challenge.indicators:
            if link.indicator in measured:
                items.append(RolledItem("indicator", link.indicator, 0.0, measured[link.indicator]))
            else:
                items.append(RolledItem("indicator", link.indicator, link.weight))
        result[challenge.number] = items
    return result


def challenges_of_subject(contract: Contract, subject_type: str, subject_id: str) -> set[int]:
    """The défis a subject belongs to (the défi of a measure, the défis listing an indicator):
    those whose :func:`challenge_items` hold it."""
    return {
        number
        for number, items in challenge_items(contract).items()
        if any(i.subject_type == subject_type and i.subject_id == subject_id for i in items)
    }


def _same_grain(observations: Sequence[Observation], periodicity: Periodicity) -> list[Observation]:
    """Values at the indicator's own periodicity; a series mixing grains cannot be trended."""
    from cpog.assess.types import PERIOD_UNITS

    unit = PERIOD_UNITS[periodicity]
    same = [o for o in observations if o.period.unit == unit]
    return same if same else list(observations)


def _challenge_rollups(
    contract: Contract,
    rows: list[StatusRow],
    items: dict[int, list[RolledItem]],
    closing: bool,
) -> dict[int, RollUp]:
    by_id = {(r.subject_type, r.subject_id): r for r in rows}
    return {
        number: roll_up(
            [
                (by_id[(i.subject_type, i.subject_id)].assessment, i.weight)
                for i in rolled
                if (i.subject_type, i.subject_id) in by_id
            ],
            closing,
        )
        for number, rolled in items.items()
    }


def _family_rollups(rows: list[StatusRow], closing: bool) -> dict[str, RollUp]:
    grouped: dict[str, list[tuple[Assessment, float]]] = defaultdict(list)
    for row in rows:
        if row.family is not None:
            grouped[row.family].append((row.assessment, 1.0))
    return {family: roll_up(items, closing) for family, items in grouped.items()}


def restricted(
    contract: Contract, status: ContractStatus, keep: Callable[[StatusRow], StatusRow | None]
) -> ContractStatus:
    """``status`` with only the rows ``keep`` returns (possibly changed), rolled up again: the
    status of a territory counts only the subjects that have values there (decision 020)."""
    rows = [kept for row in status.rows if (kept := keep(row)) is not None]
    present = {(r.subject_type, r.subject_id) for r in rows}
    items = {
        number: [i for i in rolled if (i.subject_type, i.subject_id) in present]
        for number, rolled in status.challenge_items.items()
    }
    closing = status.as_of.year > contract.period.end
    return ContractStatus(
        status.as_of,
        rows,
        _challenge_rollups(contract, rows, items, closing),
        _family_rollups(rows, closing),
        items,
    )
