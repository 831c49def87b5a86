"""The audit trail: one row per write, with the state before and after."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from cpog.store.bulk import insert_rows
from cpog.store.models import AuditEvent


def record(
    entity_type: str,
    entity_id: str,
    action: str,
    user: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    context: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        user=user,
        at=timezone.now(),
        before=before,
        after=after,
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
) -> AuditEvent:
    """An unsaved event, for :func:`record_many`."""
    return AuditEvent(
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        user=user,
        at=at or timezone.now(),
        before=before,
        after=after,
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
) -> EventRow:
    """An event as a plain row, for :func:`insert_many` (no model instance per event)."""
    return (entity_type, entity_id, action, user, at, before, after, context[:300])


def insert_many(rows: Iterable[EventRow]) -> int:
    """Write many events at once (:func:`cpog.store.bulk.insert_rows`)."""
    return insert_rows(AuditEvent, _COLUMNS, rows)
