"""The store on a real database: contract versions, revisions, imports, audit."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from cpog.contract import default_contract_path
from cpog.contract.model import Contract
from cpog.ingest.tables import ImportValidationError
from cpog.periods import parse_period
from cpog.store.contracts import AmendmentRequired, current_contract, load_contract_version
from cpog.store.imports import import_targets, import_values
from cpog.store.models import AuditEvent, ContractVersion, Measurement, Target
from cpog.store.values import NewValue, current_rows, history, record_values

pytestmark = pytest.mark.django_db
Writer = Callable[..., Path]
TODAY = date(2026, 11, 27)


def test_sqlite_file_database_runs_in_wal_mode(tmp_path: Path) -> None:
    """The embedded default opens its file in WAL mode (the test database itself is in memory)."""
    from django.db import connections
    from django.db.backends.sqlite3.base import DatabaseWrapper

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL : pas de mode WAL à vérifier")
    settings_dict = dict(connections.settings["default"])
    settings_dict.update(NAME=str(tmp_path / "cpog.sqlite3"), TEST={})
    wrapper = DatabaseWrapper(settings_dict, alias="wal-check")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
    finally:
        wrapper.close()


def test_loading_twice_creates_nothing(loaded: Contract) -> None:
    again = load_contract_version(default_contract_path(), "test")
    assert not again.created
    assert ContractVersion.objects.count() == 1
    version, contract = current_contract()
    assert version.version == 1 and contract == loaded
    # Targets stated by the signed text are stored with their provenance.
    avip = Target.objects.get(subject_id="d01-r3-creches-avip")
    assert (avip.value, avip.year, avip.provenance) == (Decimal(5), 2027, "cpog")


def test_a_changed_contract_needs_a_dated_amendment(loaded: Contract, tmp_path: Path) -> None:
    folder = tmp_path / "contrat"
    shutil.copytree(default_contract_path(), folder)
    challenge = folder / "challenges" / "01-petite-enfance.yaml"
    challenge.write_text(
        challenge.read_text(encoding="utf-8").replace(
            "target: {value: 5, year: 2027}", "target: {value: 6, year: 2027}"
        ),
        encoding="utf-8",
    )
    with pytest.raises(AmendmentRequired, match="avenant"):
        load_contract_version(folder, "test")
    outcome = load_contract_version(folder, "test", date(2025, 6, 30), "Avenant n°1 : 6 crèches")
    assert outcome.version.version == 2
    assert outcome.version.amendment_reason == "Avenant n°1 : 6 crèches"
    values = list(
        Target.objects.filter(subject_id="d01-r3-creches-avip").values_list("value", flat=True)
    )
    assert values == [Decimal(5), Decimal(6)]  # the signed target stays beside the amended one


def test_revisions_are_kept_and_the_latest_is_current(loaded: Contract) -> None:
    period = parse_period("mars 2025")
    first = NewValue("indicator", "iql0", period, Decimal("93.1"))
    record_values(loaded.id, "79", [first], source="manual", user="alice")
    record_values(loaded.id, "79", [first], source="manual", user="alice")  # same: no-op
    corrected = NewValue("indicator", "iql0", period, Decimal("93.4"), status="definitive")
    record_values(loaded.id, "79", [corrected], source="manual", user="bob")
    rows = history(loaded.id, "79", "indicator", "iql0")
    assert [(r.value, r.recorded_by) for r in rows] == [
        (Decimal("93.1"), "alice"),
        (Decimal("93.4"), "bob"),
    ]
    current = current_rows(loaded.id, "79")[("indicator", "iql0", "2025-03")]
    assert current.value == Decimal("93.4") and current.status == "definitive"
    revision = AuditEvent.objects.filter(entity_type="measurement", action="revise").get()
    assert revision.before == {"value": "93.100000", "status": "provisional", "source": "manual"}
    assert revision.user == "bob"


MESSY = (
    "\ufeffIdentifiant;Libellé;Période;Valeur;Statut;Commentaire\r\n"
    "COG 08-29;Délai moyen;mars 2025;15,2;provisoire;\r\n"
    "cog-08-29;;2025-04;14,9;;saisie\r\n"
    "IQL0;;mars 2025;93,5 %;définitive;\r\n"
    "cog-10-41;Préjudices;décembre 2025;1\u202f234\u00a0567,5;;\r\n"
    "d01-r3-creches-avip;;2024;2;;\r\n"
    "COG-01-02;;2024;57,3;;\r\n"
)


def test_a_messy_french_csv_imports(loaded: Contract, write: Writer) -> None:
    path = write("valeurs.csv", MESSY)
    outcome = import_values(path, loaded, user="alice", today=TODAY)
    assert len(outcome.changes) == 6
    values = {
        (m.subject_id, m.period_key): m.value for m in Measurement.objects.filter(source="import")
    }
    assert values == {
        ("cog-08-29", "2025-03"): Decimal("15.2"),
        ("cog-08-29", "2025-04"): Decimal("14.9"),
        ("iql0", "2025-03"): Decimal("93.5"),
        ("cog-10-41", "2025-12"): Decimal("1234567.5"),
        ("d01-r3-creches-avip", "2024"): Decimal(2),
        ("cog-01-02", "2024"): Decimal("57.3"),
    }
    assert Measurement.objects.get(subject_id="iql0").status == "definitive"


def test_cp1252_and_comma_separated_files(loaded: Contract, write: Writer) -> None:
    text = 'identifiant,période,valeur\r\niql0,2025-01,"93,2"\r\n'
    path = write("valeurs-excel.csv", text.replace("période", "période"), encoding="cp1252")
    assert len(import_values(path, loaded, user="alice", today=TODAY).changes) == 1


def test_reimporting_the_same_file_changes_nothing(loaded: Contract, write: Writer) -> None:
    path = write("valeurs.csv", MESSY)
    import_values(path, loaded, user="alice", today=TODAY)
    count, audit = Measurement.objects.count(), AuditEvent.objects.count()
    outcome = import_values(path, loaded, user="alice", today=TODAY)
    assert outcome.changes == [] and outcome.unchanged == 6
    assert (Measurement.objects.count(), AuditEvent.objects.count()) == (count, audit)


def test_dry_run_writes_nothing(loaded: Contract, write: Writer) -> None:
    outcome = import_values(write("v.csv", MESSY), loaded, user="a", dry_run=True, today=TODAY)
    assert len(outcome.changes) == 6
    assert Measurement.objects.count() == 0


BAD = (
    "identifiant;période;valeur;statut\n"
    "COG 08-29;mars 2025;15,2;\n"
    "COG 99-99;mars 2025;12;\n"
    "iql0;13/2025;93;\n"
    "iql0;2025-02;12,3,4;\n"
    "iql0;2025-03;93;peut-être\n"
    "iql0;décembre 2026;93;\n"
    "COG 08-29;2025-03;15;\n"
)


def test_bad_cells_are_all_listed_and_nothing_is_written(loaded: Contract, write: Writer) -> None:
    ok = write("ok.csv", "identifiant;période;valeur\niql0;décembre 2024;92\n")
    import_values(ok, loaded, user="a", today=TODAY)
    before = Measurement.objects.count()
    with pytest.raises(ImportValidationError) as caught:
        import_values(write("valeurs.csv", BAD), loaded, user="alice", today=TODAY)
    messages = [str(issue) for issue in caught.value.issues]
    assert len(messages) == 6
    assert any(
        "ligne 3" in m and "« COG 99-99 »" in m and "identifiant inconnu" in m for m in messages
    )
    assert any("ligne 4" in m and "« 13/2025 »" in m for m in messages)
    assert any("ligne 5" in m and "« 12,3,4 »" in m for m in messages)
    assert any("ligne 6" in m and "« peut-être »" in m for m in messages)
    assert any("ligne 7" in m and "pas encore terminée" in m for m in messages)
    assert any("ligne 8" in m and "déjà donnée ligne 2" in m for m in messages)
    assert Measurement.objects.count() == before


def test_missing_and_unknown_columns(loaded: Contract, write: Writer) -> None:
    with pytest.raises(ImportValidationError) as caught:
        import_values(
            write("v.csv", "identifiant;montant\niql0;3\n"), loaded, user="a", today=TODAY
        )
    text = " ".join(str(i) for i in caught.value.issues)
    assert "colonne « période »" in text or "période" in text
    assert "colonne inconnue" in text


TARGETS = (
    "identifiant;année;valeur;type de cible;provenance;comparateur;motif\n"
    "COG 08-29;2025;15;individualisée;notification Cnaf;≤;\n"
    "iql0;2025;94,5;individualisée;notification Cnaf;≥;\n"
)


def test_targets_import_and_a_change_needs_a_reason(loaded: Contract, write: Writer) -> None:
    outcome = import_targets(write("cibles.csv", TARGETS), loaded, user="cdg")
    assert len(outcome.changes) == 2
    changed = TARGETS.replace("15;individualisée", "14,5;individualisée")
    with pytest.raises(ImportValidationError) as caught:
        import_targets(write("cibles2.csv", changed), loaded, user="cdg")
    assert "motif" in str(caught.value.issues[0]) and "ligne 2" in str(caught.value.issues[0])
    justified = changed.replace("≤;\n", "≤;Notification révisée du 12/03/2025\n", 1)
    import_targets(write("cibles3.csv", justified), loaded, user="cdg")
    rows = Target.objects.filter(subject_id="cog-08-29").order_by("set_at", "id")
    assert [r.value for r in rows] == [Decimal(15), Decimal("14.5")]
    assert rows.last().reason == "Notification révisée du 12/03/2025"  # type: ignore[union-attr]


def test_target_year_outside_the_contract(loaded: Contract, write: Writer) -> None:
    bad = TARGETS.replace("iql0;2025", "iql0;2031")
    with pytest.raises(ImportValidationError) as caught:
        import_targets(write("cibles.csv", bad), loaded, user="cdg")
    assert "2023-2027" in str(caught.value.issues[0])
    assert Target.objects.filter(subject_id="iql0").count() == 0


def test_xlsx_template_round_trip(loaded: Contract, tmp_path: Path) -> None:
    import xlsxwriter

    from cpog.ingest.templates import write_template

    template = write_template(loaded, "values", tmp_path / "modele.xlsx")
    assert template.exists()
    path = tmp_path / "saisie.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["identifiant", "libellé", "période", "valeur"])
    sheet.write_row(1, 0, ["iql0", "IQL0", "2025-06", 93.7])
    sheet.write_row(2, 0, ["COG 08-30", "", "juin 2025", 12])
    book.close()
    outcome = import_values(path, loaded, user="a", today=TODAY)
    assert {(c.subject_id, c.after) for c in outcome.changes} == {
        ("iql0", "93,7"),
        ("cog-08-30", "12"),
    }
