"""Values of territories (EPCI, communes, CTG, département) read from the store as plain parts
for :mod:`cpog.assess.aggregate`: the current revision of each period, with its numerator and
denominator when known (decision 016)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.db.models import FloatField
from django.db.models.functions import Cast

from cpog.assess.aggregate import Part
from cpog.contract.model import Contract
from cpog.geography import default_cache_dir, geography_of
from cpog.scope import STORE_TERRITORY
from cpog.steering import SubjectKey
from cpog.store.models import Measurement
from cpog.territories import CTG_ENV, Ctg, CtgError, Territories, default_ctg_path, read_ctg


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


_CTG_READ: dict[tuple[str, str, float], tuple[Ctg, ...]] = {}


def ctg_path() -> Path | None:
    """The caisse's CTG file: ``CPOG_CTG``, else ``ctg.yaml`` in the app's data folder."""
    return default_ctg_path(Path(settings.DATA_DIR))


def caisse_territories(contract: Contract) -> Territories:
    """The territories of the contract's caisse: its département's communes and EPCI, and its
    CTG (read from :func:`ctg_path`, again only when the file changed). A CTG file named by
    ``CPOG_CTG`` that is absent, or a file with an error, raises :class:`CtgError`."""
    caisse = contract.organisation.code
    folder = default_cache_dir() or Path(settings.DATA_DIR) / "cache" / "geographie"
    geography = geography_of(caisse, folder)
    path = ctg_path()
    ctgs: tuple[Ctg, ...] = ()
    if path is not None:
        try:
            stamp = path.stat().st_mtime
        except OSError:
            if os.environ.get(CTG_ENV, "").strip():
                raise CtgError([f"{path} : fichier des CTG introuvable ({CTG_ENV})."]) from None
            stamp = None
        if stamp is not None:
            key = (caisse, str(path), stamp)
            if key not in _CTG_READ:
                _CTG_READ.clear()
                _CTG_READ[key] = read_ctg(path, geography)
            ctgs = _CTG_READ[key]
    return Territories(caisse, contract.organisation.short_name, geography, ctgs)
