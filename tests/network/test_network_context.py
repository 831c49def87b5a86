"""The network contexts built in memory: quartiles, ranks with the indicator's direction, ties,
a caisse without value, the national value as a ratio of sums, peer groups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from cpog.assess import Observation
from cpog.assess.compare import quartiles, ranks
from cpog.contexts.network import NetworkError, comparison_context, network_context
from cpog.contexts.serialize import to_data
from cpog.contract import default_contract_path
from cpog.contract.loader import load_contract
from cpog.contract.model import Contract, Direction, Organisation
from cpog.peer_groups import PeerGroupError, read_peer_groups
from cpog.periods import Period
from cpog.records import CaisseRecord
from cpog.steering import StoredTarget, SubjectKey

AS_OF = date(2026, 11, 27)
OCTOBER = Period.month_of(2026, 10, to_date=True)  # « cumul à fin octobre 2026 »

Parts = tuple[float | None, float | None]


def _contract(code: str) -> Contract:
    base = load_contract(default_contract_path())
    organisation = Organisation(name=f"Caisse {code}", short_name=f"Caf {code}", code=code)
    return base.model_copy(
        update={"id": f"caf-{code.lower()}-2023-2027", "organisation": organisation}
    )


class Memory:
    """A :class:`cpog.contexts.network.NetworkReader` over plain dicts."""

    def __init__(self, values: dict[str, dict[str, tuple[float, float | None, float | None]]],
                 populations: dict[str, int] | None = None,
                 national: list[Observation] | None = None) -> None:  # fmt: skip
        self.values = values  # code → subject → (value, numerator, denominator) for OCTOBER
        self.populations = populations or {}
        self.national = national or []
        codes = sorted({*values, *self.populations})
        self.records = [
            CaisseRecord(c, f"Caf {c}", f"caf-{c.lower()}-2023-2027", self.populations.get(c))
            for c in codes
        ]
        self._contracts = {c: _contract(c) for c in codes}

    def caisses(self) -> list[CaisseRecord]:
        return self.records

    def contracts(self, caisses: Sequence[CaisseRecord]) -> dict[str, Contract]:
        return {c.code: self._contracts[c.code] for c in caisses}

    def indicator_values(self, caisses: Sequence[CaisseRecord], subject_id: str | None = None):  # type: ignore[no-untyped-def]
        found: dict[str, dict[SubjectKey, list[Observation]]] = {}
        parts: dict[tuple[str, str, str], Parts] = {}
        for c in caisses:
            for subject, (value, num, den) in self.values.get(c.code, {}).items():
                if subject_id is not None and subject != subject_id:
                    continue
                found.setdefault(c.code, {})[("indicator", subject)] = [Observation(OCTOBER, value)]
                parts[(c.code, subject, OCTOBER.key)] = (num, den)
        return found, parts

    def indicator_targets(self, caisses, subject_id=None):  # type: ignore[no-untyped-def]
        return {
            c.code: {("indicator", "cog-08-29"): [StoredTarget(2026, 14.0, "individualised")]}
            for c in caisses
        }

    def national_values(self, subject_id: str) -> tuple[list[Observation], dict[str, Parts]]:
        return self.national, {}

    def demo(self) -> bool:
        return False


GROUPS = """\
groupes:
  - nom: Petites
    population_max: 300000
  - nom: Grandes
    population_min: 300000
