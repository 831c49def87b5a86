"""data.caf.fr open data in the store (decision 019): importing a file, reading it back.

An import reads and checks the whole file (:func:`cpog.ingest.opendata.read_open_data`), then,
in one transaction, compares every value with the current one of its (dataset, field, bracket,
territory, period) and writes only those that are new or changed, under a batch of kind
« données ouvertes »: all or nothing. The same file imported again finds nothing new, writes no
batch, and says which earlier import it repeats. The batch is audited (one event naming the
file, the dataset and the counts) and so is each value a later publication revises (before and
after); values seen for the first time point to their batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from cpog.contract.model import Contract
from cpog.formatting import fr_date
from cpog.gcpause import paused_collection
from cpog.geography import geography_of
from cpog.ingest.opendata import OpenDataFile, OpenDataPoint, read_open_data
from cpog.ingest.tables import CellIssue, ImportValidationError
from cpog.store import audit
from cpog.store.bulk import insert_rows
from cpog.store.locks import lock_values
from cpog.store.models import AuditEvent, ImportBatch, Measurement, OpenDataValue, ScopeType

__all__ = [
    "OpenDataOutcome",
    "OpenDataStoreReader",
    "import_open_data",
]

Key = tuple[str, str, str, str, str]  # dataset, field, category, territory, period

_COLUMNS = (
    "dataset",
    "field",
    "category",
    "scope_type",
    "scope_code",
    "period_key",
    "value",
    "batch_id",
    "recorded_at",
)


@dataclass
class OpenDataOutcome:
    """What an import read and wrote. ``identical_to``: an earlier import of the same bytes,
    when this one found nothing new."""

    data: OpenDataFile
    written: int
    revised: int
    dry_run: bool
    keep_all: bool
    batch: ImportBatch | None = None
    identical_to: ImportBatch | None = None

    @property
    def unchanged(self) -> int:
        return len(self.data.points) - self.written

    @property
    def identical_text(self) -> str:
        """« même fichier que l'import du 27/11/2026 à 10:42 », or ""."""
        if self.identical_to is None:
            return ""
        at = timezone.localtime(self.identical_to.created_at)
        return f"même fichier que l'import du {fr_date(at.date())} à {at:%H:%M}"


def department_of(contract: Contract) -> str:
    """The département a caisse covers: its organisation code (« 79 »)."""
    return contract.organisation.code


def import_open_data(
    path: Path,
    contract: Contract,
    *,
    user: str,
    dataset: str | None = None,
    keep_all: bool = False,
    dry_run: bool = False,
    name: str | None = None,
) -> OpenDataOutcome:
    """Import a data.caf.fr file: every cell checked, then the new values written at once or
    nothing (see the module). ``keep_all`` keeps the territories outside the caisse's
    département. Raises :class:`ImportValidationError` (French, file/line/column/value)."""
    shown = name or path.name
    try:
        raw = path.read_bytes()
    except OSError:
        raw = b""  # reading it as a table says why, in French
    department = department_of(contract)
    epcis: list[str] = []
    if not keep_all:
        try:
            epcis = [epci.code for epci in geography_of(department).epcis]
        except (LookupError, ValueError) as error:
            raise ImportValidationError(
                [
                    CellIssue(
                        shown,
                        0,
                        "",
                        "",
                        f"Géographie du département {department} introuvable ({error}) :"
                        " relancez avec --tout pour garder tous les territoires",
                    )
                ]
            ) from error
    with paused_collection():
        data = read_open_data(
            path,
            dataset=dataset,
            department=None if keep_all else department,
            epcis=epcis,
            name=shown,
        )
        digest = hashlib.sha256(raw).hexdigest()
        with transaction.atomic():
            lock_values(contract.id, f"opendata:{data.dataset.name}")
            current = _current(data.dataset.name)
            plan = [
                (point, current.get(_key(point)))
                for point in data.points
                if current.get(_key(point)) != point.value
            ]
            outcome = OpenDataOutcome(
                data,
                len(plan),
                sum(1 for _, before in plan if before is not None),
                dry_run,
                keep_all,
            )
            if not plan:
                outcome.identical_to = (
                    ImportBatch.objects.filter(kind=ImportBatch.Kind.OPENDATA, file_sha256=digest)
                    .order_by("-id")
                    .first()
                )
            if dry_run or not plan:
                return outcome
            outcome.batch = _write(contract, data, digest, plan, user, keep_all)
    return outcome


