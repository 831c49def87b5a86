"""Values computed from extracts, in the store (cpog.store.computations): the tiny extracts of
tests/computed_extracts.py, whose expected values are worked out there by hand."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from computed_extracts import DEMARCHES, FIGURE_DEFINITION, run_computation, write_extracts
from cpog.contract.model import Contract
from cpog.geography import geography_of
from cpog.periods import parse_period
from cpog.store.computations import ComputationRefused
from cpog.store.models import AuditEvent, ImportBatch, Measurement
from cpog.store.status import current_observations, status_at
from cpog.store.values import NewValue, record_values
from cpog.warehouse.definitions import definition_for, parse_definition

AS_OF = date(2026, 11, 27)
NIORT_EPCI = geography_of("79").commune_by_code["79191"].epci
BRESSUIRE_EPCI = geography_of("79").commune_by_code["79049"].epci


def _caisse_values() -> dict[str, Measurement]:
    rows = Measurement.objects.filter(scope_code="79", subject_id="cog-08-29").order_by(
        "recorded_at", "id"
    )
    return {row.period_key: row for row in rows}


def _counts() -> tuple[int, int, int]:
    return (
        Measurement.objects.count(),
        ImportBatch.objects.count(),
        AuditEvent.objects.count(),
    )


def test_the_status_of_cog_08_29_uses_the_computed_values(loaded: Contract, tmp_path: Path) -> None:
    folder = write_extracts(tmp_path / "extraits")
    outcome = run_computation(loaded, folder)
    # September 2026: 10 / 1 = 10 days; October (since January): (10 + 30 + 20) / 3 = 20 days.
    values = _caisse_values()
    assert sorted(values) == ["2026-09", "2026-10"]
    october = values["2026-10"]
    assert (october.value, october.numerator, october.denominator) == (20, 60, 3)
    assert (october.source, october.scope_type, october.status) == (
        "computed",
        "caisse",
        "provisional",
    )
    assert values["2026-09"].value == 10
    # January to August: no démarche processed, never stored (not as 0 either).
    assert len(outcome.not_computable) == 8
    assert (outcome.written, outcome.unchanged) == (2, 0)
    row = status_at(loaded, AS_OF).row("cog-08-29")
    assert row.assessment.current is not None
    assert row.assessment.current.value == 20
    assert row.assessment.current.period == parse_period("2026-10")


def test_the_batch_keeps_the_provenance(loaded: Contract, tmp_path: Path) -> None:
    folder = write_extracts(tmp_path / "extraits")
    outcome = run_computation(loaded, folder, user="controleur")
    batch = outcome.batch
    assert batch is not None
    assert (batch.kind, batch.file_name, batch.file_sha256) == (
        "computed",
        f"calcul depuis {folder}",
        outcome.fingerprint,
    )
    assert (batch.row_count, batch.written_count, batch.created_by) == (10, 2, "controleur")
    details = batch.details
    definition = definition_for("cog-08-29")
    assert details["definitions"]["cog-08-29"] == {
        "label": definition.label,
        "file": "cog-08-29.sql",
        "version": definition.version,
        "subject": "indicator/cog-08-29",
        "measure": "mean",
        "grain": "year_to_date",
        "parameters": definition.values(),  # the defaults: jours = calendaires…
    }
    assert details["definitions"]["cog-08-29"]["parameters"]["jours"] == "calendaires"
    [extract] = details["files"]
    assert (extract["table"], extract["file"], extract["rows"]) == (
        "demarches",
        "demarches.parquet",
        5,
    )
    assert len(extract["sha256"]) == 64
    assert (details["data_end"], details["first"], details["last"]) == (
        "2026-10-21",
        "2026-01",
        "2026-10",
    )
    assert (details["written"], details["unchanged"], details["not_computable"]) == (2, 0, 8)
    assert details["not_computable_list"][0] == {
        "definition": "cog-08-29",
        "period": "2026-01",
        "scope_type": "caisse",
        "scope_code": "79",
    }
    # Each value written is audited, in the batch's words.
    events = AuditEvent.objects.filter(entity_type="measurement")
    assert sorted(e.entity_id for e in events) == [
        "indicator:cog-08-29:2026-09",
        "indicator:cog-08-29:2026-10",
    ]
    assert {e.context for e in events} == {f"calcul depuis {folder}"}
    assert {e.after["source"] for e in events} == {"computed"}


def test_epci_values_are_stored_at_their_territory(loaded: Contract, tmp_path: Path) -> None:
    folder = write_extracts(tmp_path / "extraits")
    run_computation(loaded, folder, by="epci")
    territory = Measurement.objects.filter(scope_type="territory")
    found = {(m.scope_code, m.period_key): (m.value, m.numerator, m.denominator) for m in territory}
    # Niort's EPCI: d1 (10 days) in September; d1 + d3 = 30 / 2 = 15 days by October.
    # Bressuire's: nothing processed in September (non calculable); d2 = 30 / 1 in October.
    assert found == {
        (NIORT_EPCI, "2026-09"): (10, 10, 1),
        (NIORT_EPCI, "2026-10"): (15, 30, 2),
        (BRESSUIRE_EPCI, "2026-10"): (30, 30, 1),
    }
    # The caisse's status reads the caisse's values only.
    observations = current_observations(loaded.id, "79")[("indicator", "cog-08-29")]
    assert sorted((o.period.key, o.value) for o in observations) == [
        ("2026-09", 10.0),
        ("2026-10", 20.0),
    ]
    # Audit events of territory values name their territory.
    events = AuditEvent.objects.filter(entity_type="measurement", after__territory=NIORT_EPCI)
    assert events.count() == 2


def test_a_second_identical_run_writes_nothing(loaded: Contract, tmp_path: Path) -> None:
    folder = write_extracts(tmp_path / "extraits")
    run_computation(loaded, folder, by="commune")
    before = _counts()
    again = run_computation(loaded, folder, by="commune")
    assert again.batch is None and again.written == 0
    # the caisse's 2 values and the communes' (Niort: 2, Bressuire: 1) are unchanged
    assert again.unchanged == 2 + 3
    assert _counts() == before


def test_a_changed_extract_writes_new_revisions(loaded: Contract, tmp_path: Path) -> None:
    first = run_computation(loaded, write_extracts(tmp_path / "v1"))
    changed = [(i, d, c, r, "2026-10-31" if i == "d3" else t, f) for i, d, c, r, t, f in DEMARCHES]
    second = run_computation(loaded, write_extracts(tmp_path / "v2", changed))
    # d3 now takes 30 days: October = (10 + 30 + 30) / 3 = 23,333333; September unchanged.
    assert second.fingerprint != first.fingerprint
    assert (second.written, second.unchanged) == (1, 1)
    values = _caisse_values()
    assert values["2026-10"].value == Decimal("23.333333")
    assert values["2026-10"].batch is not None
    assert values["2026-10"].batch.file_sha256 == second.fingerprint
    assert values["2026-09"].batch is not None
    assert values["2026-09"].batch.file_sha256 == first.fingerprint
    assert Measurement.objects.filter(period_key="2026-10").count() == 2  # both revisions kept


def test_a_new_definition_version_or_parameter_writes_new_revisions(
    loaded: Contract, tmp_path: Path
) -> None:
    folder = write_extracts(tmp_path / "extraits")
    run_computation(loaded, folder)
    bumped = dataclasses.replace(definition_for("cog-08-29"), version=99)
    again = run_computation(loaded, folder, definitions=[bumped])
    # Same values, but another definition version: the provenance changes, so does the store.
    assert (again.written, again.unchanged) == (2, 0)
    assert again.batch is not None
    assert again.batch.details["definitions"]["cog-08-29"]["version"] == 99
    # Working days: d1 01/09 → 11/09/2026 counts 8 working days (Tue 01 excluded, Wed 02 to
    # Fri 11: 2, 3, 4, 7, 8, 9, 10, 11), so September is 8, not 10: a new revision.
    working = run_computation(loaded, folder, parameters={"jours": "ouvres"})
    assert working.written == 2
    assert _caisse_values()["2026-09"].value == 8


def test_a_value_refused_by_the_value_rule_writes_nothing(
    loaded: Contract, tmp_path: Path, today: object
) -> None:
    folder = write_extracts(tmp_path / "extraits")
    before = _counts()
    today("15/10/2026")  # type: ignore[operator]
    with pytest.raises(ComputationRefused) as refused:
        run_computation(loaded, folder, by="epci")
    message = str(refused.value)
    # October 2026 is not over on 15/10/2026: refused, naming definition, period, territory, value.
    assert (
        "cog-08-29 (COG 08-29), octobre 2026, Caf (79), valeur 20 : période pas encore terminée"
        in message
    )
    assert "rien n'a été enregistré" in message
    assert _counts() == before


def test_values_far_from_their_series_are_stored_and_listed(
    loaded: Contract, tmp_path: Path
) -> None:
    # August 2026 entered at 100 days: September's computed 10 days is far from it.
    record_values(
        loaded.id,
        "79",
        [NewValue("indicator", "cog-08-29", parse_period("2026-08"), Decimal(100))],
        source="manual",
        user="pilote",
    )
    outcome = run_computation(loaded, write_extracts(tmp_path / "extraits"))
    assert outcome.written == 2
    september = [u for u in outcome.unusual if u.period_key == "2026-09"]
    assert len(september) == 1 and september[0].value == 10
    assert september[0].text.startswith("COG 08-29, septembre 2026, Caf (79) : 10 — ")
    assert outcome.batch is not None
    assert outcome.batch.details["unusual"][0]["period"] == "2026-09"


def test_key_figures_are_stored_as_figures(loaded: Contract, tmp_path: Path) -> None:
    folder = write_extracts(tmp_path / "extraits", allocataires=True)
    figure = parse_definition(FIGURE_DEFINITION, "kf-allocataires.sql")
    outcome = run_computation(loaded, folder, first="2025-01", last="2025-12", definitions=[figure])
    # December 2025: A1, A2, A3 = 3 allocataires.
    [row] = Measurement.objects.filter(subject_type="figure")
    assert (row.subject_id, row.period_key, row.value, row.numerator) == (
        "kf-allocataires",
        "2025",
        3,
        None,
    )
    assert outcome.written == 1
    # Statuses and the assessment ignore them.
    status = status_at(loaded, AS_OF)
    assert all(r.subject_type != "figure" for r in status.rows)


def test_a_definition_of_a_subject_outside_the_contract_is_skipped(
    loaded: Contract, tmp_path: Path
) -> None:
    folder = write_extracts(tmp_path / "extraits", allocataires=True)
    stranger = parse_definition(
        FIGURE_DEFINITION.replace("figure/kf-allocataires", "figure/kf-inconnu"), "kf-inconnu.sql"
    )
    outcome = run_computation(
        loaded, folder, first="2025-01", last="2025-12", definitions=[stranger]
    )
    assert outcome.skipped == {"kf-inconnu": "sujet figure/kf-inconnu absent du contrat en vigueur"}
    assert (outcome.written, outcome.batch) == (0, None)
    assert Measurement.objects.count() == 0
