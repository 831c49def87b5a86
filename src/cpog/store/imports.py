"""Importing value and target files into the store: validated whole, then written in one
transaction, or not at all. Importing the same file again writes nothing.

Values pass the rule of every door (:mod:`cpog.ingest.value_rule`) with the store's series
(:class:`StoredSeries`). A value the rule converted (a rate written as a fraction) or found far
from its series is written only when the caller confirms (``confirm=True``); otherwise
:class:`ConfirmationNeeded` lists them, and nothing is written."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from cpog import clock
from cpog.assess import Observation, Policy
from cpog.assess.outliers import unusual
from cpog.contract.model import Contract
from cpog.formatting import fr_number
from cpog.ingest.imports import ValueRow, validate_targets, validate_values
from cpog.ingest.tables import (
    CellIssue,
    ImportValidationError,
    Table,
    TableError,
    ValidationReport,
    os_reason,
    read_table,
)
from cpog.ingest.value_rule import Entry, Subject
from cpog.periods import Period, parse_period
from cpog.steering import StoredTarget, indicator_subject, measure_subject, policy_of
from cpog.store.locks import lock_values
from cpog.store.models import ImportBatch, Measurement
from cpog.store.values import (
    NewTarget,
    NewValue,
    current_rows,
    current_targets,
    plan_targets,
    plan_values,
    record_targets,
    record_values,
)


class StoredSeries:
    """The store's current values and targets, for the value rule's checks that need a series:
    a rate written as a fraction, a value far from its series (:func:`cpog.assess.outliers.
    unusual` with the policy, on the subject as the assessment builds it)."""

    def __init__(self, contract: Contract, policy: Policy | None = None) -> None:
        self.contract = contract
        self.scope = contract.organisation.code
        self.policy = policy or policy_of(contract)
        # Looked up once per value of a file: index the contract once.
        self._indicators = {i.id: i for i in contract.indicators}
        self._measures = {m.id: m for _, _, m in contract.measures()}
        self._values: dict[tuple[str, str], dict[Period, Decimal]] | None = None
        self._confirmed: set[tuple[str, str, Period]] = set()
        self._targets: dict[tuple[str, str], list[StoredTarget]] | None = None

    def _load(self) -> dict[tuple[str, str], dict[Period, Decimal]]:
        if self._values is None:
            self._values = {}
            periods: dict[str, Period] = {}
            for (kind, subject_id, key), row in current_rows(self.contract.id, self.scope).items():
                period = periods.setdefault(key, parse_period(key))
                self._values.setdefault((kind, subject_id), {})[period] = row.value
                if row.confirmed_unusual:
                    self._confirmed.add((kind, subject_id, period))
        return self._values

    def values(self, subject: Subject) -> dict[Period, Decimal]:
        return self._load().get((subject.subject_type, subject.subject_id), {})

    def unusual(
        self, subject: Subject, series: Mapping[Period, Decimal], period: Period, value: Decimal
    ) -> str | None:
        key = (subject.subject_type, subject.subject_id)
        if (*key, period) in self._confirmed and self._load().get(key, {}).get(period) == value:
            return None  # this very value was confirmed already: entering it again asks nothing
        if self._targets is None:
            self._targets = {
                key: [StoredTarget(t.year, float(t.value), t.kind, t.comparator) for t in rows]
                for key, rows in current_targets(self.contract.id, self.scope).items()
            }
        targets = self._targets.get((subject.subject_type, subject.subject_id), [])
        # Only the values before ``period`` matter to the check (and to the 2022 baseline).
        end = period.end
        observations = [
            Observation(p, float(v))
            for p, v in sorted(series.items(), key=lambda item: item[0].end)
            if p.unit == period.unit and p.end < end
        ]
        if subject.subject_type == "indicator":
            indicator = self._indicators[subject.subject_id]
            assessed, _ = indicator_subject(self.contract, indicator, targets, observations)
        else:
            measure = self._measures[subject.subject_id]
            assessed, _ = measure_subject(self.contract, measure, targets, observations)
        found = unusual(assessed, observations, period, float(value), self.policy)
        return None if found is None else found.reason


def skipped_lines_text(count: int) -> str:
    """« 1 ligne du modèle laissée vide, ignorée », « 3 lignes … laissées vides, ignorées »."""
    if not count:
        return ""
    if count == 1:
        return "1 ligne du modèle laissée vide, ignorée"
    return f"{count} lignes du modèle laissées vides, ignorées"


def to_confirm_text(count: int) -> str:
    """« 1 valeur à confirmer », « 3 valeurs à confirmer »."""
    return f"{count} valeur{'s' if count > 1 else ''} à confirmer"


@dataclass
class Change:
    line: int
    subject_id: str
    what: str  # period key or year
    before: str | None
    after: str
    notes: list[str] = field(default_factory=list)  # computed value, what needs confirming
    to_confirm: list[str] = field(default_factory=list)


@dataclass
class ImportOutcome:
    file: str
    kind: str
    rows: int
    changes: list[Change] = field(default_factory=list)
    dry_run: bool = False
    batch: ImportBatch | None = None
    skipped: int = 0  # template lines left empty
    confirmed: bool = False

    @property
    def unchanged(self) -> int:
        return self.rows - len(self.changes)

    @property
    def to_confirm(self) -> list[Change]:
        """The changes the user must confirm before they are written."""
        return [c for c in self.changes if c.to_confirm]

    @property
    def confirmation_key(self) -> str:
        """A fingerprint of what is to confirm, so that a confirmation given on a preview
        confirms exactly what that preview showed, nothing found since."""
        shown = "\n".join(
            f"{c.line}|{c.subject_id}|{c.what}|{c.after}|{' ; '.join(c.to_confirm)}"
            for c in sorted(self.to_confirm, key=lambda c: (c.line, c.subject_id, c.what))
        )
        return hashlib.sha256(shown.encode("utf-8")).hexdigest()

    @property
    def skipped_text(self) -> str:
        """« 3 lignes du modèle laissées vides, ignorées », or nothing."""
        return skipped_lines_text(self.skipped)


class ConfirmationNeeded(Exception):
    """Values that need the user's confirmation were not confirmed: nothing was written."""

    def __init__(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome
        count = len(outcome.to_confirm)
        super().__init__(f"{to_confirm_text(count)} dans {outcome.file} : rien n'a été enregistré.")


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
    confirm: bool = False,
    confirmed_as: str | None = None,
) -> ImportOutcome:
    """Import a values file: every cell validated, then all rows written or none.

    ``confirmed_as``: the :attr:`ImportOutcome.confirmation_key` of the preview the user
    confirmed; when what is to confirm has changed since, nothing is written."""
    raw, table = _read(path, name)
    return apply_values(
        table,
        contract,
        user=user,
        source=Measurement.Source.IMPORT,
        dry_run=dry_run,
        today=today,
        raw=raw,
        confirm=confirm,
        confirmed_as=confirmed_as,
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
    confirm: bool = False,
    template_lines: bool = True,
    confirmed_as: str | None = None,
) -> ImportOutcome:
    """Validate a table of values and write it in one transaction (files and the API).

    ``raw`` is the imported file's content: its batch is recorded when given. Values to confirm
    (converted, unusual) are written only with ``confirm``; otherwise, unless ``dry_run``,
    :class:`ConfirmationNeeded` is raised. ``template_lines=False`` (the API) refuses lines
    without period nor value instead of counting them as an empty template line.
    """
    with transaction.atomic():
        lock_values(contract.id, contract.organisation.code)  # first: before reading the series
        check = validate_values(
            table,
            contract,
            today or clock.today(),
            StoredSeries(contract),
            skip_template_lines=template_lines,
        )
        check.report.raise_if_errors()
        rows = check.rows
        scope = contract.organisation.code
        new = [_new_value(r.entry) for r in rows]
        by_key = {(r.subject.subject_id, r.period.key): r for r in rows}
        current = current_rows(contract.id, scope, {v.subject_id for v in new})
        plan = plan_values(contract.id, scope, new, current)
        outcome = ImportOutcome(
            table.source,
            ImportBatch.Kind.VALUES,
            len(rows),
            [_value_change(by_key[(v.subject_id, v.period.key)], p) for v, p in plan],
            dry_run,
            skipped=len(check.skipped),
            confirmed=confirm,
        )
        stale = confirmed_as is not None and confirmed_as != outcome.confirmation_key
        if outcome.to_confirm and (not confirm or stale) and not dry_run:
            raise ConfirmationNeeded(outcome)
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
    template_lines: bool = True,
) -> ImportOutcome:
    """Validate a table of targets and write it in one transaction (files and the API)."""
    check = validate_targets(table, contract, skip_template_lines=template_lines)
    check.report.raise_if_errors()
    rows = check.rows
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
        lock_values(contract.id, scope)  # first: before reading the current targets
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
            skipped=len(check.skipped),
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


def _new_value(entry: Entry) -> NewValue:
    return NewValue(
        entry.subject.subject_type,
        entry.subject.subject_id,
        entry.period,
        entry.value,
        entry.numerator,
        entry.denominator,
        entry.status,
        entry.comment,
        confirmed_unusual=entry.unusual is not None,
    )


def _value_change(row: ValueRow, previous: Measurement | None) -> Change:
    entry = row.entry
    notes = []
    if entry.computed:
        notes.append("calculée : numérateur / dénominateur")
    return Change(
        row.line,
        entry.subject.subject_id,
        str(entry.period),
        None if previous is None else _shown(previous.value),
        _shown(entry.value),
        notes,
        entry.to_confirm,
    )


__all__ = [
    "Change",
    "ConfirmationNeeded",
    "ImportOutcome",
    "StoredSeries",
    "apply_targets",
    "apply_values",
    "import_targets",
    "import_values",
]
