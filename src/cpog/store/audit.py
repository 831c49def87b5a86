"""The audit trail: one row per write, with the state before and after."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from cpog.store.bulk import insert_rows
from cpog.store.models import AuditEvent, ContractVersion

# Several caisses share a store (decision 016): each event names the caisse whose data it
# wrote, under this key of ``after``, so that a caisse's history shows its own events only
# (decision 017). An event without it was written before: the installation's own caisse.
CAISSE_KEY = "caisse"


def caisse_of(contract_id: str) -> str:
    """The caisse of a contract, as its versions record it."""
    query = ContractVersion.objects.filter(contract_id=contract_id)
    return query.values_list("caisse_code", flat=True).first() or ""


def tagged(after: dict[str, Any] | None, caisse: str | None) -> dict[str, Any] | None:
    """``after`` naming the caisse whose data the event wrote (None: not a caisse's data, such
    as a network account)."""
    if caisse == "":
        return after
    return {**(after or {}), CAISSE_KEY: caisse}


def of_caisse(events: QuerySet[AuditEvent], caisse: str) -> QuerySet[AuditEvent]:
    """The events of the caisse ``caisse``; those that name none, written before several caisses
    shared the store, are the installation's own caisse's."""
    from cpog.store.contracts import default_caisse_code

    scoped = Q(**{f"after__{CAISSE_KEY}": caisse})
    if caisse == default_caisse_code():
        scoped |= Q(**{f"after__{CAISSE_KEY}__isnull": True})
    return events.filter(scoped)


def record(
    entity_type: str,
    entity_id: str,
    action: str,
    user: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    context: str = "",
    *,
    caisse: str | None = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        user=user,
        at=timezone.now(),
        before=before,
        after=tagged(after, caisse),
        context=context[:300],
    )


def event(
    entity_type: str,
    entity_id: str,
    action: str,
    user: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    context: str = "",
    at: datetime | None = None,
    *,
    caisse: str | None = "",
) -> AuditEvent:
    """An unsaved event, for :func:`record_many`."""
    return AuditEvent(
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        user=user,
        at=at or timezone.now(),
        before=before,
        after=tagged(after, caisse),
        context=context[:300],
    )


def record_many(events: Iterable[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(list(events), batch_size=2000)


EventRow = tuple[str, str, str, str, datetime, dict[str, Any] | None, dict[str, Any] | None, str]
_COLUMNS = ("entity_type", "entity_id", "action", "user", "at", "before", "after", "context")


def row(
    entity_type: str,
    entity_id: str,
    action: str,
    user: str,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    context: str,
    at: datetime,
    caisse: str | None = "",
) -> EventRow:
    """An event as a plain row, for :func:`insert_many` (no model instance per event)."""
    return (entity_type, entity_id, action, user, at, before, tagged(after, caisse), context[:300])


def insert_many(rows: Iterable[EventRow]) -> int:
    """Write many events at once (:func:`cpog.store.bulk.insert_rows`)."""
    return insert_rows(AuditEvent, _COLUMNS, rows)
