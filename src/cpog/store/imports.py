"""Importing value and target files into the store: validated whole, then written in one
transaction, or not at all. Importing the same file again writes nothing.

Values pass the rule of every door (:mod:`cpog.ingest.value_rule`) with the store's series
(:class:`StoredSeries`). A value the rule converted (a rate written as a fraction) or found far
from its series is written only when the caller confirms (``confirm=True``); otherwise
:class:`ConfirmationNeeded` lists them, and nothing is written."""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from cpog import clock
from cpog.assess import Observation, Policy
from cpog.assess import Subject as AssessedSubject
from cpog.assess.outliers import unusual_after
from cpog.contract.model import Contract
from cpog.formatting import fr_date, fr_number
from cpog.gcpause import paused_collection
from cpog.ingest.imports import TERRITORY, ValueRow, validate_targets, validate_values
from cpog.ingest.tables import (
    CellIssue,
    ImportValidationError,
    Table,
    ValidationReport,
    os_reason,
    read_table_for_import,
)
from cpog.ingest.value_rule import Entry, Series, Subject, plain_key
from cpog.periods import Period, parse_period
from cpog.scope import STORE_CAISSE, STORE_TERRITORY
from cpog.steering import StoredTarget, indicator_subject, measure_subject, policy_of
from cpog.store import period_locks
from cpog.store.locks import lock_values
from cpog.store.models import AuditEvent, ImportBatch, Measurement
from cpog.store.territories import caisse_territories
from cpog.store.values import (
    Current,
    CurrentValue,
    NewTarget,
    NewValue,
    current_targets,
    current_values,
    plan_targets,
    plan_values,
    record_targets,
    record_values,
)
from cpog.territories import Territories


class StoredSeries:
    """The store's current values and targets, for the value rule's checks that need a series:
    a rate written as a fraction, a value far from its series (:func:`cpog.assess.outliers.
    unusual` with the policy, on the subject as the assessment builds it).

    :attr:`current` (the store's current revisions, read at the first need) serves an import's
    plan too, so the store is read once per file."""

    def __init__(
        self, contract: Contract, policy: Policy | None = None, scope: str | None = None
    ) -> None:
        self.contract = contract
        self.scope = scope or contract.organisation.code
        self.policy = policy or policy_of(contract)
        # Looked up once per value of a file: index the contract once.
        self._indicators = {i.id: i for i in contract.indicators}
        self._measures = {m.id: m for _, _, m in contract.measures()}
        self._current: Mapping[tuple[str, str, str], CurrentValue] | None = None
        self._values: dict[tuple[str, str], dict[Period, Decimal]] | None = None
        self._confirmed: set[tuple[str, str, Period]] = set()
        self._targets: dict[tuple[str, str], list[StoredTarget]] | None = None
        # The assessed subject depends on its series only through its baseline year's value.
        self._subjects: dict[tuple[str, str, float | None], AssessedSubject] = {}

    @property
    def current(self) -> Mapping[tuple[str, str, str], CurrentValue]:
        if self._current is None:
            self._current = current_values(self.contract.id, self.scope)
        return self._current

    def _load(self) -> dict[tuple[str, str], dict[Period, Decimal]]:
        if self._values is None:
            self._values = {}
            periods: dict[str, Period] = {}
            for (kind, subject_id, key), row in self.current.items():
                period = periods.get(key)
                if period is None:
                    period = periods[key] = parse_period(key)
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
        # Only the values before ``period`` matter to the check (and to the 2022 baseline).
        if isinstance(series, Series):
            before = series.before(period)
        else:
            end = period.end
            before = sorted(
                (p for p in series if p.unit == period.unit and p.end < end), key=lambda p: p.end
            )
        if not before:
            return None
        # The baseline: the last value of the year before the contract (steering._reference).
        baseline_year = self.contract.period.start - 1
        at = bisect_right(before, date(baseline_year, 12, 31), key=lambda p: p.end)
        reference = (
            [Observation(before[at - 1], float(series[before[at - 1]]))]
            if at and before[at - 1].end.year == baseline_year
            else []
        )
        assessed = self._subject(subject, reference)

        def earlier() -> list[Observation]:
            return [Observation(p, float(series[p])) for p in before]

        last = before[-1]
        found = unusual_after(
            assessed,
            Observation(last, float(series[last])),
            earlier,
            period,
            float(value),
            self.policy,
        )
        return None if found is None else found.reason

    def _subject(self, subject: Subject, reference: list[Observation]) -> AssessedSubject:
        """The subject as the assessment builds it, once per subject and baseline value."""
        key = (subject.subject_type, subject.subject_id, reference[0].value if reference else None)
        assessed = self._subjects.get(key)
        if assessed is None:
            if self._targets is None:
                self._targets = {
                    key: [StoredTarget(t.year, float(t.value), t.kind, t.comparator) for t in rows]
                    for key, rows in current_targets(self.contract.id, self.scope).items()
                }
            targets = self._targets.get((subject.subject_type, subject.subject_id), [])
            if subject.subject_type == "indicator":
                indicator = self._indicators[subject.subject_id]
                assessed, _ = indicator_subject(self.contract, indicator, targets, reference)
            else:
                measure = self._measures[subject.subject_id]
                assessed, _ = measure_subject(self.contract, measure, targets, reference)
            self._subjects[key] = assessed
        return assessed


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
    """A line that changes the store: the value it replaces and the new one, as shown (French
    numbers, formatted when read: a file of 100 000 values shows a few of them)."""

    line: int
    subject_id: str
    what: str  # period key or year
    before_value: Decimal | None
    after_value: Decimal
    notes: list[str] = field(default_factory=list)  # computed value, what needs confirming
    to_confirm: list[str] = field(default_factory=list)
    territory: str = ""  # the territory's code; "" for the caisse

    @property
    def before(self) -> str | None:
        return None if self.before_value is None else _shown(self.before_value)

    @property
    def after(self) -> str:
        return _shown(self.after_value)


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
    # The earlier import of the very same file, when nothing was written since: this one then
    # changes nothing, and the file is not read again (see :func:`import_values`).
    identical_to: ImportBatch | None = None

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
            + (f"|{c.territory}" if c.territory else "")
            for c in sorted(self.to_confirm, key=lambda c: (c.line, c.subject_id, c.what))
        )
        return hashlib.sha256(shown.encode("utf-8")).hexdigest()

    @property
    def skipped_text(self) -> str:
        """« 3 lignes du modèle laissées vides, ignorées », or nothing."""
        return skipped_lines_text(self.skipped)

    @property
    def identical_text(self) -> str:
        """« même fichier que l'import du 27/11/2026 à 10:42, rien n'a changé depuis », or ""."""
        if self.identical_to is None:
            return ""
        at = timezone.localtime(self.identical_to.created_at)
        return (
            f"même fichier que l'import du {fr_date(at.date())} à {at:%H:%M},"
            " rien n'a changé depuis"
        )


