"""The in-memory reader gives the situation the demo store gives: every status is covered."""

from __future__ import annotations

from dataclasses import replace

from memory_reader import AS_OF, MemoryReader, demo_reader

from cpog.assess.types import Status


def test_demo_situation_covers_the_statuses() -> None:
    found = demo_reader().situation()
    assert found.as_of == AS_OF
    assert found.demo
    statuses = {r.assessment.status for r in found.status.rows}
    assert {Status.CONFORME, Status.EN_RETARD, Status.NON_RENSEIGNE} <= statuses
    assert len(found.status.challenges) == 10


def test_revisions_latest_is_current() -> None:
    reader = demo_reader()
    first = reader.values_[0]
    revised = MemoryReader(values_=[first, replace(first, value=1.0)])
    kept = revised.values(found_contract := reader.situation().contract, "x")
    assert [v.current for v in kept] == [False, True]
    observations = revised.steering_inputs(found_contract, "x")[1]
    assert [o.value for o in observations[(first.subject_type, first.subject_id)]] == [1.0]
