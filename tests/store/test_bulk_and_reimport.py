"""The fast paths of an import: rows and audit events written in bulk are what the ORM would
write, and a file imported again while nothing changed since is recognised without reading it."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cpog.contract.model import Contract
from cpog.gcpause import paused_collection
from cpog.periods import parse_period
from cpog.store import imports as store_imports
from cpog.store.imports import import_values
from cpog.store.models import AuditEvent, ImportBatch, Measurement
from cpog.store.values import NewValue, record_values

pytestmark = pytest.mark.django_db
Writer = Callable[..., Path]
TODAY = date(2026, 11, 27)

FILE = (
    "\ufeffidentifiant;période;valeur;statut;commentaire\r\n"
    "iql0;mars 2025;93,5;définitive;vérifié\r\n"
    "COG 08-29;2025-04;14,9;;\r\n"
    "cog-10-41;décembre 2025;1\u202f234\u00a0567,5;;\r\n"
)


def test_bulk_rows_read_back_as_the_orm_would_have_written_them(loaded: Contract) -> None:
    period = parse_period("mars 2025")
    record_values(
        loaded.id,
        "79",
        [NewValue("indicator", "iql0", period, Decimal("93.25"), status="definitive")],
        source="manual",
        user="alice",
    )
    row = Measurement.objects.get()
    assert (row.period_key, row.period_start, row.period_end) == (
        "2025-03",
        date(2025, 3, 1),
        date(2025, 3, 31),
    )
    assert row.value == Decimal("93.25") and row.numerator is None
    assert (row.status, row.source, row.scope_type, row.batch_id) == (
        "definitive",
        "manual",
        "caisse",
        None,
    )
    assert row.recorded_at.tzinfo is not None and row.recorded_by == "alice"
    event = AuditEvent.objects.get(entity_type="measurement")
    assert (event.entity_id, event.action, event.before, event.context) == (
        "indicator:iql0:2025-03",
        "create",
        None,
        "manual",
    )
    assert event.after == {
        "value": "93.25",
        "status": "definitive",
        "source": "manual",
        "caisse": "79",  # the caisse whose value it is (decision 017)
    }
    assert event.at == row.recorded_at


def test_a_file_imported_again_unchanged_is_recognised(loaded: Contract, write: Writer) -> None:
    path = write("valeurs.csv", FILE)
    first = import_values(path, loaded, user="alice", today=TODAY)
    assert len(first.changes) == 3 and first.identical_to is None
    batch = ImportBatch.objects.get()
    assert batch.audit_mark == AuditEvent.objects.order_by("-id").first().id  # type: ignore[union-attr]
    counts = (Measurement.objects.count(), AuditEvent.objects.count())

    again = import_values(path, loaded, user="bob", today=TODAY)

    assert again.identical_to == batch and again.changes == []
    assert (again.rows, again.unchanged, again.skipped) == (3, 3, 0)
    assert "même fichier que l'import du" in again.identical_text
    assert (Measurement.objects.count(), AuditEvent.objects.count()) == counts
    assert ImportBatch.objects.count() == 1


def test_the_shortcut_says_what_the_full_check_says(
    loaded: Contract, write: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write("valeurs.csv", FILE + "cog-01-02;;;;\r\n")  # a template line left empty
    import_values(path, loaded, user="alice", today=TODAY)
    shortcut = import_values(path, loaded, user="alice", today=TODAY)
    monkeypatch.setattr(store_imports, "_unchanged_since_import", lambda *args: None)
    full = import_values(path, loaded, user="alice", today=TODAY)
    assert shortcut.identical_to is not None and full.identical_to is None
    assert (shortcut.rows, shortcut.changes, shortcut.skipped) == (
        full.rows,
        full.changes,
        full.skipped,
    )
    assert shortcut.skipped == 1


def test_after_any_write_the_file_is_checked_again(loaded: Contract, write: Writer) -> None:
    path = write("valeurs.csv", FILE)
    import_values(path, loaded, user="alice", today=TODAY)
    # Someone corrects one of the file's values by hand: the file now changes it back.
    record_values(
        loaded.id,
        loaded.organisation.code,
        [NewValue("indicator", "iql0", parse_period("mars 2025"), Decimal("93.1"))],
        source="manual",
        user="carole",
    )
    again = import_values(path, loaded, user="alice", today=TODAY)
    assert again.identical_to is None
    assert [(c.subject_id, c.before, c.after) for c in again.changes] == [("iql0", "93,1", "93,5")]


def test_a_different_file_is_never_taken_for_the_imported_one(
    loaded: Contract, write: Writer
) -> None:
    import_values(write("valeurs.csv", FILE), loaded, user="alice", today=TODAY)
    other = write("valeurs-2.csv", FILE.replace("14,9", "15,1"))
    outcome = import_values(other, loaded, user="alice", today=TODAY)
    assert outcome.identical_to is None and len(outcome.changes) == 1


def test_collection_is_paused_for_a_batch_and_resumed_after() -> None:
    assert gc.isenabled()
    with paused_collection():
        assert not gc.isenabled()
        with paused_collection():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer batch still runs
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused_collection():
        raise RuntimeError("an import that fails")
    assert gc.isenabled()
