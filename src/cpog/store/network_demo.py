"""Filling a store with a demonstration network of caisses (``cpog demo --caisses N``): each
caisse's contract (a clone of the own caisse's), its targets and its values, labelled
« données de démonstration », in one transaction, written in bulk."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from cpog.contract.model import Contract
from cpog.demo import DEMO_LABEL
from cpog.errors import CpogError
from cpog.network_demo import (
    NETWORK_COMMENT,
    NetworkCaisse,
    NetworkValue,
    caisse_contract,
    network_caisses,
    network_data_all,
)
from cpog.store.contracts import store_contract
from cpog.store.demo import DEMO_USER, RealDataPresent, refuse_in_production
from cpog.store.models import Measurement, Target
from cpog.store.values import (
    CurrentValue,
    NewTarget,
    NewValue,
    current_values_by_contract,
    record_targets,
    record_values,
)

NETWORK_SIZE = 101  # the Caf of the Cnaf network


class NetworkDemoError(CpogError):
    pass


@dataclass(frozen=True)
class NetworkOutcome:
    caisses: int  # caisses of the network, the own one included
    contracts: int  # contracts stored now (0 when all were there)
    values: int
    targets: int
    seconds: float


def load_network_demo(contract: Contract, as_of: date, count: int) -> NetworkOutcome:
    """Store ``count`` caisses (the own one, ``contract``'s, included: its data is
    :func:`cpog.store.demo.load_demo`'s) with their contracts, targets and values up to
    ``as_of``. Writes only what differs (a second run writes nothing). Refuses caisses that
    hold real values."""
    refuse_in_production()
    started = time.perf_counter()
    if not 1 <= count <= NETWORK_SIZE:
        raise NetworkDemoError(
            f"Nombre de caisses « {count} » impossible : de 1 à {NETWORK_SIZE} (le réseau des Caf)."
        )
    own_code = contract.organisation.code
    caisses = network_caisses(own_code, count)
    if not caisses or caisses[0].code != own_code:
        raise NetworkDemoError(
            f"La caisse « {own_code} » du contrat n'est pas un département connu : le réseau de "
            "démonstration ne se construit qu'autour d'une Caf départementale."
        )
    own, others = caisses[0], caisses[1:]
    contracts = {c.code: caisse_contract(contract, c) for c in others}
    ids = [clone.id for clone in contracts.values()]
    real = Measurement.objects.filter(contract_id__in=ids).exclude(source=Measurement.Source.DEMO)
    if real.exists():
        raise RealDataPresent(
            f"Des caisses du réseau ont déjà {real.count()} valeur(s) réelle(s) : les "
            f"{DEMO_LABEL} ne les remplacent pas."
        )
    data = network_data_all(contract, others, own, as_of)
    stored = values = targets = 0
    with transaction.atomic():
        for caisse in others:
            outcome = store_contract(
                contracts[caisse.code],
                DEMO_LABEL,
                DEMO_USER,
                amendment_date=as_of,
                reason=f"{DEMO_LABEL} : contrat de la caisse {own.code} modifié",
            )
            stored += outcome.created
        current = current_values_by_contract(ids)
        for caisse in others:
            clone = contracts[caisse.code]
            values += len(_values(clone, caisse, data[caisse.code].values, current))
            targets += len(
                record_targets(
                    clone.id,
                    caisse.code,
                    [
                        NewTarget(
                            "indicator",
                            t.subject_id,
                            t.year,
                            t.value,
                            t.kind,
                            Target.Provenance.DEMO,
                            t.comparator,
                            t.reason,
                        )
                        for t in data[caisse.code].targets
                    ],
                    user=DEMO_USER,
                )
            )
    return NetworkOutcome(
        len(caisses), stored, values, targets, round(time.perf_counter() - started, 2)
    )


def _values(
    clone: Contract,
    caisse: NetworkCaisse,
    values: list[NetworkValue],
    current: dict[str, dict[tuple[str, str, str], CurrentValue]],
) -> list[NewValue]:
    return record_values(
        clone.id,
        caisse.code,
        [
            NewValue(
                "indicator",
                v.subject_id,
                v.period,
                v.value,
                v.numerator,
                v.denominator,
                status=v.status,
                comment=NETWORK_COMMENT,
            )
            for v in values
        ],
        source=Measurement.Source.DEMO,
        user=DEMO_USER,
        current=current.get(clone.id, {}),
    )
