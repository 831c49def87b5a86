"""The store's write services behind the indicator and measure pages: an analysis, a value
entered through the form. Each is locked, written and audited in one transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from cpog import clock
from cpog.contract.model import Contract
from cpog.ingest.value_rule import Cell, RawEntry, check_values, plain_key, subjects_of
from cpog.periods import parse_period
from cpog.store import audit
from cpog.store.analyses import record_analysis
from cpog.store.models import Analysis, AuditEvent, Measurement
from cpog.store.reader import StoreReader
from cpog.store.values import enter_value


def test_an_analysis_is_written_with_its_audit_event(loaded: Contract) -> None:
    pk = record_analysis(
        loaded.id,
        "indicator",
        "cog-08-32",
        parse_period("2026-09"),
        analysis="Afflux de dossiers à la rentrée.",
        risks="  Retards en octobre.  ",
        corrective_action="Renfort de deux agents.",
        user="pilote",
    )
    analysis = Analysis.objects.get(pk=pk)
    assert (analysis.period_key, analysis.risks, analysis.author) == (
        "2026-09",
        "Retards en octobre.",
        "pilote",
    )
    [event] = AuditEvent.objects.filter(entity_type="analysis")
    assert (event.entity_id, event.action, event.user, event.context) == (
        "indicator:cog-08-32:2026-09",
        "create",
        "pilote",
        "saisie",
    )
    assert event.after == {
        "id": pk,
        "analysis": "Afflux de dossiers à la rentrée.",
        "risks": "Retards en octobre.",
        "corrective_action": "Renfort de deux agents.",
        "caisse": "79",  # the caisse whose analysis it is (decision 017)
    }
    [record] = StoreReader().analyses(loaded)
    assert record.complete and record.subject_id == "cog-08-32"


def test_an_analysis_whose_audit_fails_is_not_written(
    loaded: Contract, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("journal indisponible")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        record_analysis(
            loaded.id,
            "measure",
            "d01-r1-mam",
            parse_period("2025"),
            analysis="Lecture",
            user="pilote",
        )
    assert Analysis.objects.count() == 0
    assert not AuditEvent.objects.filter(entity_type="analysis").exists()


def _entry(contract: Contract, subject_id: str, period: str, value: str) -> Any:
    subject = subjects_of(contract)[plain_key(subject_id)]
    raw = RawEntry(period, Cell(value), Cell(""), Cell(""), "provisoire", "")
    [(entry, problems)] = check_values([(subject, raw)], clock.today(), None)
    assert entry is not None and not problems
    return entry


def test_an_entered_value_is_written_once_and_audited(loaded: Contract) -> None:
    scope = loaded.organisation.code
    entry = _entry(loaded, "cog-08-29", "09/2026", "15,5")
    assert enter_value(loaded.id, scope, "indicator", "cog-08-29", entry, user="pilote")
    [row] = Measurement.objects.filter(subject_id="cog-08-29")
    assert (row.value, row.period_key, row.source, row.recorded_by) == (
        Decimal("15.5"),
        "2026-09",
        "manual",
        "pilote",
    )
    [event] = AuditEvent.objects.filter(entity_type="measurement")
    assert (event.entity_id, event.action, event.context) == (
        "indicator:cog-08-29:2026-09",
        "create",
        "manual",
    )
    # the same value again writes nothing
    assert not enter_value(loaded.id, scope, "indicator", "cog-08-29", entry, user="pilote")
    assert Measurement.objects.filter(subject_id="cog-08-29").count() == 1
    assert AuditEvent.objects.filter(entity_type="measurement").count() == 1
