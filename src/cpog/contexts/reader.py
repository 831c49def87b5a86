"""What a context needs of the store: the protocol every context builder reads through, over the
plain records of :mod:`cpog.records`. :class:`cpog.store.reader.StoreReader` implements it over
the database; tests use in-memory readers, so that contexts are built and checked without one."""

from __future__ import annotations

from typing import Protocol

from cpog.assess import Observation
from cpog.assess.aggregate import Part
from cpog.contract.model import Contract
from cpog.records import (
    ActionRecord as ActionRecord,
)
from cpog.records import (
    ActionUpdateRecord as ActionUpdateRecord,
)
from cpog.records import (
    AnalysisRecord as AnalysisRecord,
)
from cpog.records import (
    BatchRecord as BatchRecord,
)
from cpog.records import (
    EventRecord as EventRecord,
)
from cpog.records import (
    Milestone as Milestone,
)
from cpog.records import (
    StoreState as StoreState,
)
from cpog.records import (
    TargetRecord as TargetRecord,
)
from cpog.records import (
    ValueRecord as ValueRecord,
)
from cpog.steering import StoredTarget, SubjectKey


class Reader(Protocol):
    """The store as contexts read it. ``scope`` is the organisation code of the caisse (the
    default scope); territories and other caisses come later through the same parameter."""

    def state(self, contract: Contract) -> StoreState: ...

    def steering_inputs(
        self, contract: Contract, scope: str
    ) -> tuple[dict[SubjectKey, list[StoredTarget]], dict[SubjectKey, list[Observation]]]: ...

    def actions(self, contract: Contract) -> dict[str, ActionRecord]: ...

    def action(self, contract: Contract, action_id: str) -> ActionRecord | None:
        """One action's follow-up, read now (a page answering its own write)."""
        ...

    def analyses(self, contract: Contract) -> list[AnalysisRecord]: ...

    def recent_events(self, limit: int) -> list[EventRecord]: ...

    def values(
        self, contract: Contract, scope: str, subject: SubjectKey | None = None
    ) -> list[ValueRecord]: ...

    def targets(
        self, contract: Contract, scope: str, subject: SubjectKey | None = None
    ) -> list[TargetRecord]: ...

    def batches(self, contract: Contract) -> list[BatchRecord]: ...

    def territory_parts(
        self,
        contract: Contract,
        subject: SubjectKey,
        codes: list[str] | None = None,
        period_key: str | None = None,
    ) -> dict[str, dict[str, Part]]:
        """territory code → period key → the current value there, with numerator and
        denominator (:func:`cpog.store.territories.territory_parts`)."""
        ...

    def subjects_with_territory_values(self, contract: Contract) -> set[SubjectKey]: ...

    def territory_periods(
        self, contract: Contract, subject: SubjectKey, codes: list[str] | None = None
    ) -> list[str]:
        """The period keys with a value of ``subject`` at a territory (of ``codes``), latest
        first (:func:`cpog.store.territories.territory_periods`)."""
        ...