class ConfirmationNeeded(Exception):
    """Values that need the user's confirmation were not confirmed: nothing was written."""

    def __init__(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome
        count = len(outcome.to_confirm)
        super().__init__(f"{to_confirm_text(count)} dans {outcome.file} : rien n'a été enregistré.")


def _read(path: Path, name: str | None, prefer: str | None = None) -> tuple[bytes, Table]:
    """The file's bytes and table; ``name`` is the file name users know (an uploaded copy is
    stored under a random name), used in messages and in the import batch."""
    table = read_table_for_import(path, name, prefer=prefer)
    try:
        return path.read_bytes(), table
    except OSError as error:  # gone since it was read
        shown = table.source
        raise ImportValidationError(
            [CellIssue(shown, 0, "", "", f"{shown} : fichier illisible ({os_reason(error)})")]
        ) from error


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
    motif: str = "",
) -> ImportOutcome:
    """Import a values file: every cell validated, then all rows written or none.

    ``confirmed_as``: the :attr:`ImportOutcome.confirmation_key` of the preview the user
    confirmed; when what is to confirm has changed since, nothing is written.

    The same bytes imported again while the store is still as their import left it (no write
    since, same contract) would change nothing: the outcome says so without reading the file
    again, which makes re-sending a file cheap (docs/decisions/011-import-speed.md)."""
    with paused_collection():
        earlier = _unchanged_since_import(path, contract, ImportBatch.Kind.VALUES)
        if earlier is not None:
            return ImportOutcome(
                name or path.name,
                ImportBatch.Kind.VALUES,
                earlier.row_count,
                [],
                dry_run,
                skipped=earlier.skipped_count,
                confirmed=confirm,
                identical_to=earlier,
            )
        raw, table = _read(path, name, prefer="valeurs")
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
            motif=motif,
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
    motif: str = "",
) -> ImportOutcome:
    """Validate a table of values and write it in one transaction (files and the API).

    ``raw`` is the imported file's content: its batch is recorded when given. Values to confirm
    (converted, unusual) are written only with ``confirm``; otherwise, unless ``dry_run``,
    :class:`ConfirmationNeeded` is raised. ``template_lines=False`` (the API) refuses lines
    without period nor value instead of counting them as an empty template line.

    A value of a frozen year (decision 027) needs a motif: its line's « motif », or ``motif``
    for the whole file; one line without refuses the whole file (line by line, in the report).
    """
    with paused_collection(), transaction.atomic():
        scope = contract.organisation.code
        territory_of = _territory_reader(contract, table)
        # first: before reading the series (the caisse's, and every territory's named)
        for code in sorted({scope, *territory_of.named}):
            lock_values(contract.id, code)
        stored = StoredSeries(contract)
        series: dict[str, StoredSeries] = {"": stored}

        def series_of(code: str) -> StoredSeries:
            if code not in series:
                lock_values(contract.id, code)  # a spelling the pre-read did not resolve
                series[code] = StoredSeries(contract, stored.policy, code)
            return series[code]

        check = validate_values(
            table,
            contract,
            today or clock.today(),
            stored,
            skip_template_lines=template_lines,
            territory_of=territory_of,
            series_of=series_of,
        )
        check.report.raise_if_errors()
        rows = check.rows
        by_key = {(r.territory, r.subject.subject_id, r.period.key): r for r in rows}
        plans: dict[str, list[tuple[NewValue, Current | None]]] = {}
        for territory in dict.fromkeys(r.territory for r in rows):
            new = [_new_value(r.entry, r.motif) for r in rows if r.territory == territory]
            # the current values were read once, for the checks and for the plan
            plans[territory] = plan_values(
                contract.id, territory or scope, new, series_of(territory).current
            )
        outcome = ImportOutcome(
            table.source,
            ImportBatch.Kind.VALUES,
            len(rows),
            [
                _value_change(by_key[(territory, v.subject_id, v.period.key)], p)
                for territory, plan in plans.items()
                for v, p in plan
            ],
            dry_run,
            skipped=len(check.skipped),
            confirmed=confirm,
        )
        _check_frozen(contract.id, table.source, plans, by_key, motif)
        plan = [item for planned in plans.values() for item in planned]
        stale = confirmed_as is not None and confirmed_as != outcome.confirmation_key
        if outcome.to_confirm and (not confirm or stale) and not dry_run:
            raise ConfirmationNeeded(outcome)
        if dry_run or not plan:
            return outcome
        outcome.batch = _batch(
            contract,
            ImportBatch.Kind.VALUES,
            table,
            raw,
            len(rows),
            len(plan),
            user,
            skipped=len(check.skipped),
        )
        for territory, planned in plans.items():
            record_values(
                contract.id,
                territory or scope,
                [v for v, _ in planned],
                source=source,
                user=user,
                batch=outcome.batch,
                # so revisions are audited with the value they replace
                current=series_of(territory).current,
                scope_type=STORE_TERRITORY if territory else STORE_CAISSE,
                motif=motif,
            )
        if outcome.batch is not None:
            outcome.batch.audit_mark = _latest_event()
            outcome.batch.save(update_fields=["audit_mark"])
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
    with paused_collection():
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
    territory_of = _territory_reader(contract, table)
    check = validate_targets(
        table, contract, skip_template_lines=template_lines, territory_of=territory_of
    )
    check.report.raise_if_errors()
    rows = check.rows
    scope = contract.organisation.code
    new: dict[str, list[NewTarget]] = {}
    for r in rows:
        new.setdefault(r.territory, []).append(
            NewTarget(
                r.subject.subject_type,
                r.subject.subject_id,
                r.year,
                r.value,
                r.kind,
                r.provenance,
                r.comparator,
                r.reason,
                STORE_TERRITORY if r.territory else STORE_CAISSE,
            )
        )
    lines = {(r.territory, r.subject.subject_id, r.year, r.kind): r.line for r in rows}
    with transaction.atomic():
        for code in sorted({territory or scope for territory in new}):
            lock_values(contract.id, code)  # first: before reading the current targets
        plans = {
            territory: plan_targets(contract.id, territory or scope, targets)
            for territory, targets in new.items()
        }
        plan = [(t, p, territory) for territory, planned in plans.items() for t, p in planned]
        # A target already set may change only with a stated reason: the audit needs the why.
        reasons = ValidationReport()
        for target, previous, territory in plan:
            if previous is not None and not target.reason.strip():
                reasons.add(
                    table.source,
                    lines[(territory, target.subject_id, target.year, target.kind)],
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
                    lines[(territory, t.subject_id, t.year, t.kind)],
                    t.subject_id,
                    str(t.year),
                    None if p is None else p.value,
                    t.value,
                    territory=territory,
                )
                for t, p, territory in plan
            ],
            dry_run,
            skipped=len(check.skipped),
        )
        if dry_run or not plan:
            return outcome
        outcome.batch = _batch(
            contract, ImportBatch.Kind.TARGETS, table, raw, len(rows), len(plan), user
        )
        for territory, planned in plans.items():
            record_targets(
                contract.id,
                territory or scope,
                [t for t, _ in planned],
                user=user,
                batch=outcome.batch,
            )
    return outcome