def _key(point: OpenDataPoint) -> Key:
    return (point.dataset, point.field, point.category, point.territory, point.period)


def _current(dataset: str) -> dict[Key, Decimal]:
    """The latest value of every (field, bracket, territory, period) of ``dataset``."""
    rows = (
        OpenDataValue.objects.filter(dataset=dataset)
        .order_by("id")
        .values_list("dataset", "field", "category", "scope_code", "period_key", "value")
    )
    return {(d, f, c, s, p): v for d, f, c, s, p, v in rows.iterator(chunk_size=5000)}


def _write(
    contract: Contract,
    data: OpenDataFile,
    digest: str,
    plan: list[tuple[OpenDataPoint, Decimal | None]],
    user: str,
    keep_all: bool,
) -> ImportBatch:
    details: dict[str, Any] = {
        "dataset": data.dataset.name,
        "rows_read": data.rows_read,
        "rows_kept": data.rows_kept,
        "dropped": dict(data.dropped),
        "cells_dropped": dict(data.cells_dropped),
        "territories": len(data.territories),
        "periods": data.periods,
        "values": len(data.points),
        "revised": sum(1 for _, before in plan if before is not None),
        "all_territories": keep_all,
        "ignored_columns": data.ignored_columns,
    }
    batch = ImportBatch.objects.create(
        contract_id=contract.id,
        kind=ImportBatch.Kind.OPENDATA,
        file_name=data.source,
        file_sha256=digest,
        row_count=data.rows_read,
        written_count=len(plan),
        skipped_count=sum(data.dropped.values()),
        details=details,
        created_by=user,
    )
    now = timezone.now()
    insert_rows(
        OpenDataValue,
        _COLUMNS,
        (
            (
                p.dataset,
                p.field,
                p.category,
                ScopeType.TERRITORY,
                p.territory,
                p.period,
                p.value,
                batch.pk,
                now,
            )
            for p, _ in plan
        ),
    )
    context = f"import des données ouvertes {data.source}"
    audit.record(
        "import_batch",
        str(batch.pk),
        "create",
        user,
        after={"file_name": data.source, "kind": batch.kind, **details},
        context=context,
    )
    audit.insert_many(
        audit.row(
            "opendata_value",
            ":".join(_key(point)),
            "revise",
            user,
            before={"value": str(before)},
            after={"value": str(point.value)},
            context=context,
            at=now,
        )
        for point, before in plan
        if before is not None
    )
    batch.audit_mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    batch.save(update_fields=["audit_mark"])
    return batch


class OpenDataStoreReader:
    """The store as :class:`cpog.contexts.opendata.OpenDataReader` reads it."""

    def open_data(self, wanted: Iterable[tuple[str, str]]) -> list[OpenDataPoint]:
        """The current values of the (dataset, field) pairs asked."""
        found: dict[Key, OpenDataPoint] = {}
        for dataset, field in sorted(set(wanted)):
            rows = (
                OpenDataValue.objects.filter(dataset=dataset, field=field)
                .order_by("id")
                .values_list("category", "scope_code", "period_key", "value")
            )
            for category, code, period, value in rows.iterator(chunk_size=5000):
                point = OpenDataPoint(dataset, field, category, code, period, value)
                found[_key(point)] = point
        return list(found.values())

    def figure_values(
        self, contract: Contract, subject_ids: Iterable[str]
    ) -> dict[tuple[str, str, str], float]:
        """The current computed values of key figures: (figure id, scope code, period) → value,
        for the caisse and every territory."""
        rows = (
            Measurement.objects.filter(
                contract_id=contract.id, subject_type="figure", subject_id__in=list(subject_ids)
            )
            .order_by("recorded_at", "id")
            .values_list("subject_id", "scope_code", "period_key", "value")
        )
        return {(s, c, p): float(v) for s, c, p, v in rows}

    def open_data_batches(self) -> int:
        return ImportBatch.objects.filter(kind=ImportBatch.Kind.OPENDATA).count()
