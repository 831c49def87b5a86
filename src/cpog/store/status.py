"""Plain inputs for :mod:`cpog.steering` read from the store, and the status at a date."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from cpog.assess import Observation, Policy
from cpog.contract.model import Contract
from cpog.periods import Period, parse_period
from cpog.steering import ContractStatus, StoredTarget, SubjectKey, contract_status, policy_of
from cpog.store.models import Measurement
from cpog.store.values import current_targets

_FIELDS = ("subject_type", "subject_id", "period_key", "value", "status", "confirmed_unusual")


def current_observations(contract_id: str, scope_code: str) -> dict[SubjectKey, list[Observation]]:
    """The current value of every period of every subject, as the assessment reads it: the
    latest revision, flagged provisional or not and confirmed as unusual or not, with the latest
    definitive value of the period when a provisional revision came after it (``settled``)."""
    latest: dict[tuple[str, str, str], tuple[float, bool, bool]] = {}
    definitive: dict[tuple[str, str, str], float] = {}
    rows = (
        Measurement.objects.filter(contract_id=contract_id, scope_code=scope_code)
        .order_by("recorded_at", "id")
        .values_list(*_FIELDS)
    )
    for subject_type, subject_id, key, value, status, confirmed in rows.iterator(chunk_size=5000):
        provisional = status != Measurement.Status.DEFINITIVE
        latest[(subject_type, subject_id, key)] = (float(value), provisional, confirmed)
        if not provisional:
            definitive[(subject_type, subject_id, key)] = float(value)
    observations: dict[SubjectKey, list[Observation]] = defaultdict(list)
    periods: dict[str, Period] = {}  # parse each period key once, not once per subject
    for (subject_type, subject_id, key), (value, provisional, confirmed) in latest.items():
        if key not in periods:
            periods[key] = parse_period(key)
        settled = definitive.get((subject_type, subject_id, key)) if provisional else None
        observations[(subject_type, subject_id)].append(
            Observation(
                periods[key], value, provisional=provisional, settled=settled, confirmed=confirmed
            )
        )
    return dict(observations)


def steering_inputs(
    contract: Contract, scope_code: str
) -> tuple[dict[SubjectKey, list[StoredTarget]], dict[SubjectKey, list[Observation]]]:
    targets: dict[SubjectKey, list[StoredTarget]] = {
        key: [
            StoredTarget(t.year, float(t.value), t.kind, t.comparator, t.provenance) for t in rows
        ]
        for key, rows in current_targets(contract.id, scope_code).items()
    }
    return targets, current_observations(contract.id, scope_code)


def status_at(contract: Contract, as_of: date, policy: Policy | None = None) -> ContractStatus:
    """The status of every subject at ``as_of``, with the contract's policy unless given."""
    targets, observations = steering_inputs(contract, contract.organisation.code)
    return contract_status(
        contract,
        targets,
        observations,
        as_of,
        policy if policy is not None else policy_of(contract),
    )
