"""Loading a contract folder into the store as a contract version.

Loading unchanged files again creates nothing. A changed contract is an amendment (avenant): it
needs the date and the reason, and becomes a new version; nothing of the earlier version is lost.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from cpog.contract.loader import load_contract
from cpog.contract.model import Contract
from cpog.errors import CpogError
from cpog.steering import signed_targets
from cpog.store import audit
from cpog.store.models import ContractVersion, Target


class AmendmentRequired(CpogError):
    pass


class NoContractLoaded(CpogError):
    pass


class CaisseMismatch(CpogError):
    """A contract id already stored for another caisse (one contract, one caisse)."""


@dataclass(frozen=True)
class LoadOutcome:
    version: ContractVersion
    created: bool
    targets_created: int


def content_hash(contract: Contract) -> str:
    canonical = json.dumps(contract.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_contract_version(
    folder: Path,
    user: str,
    amendment_date: date | None = None,
    reason: str = "",
) -> LoadOutcome:
    return store_contract(load_contract(folder), str(folder), user, amendment_date, reason)


def store_contract(
    contract: Contract,
    source: str,
    user: str,
    amendment_date: date | None = None,
    reason: str = "",
) -> LoadOutcome:
    """Store a checked contract (read from ``source``) as a new version when it changed."""
    digest = content_hash(contract)
    with transaction.atomic():
        latest = (
            ContractVersion.objects.select_for_update()
            .filter(contract_id=contract.id)
            .order_by("-version")
            .first()
        )
        if latest is not None and latest.content_hash == digest:
            return LoadOutcome(latest, created=False, targets_created=0)
        if latest is not None and latest.caisse_code != contract.organisation.code:
            raise CaisseMismatch(
                f"Le contrat « {contract.id} » est déjà chargé pour la caisse "
                f"« {latest.caisse_code} » ; ce fichier le donne à la caisse "
                f"« {contract.organisation.code} ». Le contrat d'une autre caisse doit avoir son "
                "propre identifiant (id dans contract.yaml)."
            )
        if latest is not None and (amendment_date is None or not reason.strip()):
            raise AmendmentRequired(
                f"Le contrat « {contract.id} » a changé depuis la version {latest.version} "
                f"chargée le {timezone.localtime(latest.loaded_at):%d/%m/%Y}. Un avenant doit "
                'être daté et justifié : cpog load --avenant JJ/MM/AAAA --motif "…".'
            )
        version = ContractVersion.objects.create(
            caisse_code=contract.organisation.code,
            contract_id=contract.id,
            version=1 if latest is None else latest.version + 1,
            content_hash=digest,
            document=contract.model_dump(mode="json"),
            source_path=source,
            amendment_date=amendment_date,
            amendment_reason=reason.strip(),
            loaded_by=user,
        )
        audit.record(
            "contract_version",
            f"{contract.id}:v{version.version}",
            "create",
            user,
            after={"hash": digest, "amendment_date": str(amendment_date or ""), "reason": reason},
            caisse=contract.organisation.code,
        )
        created = _contract_targets(contract, version, user)
    return LoadOutcome(version, created=True, targets_created=created)


def _contract_targets(contract: Contract, version: ContractVersion, user: str) -> int:
    """Store the targets the signed text states (:func:`cpog.steering.signed_targets`), with
    provenance « CPOG signé »; a target already stored with the same value is left as it is."""
    now = timezone.now()
    created = 0
    for subject_type, subject_id, year, value, comparator in signed_targets(contract):
        current = (
            Target.objects.filter(
                contract_id=contract.id,
                subject_type=subject_type,
                subject_id=subject_id,
                scope_code=contract.organisation.code,
                year=year,
                kind=Target.Kind.FIXED,
            )
            .order_by("-set_at", "-id")
            .first()
        )
        if current is not None and current.value == value and current.comparator == comparator:
            continue
        Target.objects.create(
            contract_id=contract.id,
            subject_type=subject_type,
            subject_id=subject_id,
            scope_code=contract.organisation.code,
            year=year,
            value=value,
            comparator=comparator,
            kind=Target.Kind.FIXED,
            provenance=Target.Provenance.CPOG,
            reason=f"Contrat version {version.version}",
            set_by=user,
            set_at=now,
        )
        audit.record(
            "target",
            f"{subject_type}:{subject_id}:{year}:{Target.Kind.FIXED}",
            "create" if current is None else "revise",
            user,
            before=None if current is None else {"value": str(current.value)},
            after={"value": str(value), "provenance": Target.Provenance.CPOG},
            context="cpog load",
            caisse=contract.organisation.code,
        )
        created += 1
    return created


def current_contract(contract_id: str | None = None) -> tuple[ContractVersion, Contract]:
    """The latest loaded version of ``contract_id``, or of the store's default contract: the
    contract of the caisse ``CPOG_CAISSE`` names, else the first contract loaded (a store holding
    a network of caisses keeps its own caisse as the default; decision 016)."""
    query = ContractVersion.objects.order_by("-version", "-id")
    if contract_id:
        query = query.filter(contract_id=contract_id)
    else:
        query = query.filter(contract_id=default_contract_id())
    version = query.first()
    if version is None:
        raise NoContractLoaded("Aucun contrat chargé dans la base : lancez d'abord « cpog load ».")
    return version, _parsed(version)


_PARSED: dict[tuple[int, str], Contract] = {}


def _parsed(version: ContractVersion) -> Contract:
    """The contract of a version, validated once per process (a network page reads 101)."""
    key = (version.pk, version.content_hash)
    found = _PARSED.get(key)
    if found is None:
        found = Contract.model_validate(version.document)
        if len(_PARSED) > 256:
            _PARSED.clear()
        _PARSED[key] = found
    return found


def default_caisse_code() -> str:
    """The caisse the installation belongs to (``CPOG_CAISSE``; else the first one loaded)."""
    configured = os.environ.get("CPOG_CAISSE", "").strip()
    if configured:
        return configured
    first = ContractVersion.objects.order_by("id").values_list("caisse_code", flat=True).first()
    return first or ""


def default_contract_id() -> str | None:
    code = default_caisse_code()
    query = ContractVersion.objects.order_by("id")
    found = query.filter(caisse_code=code).values_list("contract_id", flat=True).first()
    if found is None and not os.environ.get("CPOG_CAISSE", "").strip():
        found = query.values_list("contract_id", flat=True).first()
    return found


def contract_id_of_caisse(code: str) -> str | None:
    """The id of the caisse ``code``'s current contract (the latest loaded for it), or None; for
    an empty code, the store's default contract."""
    if not code:
        return default_contract_id()
    query = ContractVersion.objects.filter(caisse_code=code).order_by("-id")
    return query.values_list("contract_id", flat=True).first()


