"""The audit trail in words: the history page's rows and the dashboard's latest updates, built
from :class:`cpog.contexts.reader.EventRecord` (the filters and the pages stay with the web)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from cpog import vocabulary
from cpog.audit_text import ContractWords, event_sentence
from cpog.contexts.reader import EventRecord
from cpog.contexts.serialize import record
from cpog.contract.model import Contract

_ID = re.compile(r"^[-a-zA-Z0-9_]+$")  # what the pages' routes accept (slugs)


@record
class EventData:
    """One write: who, when, the sentence, and what it wrote. ``link_kind`` (indicator, measure
    or action) and ``link_id`` name the page of what was written, when it has one."""

    id: int
    at: datetime
    user: str
    entity_type: str
    entity_label: str
    entity_id: str
    action: str
    sentence: str
    link_kind: str | None
    link_id: str | None


def _link(event: EventRecord) -> tuple[str | None, str | None]:
    parts = event.entity_id.split(":")
    if parts[0] == "figure":  # a key figure of the diagnosis has no page of its own
        return None, None
    if event.entity_type in ("measurement", "target", "analysis") and len(parts) >= 2:
        kind = "indicator" if parts[0] == "indicator" else "measure"
        target = parts[1]
    elif event.entity_type.startswith("action_"):
        kind, target = "action", parts[0]
    else:
        return None, None
    return (kind, target) if _ID.match(target) else (None, None)


def event_data(event: EventRecord, words: ContractWords) -> EventData:
    kind, target = _link(event)
    return EventData(
        id=event.id,
        at=event.at,
        user=event.user,
        entity_type=event.entity_type,
        entity_label=vocabulary.AUDIT_ENTITY.get(event.entity_type, event.entity_type),
        entity_id=event.entity_id,
        action=event.action,
        sentence=event_sentence(event, words),
        link_kind=kind,
        link_id=target,
    )


def event_rows(events: Iterable[EventRecord], contract: Contract) -> list[EventData]:
    """Events as the history page, the dashboard and the reports tell them."""
    words = ContractWords(contract)
    return [event_data(e, words) for e in events]


@record
class HistoryContext:
    """One page of the history: its rows, how many writes match and which page it is."""

    rows: list[EventData]
    total: int
    page: int
    pages: int
    filtered: bool


def history_context(
    contract: Contract,
    events: Iterable[EventRecord],
    *,
    total: int,
    page: int = 1,
    pages: int = 1,
    filtered: bool = False,
) -> HistoryContext:
    return HistoryContext(event_rows(events, contract), total, page, pages, filtered)
