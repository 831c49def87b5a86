"""Values of territories (EPCI, communes, CTG, département) read from the store as plain parts
for :mod:`cpog.assess.aggregate`: the current revision of each period, with its numerator and
denominator when known (decision 016)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import FloatField
from django.db.models.functions import Cast

from cpog.assess.aggregate import Part
from cpog.scope import STORE_TERRITORY
from cpog.steering import SubjectKey
from cpog.store.models import Measurement


def territory_parts(
    contract_id: str,
    subject: SubjectKey,
    codes: Iterable[str] | None = None,
    period_key: str | None = None,
) -> dict[str, dict[str, Part]]:
    """territory code → period key → the current value of ``subject`` there (the latest
    revision), for every territory with a value (or those of ``codes``), every period (or
    ``period_key``)."""
    query = Measurement.objects.filter(
        contract_id=contract_id,
        subject_type=subject[0],
        subject_id=subject[1],
        scope_type=STORE_TERRITORY,
    )
    if codes is not None:
        query = query.filter(scope_code__in=list(codes))
    if period_key is not None:
        query = query.filter(period_key=period_key)
    rows = (
        query.annotate(
            number=Cast("value", FloatField()),
            top=Cast("numerator", FloatField()),
            bottom=Cast("denominator", FloatField()),
        )
        .order_by("recorded_at", "id")
        .values_list("scope_code", "period_key", "number", "top", "bottom")
    )
    found: dict[str, dict[str, Part]] = {}
    for code, key, value, numerator, denominator in rows.iterator(chunk_size=10000):
        found.setdefault(code, {})[key] = Part(code, value, numerator, denominator)
    return found


def subjects_with_territory_values(contract_id: str) -> set[SubjectKey]:
    """The subjects that have at least one value at a territory's scope."""
    rows = (
        Measurement.objects.filter(contract_id=contract_id, scope_type=STORE_TERRITORY)
        .order_by()  # the model's ordering would make every row distinct
        .values_list("subject_type", "subject_id")
        .distinct()
    )
    return {(subject_type, subject_id) for subject_type, subject_id in rows}


def territory_periods(
    contract_id: str, subject: SubjectKey, codes: Iterable[str] | None = None
) -> list[str]:
    """The period keys at which ``subject`` has a value at one of the territories (of
    ``codes``), latest first: a map's periods, read without reading every value."""
    query = Measurement.objects.filter(
        contract_id=contract_id,
        subject_type=subject[0],
        subject_id=subject[1],
        scope_type=STORE_TERRITORY,
    )
    if codes is not None:
        query = query.filter(scope_code__in=list(codes))
    keys = query.order_by().values_list("period_key", flat=True).distinct()
    return sorted(set(keys), reverse=True)
