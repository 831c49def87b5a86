"""Importing value and target files into the store: validated whole, then written in one
transaction, or not at all. Importing the same file again writes nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from cpog import clock
from cpog.contract.model import Contract
from cpog.formatting import fr_number
from cpog.ingest.imports import validate_targets, validate_values
from cpog.ingest.tables import (
    CellIssue,
    ImportValidationError,
    Table,
    TableError,
    ValidationReport,
    os_reason,
    read_table,
)
from cpog.store.models import ImportBatch, Measurement
from cpog.store.values import (
    NewTarget,
    NewValue,
    current_rows,
    plan_targets,
    plan_values,
    record_targets,
    record_values,
)


@dataclass
class Change:
    line: int
    subject_id: str
    what: str  # period key or year
    before: str | None
    after: str


@dataclass
class ImportOutcome:
    file: str
    kind: str
    rows: int
    changes: list[Change] = field(default_factory=list)
    dry_run: bool = False
    batch: ImportBatch | None = None

    @property
    def unchanged(self) -> int:
        return self.rows - len(self.changes)


def _read(path: Path, name: str | None) -> tuple[bytes, Table]:
    """The file's bytes and table; ``name`` is the file name users know (an uploaded copy is
    stored under a random name), used in messages and in the import batch."""
    shown = name or path.name
    try:
        raw, table = path.read_bytes(), read_table(path)
    except TableError as error:
        message = str(error).replace(path.name, shown)
        raise ImportValidationError([CellIssue(shown, 0, "", "", message)]) from error
    except OSError as error:
        raise ImportValidationError(
            [CellIssue(shown, 0, "", "", f"{shown} : fichier illisible ({os_reason(error)})")]
        ) from error
    table.source = shown
    return raw, table


def import_values(
    path: Path,
    contract: Contract,
    *,
    user: str,
    dry_run: bool = False,
    today: date | None = None,
    name: str | None = None,
) -> ImportOutcome:
    """Import a values file: every cell validated, then all rows written or none."""
    raw, table = _read(path, name)
    return apply_values(
        table,
        contract,
        user=user,
        source=Measurement.Source.IMPORT,
        dry_run=dry_run,
        today=today,
        raw=raw,
    )


def apply_values(
    table: Table,
    contract: Contract,
    *,
    user: str,
    source: str,
    dry_run: bool = False,
    today: date | None = None,
    raw: bytes | None = None,
) -> ImportOutcome:
    """Validate a table of values and write it in one transaction (files and the API).

    ``raw`` is the imported file's content: its batch is recorded when given.
    """
    rows, report = validate_values(table, contract, today or clock.today())
    report.raise_if_errors()
    scope = contract.organisation.code
    new = [
        NewValue(
            r.subject.subject_type,
            r.subject.subject_id,
            r.period,
            r.value,
            r.numerator,
            r.denominator,
            r.status,
            r.comment,
        )
        for r in rows
    ]
    lines = {(r.subject.subject_id, r.period.key): r.line for r in rows}
    with transaction.atomic():
        current = current_rows(contract.id, scope, {v.subject_id for v in new})
        plan = plan_values(contract.id, scope, new, current)
        outcome = ImportOutcome(
            table.source,
            ImportBatch.Kind.VALUES,
            len(rows),
            [
                Change(
                    lines[(v.subject_id, v.period.key)],
                    v.subject_id,
                    str(v.period),
                    None if p is None else _shown(p.value),
                    _shown(v.value),
                )
                for v, p in plan
            ],
            dry_run,
        )
        if dry_run or not plan:
            return outcome
        outcome.batch = _batch(
            contract, ImportBatch.Kind.VALUES, table, raw, len(rows), len(plan), user
        )
        record_values(
            contract.id,
            scope,
            [v for v, _ in plan],
            source=source,
            user=user,
            batch=outcome.batch,
            current=current,  # so revisions are audited with the value they replace
        )
    return outcome


def import_targets(
    path: Path,
    contract: Contract,
    *,
    user: str,
    dry_run: bool = False,
    name: str | None = None,
) -> ImportOutcome:
    """Import a targets file: every cell validated, then all rows written or none."""
    raw, table = _read(path, name)
    return apply_targets(table, contract, user=user, dry_run=dry_run, raw=raw)


def apply_targets(
    table: Table,
    contract: Contract,
    *,
    user: str,
    dry_run: bool = False,
    raw: bytes | None = None,
) -> ImportOutcome:
    """Validate a table of targets and write it in one transaction (files and the API)."""
    rows, report = validate_targets(table, contract)
    report.raise_if_errors()
    scope = contract.organisation.code
    new = [
        NewTarget(
            r.subject.subject_type,
            r.subject.subject_id,
            r.year,
            r.value,
            r.kind,
            r.provenance,
            r.comparator,
            r.reason,
        )
        for r in rows
    ]
    lines = {(r.subject.subject_id, r.year, r.kind): r.line for r in rows}
    with transaction.atomic():
        plan = plan_targets(contract.id, scope, new)
        # A target already set may change only with a stated reason: the audit needs the why.
        reasons = ValidationReport()
        for target, previous in plan:
            if previous is not None and not target.reason.strip():
                reasons.add(
                    table.source,
                    lines[(target.subject_id, target.year, target.kind)],
                    "motif",
                    "",
                    f"la cible {target.year} passe de {_shown(previous.value)} à "
                    f"{_shown(target.value)} : indiquez le motif du changement",
                )
        reasons.raise_if_errors()
        outcome = ImportOutcome(
            table.source,
            ImportBatch.Kind.TARGETS,
            len(rows),
            [
                Change(
                    lines[(t.subject_id, t.year, t.kind)],
                    t.subject_id,
                    str(t.year),
                    None if p is None else _shown(p.value),
                    _shown(t.value),
                )
                for t, p in plan
            ],
            dry_run,
        )
        if dry_run or not plan:
            return outcome
        outcome.batch = _batch(
            contract, ImportBatch.Kind.TARGETS, table, raw, len(rows), len(plan), user
        )
        record_targets(contract.id, scope, [t for t, _ in plan], user=user, batch=outcome.batch)
    return outcome


def _batch(
    contract: Contract,
    kind: str,
    table: Table,
    raw: bytes | None,
    rows: int,
    written: int,
    user: str,
) -> ImportBatch | None:
    if raw is None:
        return None
    return ImportBatch.objects.create(
        contract_id=contract.id,
        kind=kind,
        file_name=table.source,
        file_sha256=hashlib.sha256(raw).hexdigest(),
        row_count=rows,
        written_count=written,
        created_by=user,
    )


def _shown(value: Decimal) -> str:
    return fr_number(value.normalize())


__all__ = [
    "Change",
    "ImportOutcome",
    "apply_targets",
    "apply_values",
    "import_targets",
    "import_values",
]