class _TerritoryReader:
    """Reads a line's « territoire » against the caisse's territories (read once, at the
    first line that names one); :attr:`named` holds the codes the table names, read before the
    validation so that their values are locked before their series are read."""

    def __init__(self, contract: Contract, table: Table) -> None:
        self.contract = contract
        self._territories: Territories | None = None
        self.named: set[str] = set()
        column = next((h for h in table.headers if plain_key(h) == TERRITORY), None)
        texts = {row.cells.get(column, "").strip() for row in table.rows} if column else set()
        for text in texts - {""}:
            try:
                if code := self(text):
                    self.named.add(code)
            except ValueError:
                pass  # reported by the validation

    def __call__(self, text: str) -> str:
        if not text.strip():
            return ""
        if self._territories is None:
            self._territories = caisse_territories(self.contract)
        return self._territories.store_code(text)


def _territory_reader(contract: Contract, table: Table) -> _TerritoryReader:
    return _TerritoryReader(contract, table)


def _batch(
    contract: Contract,
    kind: str,
    table: Table,
    raw: bytes | None,
    rows: int,
    written: int,
    user: str,
    *,
    skipped: int = 0,
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
        skipped_count=skipped,
        created_by=user,
    )


def _latest_event() -> int | None:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()


def _unchanged_since_import(path: Path, contract: Contract, kind: str) -> ImportBatch | None:
    """The latest import of the same bytes into ``contract`` when no audited write happened
    since (values, targets, actions, a new contract version all write audit events): importing
    the file again would find every value already current."""
    try:
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None  # reading it again will say why
    batch = (
        ImportBatch.objects.filter(
            contract_id=contract.id, kind=kind, file_sha256=digest, audit_mark__isnull=False
        )
        .order_by("-id")
        .first()
    )
    if batch is None or batch.audit_mark != _latest_event():
        return None
    return batch