"""


@pytest.fixture
def groups(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "groupes.yaml"
    path.write_text(GROUPS, encoding="utf-8")
    return read_peer_groups(path)


def test_quartiles_are_those_of_a_spreadsheet_and_ranks_follow_the_direction() -> None:
    found = quartiles([1.0, 2.0, 3.0, 4.0, 5.0])
    assert found is not None and (found.q1, found.median, found.q3) == (2.0, 3.0, 4.0)
    values = {"a": 10.0, "b": 12.0, "c": 12.0, "d": 15.0}
    assert ranks(values, Direction.DOWN) == {"a": 1, "b": 2, "c": 2, "d": 4}  # ties share
    assert ranks(values, Direction.UP) == {"d": 1, "b": 2, "c": 2, "a": 4}
    assert ranks(values, Direction.MAINTAIN) == {}


def test_a_delay_is_ranked_lowest_first_with_the_national_ratio_of_sums(groups) -> None:  # type: ignore[no-untyped-def]
    reader = Memory(
        {
            "01": {"cog-08-29": (10.0, 1000.0, 100.0)},
            "02": {"cog-08-29": (20.0, 6000.0, 300.0)},
            "03": {"cog-08-29": (20.0, 2000.0, 100.0)},
            "04": {},  # no value
        },
        populations={"01": 100_000, "02": 500_000, "03": 200_000, "04": 800_000},
    )
    ctx = comparison_context(reader, "COG 08-29", AS_OF, groups, caisse="03")
    assert ctx.period == OCTOBER.key and (ctx.count, ctx.total) == (3, 4)
    ranked = {r.code: r for r in ctx.rows}
    assert [r.code for r in ctx.rows] == ["01", "02", "03", "04"]  # best first, no value last
    assert (ranked["01"].rank, ranked["02"].rank, ranked["03"].rank) == (1, 2, 2)
    assert ranked["04"].rank is None and ranked["04"].value_text == "—"
    # (1000 + 6000 + 2000) / (100 + 300 + 100) = 18, not the mean of the three values (16,7)
    assert ctx.national.computed and ctx.national.value == pytest.approx(18.0)
    assert ctx.national.missing == ["04"]
    assert "sur 3 caisses de 4" in ctx.national.method_label  # partial, said up front
    assert ctx.quartiles is not None and ctx.quartiles.median == 20.0
    assert ranked["01"].quartile == 1 and "le plus favorable" in ranked["01"].quartile_label
    assert ranked["03"].chosen and not ranked["01"].chosen
    # peer groups: 01 and 03 are small (median 15, 01 first), 02 alone among the large
    assert ranked["03"].group == "Petites" and ranked["03"].group_median == 15.0
    assert (ranked["03"].group_rank, ranked["03"].group_size) == (2, 2)
    assert ranked["02"].group == "Grandes" and ranked["02"].group_rank == 1
    # each against its own target (14 jours in 2026): 10 jours on track, 20 jours late
    assert (ranked["01"].status_label, ranked["02"].status_label) == ("Conforme", "En retard")
    data = to_data(ctx)
    assert data["valeur_nationale"]["valeur"] == pytest.approx(18.0)
    assert data["lignes"][0]["rang"] == 1 and "graphique" in data


def test_a_caisse_without_numerator_is_left_out_of_the_ratio_and_named(groups) -> None:  # type: ignore[no-untyped-def]
    reader = Memory(
        {"01": {"cog-08-29": (10.0, 1000.0, 100.0)}, "79": {"cog-08-29": (30.0, None, None)}}
    )
    ctx = comparison_context(reader, "cog-08-29", AS_OF, groups)
    assert ctx.national.value == pytest.approx(10.0) and ctx.national.missing == ["79"]
    assert "79" in ctx.national.note
    assert {r.code: r.rank for r in ctx.rows} == {"01": 1, "79": 2}  # still ranked


def test_a_stored_national_value_wins_and_a_count_sums(groups) -> None:  # type: ignore[no-untyped-def]
    reader = Memory(
        {"01": {"cog-08-29": (10.0, 1000.0, 100.0)}},
        national=[Observation(OCTOBER, 16.5)],
    )
    ctx = comparison_context(reader, "COG 08-29", AS_OF, groups)
    assert not ctx.national.computed and ctx.national.value == 16.5
    assert ctx.national.method_label == "valeur nationale enregistrée"
    counts = Memory(
        {"01": {"cog-01-05": (100.0, None, None)}, "02": {"cog-01-05": (50.0, None, None)}}
    )
    annual = comparison_context(counts, "COG 01-05", AS_OF, groups, period=OCTOBER)
    assert annual.national.value == 150.0 and annual.national.method == "sum"


def test_unknown_names_are_refused_in_french(groups) -> None:  # type: ignore[no-untyped-def]
    reader = Memory({"01": {"cog-08-29": (10.0, 1000.0, 100.0)}})
    with pytest.raises(NetworkError, match="Indicateur inconnu : « XX »"):
        comparison_context(reader, "XX", AS_OF, groups)
    with pytest.raises(NetworkError, match="Caisse inconnue"):
        comparison_context(reader, "cog-08-29", AS_OF, groups, caisse="99")
    with pytest.raises(NetworkError, match="Groupe de caisses inconnu : « Moyennes »"):
        comparison_context(reader, "cog-08-29", AS_OF, groups, group="Moyennes")


def test_the_network_page_counts_each_caisse_s_indicators(groups) -> None:  # type: ignore[no-untyped-def]
    reader = Memory({"01": {"cog-08-29": (10.0, 1000.0, 100.0)}, "02": {}})
    ctx = network_context(reader, AS_OF, groups)
    assert [r.code for r in ctx.rows] == ["01", "02"]
    first = ctx.rows[0]
    assert first.indicators == 36 and first.last_value == date(2026, 10, 31)
    assert first.last_value_text == "31/10/2026" and ctx.rows[1].last_value is None
    assert (first.on_track, first.late, first.missing) == (1, 0, 35)  # the others: no value


def test_a_bad_groups_file_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "groupes.yaml"
    path.write_text("groupes:\n  - nom: A\n    population_max: beaucoup\n", encoding="utf-8")
    with pytest.raises(PeerGroupError, match=r"groupes\.yaml, ligne 3 : « population_max »"):
        read_peer_groups(path)
    path.write_text("groupes:\n  - nom: A\n    taille: 3\n", encoding="utf-8")
    with pytest.raises(PeerGroupError, match="ligne 3 : clé « taille » inconnue"):
        read_peer_groups(path)
    with pytest.raises(PeerGroupError, match="introuvable"):
        read_peer_groups(tmp_path / "absent.yaml")


def test_the_shipped_groups_cover_every_caisse() -> None:
    from cpog.geography import departements
    from cpog.peer_groups import DEFAULT_FILE

    groups = read_peer_groups(DEFAULT_FILE)
    members = groups.members({d.code: d.population for d in departements()})
    assert len(members) == 101
    assert members["79"] == "De 300 000 à 600 000 habitants"


def test_the_chart_draws_the_caisses_the_national_value_and_the_quartiles(groups) -> None:  # type: ignore[no-untyped-def]
    import vl_convert

    reader = Memory(
        {
            "01": {"cog-08-29": (10.0, 1000.0, 100.0)},
            "02": {"cog-08-29": (20.0, 6000.0, 300.0)},
            "03": {"cog-08-29": (15.0, 1500.0, 100.0)},
        }
    )
    ctx = comparison_context(reader, "COG 08-29", AS_OF, groups, caisse="02")
    rules = ctx.chart["layer"][1]["data"]["values"]
    assert [r["repere"] for r in rules] == [
        "Valeur nationale",
        "1er quartile",
        "Médiane",
        "3e quartile",
    ]
    assert "valeur nationale 17\xa0jours" in ctx.chart["description"]  # 8 500 / 500
    svg = vl_convert.vegalite_to_svg(ctx.chart)
    assert "<svg" in svg and "Médiane" in svg
