"""An in-memory :class:`cpog.contexts.reader.Reader`: contexts built and checked without a
database. ``MemoryReader.demo(contract, as_of)`` holds what ``cpog load && cpog demo`` would
store (the signed targets, then the demo history of :mod:`cpog.demo`); tests add actions,
analyses and events with :func:`dataclasses.replace` or by filling the lists."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cache

from cpog import demo
from cpog.assess import Observation
from cpog.assess.aggregate import Part
from cpog.contexts.reader import (
    ActionRecord,
    AnalysisRecord,
    BatchRecord,
    EventRecord,
    StoreState,
    TargetRecord,
    ValueRecord,
)
from cpog.contexts.situation import Situation, situation
from cpog.contract import default_contract_path
from cpog.contract.loader import load_contract
from cpog.contract.model import Contract
from cpog.periods import parse_period
from cpog.steering import StoredTarget, SubjectKey, signed_targets

AS_OF = date(2026, 11, 27)  # the tests' « today » (tests/conftest.py)
RECORDED_AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@cache
def default_contract() -> Contract:
    """The contract shipped with cpog (the Caf des Deux-Sèvres), read once per test run."""
    return load_contract(default_contract_path())


@dataclass
class MemoryReader:
    """The store as plain lists. Everything is for the contract it is asked about; ``values``
    and ``targets`` hold every revision (the latest of a period or a year is the current one,
    in list order, as the store orders by time)."""

    values_: list[ValueRecord] = field(default_factory=list)
    targets_: list[TargetRecord] = field(default_factory=list)
    actions_: dict[str, ActionRecord] = field(default_factory=dict)
    analyses_: list[AnalysisRecord] = field(default_factory=list)
    events_: list[EventRecord] = field(default_factory=list)
    batches_: list[BatchRecord] = field(default_factory=list)
    demo_: bool = False
    marker: str = ""
    # territory code → period key → part, per subject (territory-scoped values)
    territories_: dict[SubjectKey, dict[str, dict[str, Part]]] = field(default_factory=dict)

    # --- building ---------------------------------------------------------------------------

    @classmethod
    def demo(
        cls, contract: Contract | None = None, as_of: date = AS_OF, seed: str = demo.DEFAULT_SEED
    ) -> MemoryReader:
        """The signed targets and the demonstration history up to ``as_of``."""
        contract = contract or default_contract()
        data = demo.generate(contract, as_of, seed)
        targets = [
            TargetRecord(
                kind_,
                subject_id,
                year,
                float(value),
                "fixed",
                comparator,
                "cpog",
                "Contrat version 1",
                "cpog",
                RECORDED_AT,
            )
            for kind_, subject_id, year, value, comparator in signed_targets(contract)
        ] + [
            TargetRecord(
                t.subject_type,
                t.subject_id,
                t.year,
                float(t.value),
                t.kind,
                t.comparator,
                t.provenance,
                t.reason,
                "démonstration",
                RECORDED_AT,
            )
            for t in data.targets
        ]
        values = [
            ValueRecord(
                v.subject_type,
                v.subject_id,
                v.period.key,
                float(v.value),
                None,
                None,
                v.status,
                "demo",
                v.comment,
                "démonstration",
                RECORDED_AT,
            )
            for v in data.values
        ]
        return cls(values_=values, targets_=targets, demo_=True)

    def add_event(self, event: EventRecord) -> None:
        self.events_.append(event)

    # --- the Reader protocol ----------------------------------------------------------------

    def state(self, contract: Contract) -> StoreState:
        marker = self.marker or (str(max(e.id for e in self.events_)) if self.events_ else "")
        return StoreState(1, contract.id, marker, self.demo_)

    def steering_inputs(
        self, contract: Contract, scope: str
    ) -> tuple[dict[SubjectKey, list[StoredTarget]], dict[SubjectKey, list[Observation]]]:
        latest: dict[tuple[str, str, int, str], TargetRecord] = {}
        for t in self.targets_:
            latest[(t.subject_type, t.subject_id, t.year, t.kind)] = t
        targets: dict[SubjectKey, list[StoredTarget]] = defaultdict(list)
        for (subject_type, subject_id, _, _), t in sorted(latest.items()):
            targets[(subject_type, subject_id)].append(
                StoredTarget(t.year, t.value, t.kind, t.comparator, t.provenance)
            )
        current: dict[tuple[str, str, str], ValueRecord] = {}
        definitive: dict[tuple[str, str, str], float] = {}
        for v in self.values_:
            key = (v.subject_type, v.subject_id, v.period_key)
            current[key] = v
            if v.status == "definitive":
                definitive[key] = v.value
        observations: dict[SubjectKey, list[Observation]] = defaultdict(list)
        for key, v in current.items():
            provisional = v.status != "definitive"
            observations[(key[0], key[1])].append(
                Observation(
                    parse_period(key[2]),
                    v.value,
                    provisional=provisional,
                    settled=definitive.get(key) if provisional else None,
                )
            )
        return dict(targets), dict(observations)

    def actions(self, contract: Contract) -> dict[str, ActionRecord]:
        return dict(self.actions_)

    def action(self, contract: Contract, action_id: str) -> ActionRecord | None:
        return self.actions_.get(action_id)

    def analyses(self, contract: Contract) -> list[AnalysisRecord]:
        return sorted(self.analyses_, key=lambda a: a.created_at)

    def recent_events(self, limit: int) -> list[EventRecord]:
        events = [e for e in self.events_ if e.entity_type != "api_token"]
        return sorted(events, key=lambda e: (e.at, e.id), reverse=True)[:limit]

    def values(
        self, contract: Contract, scope: str, subject: SubjectKey | None = None
    ) -> list[ValueRecord]:
        found = [
            v for v in self.values_ if subject is None or (v.subject_type, v.subject_id) == subject
        ]
        latest = {(v.subject_type, v.subject_id, v.period_key): i for i, v in enumerate(found)}
        return [
            replace(v, current=latest[(v.subject_type, v.subject_id, v.period_key)] == i)
            for i, v in enumerate(found)
        ]

    def targets(
        self, contract: Contract, scope: str, subject: SubjectKey | None = None
    ) -> list[TargetRecord]:
        found = [
            t for t in self.targets_ if subject is None or (t.subject_type, t.subject_id) == subject
        ]
        latest = {(t.subject_type, t.subject_id, t.year, t.kind): i for i, t in enumerate(found)}
        return [
            replace(t, current=latest[(t.subject_type, t.subject_id, t.year, t.kind)] == i)
            for i, t in enumerate(found)
        ]

    def batches(self, contract: Contract) -> list[BatchRecord]:
        return list(self.batches_)

    def territory_parts(
        self,
        contract: Contract,
        subject: SubjectKey,
        codes: list[str] | None = None,
        period_key: str | None = None,
    ) -> dict[str, dict[str, Part]]:
        found: dict[str, dict[str, Part]] = {}
        for code, periods in self.territories_.get(subject, {}).items():
            if codes is not None and code not in codes:
                continue
            kept = {k: p for k, p in periods.items() if period_key in (None, k)}
            if kept:
                found[code] = kept
        return found

    def subjects_with_territory_values(self, contract: Contract) -> set[SubjectKey]:
        return {subject for subject, parts in self.territories_.items() if parts}

    def territory_periods(
        self, contract: Contract, subject: SubjectKey, codes: list[str] | None = None
    ) -> list[str]:
        found = self.territory_parts(contract, subject, codes)
        return sorted({key for periods in found.values() for key in periods}, reverse=True)

    # --- convenience ------------------------------------------------------------------------

    def situation(self, contract: Contract | None = None, as_of: date = AS_OF) -> Situation:
        return situation(self, contract or default_contract(), as_of)


@cache
def demo_reader() -> MemoryReader:
    """The demo store at the tests' « today » (shared: copy before changing it)."""
    return MemoryReader.demo()
