"""Crash safety: ``cpog import values`` killed with SIGKILL in the middle of its write leaves the
store exactly as it was (every row of every table), on SQLite and on PostgreSQL; the same import
run again then succeeds.

The import runs the real command line in a subprocess. A test point injected from outside (the
audit trail's bulk write, ``audit.insert_many``, is wrapped) marks the moment when every value of
the file has been written inside the still open transaction, then waits: the test checks that
the writes are there (SQLite's write lock is held; PostgreSQL shows the import's session in a
transaction), kills the process, and compares the store with its state before.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from isolated_store import IsolatedStore, isolated_store

KILLED_IMPORT = """\
import os, sys, time
from pathlib import Path
from cpog.store.bootstrap import setup
setup()
import cpog.store.audit as audit

marker = Path(sys.argv[2])
insert_many = audit.insert_many

def record_then_hang(events):
    # the values are written, the transaction is open: tell the test, then wait to be killed
    insert_many(events)
    marker.write_text("écrit", encoding="utf-8")
    time.sleep(600)

audit.insert_many = record_then_hang
from cpog.cli.main import run
sys.exit(run(["import", "values", sys.argv[1], "--confirmer"]))
"""


def _demo_then_revision_file(store: IsolatedStore, path: Path) -> tuple[int, dict[str, Any]]:
    """Load the demo history, and write a file revising every demo value (each one moved by 1);
    the number of lines, and the store's fingerprint."""
    found = store.fingerprint(
        f"""
        import csv
        from cpog import clock
        from cpog.demo import generate
        from cpog.formatting import fr_number
        from cpog.store.contracts import current_contract
        from cpog.store.demo import load_demo
        _, contract = current_contract()
        load_demo(contract, clock.today())
        values = generate(contract, clock.today()).values
        with open({str(path)!r}, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(["identifiant", "période", "valeur", "statut", "commentaire"])
            for v in values:
                moved = v.value + 1 if v.value < 50 else v.value - 1  # rates stay within 100 %
                writer.writerow([v.subject_id, str(v.period), fr_number(moved), "", ""])
        """
    )
    # one line per demo value of the caisse (the demo's values by commune are not revised)
    lines = len(path.read_text(encoding="utf-8-sig").splitlines()) - 1
    return lines, found


def _in_transaction(store: IsolatedStore) -> bool:
    """The write is in progress: SQLite's write lock is held, or PostgreSQL shows another
    session in a transaction."""
    if store.vendor == "sqlite":
        probe = sqlite3.connect(store.database, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            return "locked" in str(error)
        else:
            probe.rollback()
            return False
        finally:
            probe.close()
    import psycopg

    with psycopg.connect(store.env["DATABASE_URL"], autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
        ).fetchone()
    return row is not None and row[0] > 0


def _counts(store: IsolatedStore) -> dict[str, Any]:
    return store.python(
        """
        from cpog.store.models import AuditEvent, ImportBatch, Measurement
        result = [Measurement.objects.count(), AuditEvent.objects.count(),
                  ImportBatch.objects.count()]
        """
    )


def test_import_killed_mid_write_leaves_the_store_as_before(tmp_path: Path) -> None:
    with isolated_store(tmp_path, "crash") as store:
        path = tmp_path / "valeurs.csv"
        lines, before = _demo_then_revision_file(store, path)
        assert lines > 500
        marker = tmp_path / "ecriture-en-cours"
        importer = subprocess.Popen(
            [sys.executable, "-c", KILLED_IMPORT, str(path), str(marker)],
            env=store.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 120
            while not marker.exists():
                assert importer.poll() is None, importer.communicate()
                assert time.monotonic() < deadline, "l'import n'a pas commencé à écrire"
                time.sleep(0.05)
            assert _in_transaction(store)
        finally:
            if importer.poll() is None:
                os.kill(importer.pid, signal.SIGKILL)
            importer.communicate(timeout=30)
        assert importer.returncode == -signal.SIGKILL

        assert store.fingerprint() == before  # every row of every table, as before

        again = store.cpog("import", "values", str(path), "--confirmer", timeout=300)
        assert again.returncode == 0, again.stderr
        measurements, events, batches = _counts(store)
        old_measurements, old_events, old_batches = (
            len(before["store.Measurement"]),
            len(before["store.AuditEvent"]),
            len(before["store.ImportBatch"]),
        )
        assert measurements == old_measurements + lines
        assert events == old_events + lines
        assert batches == old_batches + 1


pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
