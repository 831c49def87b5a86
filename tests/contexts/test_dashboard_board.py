"""The dashboard for the board and the « why » of a défi, built from the in-memory demo store
(no database): the sentence, the two counts, « À traiter » and its order, the sparklines."""

from __future__ import annotations

from datetime import UTC, datetime

from memory_reader import AS_OF, MemoryReader, demo_reader

from cpog.assess.types import Status
from cpog.contexts.challenges import challenge_context, challenge_why, result_status
from cpog.contexts.dashboard import (
    TODO_ORDER,
    DashboardContext,
    contract_sentence,
    dashboard_context,
    todo_key,
)
from cpog.contexts.reader import AnalysisRecord
from cpog.contexts.serialize import to_data
from cpog.contexts.sparklines import ProgressPoint, progress_sparkline

S = Status
WHEN = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)


def _ctx(pilots: dict[int, list[str]] | None = None) -> DashboardContext:
    return dashboard_context(demo_reader().situation(), [], pilots)


def test_the_sentence_says_where_the_contract_stands_with_agreed_plurals() -> None:
    assert _ctx().sentence == (
        "Au 27/11/2026, 24 résultats visés sur 35 et 18 indicateurs sur 28 évalués sont "
        "atteints, en avance ou conformes ; 10 résultats visés et 8 indicateurs sont à "
        "surveiller, en retard ou non atteints ; 1 résultat visé et 2 indicateurs n'ont pas "
        "encore de valeur."
    )
    # singulars, and what is left out when it is zero
    assert contract_sentence(AS_OF, [S.CONFORME, S.EN_RETARD], [S.SANS_CIBLE]) == (
        "Au 27/11/2026, 1 résultat visé sur 2 est atteint, en avance ou conforme ; "
        "1 résultat visé est à surveiller, en retard ou non atteint."
    )
    assert contract_sentence(AS_OF, [S.CONFORME], [S.ATTEINT, S.NON_RENSEIGNE]) == (
        "Au 27/11/2026, 1 résultat visé sur 1 et 1 indicateur sur 2 évalués sont atteints, "
        "en avance ou conformes ; aucun n'est à surveiller ni en retard ; 1 indicateur n'a pas "
        "encore de valeur."
    )


def test_indicators_and_targeted_results_are_counted_apart() -> None:
    results, indicators = _ctx().bars
    assert (results.key, results.total, indicators.key, indicators.total) == (
        "resultats",
        35,
        "indicateurs",
        36,
    )
    for bar in (results, indicators):
        assert sum(s.count for s in bar.segments) == bar.total
        assert abs(sum(s.share for s in bar.segments) - 100) < 0.1
        assert [s.offset for s in bar.segments] == sorted(s.offset for s in bar.segments)
    assert indicators.description == (
        "36 indicateurs : 2 atteints, 4 en avance, 12 conformes, 5 à surveiller, 3 en retard, "
        "2 non renseignés, 8 sans cible."
    )
    assert results.description.startswith("35 résultats visés : 3 atteints, 2 en avance, ")


def test_a_targeted_result_is_as_good_as_its_weakest_measure() -> None:
    assert result_status([S.ATTEINT, S.A_SURVEILLER]) is S.A_SURVEILLER
    assert result_status([S.CONFORME, S.NON_RENSEIGNE]) is S.NON_RENSEIGNE
    assert result_status([S.CONFORME, S.SANS_CIBLE]) is S.CONFORME
    assert result_status([S.SANS_CIBLE]) is S.SANS_CIBLE


