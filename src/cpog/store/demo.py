"""Filling a store with the generated demonstration history (``cpog demo``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from cpog.contract.model import Contract
from cpog.demo import DEMO_LABEL, DemoValue, generate
from cpog.errors import CpogError
from cpog.ingest.value_rule import Cell, RawEntry, check_values, subjects_of
from cpog.store.imports import StoredSeries
from cpog.store.models import Measurement, Target
from cpog.store.values import NewTarget, NewValue, record_targets, record_values

DEMO_USER = "démonstration"


class RealDataPresent(CpogError):
    pass


@dataclass(frozen=True)
class DemoOutcome:
    values: int
    targets: int


def load_demo(contract: Contract, as_of: date) -> DemoOutcome:
    """Write the demo history up to ``as_of``; refuses a store that holds real values."""
    scope = contract.organisation.code
    real = Measurement.objects.filter(contract_id=contract.id).exclude(
        source=Measurement.Source.DEMO
    )
    if real.exists():
        raise RealDataPresent(
            f"La base contient déjà {real.count()} valeur(s) réelle(s) : les {DEMO_LABEL} ne "
            "sont chargées que dans une base vide de valeurs réelles."
        )
    data = generate(contract, as_of)
    confirmed = _unusual(contract, data.values, as_of)
    with transaction.atomic():
        values = record_values(
            contract.id,
            scope,
            [
                NewValue(
                    v.subject_type,
                    v.subject_id,
                    v.period,
                    v.value,
                    status=v.status,
                    comment=v.comment,
                    confirmed_unusual=(v.subject_type, v.subject_id, v.period) in confirmed,
                )
                for v in data.values
            ],
            source=Measurement.Source.DEMO,
            user=DEMO_USER,
        )
        targets = record_targets(
            contract.id,
            scope,
            [
                NewTarget(
                    t.subject_type,
                    t.subject_id,
                    t.year,
                    t.value,
                    t.kind,
                    Target.Provenance.DEMO,
                    t.comparator,
                    t.reason,
                )
                for t in data.targets
            ],
            user=DEMO_USER,
        )
    return DemoOutcome(len(values), len(targets))


def _unusual(
    contract: Contract, values: list[DemoValue], as_of: date
) -> set[tuple[str, str, object]]:
    """The demo values the value rule finds unusual (a jump in their series), stored as
    confirmed: as a user who confirmed them at entry would have, so that the demo data exported
    to Excel re-import without a question."""
    subjects = subjects_of(contract)
    items = [
        (subjects[v.subject_id], RawEntry(v.period.key, Cell(str(v.value), v.value)))
        for v in values
        if v.subject_id in subjects
    ]
    kept = [v for v in values if v.subject_id in subjects]
    return {
        (v.subject_type, v.subject_id, v.period)
        for v, (entry, _) in zip(
            kept, check_values(items, as_of, StoredSeries(contract)), strict=True
        )
        if entry is not None and entry.unusual
    }
