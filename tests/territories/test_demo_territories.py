"""Demo values by commune add up, by ratio of sums, to the caisse's demo value of each period."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from cpog.assess.aggregate import Method, Part, aggregate
from cpog.contract import default_contract_path
from cpog.contract.loader import load_contract
from cpog.demo import generate
from cpog.demo_territories import SUBJECTS, split_by_commune
from cpog.geography import geography_of


@pytest.fixture(scope="module")
def split():  # type: ignore[no-untyped-def]
    contract = load_contract(default_contract_path())
    data = generate(contract, date(2026, 11, 27))
    units = {i.id: i.unit or "" for i in contract.indicators}
    geography = geography_of("79")
    return data, split_by_commune(data.values, geography, units, "seed"), units, geography


def test_the_communes_add_up_to_the_caisse_value(split) -> None:  # type: ignore[no-untyped-def]
    data, found, _, geography = split
    caisse = {(v.subject_id, v.period.key): float(v.value) for v in data.values}
    parts = defaultdict(list)
    for v in found:
        parts[(v.subject_id, v.period.key)].append(
            Part(v.code, float(v.value), float(v.numerator), float(v.denominator))
        )
    assert {subject for subject, _ in parts} == set(SUBJECTS)
    for key, items in parts.items():
        assert len(items) == len(geography.communes)
        total = aggregate(items, Method.RATIO)
        # whole numerators: the rounding of 252 communes, well under a tenth of a unit
        assert total.value == pytest.approx(caisse[key], abs=0.1), key


def test_shares_stay_within_0_and_100_and_communes_differ(split) -> None:  # type: ignore[no-untyped-def]
    _, found, units, _ = split
    shares = [float(v.value) for v in found if units[v.subject_id] == "%"]
    assert shares and min(shares) >= 0 and max(shares) <= 100
    delays = {float(v.value) for v in found if v.subject_id == "cog-08-29"}
    assert len(delays) > 50  # a map with something to show


def test_the_same_seed_gives_the_same_values(split) -> None:  # type: ignore[no-untyped-def]
    data, found, units, geography = split
    assert split_by_commune(data.values, geography, units, "seed") == found
    assert split_by_commune(data.values, geography, units, "other") != found
