"""Filling a store with the generated demonstration history (``cpog demo``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from cpog.contract.model import Contract
from cpog.demo import DEMO_LABEL, generate
from cpog.errors import CpogError
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
