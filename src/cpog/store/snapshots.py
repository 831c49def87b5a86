"""Snapshots of the reports: what a generated report printed (decision 012).

Generating a report stores its period, date of situation, data fingerprint, the statuses it
printed and its whole context (JSON), in one transaction with its audit event; the same
fingerprint for the same report is stored once. ``cpog report annual --depuis-instantane`` (and
the page's « telle qu'éditée » link) renders the stored context: the review of a closed year
reads as it was printed, even after later revisions of the values. :func:`what_changed_since`
(cpog.reports.service) compares a snapshot's statuses with those of today's data at the same
date of situation. The store hands plain records (the statuses as their JSON), never contexts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from cpog.store import audit
from cpog.store.locks import lock_key
from cpog.store.models import ReportSnapshot


@dataclass(frozen=True)
class SnapshotRecord:
    id: int
    kind: str
    period: str
    as_of: date
    fingerprint: str
    statuses: list[dict[str, Any]]  # as printed: the context's « statuts »
    context: dict[str, Any]
    created_at: datetime
    created_by: str


def _record(row: ReportSnapshot) -> SnapshotRecord:
    return SnapshotRecord(
        row.pk,
        row.kind,
        row.period,
        row.as_of,
        row.fingerprint,
        list(row.statuses),
        row.context,
        row.created_at,
        row.created_by,
    )


def _hold(contract_id: str) -> None:
    from django.db import connection

    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key("snapshots", contract_id)])


def store(
    contract_id: str, kind: str, period: str, context: dict[str, Any], user: str
) -> tuple[SnapshotRecord, bool]:
    """Keep what a report printed (``context``: its JSON form). Returns the snapshot and whether
    it is new (an identical fingerprint already stored is not stored again)."""
    fingerprint = str(context["empreinte"])
    with transaction.atomic():
        _hold(contract_id)
        same = ReportSnapshot.objects.filter(
            contract_id=contract_id, kind=kind, period=period, fingerprint=fingerprint
        ).first()
        if same is not None:
            return _record(same), False
        row = ReportSnapshot.objects.create(
            contract_id=contract_id,
            kind=kind,
            period=period,
            as_of=date.fromisoformat(context["date_de_situation"]),
            fingerprint=fingerprint,
            statuses=context["statuts"],
            context=context,
            created_at=timezone.now(),
            created_by=user,
        )
        audit.record(
            "report_snapshot",
            f"{kind}:{period}",
            "create",
            user,
            after={"as_of": row.as_of.isoformat(), "fingerprint": fingerprint},
            context=f"{ReportSnapshot.Kind(kind).label} {period}",
            caisse=audit.caisse_of(contract_id),
        )
    return _record(row), True


def get(snapshot_id: int) -> SnapshotRecord:
    return _record(ReportSnapshot.objects.get(pk=snapshot_id))


def latest(contract_id: str, kind: str, period: str) -> SnapshotRecord | None:
    row = ReportSnapshot.objects.filter(contract_id=contract_id, kind=kind, period=period).first()
    return None if row is None else _record(row)


def listing(contract_id: str) -> list[SnapshotRecord]:
    """Every snapshot of the contract, the latest first (the context left out)."""
    rows = ReportSnapshot.objects.filter(contract_id=contract_id).defer("context")
    return [
        SnapshotRecord(
            r.pk,
            r.kind,
            r.period,
            r.as_of,
            r.fingerprint,
            list(r.statuses),
            {},
            r.created_at,
            r.created_by,
        )
        for r in rows
    ]
