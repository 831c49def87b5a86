"""Territory values read back as parts: the latest revision, with numerator and denominator."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cpog.periods import parse_period


@pytest.mark.django_db
def test_latest_revision_of_each_territory_and_only_territories(loaded):
    from cpog.store.territories import (
        subjects_with_territory_values,
        territory_parts,
        territory_periods,
    )
    from cpog.store.values import NewValue, record_values

    subject = ("indicator", loaded.indicators[0].id)
    period = parse_period("2026-03")

    def write(scope_type: str, code: str, value: str, top: str, bottom: str) -> None:
        record_values(
            loaded.id,
            code,
            [
                NewValue(
                    subject[0], subject[1], period, Decimal(value), Decimal(top), Decimal(bottom)
                )
            ],
            source="import",
            user="test",
            scope_type=scope_type,
        )

    write("territory", "200041317", "50", "5", "10")
    write("territory", "200041317", "60", "6", "10")  # a later revision wins
    write("territory", "79191", "25", "1", "4")
    write("caisse", "79", "40", "40", "100")  # the caisse's own value is not a territory's
    parts = territory_parts(loaded.id, subject)
    assert set(parts) == {"200041317", "79191"}
    epci = parts["200041317"][period.key]
    assert (epci.value, epci.numerator, epci.denominator) == (60.0, 6.0, 10.0)
    assert territory_parts(loaded.id, subject, codes=["79191"], period_key="2026-02") == {}
    assert subjects_with_territory_values(loaded.id) == {subject}
    write("territory", "79191", "30", "3", "10")  # a revision: still one period
    write_at = parse_period("2026-01")
    record_values(
        loaded.id,
        "79191",
        [NewValue(subject[0], subject[1], write_at, Decimal("1"), Decimal("1"), Decimal("1"))],
        source="import",
        user="test",
        scope_type="territory",
    )
    assert territory_periods(loaded.id, subject) == ["2026-03", "2026-01"]
    assert territory_periods(loaded.id, subject, codes=["200041317"]) == ["2026-03"]
