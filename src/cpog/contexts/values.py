"""Values and targets as the API, the CLI and the Excel export list them — one shape each —:
plain records built from the store reader's :class:`~cpog.contexts.reader.ValueRecord` and
:class:`~cpog.contexts.reader.TargetRecord`, named as the contract names their subject.

The words a person types (a value's status, a target's kind and provenance, its comparator) are
those of the import files, so that what is read can be posted back or re-imported as is; the
``*_label`` fields give the app's wording."""

from __future__ import annotations

from datetime import date, datetime

from cpog import vocabulary
from cpog.contexts.reader import TargetRecord, ValueRecord
from cpog.contexts.serialize import record
from cpog.contract.model import Comparator, Contract, MeasureKind
from cpog.ingest.imports import PROVENANCE_WORDS, PROVENANCES, TARGET_KIND_WORDS, TARGET_KINDS
from cpog.periods import parse_period

# The import files' words by stored code: « individualisée », « notification Cnaf »…
KIND_WORD = dict(zip(TARGET_KINDS.values(), TARGET_KIND_WORDS, strict=True))
PROVENANCE_WORD = dict(zip(PROVENANCES.values(), PROVENANCE_WORDS, strict=True))


# (type, id) → (code shown, label, unit) of a subject that takes values.
SubjectNames = dict[tuple[str, str], tuple[str, str, str | None]]


def subject_names(contract: Contract) -> SubjectNames:
    """How each indicator and measure is named in lists and sheets, in the contract's order."""
    names: SubjectNames = {}
    for indicator in contract.indicators:
        names[("indicator", indicator.id)] = (
            indicator.code or indicator.id,
            indicator.label,
            indicator.unit,
        )
    for challenge, _, measure in contract.measures():
        names[("measure", measure.id)] = (
            measure.id,
            f"{measure.label} (défi {challenge.number})",
            measure.unit or ("%" if measure.kind is MeasureKind.MILESTONE else None),
        )
    for figure in contract.diagnosis.key_figures:  # computed from extracts (cpog compute)
        names[("figure", figure.id)] = (figure.id, figure.label, figure.unit)
    return names


@record
class ValueData:
    """One revision of a value for a period."""

    subject_type: str
    subject_type_label: str
    subject_id: str
    code: str
    label: str
    unit: str | None
    period: str
    period_label: str
    period_start: date
    period_end: date
    value: float
    numerator: float | None
    denominator: float | None
    status: str  # provisional | definitive
    status_label: str  # « provisoire » or « définitive », as in the import files
    source: str
    source_label: str
    comment: str
    recorded_by: str
    recorded_at: datetime
    batch_file: str
    in_force: bool


@record
class TargetData:
    """One stored target."""

    subject_type: str
    subject_type_label: str
    subject_id: str
    code: str
    label: str
    unit: str | None
    year: int
    value: float
    target_kind: str  # « nationale », « individualisée », « fixée », « trajectoire »
    kind_label: str  # « individualisée », « fixée par le contrat », « point de trajectoire »…
    provenance: str  # « annexe COG », « notification Cnaf », « CPOG », « déduite »
    provenance_label: str
    comparator: str  # « < », « ≤ », « ≥ », « > » or empty
    reason: str
    set_by: str
    set_at: datetime
    in_force: bool


def _named(subject_type: str, subject_id: str, names: SubjectNames) -> tuple[str, str, str | None]:
    return names.get((subject_type, subject_id), (subject_id, "", None))


def value_data(value: ValueRecord, names: SubjectNames) -> ValueData:
    period = parse_period(value.period_key)
    code, label, unit = _named(value.subject_type, value.subject_id, names)
    return ValueData(
        subject_type=value.subject_type,
        subject_type_label=vocabulary.SUBJECT_TYPE.get(value.subject_type, value.subject_type),
        subject_id=value.subject_id,
        code=code,
        label=label,
        unit=unit,
        period=value.period_key,
        period_label=str(period),
        period_start=period.start,
        period_end=period.end,
        value=value.value,
        numerator=value.numerator,
        denominator=value.denominator,
        status=value.status,
        status_label=vocabulary.VALUE_STATUS.get(value.status, value.status),
        source=value.source,
        source_label=vocabulary.VALUE_SOURCE.get(value.source, value.source),
        comment=value.comment,
        recorded_by=value.recorded_by,
        recorded_at=value.recorded_at,
        batch_file=value.batch_file,
        in_force=value.current,
    )


def _sign(comparator: str) -> str:
    return vocabulary.COMPARATOR_SIGN[Comparator(comparator)] if comparator else ""


def target_data(target: TargetRecord, names: SubjectNames) -> TargetData:
    code, label, unit = _named(target.subject_type, target.subject_id, names)
    return TargetData(
        subject_type=target.subject_type,
        subject_type_label=vocabulary.SUBJECT_TYPE.get(target.subject_type, target.subject_type),
        subject_id=target.subject_id,
        code=code,
        label=label,
        unit=unit,
        year=target.year,
        value=target.value,
        target_kind=KIND_WORD.get(target.kind, target.kind),
        kind_label=vocabulary.target_kind(target.kind),
        provenance=PROVENANCE_WORD.get(
            target.provenance, vocabulary.TARGET_PROVENANCE.get(target.provenance, "")
        ),
        provenance_label=vocabulary.TARGET_PROVENANCE.get(target.provenance, target.provenance),
        comparator=_sign(target.comparator),
        reason=target.reason,
        set_by=target.set_by,
        set_at=target.set_at,
        in_force=target.current,
    )
