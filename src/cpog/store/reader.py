"""The store as contexts read it: :class:`cpog.contexts.reader.Reader` over the database, giving
plain records (no model instance leaves this module)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from cpog.assess import Observation
from cpog.assess.aggregate import Part
from cpog.contract.model import Contract
from cpog.records import (
    ActionRecord,
    ActionUpdateRecord,
    AnalysisRecord,
    BatchRecord,
    ComputedRecord,
    EventRecord,
    Milestone,
    StoreState,
    TargetRecord,
    ValueRecord,
)
from cpog.steering import StoredTarget, SubjectKey
from cpog.store import audit
from cpog.store.models import (
    ActionState,
    Analysis,
    AuditEvent,
    ContractVersion,
    ImportBatch,
    Measurement,
    Target,
)
from cpog.store.status import steering_inputs
from cpog.store.territories import (
    subjects_with_territory_values,
    territory_parts,
    territory_periods,
)


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def computed_record(details: Mapping[str, Any], subject: tuple[str, str]) -> ComputedRecord | None:
    """The provenance of a value of ``subject`` written by a computation with ``details``."""
    wanted = f"{subject[0]}/{subject[1]}"
    for name, definition in (details.get("definitions") or {}).items():
        if definition.get("subject") != wanted:
            continue
        data_end = details.get("data_end")
        try:
            end = date.fromisoformat(data_end) if data_end else None
        except ValueError:
            end = None
        return ComputedRecord(
            definition=name,
            label=str(definition.get("label", "")),
            file=str(definition.get("file", "")),
            version=int(definition.get("version", 0)),
            parameters=tuple(
                (str(k), str(v)) for k, v in (definition.get("parameters") or {}).items()
            ),
            fingerprint=str(details.get("fingerprint", "")),
            data_end=end,
            folder=str(details.get("folder", "")),
        )
    return None


def event_record(event: AuditEvent) -> EventRecord:
    return EventRecord(
        event.pk,
        event.entity_type,
        event.entity_id,
        event.action,
        event.user,
        event.at,
        event.before,
        event.after,
        event.context,
    )


def action_record(state: ActionState) -> ActionRecord:
    return ActionRecord(
        action_id=state.action_id,
        owner=state.owner,
        start_date=state.start_date,
        due_date=state.due_date,
        status=state.status,
        progress=state.progress,
        updated_by=state.updated_by,
        updated_at=state.updated_at,
        version=state.version,
        milestones=tuple(
            Milestone(m.label, m.due_date, m.done_on)
            for m in sorted(state.milestones.all(), key=lambda m: (m.due_date, m.pk))
        ),
        updates=tuple(
            ActionUpdateRecord(u.on, u.text, u.progress, u.author)
            for u in sorted(state.updates.all(), key=lambda u: (u.on, u.pk), reverse=True)
        ),
    )


class StoreReader:
    """Reads the database for :mod:`cpog.contexts`."""

    def state(self, contract: Contract) -> StoreState:
        version = (
            ContractVersion.objects.filter(contract_id=contract.id)
            .order_by("-version", "-id")
            .values_list("version", "content_hash")
            .first()
        )
        latest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        demo = Measurement.objects.filter(
            contract_id=contract.id, source=Measurement.Source.DEMO
        ).exists()
        number, content_hash = version if version else (0, "")
        return StoreState(number, content_hash, "" if latest is None else str(latest), demo)

    def steering_inputs(
        self, contract: Contract, scope: str
    ) -> tuple[dict[SubjectKey, list[StoredTarget]], dict[SubjectKey, list[Observation]]]:
        return steering_inputs(contract, scope)

    def actions(self, contract: Contract) -> dict[str, ActionRecord]:
        states = ActionState.objects.filter(contract_id=contract.id).prefetch_related(
            "milestones", "updates"
        )
        return {s.action_id: action_record(s) for s in states}

    def action(self, contract: Contract, action_id: str) -> ActionRecord | None:
        state = (
            ActionState.objects.filter(contract_id=contract.id, action_id=action_id)
            .prefetch_related("milestones", "updates")
            .first()
        )
        return None if state is None else action_record(state)

    def analyses(self, contract: Contract) -> list[AnalysisRecord]:
        return [
            AnalysisRecord(
                a.subject_type,
                a.subject_id,
                a.period_key,
                a.analysis,
                a.risks,
                a.corrective_action,
                a.author,
                a.created_at,
            )
            for a in Analysis.objects.filter(contract_id=contract.id).order_by("created_at", "id")
        ]

    def recent_events(self, limit: int, caisse: str | None = None) -> list[EventRecord]:
        # The steering data's latest updates: API tokens are in the history, not here. With
        # ``caisse``, that caisse's only (several caisses share a store, decision 017).
        events = AuditEvent.objects.exclude(entity_type="api_token").order_by("-at", "-id")
        if caisse is not None:
            events = audit.of_caisse(events, caisse)
        return [event_record(e) for e in events[:limit]]

    def values(
        self, contract: Contract, scope: str, subject: SubjectKey | None = None
    ) -> list[ValueRecord]:
        query = Measurement.objects.filter(contract_id=contract.id, scope_code=scope)
        if subject is not None:
            query = query.filter(subject_type=subject[0], subject_id=subject[1])
        rows = list(
            query.select_related("batch").order_by(
                "subject_type", "subject_id", "period_end", "recorded_at", "id"
            )
        )
        latest = {(r.subject_type, r.subject_id, r.period_key): r.pk for r in rows}
        computed: dict[tuple[int, str, str], ComputedRecord | None] = {}

        def provenance(r: Measurement) -> ComputedRecord | None:
            if r.batch is None or r.batch.kind != ImportBatch.Kind.COMPUTED:
                return None
            key = (r.batch.pk, r.subject_type, r.subject_id)
            if key not in computed:
                computed[key] = computed_record(r.batch.details or {}, key[1:])
            return computed[key]

        return [
            ValueRecord(
                r.subject_type,
                r.subject_id,
                r.period_key,
                float(r.value),
                _float(r.numerator),
                _float(r.denominator),
                r.status,
                r.source,
                r.comment,
                r.recorded_by,
                r.recorded_at,
                r.batch_id,
                r.batch.file_name if r.batch else "",
                latest[(r.subject_type, r.subject_id, r.period_key)] == r.pk,
                r.confirmed_unusual,
                provenance(r),
            )
            for r in rows
        ]

    def figure_values(self, contract: Contract, scope: str) -> list[ValueRecord]:
        """The values of the diagnosis's key figures (computed from extracts), every revision."""
        query = Measurement.objects.filter(
            contract_id=contract.id, scope_code=scope, subject_type="figure"
        )
        subject_ids = set(query.values_list("subject_id", flat=True).distinct())
        found: list[ValueRecord] = []
        for subject_id in sorted(subject_ids):
            found.extend(self.values(contract, scope, ("figure", subject_id)))
        return found

    def targets(
        self, contract: Contract, scope: str, subject: SubjectKey | None = None
    ) -> list[TargetRecord]:
        query = Target.objects.filter(contract_id=contract.id, scope_code=scope)
        if subject is not None:
            query = query.filter(subject_type=subject[0], subject_id=subject[1])
        rows = list(query.order_by("subject_type", "subject_id", "year", "set_at", "id"))
        latest = {(r.subject_type, r.subject_id, r.year, r.kind): r.pk for r in rows}
        return [
            TargetRecord(
                r.subject_type,
                r.subject_id,
                r.year,
                float(r.value),
                r.kind,
                r.comparator,
                r.provenance,
                r.reason,
                r.set_by,
                r.set_at,
                latest[(r.subject_type, r.subject_id, r.year, r.kind)] == r.pk,
            )
            for r in rows
        ]

    def territory_parts(
        self,
        contract: Contract,
        subject: SubjectKey,
        codes: list[str] | None = None,
        period_key: str | None = None,
    ) -> dict[str, dict[str, Part]]:
        return territory_parts(contract.id, subject, codes, period_key)

    def subjects_with_territory_values(self, contract: Contract) -> set[SubjectKey]:
        return subjects_with_territory_values(contract.id)

    def territory_periods(
        self, contract: Contract, subject: SubjectKey, codes: list[str] | None = None
    ) -> list[str]:
        return territory_periods(contract.id, subject, codes)

    def batches(self, contract: Contract) -> list[BatchRecord]:
        return [
            BatchRecord(
                b.pk,
                b.kind,
                b.file_name,
                b.file_sha256,
                b.row_count,
                b.written_count,
                b.created_by,
                b.created_at,
            )
            for b in ImportBatch.objects.filter(contract_id=contract.id).order_by("id")
        ]


def records(events: Iterable[AuditEvent]) -> list[EventRecord]:
    return [event_record(e) for e in events]