def contract_of_caisse(code: str) -> tuple[ContractVersion, Contract]:
    """The current contract of the caisse ``code`` (the latest contract loaded for it)."""
    version = ContractVersion.objects.filter(caisse_code=code).order_by("-id").first()
    if version is None:
        raise NoContractLoaded(f"Aucun contrat chargé pour la caisse « {code} ».")
    latest = (
        ContractVersion.objects.filter(contract_id=version.contract_id)
        .order_by("-version", "-id")
        .first()
    )
    assert latest is not None
    return latest, _parsed(latest)


@dataclass(frozen=True)
class CaisseEntry:
    code: str
    name: str
    contract_id: str
    version_id: int


def caisses() -> list[CaisseEntry]:
    """Every caisse with a contract in the store, by code, with its current contract version."""
    latest: dict[str, tuple[str, int, str]] = {}
    rows = ContractVersion.objects.order_by("version", "id").values_list(
        "caisse_code", "contract_id", "id", "document__organisation__name"
    )
    for code, contract_id, pk, name in rows:
        latest[code] = (contract_id, pk, str(name or code))
    entries = [
        CaisseEntry(code, name, contract_id, pk) for code, (contract_id, pk, name) in latest.items()
    ]
    return sorted(entries, key=lambda e: _code_order(e.code))


def _code_order(code: str) -> tuple[int, str]:
    digits = "".join(ch for ch in code if ch.isdigit())
    return (int(digits) if digits else 10**6, code)
