"""A territory's status without a database: its own values, else its children's aggregated by a
ratio of sums or a sum, assessed by the caisse's machinery, with the caisse's target for a ratio
only (decision 020)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from contexts.memory_reader import AS_OF, MemoryReader, default_contract
from cpog.assess import Observation
from cpog.assess.aggregate import Method, Part
from cpog.assess.types import Status
from cpog.contexts.territories import territory_rows, territory_situation
from cpog.geography import geography_of
from cpog.periods import parse_period
from cpog.steering import StoredTarget, SubjectKey
from cpog.territories import Ctg, Territories, aggregated_series

THOUARSAIS = "247900798"  # 24 communes
NIORTAIS = "200041317"
RATE = ("indicator", "cog-08-25")  # %, the caisse has targets
AMOUNT = ("indicator", "cog-10-41")  # €, a sum, the caisse has targets
MONTH = "2026-09"


@pytest.fixture(scope="module")
def territories() -> Territories:
    geography = geography_of("79")
    ctg = Ctg("ctg-nord", "CTG du Nord", epcis=(THOUARSAIS,), communes=())
    return Territories("79", "Caf des Deux-Sèvres", geography, (ctg,))


@dataclass
class ScopedReader(MemoryReader):
    """The demo store at the caisse, and at territories what ``own_`` holds."""

    own_: dict[str, dict[SubjectKey, list[Observation]]] = field(default_factory=dict)
    own_targets_: dict[str, dict[SubjectKey, list[StoredTarget]]] = field(default_factory=dict)

    def steering_inputs(self, contract, scope):  # type: ignore[no-untyped-def]
        if scope == contract.organisation.code:
            return super().steering_inputs(contract, scope)
        return dict(self.own_targets_.get(scope, {})), dict(self.own_.get(scope, {}))


def _communes(territories: Territories, epci: str) -> list[str]:
    return [c.code for c in territories.geography.communes if c.epci == epci]


def _reader(parts: dict[SubjectKey, dict[str, dict[str, Part]]]) -> ScopedReader:
    reader = ScopedReader.demo()
    reader.territories_ = parts
    return reader


def test_an_epci_rate_is_the_ratio_of_its_communes_sums(territories: Territories) -> None:
    first, second = _communes(territories, THOUARSAIS)[:2]
    reader = _reader(
        {
            RATE: {
                first: {MONTH: Part(first, 90.0, 9, 10)},
                second: {MONTH: Part(second, 50.0, 50, 100)},
            }
        }
    )
    scope = territories.resolve(THOUARSAIS)
    found = territory_situation(reader, default_contract(), AS_OF, territories, scope)
    row = found.row(*RATE)
    assert row is not None
    # (9 + 50) / (10 + 100) = 53,6 %, not the mean of 90 and 50 (70 %)
    assert row.assessment.current is not None
    assert row.assessment.current.value == pytest.approx(59 / 110 * 100)
    origin = found.origin_of(row)
    assert origin.kind == "aggregated" and origin.method is Method.RATIO
    assert (origin.parts, origin.expected, len(origin.missing)) == (2, 24, 22)
    assert origin.text == (
        "agrégée de 2 communes sur 24 (ratio des sommes), incomplète : 22 sans valeur"
    )
    assert not origin.complete
    # only the subjects with values at the territory are there
    assert {(r.subject_type, r.subject_id) for r in found.status.rows} == {RATE}
    # the caisse's target, said so
    assert found.target_origin(row) == "caisse"
    assert "cible de la caisse" in row.target.note
    assert row.assessment.status is not Status.SANS_CIBLE
    [line] = territory_rows(found, territories)
    assert line.territory_code == THOUARSAIS and line.target_from_label == "cible de la caisse"
    assert line.complete is False and len(line.missing_parts) == 22


def test_own_values_win_and_the_departement_adds_up_its_epci(territories: Territories) -> None:
    epcis = [e.code for e in territories.geography.epcis]
    parts = {RATE: {code: {MONTH: Part(code, 50.0, 5, 10)} for code in epcis}}
    parts[RATE][NIORTAIS] = {MONTH: Part(NIORTAIS, 80.0, 80, 100)}
    commune = _communes(territories, NIORTAIS)[0]
    parts[RATE][commune] = {MONTH: Part(commune, 10.0, 1, 10)}  # the EPCI's own value wins
    reader = _reader(parts)
    department = territories.resolve("dep-79")
    assert department.name == "Deux-Sèvres"
    found = territory_situation(reader, default_contract(), AS_OF, territories, department)
    row = found.row(*RATE)
    assert row is not None and row.assessment.current is not None
    assert row.assessment.current.value == pytest.approx((7 * 5 + 80) / (7 * 10 + 100) * 100)
    assert found.origin_of(row).text == "agrégée de 8 EPCI (ratio des sommes)"
    assert found.origin_of(row).complete


def test_a_sum_needs_every_part_and_has_no_target(territories: Territories) -> None:
    communes = _communes(territories, THOUARSAIS)
    parts = {AMOUNT: {c: {MONTH: Part(c, 100.0)} for c in communes}}
    scope = territories.resolve(THOUARSAIS)
    found = territory_situation(_reader(parts), default_contract(), AS_OF, territories, scope)
    row = found.row(*AMOUNT)
    assert row is not None and row.assessment.current is not None
    assert row.assessment.current.value == 2400.0
    assert found.origin_of(row).text == "agrégée de 24 communes (somme)"
    assert found.target_origin(row) == "none"  # a count takes no target of the caisse
    assert row.assessment.status is Status.SANS_CIBLE
    del parts[AMOUNT][communes[0]]
    found = territory_situation(_reader(parts), default_contract(), AS_OF, territories, scope)
    row = found.row(*AMOUNT)  # a line, without a value, saying why
    assert row is not None and row.assessment.current is None
    assert row.assessment.status is Status.NON_RENSEIGNE
    assert found.origin_of(row).text == "somme incomplète : 1 territoire(s) sans valeur"
    series = aggregated_series(territories, THOUARSAIS, parts[AMOUNT], Method.SUM)
    part, origin = series[MONTH]
    assert part is None and origin.text == "somme incomplète : 1 territoire(s) sans valeur"


def test_a_rate_without_numerator_cannot_be_aggregated(territories: Territories) -> None:
    commune = _communes(territories, THOUARSAIS)[0]
    parts = {commune: {MONTH: Part(commune, 40.0)}}
    part, origin = aggregated_series(territories, THOUARSAIS, parts, Method.RATIO)[MONTH]
    assert part is None
    assert origin.text.startswith("non agrégeable : numérateur et dénominateur inconnus")


def test_own_targets_of_a_territory_come_first(territories: Territories) -> None:
    reader = _reader({})
    reader.own_[NIORTAIS] = {RATE: [Observation(parse_period(MONTH), 70.0)]}
    reader.own_targets_[NIORTAIS] = {RATE: [StoredTarget(2026, 75.0, "fixed", "ge")]}
    scope = territories.resolve(NIORTAIS)
    found = territory_situation(reader, default_contract(), AS_OF, territories, scope)
    row = found.row(*RATE)
    assert row is not None
    assert found.origin_of(row).text == "valeur du territoire"
    assert found.target_origin(row) == "own"
    assert row.target.value == 75.0


def test_a_ctg_aggregates_its_epci(territories: Territories) -> None:
    communes = _communes(territories, THOUARSAIS)
    parts = {RATE: {c: {MONTH: Part(c, 50.0, 1, 2)} for c in communes}}
    scope = territories.resolve("ctg-nord")
    assert (scope.name, scope.parent and scope.parent.code) == ("CTG du Nord", "79")
    found = territory_situation(_reader(parts), default_contract(), AS_OF, territories, scope)
    row = found.row(*RATE)
    assert row is not None and found.origin_of(row).text == "agrégée de 1 EPCI (ratio des sommes)"
    assert territories.communes_of(scope) == communes


def test_the_caisse_is_its_own_situation(territories: Territories) -> None:
    reader = _reader({})
    found = territory_situation(
        reader, default_contract(), AS_OF, territories, territories.resolve("79")
    )
    assert found.territory is None and len(found.status.rows) > 40
