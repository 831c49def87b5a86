"""Values computed from operational extracts (``cpog compute``), written to the store.

A computation is a batch (:class:`ImportBatch` of kind « calcul »): its ``file_name`` names the
extracts' folder, its ``file_sha256`` is their fingerprint, its ``details`` keep each
definition's name, version and parameter values, the extract files with their digests and row
counts, the last day the data cover, the range, the dimension, the counts and the unusual values.
Each value it writes points to it, at the caisse's scope or at a territory's (EPCI or commune).

The rules, in one transaction and under the values' locks:

* every computed value goes through the value rule of every door
  (:func:`cpog.ingest.value_rule.check_values`: the subject's grain, a closed period, the
  contract's years, the unit's range); one refusal stops the run and nothing is written
  (:class:`ComputationRefused` names the definition, period, territory and value);
* the results of a definition whose subject the contract in force does not have are skipped
  (listed with the reason);
* « non calculable » results (a zero denominator) are never stored: counted and listed;
* a value far from its series (:mod:`cpog.assess.outliers`, at the caisse's scope) is stored but
  listed as « valeur inhabituelle » in the outcome and the batch's details;
* idempotent: a result whose current revision is computed with the same value, numerator,
  denominator, definition version and parameter values writes nothing; a run that writes
  nothing creates no batch and no audit event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from cpog import clock
from cpog.contract.model import Contract, Cumulation
from cpog.contract.units import value_range
from cpog.errors import CpogError
from cpog.formatting import fr_number
from cpog.gcpause import paused_collection
from cpog.geography import Geography
from cpog.ingest.value_rule import Cell, Entry, RawEntry, Subject, check_values, plain_key
from cpog.ingest.value_rule import subjects_of as value_subjects
from cpog.periods import PeriodUnit, parse_period
from cpog.store.imports import StoredSeries
from cpog.store.locks import lock_values
from cpog.store.models import AuditEvent, ImportBatch, Measurement, ScopeType
from cpog.store.values import CurrentValue, NewValue, write_plan
from cpog.warehouse.definitions import Definition, all_definitions
from cpog.warehouse.engine import Computation, Result, RunSpec

__all__ = [
    "ComputationOutcome",
    "ComputationRefused",
    "Unusual",
    "computed_batches",
    "record_computation",
    "territory_name",
]

KEPT_IN_DETAILS = 1000  # non calculable results and unusual values listed in a batch's details
SHOWN_REFUSALS = 20


class ComputationRefused(CpogError):
    """A computed value the value rule refuses: the run stops, nothing is written."""


class Extracts(Protocol):
    """What the store keeps of the loaded extracts (:class:`cpog.warehouse.extracts.
    LoadedExtracts`)."""

    @property
    def fingerprint(self) -> str: ...

    @property
    def data_end(self) -> Any: ...

    @property
    def files(self) -> Sequence[Any]: ...


@dataclass(frozen=True)
class Unusual:
    """A computed value far from its series: stored, and said."""

    definition: str
    subject_type: str
    subject_id: str
    code: str  # as users know it: « COG 08-29 »
    period_key: str
    scope_code: str
    territory: str  # « Caf (79) », « CA du Niortais »
    value: Decimal
    reason: str

    @property
    def text(self) -> str:
        return (
            f"{self.code}, {parse_period(self.period_key)}, {self.territory} :"
            f" {fr_number(self.value.normalize())} — {self.reason}"
        )


@dataclass
class ComputationOutcome:
    fingerprint: str
    results: int  # every result of the run, computable or not
    written: int = 0
    unchanged: int = 0
    not_computable: list[Result] = field(default_factory=list)
    unusual: list[Unusual] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # definition → why it was not run
    batch: ImportBatch | None = None


def territory_name(scope_type: str, code: str, geography: Geography | None, caisse: str) -> str:
    """« Caf (79) », « CA du Niortais (200041317) », « Niort (79191) »."""
    if scope_type == ScopeType.CAISSE:
        return f"Caf ({code})" if code == caisse else f"caisse {code}"
    if geography is not None:
        epci = geography.epci_by_code.get(code)
        if epci is not None:
            return f"{epci.name} ({code})"
        commune = geography.commune_by_code.get(code)
        if commune is not None:
            return f"{commune.name} ({code})"
    return f"territoire {code}"


def _figure_subjects(contract: Contract) -> dict[str, Subject]:
    """The diagnosis's key figures as the value rule sees them: yearly, in their unit's range."""
    return {
        figure.id: Subject(
            "figure",
            figure.id,
            figure.label,
            figure.label,
            figure.unit,
            PeriodUnit.YEAR,
            Cumulation.NONE,
            value_range(figure.unit, None),
            last_year=contract.period.end,
        )
        for figure in contract.diagnosis.key_figures
    }


def _subject_for(
    result: Result,
    subjects: Mapping[str, Subject],
    figures: Mapping[str, Subject],
) -> Subject | None:
    if result.subject_type == "figure":
        return figures.get(result.subject_id)
    subject = subjects.get(plain_key(result.subject_id))
    if subject is None or subject.subject_type != result.subject_type:
        return None
    return subject


def _raw(result: Result) -> RawEntry:
    assert result.value is not None
    if result.denominator is None:
        return RawEntry(result.period_key, Cell(number=result.value))
    return RawEntry(
        result.period_key,
        Cell(number=result.value),
        Cell(number=result.numerator),
        Cell(number=result.denominator),
    )


def _definition_details(
    definitions: Iterable[Definition], parameters: Mapping[str, Mapping[str, str | int]]
) -> dict[str, dict[str, Any]]:
    return {
        d.name: {
            "label": d.label,
            "file": Path(d.path).name,
            "version": d.version,
            "subject": f"{d.subject_type}/{d.subject_id}",
            "measure": str(d.measure),
            "grain": str(d.grain),
            "parameters": dict(parameters.get(d.name, d.values())),
        }
        for d in definitions
    }


def computed_batches(batch_ids: Iterable[int | None]) -> dict[int, dict[str, Any]]:
    """The details of the computation batches among ``batch_ids``."""
    ids = {i for i in batch_ids if i is not None}
    if not ids:
        return {}
    return {
        pk: details or {}
        for pk, details in ImportBatch.objects.filter(
            pk__in=ids, kind=ImportBatch.Kind.COMPUTED
        ).values_list("pk", "details")
    }


_CURRENT = (
    "scope_code",
    "subject_type",
    "subject_id",
    "period_key",
    "value",
    "numerator",
    "denominator",
    "status",
    "source",
    "confirmed_unusual",
    "batch_id",
)

CurrentKey = tuple[str, str, str, str]  # scope code, subject type, subject id, period key


def _current(
    contract_id: str, scopes: Sequence[str], subject_ids: Sequence[str]
) -> tuple[dict[CurrentKey, CurrentValue], dict[CurrentKey, int | None]]:
    """The current revision of every (scope, subject, period) concerned, and its batch."""
    query = (
        Measurement.objects.filter(
            contract_id=contract_id, scope_code__in=list(scopes), subject_id__in=list(subject_ids)
        )
        .order_by("recorded_at", "id")
        .values_list(*_CURRENT)
    )
    current: dict[CurrentKey, CurrentValue] = {}
    batches: dict[CurrentKey, int | None] = {}
    for scope, kind, subject_id, key, *rest, batch_id in query.iterator(chunk_size=10000):
        current[(scope, kind, subject_id, key)] = CurrentValue(*rest)
        batches[(scope, kind, subject_id, key)] = batch_id
    return current, batches


def _same_computation(
    previous: CurrentValue | None,
    batch: Mapping[str, Any] | None,
    new: NewValue,
    definition: Mapping[str, Any],
    name: str,
) -> bool:
    """The current revision is this very result: computed, same value, numerator and
    denominator, by the same definition version with the same parameter values."""
    if previous is None or batch is None or previous.source != Measurement.Source.COMPUTED:
        return False
    used = (batch.get("definitions") or {}).get(name) or {}
    return (
        previous.value == new.value
        and previous.numerator == new.numerator
        and previous.denominator == new.denominator
        and previous.status == new.status
        and used.get("version") == definition["version"]
        and used.get("parameters") == definition["parameters"]
    )


def _refusal(lines: list[str]) -> ComputationRefused:
    shown = lines[:SHOWN_REFUSALS]
    more = len(lines) - len(shown)
    text = "\n".join(f"✗ {line}" for line in shown)
    if more:
        text += f"\n… et {fr_number(more)} autre{'s' if more > 1 else ''}"
    count = len(lines)
    return ComputationRefused(
        f"{text}\n{fr_number(count)} valeur{'s' if count > 1 else ''} calculée"
        f"{'s' if count > 1 else ''} refusée{'s' if count > 1 else ''} par la règle des"
        " valeurs : rien n'a été enregistré."
    )


def _latest_event() -> int | None:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()


def record_computation(
    contract: Contract,
    computation: Computation,
    extracts: Extracts,
    spec: RunSpec,
    user: str,
    *,
    definitions: Sequence[Definition] | None = None,
    folder: Path | None = None,
    skipped: Mapping[str, str] | None = None,
    motif: str = "",
) -> ComputationOutcome:
    """Store the results of a run: all of them or none (see the module's documentation).

    ``motif``: why values of a frozen year change (decision 027); without it, a run that would
    change a value of a frozen year is refused whole
    (:class:`cpog.store.period_locks.FrozenYearRefused`).

    ``definitions``: the definitions run (default: those shipped whose results are here);
    ``folder``: the extracts' folder, named in the batch (default: the first file's folder);
    ``skipped``: the definitions not run, with why (with the engine's own, if it has any).
    """
    results = computation.results
    names = {r.definition for r in results} | set(computation.parameters)
    by_name = {d.name: d for d in (definitions or all_definitions()) if d.name in names}
    not_run = {**(skipped or {}), **(getattr(computation, "skipped", None) or {})}
    outcome = ComputationOutcome(extracts.fingerprint, len(results), skipped=not_run)
    defined = _definition_details(by_name.values(), computation.parameters)
    caisse = contract.organisation.code
    geography = spec.geography
    subjects = value_subjects(contract)
    figures = _figure_subjects(contract)

    def where(result: Result) -> str:
        return territory_name(result.scope_type, result.scope_code, geography, caisse)

    computable: list[tuple[Result, Subject]] = []
    refused: list[str] = []
    known: dict[tuple[str, str], Subject | None] = {}
    for result in results:
        if result.definition not in by_name:
            refused.append(f"{result.definition} : définition inconnue.")
            continue
        subject_key = (result.subject_type, result.subject_id)
        if subject_key not in known:
            known[subject_key] = _subject_for(result, subjects, figures)
        subject = known[subject_key]
        if subject is None:  # a definition of a subject the contract in force does not have
            outcome.skipped[result.definition] = (
                f"sujet {result.subject_type}/{result.subject_id} absent du contrat en vigueur"
            )
            continue
        if result.value is None:
            outcome.not_computable.append(result)
            continue
        computable.append((result, subject))
    if refused:
        raise _refusal(sorted(set(refused)))

    today = clock.today()
    scopes = sorted({r.scope_code for r, _ in computable})
    with paused_collection(), transaction.atomic():
        for scope in scopes:  # first, before any read; always in the same order
            lock_values(contract.id, scope)
        stored = StoredSeries(contract)
        # The caisse's indicators and measures are checked against their stored series (unusual
        # values); territories and key figures have no series the assessment reads.
        with_series = [
            (r, s)
            for r, s in computable
            if r.scope_type == ScopeType.CAISSE and s.subject_type in ("indicator", "measure")
        ]
        chosen = {id(r) for r, _ in with_series}
        without = [(r, s) for r, s in computable if id(r) not in chosen]
        checked: list[tuple[Result, Subject, Entry | None, list[str]]] = []
        for group, source in ((with_series, stored), (without, None)):
            answers = check_values([(s, _raw(r)) for r, s in group], today, source)
            for (result, subject), (entry, found) in zip(group, answers, strict=True):
                checked.append((result, subject, entry, [p.message for p in found]))
        for result, subject, entry, messages in checked:
            if entry is None:
                assert result.value is not None
                refused.extend(
                    f"{result.definition} ({subject.code}), {parse_period(result.period_key)},"
                    f" {where(result)}, valeur {fr_number(result.value.normalize())} : {message}"
                    for message in messages
                )
        if refused:
            raise _refusal(refused)

        current, current_batches = _current(
            contract.id, scopes, sorted({r.subject_id for r, _ in computable})
        )
        batch_details = computed_batches(current_batches.values())
        plans: dict[tuple[str, str], list[tuple[NewValue, CurrentValue | None]]] = defaultdict(list)
        for result, _, entry, _ in checked:
            assert entry is not None
            ratio = result.denominator is not None
            new = NewValue(
                result.subject_type,
                result.subject_id,
                entry.period,
                entry.value,
                result.numerator if ratio else None,
                result.denominator if ratio else None,
            )
            key = (result.scope_code, result.subject_type, result.subject_id, entry.period.key)
            previous = current.get(key)
            batch_id = current_batches.get(key)
            made_by = batch_details.get(batch_id) if batch_id is not None else None
            if _same_computation(
                previous, made_by, new, defined[result.definition], result.definition
            ):
                outcome.unchanged += 1
                continue
            plans[(result.scope_type, result.scope_code)].append((new, previous))
            if entry.unusual:
                outcome.unusual.append(
                    Unusual(
                        result.definition,
                        result.subject_type,
                        result.subject_id,
                        entry.subject.code,
                        entry.period.key,
                        result.scope_code,
                        where(result),
                        entry.value,
                        entry.unusual,
                    )
                )
        outcome.written = sum(len(plan) for plan in plans.values())
        if not outcome.written:
            return outcome
        base = folder or (Path(extracts.files[0].path).parent if extracts.files else Path())
        name = f"calcul depuis {base}"
        details = _details(computation, extracts, spec, defined, outcome, base, where)
        at = timezone.now()
        outcome.batch = ImportBatch.objects.create(
            contract_id=contract.id,
            kind=ImportBatch.Kind.COMPUTED,
            file_name=name if len(name) <= 255 else f"…{name[-254:]}",
            file_sha256=extracts.fingerprint,
            row_count=len(results),
            written_count=outcome.written,
            details=details,
            created_by=user,
        )
        for (scope_type, scope_code), plan in sorted(plans.items()):
            write_plan(
                contract.id,
                scope_code,
                list(plan),
                source=Measurement.Source.COMPUTED,
                user=user,
                batch=outcome.batch,
                at=at,
                scope_type=scope_type,
                motif=motif,
            )
        outcome.batch.audit_mark = _latest_event()
        outcome.batch.save(update_fields=["audit_mark"])
    return outcome


def _details(
    computation: Computation,
    extracts: Extracts,
    spec: RunSpec,
    defined: Mapping[str, Any],
    outcome: ComputationOutcome,
    folder: Path,
    where: Any,
) -> dict[str, Any]:
    """What the batch keeps of the run (plain JSON)."""
    data_end = extracts.data_end
    return {
        "folder": str(folder),
        "fingerprint": extracts.fingerprint,
        "data_end": data_end.isoformat() if hasattr(data_end, "isoformat") else str(data_end),
        "first": spec.first.key,
        "last": spec.last.key,
        "dimension": str(spec.dimension),
        "definitions": dict(defined),
        "files": [
            {"table": f.table, "file": Path(f.path).name, "sha256": f.sha256, "rows": f.rows}
            for f in extracts.files
        ],
        "results": len(computation.results),
        "written": outcome.written,
        "unchanged": outcome.unchanged,
        "not_computable": len(outcome.not_computable),
        "not_computable_list": [
            {
                "definition": r.definition,
                "period": r.period_key,
                "scope_type": r.scope_type,
                "scope_code": r.scope_code,
            }
            for r in outcome.not_computable[:KEPT_IN_DETAILS]
        ],
        "unusual": [
            {
                "definition": u.definition,
                "subject": f"{u.subject_type}/{u.subject_id}",
                "period": u.period_key,
                "scope_code": u.scope_code,
                "territory": u.territory,
                "value": str(u.value),
                "reason": u.reason,
            }
            for u in outcome.unusual[:KEPT_IN_DETAILS]
        ],
        "skipped": dict(outcome.skipped),
    }