def test_a_todo_list_with_titles_values_gaps_pilots_and_analyses_in_order() -> None:
    ctx = _ctx({6: ["Anne Martin"], 4: ["Paul Durand", "Anne Martin"]})
    todo = ctx.todo
    assert todo == sorted(todo, key=todo_key)
    ranks = [TODO_ORDER.get(S(t.status), len(TODO_ORDER)) for t in todo]
    assert ranks == sorted(ranks)
    assert [t.status for t in todo[:2]] == ["en_retard", "en_retard"]
    # within « en retard », the largest shortfall first
    late = [t.shortfall for t in todo if t.status == "en_retard" and t.shortfall is not None]
    assert late == sorted(late, reverse=True)
    # a title, not a slug
    first = todo[0]
    assert first.subject_id == "d02-r1-services-logement-jeunes"
    assert first.label != first.subject_id and " " in first.label
    assert (first.value_text, first.expected_text, first.target_text, first.gap_text) == (
        "0\u00a0service",
        "1\u00a0service",
        "2\u00a0services en 2027",
        "\u22121\u00a0service",
    )
    assert first.analysis_state == "awaited" and first.analysis_label == "analyse attendue"
    handicap = next(t for t in todo if t.subject_id == "d06-r2-parcours-handicap")
    assert handicap.gap_text == "\u221260\u00a0points"  # a percentage's gap is in points
    assert handicap.pilots == ["Anne Martin"]
    shared = next(t for t in todo if t.subject_id == "cog-08-32")  # défis 4 and 6
    assert shared.challenges == [4, 6] and shared.pilots == ["Paul Durand", "Anne Martin"]
    assert shared.label.startswith("Délai moyen de démarche")  # its title, not its code
    # every off-track or missing subject is there once, and only late entries besides
    situation = demo_reader().situation()
    listed = [(t.subject_type, t.subject_id) for t in todo]
    assert len(listed) == len(set(listed))
    for row in situation.status.rows:
        key = (row.subject_type, row.subject_id)
        if row.assessment.status in TODO_ORDER:
            assert key in listed
    others = [t for t in todo if S(t.status) not in TODO_ORDER]
    assert others and all(t.late_entry and t.lateness_label for t in others)
    assert all(t.analysis_state == "none" for t in todo if t.status == "non_renseigne")


def test_a_written_analysis_moves_the_item_after_the_awaited_ones_of_its_rank() -> None:
    base = demo_reader()
    situation = base.situation()
    todo = dashboard_context(situation, []).todo
    target = next(t for t in todo if t.subject_id == "cog-08-32")
    row = situation.row("indicator", "cog-08-32")
    assert row is not None and row.assessment.current is not None
    reader = MemoryReader(values_=base.values_, targets_=base.targets_, demo_=True)
    reader.analyses_.append(
        AnalysisRecord(
            "indicator",
            "cog-08-32",
            row.assessment.current.period.key,
            "Effectifs réduits.",
            "",
            "Renfort temporaire.",
            "pilote",
            WHEN,
        )
    )
    after = next(t for t in dashboard_context(reader.situation(), []).todo if t.code == target.code)
    assert after.analysis_state == "written" and after.analysis_label == "analyse écrite"


def test_each_tile_says_why_its_most_late_item_and_its_progress() -> None:
    ctx = _ctx()
    tiles = {t.number: t for t in ctx.tiles}
    assert tiles[2].why == "1 résultat visé sur 3 en retard, 1 à surveiller."
    assert tiles[3].why == "3 résultats visés sont atteints, en avance ou conformes."
    assert tiles[6].why == (
        "2 résultats visés sur 4 en retard, 1 à surveiller ; "
        "1 indicateur lié sur 7 en retard, 3 à surveiller."
    )
    assert tiles[2].most_late is not None
    assert tiles[2].most_late.subject_id == "d02-r1-services-logement-jeunes"
    assert tiles[3].most_late is None
    for tile in ctx.tiles:
        # ends of 2023, 2024, 2025, then the date of situation
        assert [p.label for p in tile.progress] == [
            "fin 2023",
            "fin 2024",
            "fin 2025",
            "au 27/11/2026",
        ]
        assert tile.progress[-1].progress == tile.rollup.progress
        assert tile.chart is not None and tile.chart["description"] == tile.chart_description
        assert tile.chart_description.startswith(f"Avancement moyen du défi n°{tile.number} : ")
    # the défi page says the same
    assert challenge_context(demo_reader().situation(), 2).why == tiles[2].why


def test_a_sparkline_needs_two_points() -> None:
    one = [ProgressPoint(AS_OF, "au 27/11/2026", 40.0)]
    assert progress_sparkline("du défi n°1", one) is None
    two = [ProgressPoint(AS_OF.replace(year=2025), "fin 2025", 20.0), *one]
    spec = progress_sparkline("du défi n°1", two)
    assert spec is not None
    assert (
        spec["description"]
        == "Avancement moyen du défi n°1 : 20,0\u00a0% fin 2025, 40,0\u00a0% au 27/11/2026."
    )
    assert [v["avancement"] for v in spec["data"]["values"]] == [20.0, 40.0]


def test_challenge_why_names_indicators_when_results_are_all_on_track() -> None:
    situation = demo_reader().situation()
    assert challenge_why(situation, 8) == (
        "2 indicateurs liés sur 6 en retard, 1 à surveiller, 1 non renseigné."
    )


def test_dashboard_json_carries_the_board_figures() -> None:
    data = to_data(_ctx())
    assert data["phrase"].startswith("Au 27/11/2026")
    assert [b["total"] for b in data["barres"]] == [35, 36]
    assert data["a_traiter"][0]["libelle"]
