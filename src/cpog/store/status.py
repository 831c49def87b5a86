"""Plain inputs for :mod:`cpog.steering` read from the store, and the status at a date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import FloatField
from django.db.models.functions import Cast

from cpog.assess import Observation, Policy
from cpog.contract.model import Contract
from cpog.periods import Period, parse_period
from cpog.steering import ContractStatus, StoredTarget, SubjectKey, contract_status, policy_of
from cpog.store.models import Measurement, Target

# The value is read as a float by the database: the assessment computes in floats, and building
# a Decimal per row first cost more than the query (what SQLite stores is a double already).
_FIELDS = ("subject_type", "subject_id", "period_key", "number", "status", "confirmed_unusual")


def current_observations(contract_id: str, scope_code: str) -> dict[SubjectKey, list[Observation]]:
    """The current value of every period of every subject, as the assessment reads it: the
    latest revision, flagged provisional or not and confirmed as unusual or not, with the latest
    definitive value of the period when a provisional revision came after it (``settled``)."""
    return observations_by_scope(contract_id, [scope_code]).get(scope_code, {})


def observations_by_scope(
    contract_id: str, scope_codes: Iterable[str]
) -> dict[str, dict[SubjectKey, list[Observation]]]:
    """:func:`current_observations` of several scopes (caisses, territories), in one query."""
    scopes = list(scope_codes)
    latest: dict[tuple[str, str, str, str], tuple[float, bool, bool]] = {}
    definitive: dict[tuple[str, str, str, str], float] = {}
    query = Measurement.objects.filter(contract_id=contract_id)
    query = (
        query.filter(scope_code=scopes[0])
        if len(scopes) == 1
        else query.filter(scope_code__in=scopes)
    )
    rows = (
        query.annotate(number=Cast("value", FloatField()))
        .order_by("recorded_at", "id")
        .values_list("scope_code", *_FIELDS)
    )
    for scope, subject_type, subject_id, key, value, status, confirmed in rows.iterator(
        chunk_size=10000
    ):
        provisional = status != Measurement.Status.DEFINITIVE
        number = value
        latest[(scope, subject_type, subject_id, key)] = (number, provisional, confirmed)
        if not provisional:
            definitive[(scope, subject_type, subject_id, key)] = number
    found: dict[str, dict[SubjectKey, list[Observation]]] = {}
    periods: dict[str, Period] = {}  # parse each period key once, not once per subject
    for full_key, (number, provisional, confirmed) in latest.items():
        scope, subject_type, subject_id, key = full_key
        period = periods.get(key)
        if period is None:
            period = periods[key] = parse_period(key)
        settled = definitive.get(full_key) if provisional else None
        found.setdefault(scope, {}).setdefault((subject_type, subject_id), []).append(
            Observation(
                period, number, provisional=provisional, settled=settled, confirmed=confirmed
            )
        )
    return found


def steering_inputs(
    contract: Contract, scope_code: str
) -> tuple[dict[SubjectKey, list[StoredTarget]], dict[SubjectKey, list[Observation]]]:
    return inputs_by_scope(contract, [scope_code])[scope_code]


def inputs_by_scope(
    contract: Contract, scope_codes: Iterable[str]
) -> dict[str, tuple[dict[SubjectKey, list[StoredTarget]], dict[SubjectKey, list[Observation]]]]:
    """The targets and values of several scopes, read in one query each (not one per scope)."""
    scopes = list(scope_codes)
    observations = observations_by_scope(contract.id, scopes)
    targets = targets_by_scope(contract.id, scopes)
    return {scope: (targets.get(scope, {}), observations.get(scope, {})) for scope in scopes}


def targets_by_scope(
    contract_id: str, scope_codes: Iterable[str]
) -> dict[str, dict[SubjectKey, list[StoredTarget]]]:
    """The current targets of several scopes: per (subject, year, kind), the latest set wins."""
    latest: dict[tuple[str, str, str, int, str], StoredTarget] = {}
    query = Target.objects.filter(contract_id=contract_id, scope_code__in=list(scope_codes))
    fields = ("scope_code", "subject_type", "subject_id", "year", "kind", "value", "comparator")
    for scope, kind, subject_id, year, target_kind, value, comparator, provenance in (
        query.order_by("set_at", "id").values_list(*fields, "provenance").iterator(chunk_size=10000)
    ):
        latest[(scope, kind, subject_id, year, target_kind)] = StoredTarget(
            year, float(value), target_kind, comparator, provenance
        )
    found: dict[str, dict[SubjectKey, list[StoredTarget]]] = {}
    for (scope, kind, subject_id, _, _), target in sorted(latest.items()):
        found.setdefault(scope, {}).setdefault((kind, subject_id), []).append(target)
    return found


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