def _shown(value: Decimal) -> str:
    return fr_number(value.normalize())


def _check_frozen(
    contract_id: str,
    source: str,
    plans: Mapping[str, list[tuple[NewValue, Current | None]]],
    by_key: Mapping[tuple[str, str, str], ValueRow],
    motif: str,
) -> None:
    """The lock of frozen years (:func:`cpog.store.period_locks.guard`, which the write checks
    again), reported line by line before anything is written, a preview included."""
    report = ValidationReport()
    for territory, plan in plans.items():
        try:
            period_locks.guard(contract_id, (v for v, _ in plan), motif)
        except period_locks.FrozenYearRefused as refused:
            for value, lock in refused.refused:
                row = by_key[(territory, value.subject_id, value.period.key)]
                report.add(source, row.line, "motif", "", period_locks.line_text(lock))
    report.raise_if_errors()


def _new_value(entry: Entry, motif: str = "") -> NewValue:
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
        motif=motif,
    )


def _value_change(row: ValueRow, previous: Current | None) -> Change:
    entry = row.entry
    notes = []
    if entry.computed:
        notes.append("calculée : numérateur / dénominateur")
    return Change(
        row.line,
        entry.subject.subject_id,
        str(entry.period),
        None if previous is None else previous.value,
        entry.value,
        notes,
        entry.to_confirm,
        row.territory,
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
