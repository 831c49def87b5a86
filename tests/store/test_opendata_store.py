"""Open data in the store (cpog.store.opendata): every value kept with its batch, all or
nothing, the same file twice writes nothing and says so, a later publication revises (audited),
the territories outside the département kept only when asked. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpog.audit_text import event_sentence
from cpog.contract.model import Contract
from cpog.ingest.tables import ImportValidationError
from cpog.store.models import AuditEvent, ImportBatch, OpenDataValue
from cpog.store.opendata import import_open_data
from opendata_samples import S_BEN_COM_F, TXCOUV_PE_EPCI, write_sample


def test_import_keeps_every_value_with_its_batch(loaded: Contract, tmp_path: Path) -> None:
    path = write_sample(tmp_path, "s_ben_com_f.csv", S_BEN_COM_F)
    outcome = import_open_data(path, loaded, user="test")
    assert outcome.written == len(outcome.data.points) == OpenDataValue.objects.count()
    batch = ImportBatch.objects.get()
    assert batch.kind == "opendata" and batch.get_kind_display() == "données ouvertes"
    assert (batch.row_count, batch.written_count, batch.skipped_count) == (9, outcome.written, 5)
    assert batch.details is not None
    assert batch.details["dropped"] == {
        "code_fictif": 1,
        "non_localise": 1,
        "hors_departement": 2,
        "sans_valeur": 1,
    }
    niort = OpenDataValue.objects.get(field="indfoy_ndur", scope_code="79191", period_key="2022-12")
    assert (niort.dataset, niort.scope_type, niort.value, niort.batch_id) == (
        "s_ben_com_f",
        "territory",
        17250,
        batch.pk,
    )
    event = AuditEvent.objects.get(entity_type="import_batch")
    assert event.entity_id == str(batch.pk) and event.after["file_name"] == "s_ben_com_f.csv"
    assert batch.audit_mark == event.pk


def test_the_same_file_twice_writes_nothing(loaded: Contract, tmp_path: Path) -> None:
    path = write_sample(tmp_path, "s_ben_com_f.csv", S_BEN_COM_F)
    first = import_open_data(path, loaded, user="test")
    counts = (
        ImportBatch.objects.count(),
        OpenDataValue.objects.count(),
        AuditEvent.objects.count(),
    )
    again = import_open_data(path, loaded, user="test")
    assert again.written == 0 and again.batch is None
    assert again.identical_to is not None and again.identical_to.pk == first.batch.pk  # type: ignore[union-attr]
    assert "même fichier que l'import du" in again.identical_text
    assert counts == (
        ImportBatch.objects.count(),
        OpenDataValue.objects.count(),
        AuditEvent.objects.count(),
    )


def test_a_later_publication_revises_and_is_audited(loaded: Contract, tmp_path: Path) -> None:
    import_open_data(write_sample(tmp_path, "v1.csv", TXCOUV_PE_EPCI), loaded, user="test")
    revised = TXCOUV_PE_EPCI.replace(";CA du Niortais;71.4;", ";CA du Niortais;71.6;")
    outcome = import_open_data(write_sample(tmp_path, "v2.csv", revised), loaded, user="test")
    assert (outcome.written, outcome.revised) == (1, 1)
    current = (
        OpenDataValue.objects.filter(field="txcouv_epci", scope_code="200041317")
        .order_by("-id")
        .first()
    )
    assert current is not None and float(current.value) == 71.6
    event = AuditEvent.objects.get(entity_type="opendata_value")
    assert event.action == "revise"
    assert event.entity_id == "txcouv_pe_epci:txcouv_epci::200041317:2022"
    assert (event.before, event.after) == ({"value": "71.400000"}, {"value": "71.6"})
    assert event_sentence(event, loaded) == (
        "Donnée ouverte txcouv_pe_epci, taux de couverture global (places pour 100 enfants de"
        " moins de 3 ans), territoire 200041317, 2022 : 71,4 → 71,6 (révision, import des"
        " données ouvertes v2.csv)"
    )


def test_a_bad_file_writes_nothing(loaded: Contract, tmp_path: Path) -> None:
    bad = TXCOUV_PE_EPCI.replace("80.2", "80,2,1")
    with pytest.raises(ImportValidationError):
        import_open_data(write_sample(tmp_path, "bad.csv", bad), loaded, user="test")
    assert not OpenDataValue.objects.exists() and not ImportBatch.objects.exists()


def test_every_territory_when_asked_and_dry_run(loaded: Contract, tmp_path: Path) -> None:
    path = write_sample(tmp_path, "s_ben_com_f.csv", S_BEN_COM_F)
    preview = import_open_data(path, loaded, user="test", keep_all=True, dry_run=True)
    assert preview.written > 0 and not OpenDataValue.objects.exists()
    import_open_data(path, loaded, user="test", keep_all=True)
    codes = set(OpenDataValue.objects.values_list("scope_code", flat=True))
    assert {"01004", "2A004", "79191"} <= codes
