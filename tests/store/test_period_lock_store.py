"""The lock of a frozen year on the write path (decision 027): every door that writes values —
record_values (the form's enter_value, the demo loader), the imports (file column « motif » or
``--motif``), the computations — refuses a value of a frozen year without a motif and writes
nothing; with one, the revision keeps it and its audit event is flagged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from computed_extracts import run_computation, write_extracts
from cpog.cli.main import app
from cpog.contract.model import Contract
from cpog.formatting import fr_date
from cpog.ingest.tables import ImportValidationError
from cpog.periods import parse_period
from cpog.store import period_locks, snapshots
from cpog.store.demo import load_demo
from cpog.store.imports import import_values
from cpog.store.models import AuditEvent, Measurement, PeriodLock
from cpog.store.period_locks import FrozenYearRefused, LockError
from cpog.store.values import NewValue, record_values


def _freeze(contract: Contract, year: int, user: str = "direction") -> period_locks.FrozenReview:
    """A review of ``year`` kept as a snapshot (its context reduced to what the store reads),
    then frozen."""
    kept, _ = snapshots.store(
        contract.id,
        "annual",
        str(year),
        {"empreinte": f"essai-{year}", "date_de_situation": f"{year + 1}-03-31", "statuts": []},
        user,
    )
    return period_locks.freeze(contract.id, year, kept.id, user)


def _value(period: str, value: str, motif: str = "") -> NewValue:
    return NewValue("indicator", "cog-08-29", parse_period(period), Decimal(value), motif=motif)


def _record(contract: Contract, values: list[NewValue], motif: str = "") -> list[NewValue]:
    return record_values(
        contract.id, contract.organisation.code, values, source="manual", user="alice", motif=motif
    )


def test_freezing_is_audited_and_happens_once(loaded: Contract) -> None:
    lock = _freeze(loaded, 2025)
    row = PeriodLock.objects.get(contract_id=loaded.id, year=2025)
    assert (row.frozen_by, row.snapshot_id) == ("direction", lock.snapshot_id)
    event = AuditEvent.objects.get(entity_type="period_lock", action="freeze")
    assert event.user == "direction" and event.after["year"] == 2025
    assert event.after["fingerprint"] == "essai-2025"
    with pytest.raises(LockError, match="L'année 2025 est déjà figée"):
        period_locks.freeze(loaded.id, 2025, lock.snapshot_id, "autre")
    with pytest.raises(LockError, match="Aucune revue annuelle 2024 à figer"):
        period_locks.freeze(loaded.id, 2024, lock.snapshot_id, "autre")  # a review of 2025


def test_a_value_written_while_the_review_is_made_counts_as_changed(loaded: Contract) -> None:
    """The freeze dates from when the review's data was read: a value of the year written
    between that reading and the lock is not in the frozen review, and is counted as changed
    since the freeze rather than lost between the two."""
    read_at = timezone.now()
    _record(loaded, [_value("2025-06", "13")])  # while the review is being produced
    kept, _ = snapshots.store(
        loaded.id,
        "annual",
        "2025",
        {"empreinte": "essai-course", "date_de_situation": "2026-03-31", "statuts": []},
        "direction",
    )
    lock = period_locks.freeze(loaded.id, 2025, kept.id, "direction", data_read_at=read_at)
    assert period_locks.changed_since(lock) == 1


def test_unfreezing_needs_a_reason_and_is_audited(loaded: Contract) -> None:
    _freeze(loaded, 2025)
    with pytest.raises(LockError, match="exige un motif"):
        period_locks.unfreeze(loaded.id, 2025, "admin", "  ")
    assert PeriodLock.objects.filter(year=2025).exists()
    period_locks.unfreeze(loaded.id, 2025, "admin", "erreur de saisie de la Cnaf")
    assert not PeriodLock.objects.exists()
    event = AuditEvent.objects.get(entity_type="period_lock", action="unfreeze")
    assert event.user == "admin" and event.after["motif"] == "erreur de saisie de la Cnaf"
    assert event.before is not None and event.before["frozen_by"] == "direction"
    with pytest.raises(LockError, match="n'est pas figée"):
        period_locks.unfreeze(loaded.id, 2025, "admin", "encore")


def test_a_value_of_a_frozen_year_needs_a_motif(loaded: Contract) -> None:
    _record(loaded, [_value("2025-06", "12"), _value("2026-06", "11")])
    lock = _freeze(loaded, 2025)
    before = Measurement.objects.count()
    with pytest.raises(FrozenYearRefused) as refused:
        # one value of an open year and one of the frozen year: neither is written
        _record(loaded, [_value("2026-06", "10"), _value("2025-06", "13")])
    message = str(refused.value)
    assert "« cog-08-29 » pour juin 2025" in message
    frozen_on = fr_date(timezone.localtime(lock.frozen_at).date())  # when it was frozen
    assert f"(revue annuelle 2025 figée le {frozen_on} par direction)" in message
    assert "Motif de la modification" in message and "Rien n'a été enregistré" in message
    assert Measurement.objects.count() == before
    # an open year is written without a motif; the same value again needs none either
    assert len(_record(loaded, [_value("2026-06", "10"), _value("2025-06", "12")])) == 1
    # with its motif: a normal revision keeping it, its audit event flagged
    written = _record(loaded, [_value("2025-06", "13", motif="correction de la Cnaf")])
    assert len(written) == 1
    row = Measurement.objects.filter(period_key="2025-06").latest("id")
    assert (row.value, row.motif) == (Decimal("13"), "correction de la Cnaf")
    assert Measurement.objects.filter(period_key="2025-06").count() == 2  # both revisions kept
    event = AuditEvent.objects.filter(entity_id="indicator:cog-08-29:2025-06").latest("id")
    assert event.action == "revise"
    assert event.after["frozen_year"] == "2025"
    assert event.after["motif"] == "correction de la Cnaf"
    # the write's motif serves every value without its own; another year is not flagged
    _record(loaded, [_value("2025-07", "9"), _value("2026-07", "9")], motif="rattrapage")
    flagged = AuditEvent.objects.filter(after__frozen_year="2025").count()
    assert flagged == 2
    assert Measurement.objects.get(period_key="2026-07").motif == ""


def _csv(tmp_path: Path, lines: list[list[str]], name: str = "valeurs.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(";".join(line) for line in lines) + "\n", encoding="utf-8")
    return path


HEADER = ["identifiant", "période", "valeur", "statut"]


def test_an_import_with_one_line_of_a_frozen_year_is_refused_whole(
    loaded: Contract, tmp_path: Path
) -> None:
    _freeze(loaded, 2025)
    path = _csv(
        tmp_path,
        [
            HEADER,
            ["COG 08-29", "octobre 2026", "12", "provisoire"],
            ["COG 08-29", "mai 2025", "9", "définitif"],
        ],
    )
    with pytest.raises(ImportValidationError) as refused:
        import_values(path, loaded, user="alice")
    [issue] = refused.value.issues
    assert (issue.line, issue.column) == (3, "motif")
    assert "valeur de l'année figée 2025" in issue.message
    assert "colonne « motif », option --motif" in issue.message
    assert not Measurement.objects.exists()
    # the preview says the same, and writes nothing either
    with pytest.raises(ImportValidationError):
        import_values(path, loaded, user="alice", dry_run=True)
    # the file gives the motif, line by line
    with_column = _csv(
        tmp_path,
        [
            [*HEADER, "motif"],
            ["COG 08-29", "octobre 2026", "12", "provisoire", ""],
            ["COG 08-29", "mai 2025", "9", "définitif", "reprise des délais de mai"],
        ],
        "avec-motif.csv",
    )
    outcome = import_values(with_column, loaded, user="alice")
    assert len(outcome.changes) == 2
    assert Measurement.objects.get(period_key="2025-05").motif == "reprise des délais de mai"
    assert Measurement.objects.get(period_key="2026-10").motif == ""


def test_cpog_import_values_takes_the_motif_as_an_option(loaded: Contract, tmp_path: Path) -> None:
    _freeze(loaded, 2025)
    path = _csv(tmp_path, [HEADER, ["COG 08-29", "mai 2025", "9", "définitif"]])
    refused = CliRunner().invoke(app, ["import", "values", str(path)], env={"COLUMNS": "200"})
    assert refused.exit_code == 1
    assert "valeur de l'année figée 2025" in refused.output
    assert not Measurement.objects.exists()
    done = CliRunner().invoke(
        app, ["import", "values", str(path), "--motif", "chiffre rectifié"], env={"COLUMNS": "200"}
    )
    assert done.exit_code == 0, done.output
    assert Measurement.objects.get(period_key="2025-05").motif == "chiffre rectifié"


def test_a_computation_changing_a_frozen_year_is_refused_whole(
    loaded: Contract, tmp_path: Path
) -> None:
    folder = write_extracts(tmp_path / "extraits")
    _freeze(loaded, 2026)  # the extracts' values are September and October 2026's
    with pytest.raises(FrozenYearRefused, match="« cog-08-29 » pour septembre 2026"):
        run_computation(loaded, folder)
    assert not Measurement.objects.exists()
    outcome = run_computation(loaded, folder, motif="calcul corrigé")
    assert outcome.written == 2
    assert set(Measurement.objects.values_list("motif", flat=True)) == {"calcul corrigé"}


def test_the_demo_loader_cannot_write_a_frozen_year(loaded: Contract) -> None:
    today = date(2026, 11, 27)
    load_demo(loaded, today)
    _freeze(loaded, 2025)
    removed = Measurement.objects.filter(period_key="2025-05", subject_id="cog-08-29")
    assert removed.exists()
    removed.delete()
    count = Measurement.objects.count()
    with pytest.raises(FrozenYearRefused, match="mai 2025"):
        load_demo(loaded, today)
    assert Measurement.objects.count() == count


def test_cpog_compute_takes_the_motif_as_an_option(loaded: Contract, tmp_path: Path) -> None:
    folder = write_extracts(tmp_path / "extraits")
    _freeze(loaded, 2026)
    command = ["compute", "--extraits", str(folder), "--du", "2026-09", "--au", "2026-10"]
    refused = CliRunner().invoke(app, command, env={"COLUMNS": "300"})
    assert refused.exit_code == 1
    assert "valeurs d'une année figée sans motif" in " ".join(refused.output.split())
    assert not Measurement.objects.exists()
    done = CliRunner().invoke(app, [*command, "--motif", "extraits corrigés"])
    assert done.exit_code == 0, done.output
    assert set(Measurement.objects.values_list("motif", flat=True)) == {"extraits corrigés"}
