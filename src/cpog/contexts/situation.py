"""Where the contract stands on a date of situation: what every page and report starts from,
read once from the store and assessed once (the status of every subject, the actions, the
analyses), so that all of them show the same figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from cpog.assess import Observation
from cpog.assess.types import Status
from cpog.contexts.reader import ActionRecord, AnalysisRecord, Reader, StoreState
from cpog.contract.model import ChallengeFile, Contract
from cpog.scope import Scope
from cpog.steering import (
    ContractStatus,
    RolledItem,
    StatusRow,
    SubjectKey,
    contract_status,
    policy_of,
)
from cpog.territories import ValueOrigin

OWN = ValueOrigin("own")
NONE = ValueOrigin("none")

# Off track: the pilot owes an analysis and a corrective action for the period (the contract's
# « analyse des écarts »). Until both are written, the row shows as awaiting one.
OFF_TRACK = (Status.A_SURVEILLER, Status.EN_RETARD, Status.NON_ATTEINT)


@dataclass(frozen=True)
class Situation:
    contract: Contract
    as_of: date
    scope: str
    state: StoreState
    status: ContractStatus
    observations: dict[SubjectKey, list[Observation]]
    actions: dict[str, ActionRecord]
    analyses: list[AnalysisRecord]
    # A territory's situation (cpog.contexts.territories, decision 020): the territory, where
    # each subject's latest value comes from, the subjects assessed against the caisse's target.
    territory: Scope | None = None
    origins: Mapping[SubjectKey, ValueOrigin] = field(default_factory=dict)
    borrowed_targets: frozenset[SubjectKey] = frozenset()

    @property
    def demo(self) -> bool:
        return self.state.demo

    def origin_of(self, row: StatusRow) -> ValueOrigin:
        """Where the row's latest value comes from (the caisse's own values: « own »)."""
        return self.origins.get(
            (row.subject_type, row.subject_id), OWN if self.territory is None else NONE
        )

    def target_origin(self, row: StatusRow) -> str:
        """« own », « caisse » (a territory assessed against the caisse's target) or « none »."""
        if (row.subject_type, row.subject_id) in self.borrowed_targets:
            return "caisse"
        return "own" if row.target.origin != "none" else "none"

    def row(self, subject_type: str, subject_id: str) -> StatusRow | None:
        return self._rows().get((subject_type, subject_id))

    def _rows(self) -> dict[SubjectKey, StatusRow]:
        cached: dict[SubjectKey, StatusRow] | None = self.__dict__.get("_by_key")
        if cached is None:
            cached = {(r.subject_type, r.subject_id): r for r in self.status.rows}
            object.__setattr__(self, "_by_key", cached)
        return cached

    def challenge_subjects(self, number: int) -> list[tuple[StatusRow, RolledItem]]:
        """The subjects of défi ``number`` — its targeted results' measures and the indicators
        it lists — with their weight in its roll-up, in the contract's order. The one answer to
        « which subjects belong to a défi »."""
        return self.status.challenge_rows(number)

    def challenge_of(self, number: int) -> ChallengeFile | None:
        return self.contract.challenge(number)

    def needs_analysis(self, row: StatusRow) -> bool:
        return row.assessment.status in OFF_TRACK and row.assessment.current is not None

    def analysis_of(self, row: StatusRow) -> AnalysisRecord | None:
        """The latest analysis written for the row's current period."""
        current = row.assessment.current
        if current is None:
            return None
        found = [
            a
            for a in self.analyses
            if (a.subject_type, a.subject_id, a.period_key)
            == (row.subject_type, row.subject_id, current.period.key)
        ]
        return max(found, key=lambda a: a.created_at) if found else None

    def missing_analyses(self) -> list[StatusRow]:
        """Off-track rows whose analysis or corrective action is still to write."""
        done = {(a.subject_type, a.subject_id, a.period_key) for a in self.analyses if a.complete}
        return [
            r
            for r in self.status.rows
            if self.needs_analysis(r)
            and (r.subject_type, r.subject_id, r.assessment.current.period.key) not in done  # type: ignore[union-attr]
        ]


def situation(
    reader: Reader, contract: Contract, as_of: date, scope: str | None = None
) -> Situation:
    """Read and assess the contract at ``as_of`` for ``scope`` (the caisse by default)."""
    code = scope or contract.organisation.code
    targets, observations = reader.steering_inputs(contract, code)
    status = contract_status(contract, targets, observations, as_of, policy_of(contract))
    return Situation(
        contract=contract,
        as_of=as_of,
        scope=code,
        state=reader.state(contract),
        status=status,
        observations=observations,
        actions=reader.actions(contract),
        analyses=reader.analyses(contract),
    )
