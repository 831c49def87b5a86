"""Plain inputs for :mod:`cpog.steering` read from the store, and the status at a date."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from cpog.assess import Observation, Policy
from cpog.contract.model import Contract
from cpog.periods import Period, parse_period
from cpog.steering import ContractStatus, StoredTarget, SubjectKey, contract_status
from cpog.store.values import current_rows, current_targets


def steering_inputs(
    contract: Contract, scope_code: str
) -> tuple[dict[SubjectKey, list[StoredTarget]], dict[SubjectKey, list[Observation]]]:
    targets: dict[SubjectKey, list[StoredTarget]] = {
        key: [StoredTarget(t.year, float(t.value), t.kind, t.comparator) for t in rows]
        for key, rows in current_targets(contract.id, scope_code).items()
    }
    observations: dict[SubjectKey, list[Observation]] = defaultdict(list)
    periods: dict[str, Period] = {}  # parse each period key once, not once per subject
    for (subject_type, subject_id, key), row in current_rows(contract.id, scope_code).items():
        if key not in periods:
            periods[key] = parse_period(key)
        observations[(subject_type, subject_id)].append(Observation(periods[key], float(row.value)))
    return targets, dict(observations)


def status_at(contract: Contract, as_of: date, policy: Policy | None = None) -> ContractStatus:
    targets, observations = steering_inputs(contract, contract.organisation.code)
    return contract_status(contract, targets, observations, as_of, policy)
