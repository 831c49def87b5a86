"""Values over time: recording revisions, reading the current value of each period.

A measurement is never updated: a new value for the same subject and period is a new revision,
and the current value is the latest one recorded. Recording a value equal to the current one
(same value, status, numerator and denominator) writes nothing, so re-importing a file is a no-op.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from cpog.ingest.value_rule import Entry
from cpog.periods import Period
from cpog.store import audit, period_locks
from cpog.store.bulk import insert_rows
from cpog.store.locks import lock_values
from cpog.store.models import ImportBatch, Measurement, ScopeType, SubjectType, Target


@dataclass(frozen=True)
class NewValue:
    subject_type: str
    subject_id: str
    period: Period
    value: Decimal
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    status: str = Measurement.Status.PROVISIONAL
    comment: str = ""
    confirmed_unusual: bool = False  # far from its series, and confirmed by the user
    motif: str = ""  # why a value of a frozen year changes (cpog.store.period_locks)


@dataclass(frozen=True)
class NewTarget:
    subject_type: str
    subject_id: str
    year: int
    value: Decimal
    kind: str
    provenance: str
    comparator: str = ""
    reason: str = ""
    scope_type: str = ScopeType.CAISSE


class CurrentValue(NamedTuple):
    """The current revision of a period, as the write path needs it (no model instance)."""

    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    status: str
    source: str
    confirmed_unusual: bool


Current = Measurement | CurrentValue


def _same(row: Current, new: NewValue) -> bool:
    """Nothing to write: the same value, status and ratio — and, when the new value comes with a
    confirmation, the stored one already had it (a confirmation is worth a revision)."""
    return (
        row.value == new.value
        and row.status == new.status
        and row.numerator == new.numerator
        and row.denominator == new.denominator
        and (row.confirmed_unusual or not new.confirmed_unusual)
    )


def current_rows(
    contract_id: str, scope_code: str, subject_ids: Iterable[str] | None = None
) -> dict[tuple[str, str, str], Measurement]:
    """The current revision per (subject type, subject id, period key)."""
    query = Measurement.objects.filter(contract_id=contract_id, scope_code=scope_code)
    if subject_ids is not None:
        query = query.filter(subject_id__in=list(subject_ids))
    current: dict[tuple[str, str, str], Measurement] = {}
    for row in query.order_by("recorded_at", "id").iterator(chunk_size=5000):
        current[(row.subject_type, row.subject_id, row.period_key)] = row
    return current


_CURRENT_FIELDS = (
    "subject_type",
    "subject_id",
    "period_key",
    "value",
    "numerator",
    "denominator",
    "status",
    "source",
    "confirmed_unusual",
)


def current_values(contract_id: str, scope_code: str) -> dict[tuple[str, str, str], CurrentValue]:
    """The current revision per (subject type, subject id, period key), read in one query of
    plain tuples: what an import compares its values with."""
    query = (
        Measurement.objects.filter(contract_id=contract_id, scope_code=scope_code)
        .order_by("recorded_at", "id")
        .values_list(*_CURRENT_FIELDS)
    )
    return {
        (kind, subject_id, key): CurrentValue(*rest)
        for kind, subject_id, key, *rest in query.iterator(chunk_size=10000)
    }


def current_values_by_contract(
    contract_ids: list[str],
) -> dict[str, dict[tuple[str, str, str], CurrentValue]]:
    """:func:`current_values` of several contracts (each at its own caisse), in one query: a
    network of caisses written at once."""
    query = (
        Measurement.objects.filter(contract_id__in=contract_ids, scope_type=ScopeType.CAISSE)
        .order_by("recorded_at", "id")
        .values_list("contract_id", *_CURRENT_FIELDS)
    )
    found: dict[str, dict[tuple[str, str, str], CurrentValue]] = {}
    for contract_id, kind, subject_id, key, *rest in query.iterator(chunk_size=10000):
        found.setdefault(contract_id, {})[(kind, subject_id, key)] = CurrentValue(*rest)
    return found


def plan_values(
    contract_id: str,
    scope_code: str,
    values: list[NewValue],
    current: Mapping[tuple[str, str, str], Current] | None = None,
) -> list[tuple[NewValue, Current | None]]:
    """The values that differ from the current revision, each with the revision it replaces."""
    if current is None:
        current = current_rows(contract_id, scope_code, {v.subject_id for v in values})
    plan: list[tuple[NewValue, Current | None]] = []
    for new in values:
        previous = current.get((new.subject_type, new.subject_id, new.period.key))
        if previous is None or not _same(previous, new):
            plan.append((new, previous))
    return plan


_MEASUREMENT_COLUMNS = (
    "contract_id",
    "subject_type",
    "subject_id",
    "scope_type",
    "scope_code",
    "period_key",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "status",
    "source",
    "batch",
    "comment",
    "confirmed_unusual",
    "motif",
    "recorded_by",
    "recorded_at",
)


def record_values(
    contract_id: str,
    scope_code: str,
    values: list[NewValue],
    *,
    source: str,
    user: str,
    batch: ImportBatch | None = None,
    at: datetime | None = None,
    current: Mapping[tuple[str, str, str], Current] | None = None,
    scope_type: str = ScopeType.CAISSE,
    motif: str = "",
) -> list[NewValue]:
    """Write the values that differ from the current revision; return the values written.

    The caller owns the transaction: an import wraps the whole file in one. The lock is taken
    here too (a no-op when the caller took it first, as it should, before its own reads).
    Rows and their audit events are written in bulk (:mod:`cpog.store.bulk`). ``scope_type``:
    the caisse (default) or a territory (``scope_code`` its SIREN or INSEE code).
    """
    lock_values(contract_id, scope_code)
    plan = plan_values(contract_id, scope_code, values, current)
    write_plan(
        contract_id,
        scope_code,
        plan,
        source=source,
        user=user,
        batch=batch,
        at=at,
        scope_type=scope_type,
        motif=motif,
    )
    return [new for new, _ in plan]


def write_plan(
    contract_id: str,
    scope_code: str,
    plan: list[tuple[NewValue, Current | None]],
    *,
    source: str,
    user: str,
    batch: ImportBatch | None = None,
    at: datetime | None = None,
    scope_type: str = ScopeType.CAISSE,
    motif: str = "",
) -> None:
    """Write each planned value (with the revision it replaces) and its audit event, as
    planned: the caller decided what differs (:func:`plan_values`, or a computation, which
    also compares definition versions). Locked and in the caller's transaction.

    Every door writes through here: the lock of frozen years is checked here
    (:func:`cpog.store.period_locks.guard`). A value of a frozen year needs a motif (its own
    or ``motif``), else :class:`~cpog.store.period_locks.FrozenYearRefused` is raised and the
    caller's transaction writes nothing; with one, the revision keeps it and its audit event is
    flagged with the frozen year."""
    lock_values(contract_id, scope_code)
    frozen = period_locks.guard(contract_id, (new for new, _ in plan), motif)
    at = at or timezone.now()
    batch_id = batch.pk if batch is not None else None
    context = batch.file_name if batch else source
    territory = scope_type != ScopeType.CAISSE
    caisse = audit.caisse_of(contract_id)
    rows = []
    events = []
    for new, previous in plan:
        # the same value confirmed before stays confirmed (only its status changed, say)
        confirmed = new.confirmed_unusual or (
            previous is not None and previous.value == new.value and previous.confirmed_unusual
        )
        period = new.period
        frozen_year = period_locks.year_of(period) if frozen else None
        why = (new.motif or motif).strip() if frozen_year in frozen else ""
        rows.append(
            (
                contract_id,
                new.subject_type,
                new.subject_id,
                scope_type,
                scope_code,
                period.key,
                period.start,
                period.end,
                new.value,
                new.numerator,
                new.denominator,
                new.status,
                source,
                batch_id,
                new.comment,
                confirmed,
                why,
                user,
                at,
            )
        )
        after = {"value": str(new.value), "status": new.status, "source": source}
        if confirmed:
            after["confirmed_unusual"] = CONFIRMED_NOTE
        if territory:
            after["territory"] = scope_code
        if why:
            after[period_locks.FROZEN_YEAR_KEY] = str(frozen_year)
            after[period_locks.MOTIF_KEY] = why
        events.append(
            audit.row(
                "measurement",
                f"{new.subject_type}:{new.subject_id}:{period.key}",
                "create" if previous is None else "revise",
                user,
                before=_snapshot(previous),
                after=after,
                context=context,
                at=at,
                caisse=caisse,
            )
        )
    insert_rows(Measurement, _MEASUREMENT_COLUMNS, rows)
    audit.insert_many(events)


CONFIRMED_NOTE = "valeur inhabituelle confirmée"


def _snapshot(row: Current | None) -> dict[str, str] | None:
    if row is None:
        return None
    snapshot = {"value": str(row.value), "status": row.status, "source": row.source}
    if row.confirmed_unusual:
        snapshot["confirmed_unusual"] = CONFIRMED_NOTE
    return snapshot


def history(
    contract_id: str, scope_code: str, subject_type: str, subject_id: str
) -> list[Measurement]:
    """Every revision of a subject, oldest first."""
    return list(
        Measurement.objects.filter(
            contract_id=contract_id,
            scope_code=scope_code,
            subject_type=subject_type,
            subject_id=subject_id,
        ).order_by("period_end", "recorded_at", "id")
    )


def current_targets(contract_id: str, scope_code: str) -> dict[tuple[str, str], list[Target]]:
    """The current target per (subject type, subject id), one per (year, kind): latest set wins."""
    latest: dict[tuple[str, str, int, str], Target] = {}
    query = Target.objects.filter(contract_id=contract_id, scope_code=scope_code)
    for row in query.order_by("set_at", "id").iterator(chunk_size=5000):
        latest[(row.subject_type, row.subject_id, row.year, row.kind)] = row
    grouped: dict[tuple[str, str], list[Target]] = defaultdict(list)
    for (subject_type, subject_id, _, _), row in sorted(latest.items()):
        grouped[(subject_type, subject_id)].append(row)
    return grouped


def plan_targets(
    contract_id: str, scope_code: str, targets: list[NewTarget]
) -> list[tuple[NewTarget, Target | None]]:
    """Targets that differ from the current one of the same subject, year and kind."""
    existing = current_targets(contract_id, scope_code)
    plan: list[tuple[NewTarget, Target | None]] = []
    for new in targets:
        previous = next(
            (
                t
                for t in existing.get((new.subject_type, new.subject_id), [])
                if t.year == new.year and t.kind == new.kind
            ),
            None,
        )
        if previous is None or previous.value != new.value or previous.comparator != new.comparator:
            plan.append((new, previous))
    return plan


def record_targets(
    contract_id: str,
    scope_code: str,
    targets: list[NewTarget],
    *,
    user: str,
    batch: ImportBatch | None = None,
    at: datetime | None = None,
) -> list[Target]:
    """Write targets that differ from the current one of the same subject, year and kind."""
    lock_values(contract_id, scope_code)
    at = at or timezone.now()
    plan = plan_targets(contract_id, scope_code, targets)
    written = [
        Target(
            contract_id=contract_id,
            subject_type=new.subject_type,
            subject_id=new.subject_id,
            scope_type=new.scope_type,
            scope_code=scope_code,
            year=new.year,
            value=new.value,
            comparator=new.comparator,
            kind=new.kind,
            provenance=new.provenance,
            reason=new.reason,
            batch=batch,
            set_by=user,
            set_at=at,
        )
        for new, _ in plan
    ]
    Target.objects.bulk_create(written)
    caisse = audit.caisse_of(contract_id)
    audit.record_many(
        audit.event(
            "target",
            f"{row.subject_type}:{row.subject_id}:{row.year}:{row.kind}",
            "create" if previous is None else "revise",
            user,
            before=None if previous is None else {"value": str(previous.value)},
            after={"value": str(row.value), "provenance": row.provenance, "reason": row.reason},
            context=batch.file_name if batch else "",
            at=at,
            caisse=caisse,
        )
        for row, (_, previous) in zip(written, plan, strict=True)
    )
    return written


__all__ = [
    "NewTarget",
    "NewValue",
    "SubjectType",
    "current_rows",
    "current_targets",
    "current_values",
    "history",
    "plan_targets",
    "plan_values",
    "record_targets",
    "record_values",
    "write_plan",
]


def enter_value(
    contract_id: str,
    scope_code: str,
    subject_type: str,
    subject_id: str,
    entry: Entry,
    *,
    user: str,
    source: str = Measurement.Source.MANUAL,
    motif: str = "",
) -> bool:
    """One value entered through a form, already checked by the value rule: locked, written
    with its audit event in one transaction. False when it equals the value in force (nothing
    written)."""
    with transaction.atomic():
        lock_values(contract_id, scope_code)
        written = record_values(
            contract_id,
            scope_code,
            [
                NewValue(
                    subject_type,
                    subject_id,
                    entry.period,
                    entry.value,
                    entry.numerator,
                    entry.denominator,
                    status=entry.status,
                    comment=entry.comment,
                    confirmed_unusual=entry.unusual is not None,
                )
            ],
            source=source,
            user=user,
            motif=motif,
        )
    return bool(written)
