"""Serialising the writers of one thing: the values of a (contract, scope), one action.

A write first reads what is stored (is the value unchanged? which revision does it replace? has
the action changed since the form was shown?) and then writes. Two writers reading at once would
both see the old state: both store « the same » revision, or one overwrites the other. So every
write path takes its lock as the FIRST statement of its transaction, before any read, and keeps
it until commit or rollback.

- PostgreSQL: ``pg_advisory_xact_lock`` on a 64-bit key derived from the thing's name. Readers
  are never blocked; only writers of the same thing wait for each other. The lock is released by
  the transaction's end, so a crashed writer cannot leave it held.
- SQLite: nothing to do here. The settings open every transaction with ``BEGIN IMMEDIATE``
  (``transaction_mode``), which takes the database's write lock at the transaction's start:
  writers are already serialised, database-wide, before their first read; they wait for each
  other up to the ``timeout`` of the settings. WAL keeps readers working meanwhile.

See docs/decisions/009-concurrency-and-backup.md.
"""

from __future__ import annotations

import hashlib

from django.db import connection


def lock_key(*parts: str) -> int:
    """A stable signed 64-bit key (PostgreSQL's ``bigint``) for a thing's name."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _hold(*parts: str) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite: BEGIN IMMEDIATE already holds the database's write lock
    if not connection.in_atomic_block:
        # Autocommit (a benchmark's bulk load): each statement commits alone, there is no
        # read-then-write to protect, and the lock would be released at once.
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(*parts)])


def lock_values(contract_id: str, scope_code: str) -> None:
    """Wait for the other writers of this contract's values and targets in this scope."""
    _hold("values", contract_id, scope_code)


def lock_action(contract_id: str, action_id: str) -> None:
    """Wait for the other writers of this action (state, milestones, comments)."""
    _hold("action", contract_id, action_id)


def lock_analyses(contract_id: str, subject_type: str, subject_id: str) -> None:
    """Wait for the other writers of this subject's analyses."""
    _hold("analyses", contract_id, subject_type, subject_id)


__all__ = ["lock_action", "lock_analyses", "lock_key", "lock_values"]
