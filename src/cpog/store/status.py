"""Plain inputs for :mod:`cpog.steering` read from the store, and the status at a date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import FloatField
from django.db.models.functions import Cast

from cpog.assess import Observation, Policy
from cpog.contract.model import Contract
from cpog.periods import Period, parse_period
from cpog.steering import ContractStatus, StoredTarget, SubjectKey, contract_status, policy_of
from cpog.store.models import Measurement, ScopeType, Target

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
    return _current(rows.iterator(chunk_size=10000))


Parts = tuple[float | None, float | None]  # numerator, denominator of a current value


def _current(
    rows: Iterable[tuple[Any, ...]], parts: dict[tuple[str, str, str], Parts] | None = None
) -> dict[str, dict[SubjectKey, list[Observation]]]:
    """Observations from rows (group, subject type, subject id, period key, value, status,
    confirmed[, numerator, denominator]) in the order written: the latest revision of each
    period, with the latest definitive one behind a provisional one (``settled``). ``parts``
    receives the numerator and denominator of each current value, keyed (group, subject id,
    period key), when the rows carry them."""
    latest: dict[tuple[str, str, str, str], tuple[float, bool, bool]] = {}
    definitive: dict[tuple[str, str, str, str], float] = {}
    for group, subject_type, subject_id, key, value, status, confirmed, *ratio in rows:
        provisional = status != Measurement.Status.DEFINITIVE
        full = (group, subject_type, subject_id, key)
        latest[full] = (value, provisional, confirmed)
        if not provisional:
            definitive[full] = value
        if parts is not None and ratio:
            parts[(group, subject_id, key)] = (_number(ratio[0]), _number(ratio[1]))
    found: dict[str, dict[SubjectKey, list[Observation]]] = {}
    periods: dict[str, Period] = {}  # parse each period key once, not once per subject
    for full_key, (number, provisional, confirmed) in latest.items():
        group, subject_type, subject_id, key = full_key
        period = periods.get(key)
        if period is None:
            period = periods[key] = parse_period(key)
        settled = definitive.get(full_key) if provisional else None
        found.setdefault(group, {}).setdefault((subject_type, subject_id), []).append(
            Observation(
                period, number, provisional=provisional, settled=settled, confirmed=confirmed
            )
        )
    return found


def _number(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def observations_of_contracts(
    scopes: dict[str, str], subject_id: str | None = None
) -> tuple[dict[str, dict[SubjectKey, list[Observation]]], dict[tuple[str, str, str], Parts]]:
    """The current indicator values of several contracts, each at its own caisse (``scopes``:
    contract id → caisse code), in one query; with the numerator and denominator of each
    current value. Only ``subject_id`` when given. Keyed by caisse code."""
    query = Measurement.objects.filter(
        contract_id__in=list(scopes), scope_type=ScopeType.CAISSE, subject_type="indicator"
    )
    if subject_id is not None:
        query = query.filter(subject_id=subject_id)
    rows = (
        query.annotate(
            number=Cast("value", FloatField()),
            num=Cast("numerator", FloatField()),
            den=Cast("denominator", FloatField()),
        )
        .order_by("recorded_at", "id")
        .values_list("contract_id", "scope_code", *_FIELDS, "num", "den")
    )
    by_code: dict[str, str] = {}
    kept = []
    for contract_id, scope, *rest in rows.iterator(chunk_size=10000):
        if scopes.get(contract_id) != scope:
            continue  # another caisse's scope within a contract: not this network's value
        by_code[contract_id] = scope
        kept.append((scope, *rest))
    parts: dict[tuple[str, str, str], Parts] = {}
    return _current(kept, parts), parts


def national_observations(
    subject_id: str,
) -> tuple[list[Observation], dict[str, Parts]]:
    """The stored national values of an indicator (scope « national », code « FR »), whatever
    contract they were written with, and their numerators and denominators by period key."""
    rows = (
        Measurement.objects.filter(
            scope_type=ScopeType.NATIONAL, subject_type="indicator", subject_id=subject_id
        )
        .annotate(
            number=Cast("value", FloatField()),
            num=Cast("numerator", FloatField()),
            den=Cast("denominator", FloatField()),
        )
        .order_by("recorded_at", "id")
        .values_list("scope_code", *_FIELDS, "num", "den")
    )
    parts: dict[tuple[str, str, str], Parts] = {}
    found = _current(rows.iterator(chunk_size=10000), parts)
    series = [
        o for by_subject in found.values() for o in by_subject.get(("indicator", subject_id), [])
    ]
    return series, {key: value for (_, _, key), value in parts.items()}


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
    query = Target.objects.filter(contract_id=contract_id, scope_code__in=list(scope_codes))
    fields = ("scope_code", "subject_type", "subject_id", "year", "kind", "value", "comparator")
    rows = query.order_by("set_at", "id").values_list(*fields, "provenance")
    return _latest_targets(rows.iterator(chunk_size=10000))


def _latest_targets(
    rows: Iterable[tuple[Any, ...]],
) -> dict[str, dict[SubjectKey, list[StoredTarget]]]:
    """Per group, the current targets: per (subject, year, kind), the latest set wins."""
    latest: dict[tuple[str, str, str, int, str], StoredTarget] = {}
    for scope, kind, subject_id, year, target_kind, value, comparator, provenance in rows:
        latest[(scope, kind, subject_id, year, target_kind)] = StoredTarget(
            year, float(value), target_kind, comparator, provenance
        )
    found: dict[str, dict[SubjectKey, list[StoredTarget]]] = {}
    for (scope, kind, subject_id, _, _), target in sorted(latest.items()):
        found.setdefault(scope, {}).setdefault((kind, subject_id), []).append(target)
    return found


def targets_of_contracts(
    scopes: dict[str, str], subject_id: str | None = None
) -> dict[str, dict[SubjectKey, list[StoredTarget]]]:
    """The current indicator targets of several contracts, each at its own caisse (``scopes``:
    contract id → caisse code), in one query; keyed by caisse code."""
    query = Target.objects.filter(
        contract_id__in=list(scopes), scope_type=ScopeType.CAISSE, subject_type="indicator"
    )
    if subject_id is not None:
        query = query.filter(subject_id=subject_id)
    fields = ("subject_type", "subject_id", "year", "kind", "value", "comparator", "provenance")
    rows = query.order_by("set_at", "id").values_list("contract_id", "scope_code", *fields)
    return _latest_targets(
        (scope, *rest)
        for contract_id, scope, *rest in rows.iterator(chunk_size=10000)
        if scopes.get(contract_id) == scope
    )


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
