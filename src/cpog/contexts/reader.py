"""What a context needs of the store, as plain records: the protocol every context builder reads
through. :class:`cpog.store.reader.StoreReader` implements it over the database; tests use
in-memory readers, so that contexts are built and checked without a database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from cpog.assess import Observation
from cpog.contract.model import Contract
from cpog.steering import StoredTarget, SubjectKey


@dataclass(frozen=True)
class Milestone:
    label: str
    due_date: date
    done_on: date | None = None


@dataclass(frozen=True)
class ActionUpdateRecord:
    on: date
    text: str
    progress: int | None
    author: str


@dataclass(frozen=True)
class ActionRecord:
    """The steering state of one action of the contract (owner, dates, status, progress)."""

    action_id: str
    owner: str = ""
    start_date: date | None = None
    due_date: date | None = None
    status: str = "not_started"  # cpog.store.models.ActionState.Status values
    progress: int = 0
    updated_by: str = ""
    updated_at: datetime | None = None
    version: int = 0
    milestones: tuple[Milestone, ...] = ()
    updates: tuple[ActionUpdateRecord, ...] = ()


@dataclass(frozen=True)
class AnalysisRecord:
    """A pilot's analysis of a subject off track for a period, with the corrective action."""

    subject_type: str  # indicator | measure
    subject_id: str
    period_key: str
    analysis: str
    risks: str
    corrective_action: str
    author: str
    created_at: datetime

    @property
    def complete(self) -> bool:
        """Both the analysis and the corrective action are written (the off-track rule)."""
        return bool(self.analysis.strip()) and bool(self.corrective_action.strip())


@dataclass(frozen=True)
class EventRecord:
    """One write of the audit trail (what :mod:`cpog.audit_text` puts in words)."""

    id: int
    entity_type: str
    entity_id: str
    action: str
    user: str
    at: datetime
    before: Any = None
    after: Any = None
    context: str = ""


@dataclass(frozen=True)
class ValueRecord:
    """One revision of a value, with where it came from."""

    subject_type: str
    subject_id: str
    period_key: str
    value: float
    numerator: float | None
    denominator: float | None
    status: str  # provisional | definitive
    source: str  # manual | import | api | computed | demo
    comment: str
    recorded_by: str
    recorded_at: datetime
    batch_id: int | None = None
    batch_file: str = ""
    current: bool = False  # the latest revision of its period


@dataclass(frozen=True)
class TargetRecord:
    """One stored target (every revision), with its kind, provenance and reason."""

    subject_type: str
    subject_id: str
    year: int
    value: float
    kind: str
    comparator: str
    provenance: str
    reason: str
    set_by: str
    set_at: datetime
    current: bool = False


@dataclass(frozen=True)
class BatchRecord:
    id: int
    kind: str  # values | targets
    file_name: str
    file_sha256: str
    row_count: int
    written_count: int
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class StoreState:
    """Identifies the state of the stored data: the same state gives the same figures."""

    contract_version: int
    content_hash: str
    marker: str  # the latest audit event (or "" on an empty trail)
    demo: bool = False
    extra: Mapping[str, str] = field(default_factory=dict)


class Reader(Protocol):
    """The store as contexts read it. ``scope`` is the organisation code of the caisse (the
    default scope); territories and other caisses come later through the same parameter."""

    def state(self, contract: Contract) -> StoreState: ...

    def steering_inputs(
        self, contract: Contract, scope: str
    ) -> tuple[dict[SubjectKey, list[StoredTarget]], dict[SubjectKey, list[Observation]]]: ...

    def actions(self, contract: Contract) -> dict[str, ActionRecord]: ...

    def analyses(self, contract: Contract) -> list[AnalysisRecord]: ...

    def recent_events(self, limit: int) -> list[EventRecord]: ...

    def values(
        self, contract: Contract, scope: str, subject: SubjectKey | None = None
    ) -> list[ValueRecord]: ...

    def targets(
        self, contract: Contract, scope: str, subject: SubjectKey | None = None
    ) -> list[TargetRecord]: ...

    def batches(self, contract: Contract) -> list[BatchRecord]: ...


def latest_analysis(
    analyses: Sequence[AnalysisRecord], subject: SubjectKey, period_key: str | None = None
) -> AnalysisRecord | None:
    """The latest analysis of a subject (for a period when given)."""
    found = [
        a
        for a in analyses
        if (a.subject_type, a.subject_id) == subject
        and (period_key is None or a.period_key == period_key)
    ]
    return max(found, key=lambda a: a.created_at) if found else None
