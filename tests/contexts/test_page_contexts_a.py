"""The dashboard, défi, actions, contract and history contexts, built from an in-memory store
(no database): what they hold, and their JSON with French names only."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from memory_reader import AS_OF, MemoryReader, default_contract, demo_reader

from cpog import vocabulary
from cpog.contexts.actions import (
    ActionFilters,
    action_context,
    action_list_context,
    overdue_actions,
)
from cpog.contexts.challenges import challenge_context, challenge_list_context
from cpog.contexts.contract_page import contract_page_context
from cpog.contexts.dashboard import DashboardContext, dashboard_context
from cpog.contexts.history import event_rows, history_context
from cpog.contexts.reader import (
    ActionRecord,
    ActionUpdateRecord,
    AnalysisRecord,
    EventRecord,
    Milestone,
)
from cpog.contexts.serialize import json_schema, to_data, to_json
from cpog.contexts.situation import Situation

WHEN = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)


def _reader() -> MemoryReader:
    """A copy of the demo store that a test may change."""
    base = demo_reader()
    return MemoryReader(values_=base.values_, targets_=base.targets_, demo_=True)


def _situation(reader: MemoryReader | None = None) -> Situation:
    return (reader or demo_reader()).situation()


def _first_action() -> tuple[int, str]:
    challenge = default_contract().challenges[0]
    return challenge.number, challenge.actions[0].id


# --- a défi's subjects ----------------------------------------------------------------------


@pytest.mark.parametrize("number", [c.number for c in default_contract().challenges])
def test_a_challenge_shows_exactly_its_subjects(number: int) -> None:
    situation = _situation()
    ctx = challenge_context(situation, number)
    expected = [
        (row.subject_type, row.subject_id) for row, _ in situation.challenge_subjects(number)
    ]
    shown = [("measure", m.id) for r in ctx.results for m in r.measures] + [
        ("indicator", i.row.subject_id) for i in ctx.indicators
    ]
    assert shown == expected
    assert ctx.rollup.n_expected == situation.status.challenges[number].n_expected
    # the list and the dashboard count the same measures
    summary = next(c for c in challenge_list_context(situation).challenges if c.number == number)
    assert summary.n_results == len([s for s in expected if s[0] == "measure"])
    assert sum(c.count for c in summary.result_counts) == summary.n_results


def test_a_challenge_page_carries_its_fiche_charts_and_neighbours() -> None:
    situation = _situation()
    first = situation.contract.challenges[0]
    ctx = challenge_context(situation, first.number)
    assert ctx.title == first.title
    assert ctx.partners == [p.name for p in first.partners]
    assert [a.id for a in ctx.actions] == [a.id for a in first.actions]
    assert all(not a.followed and a.status_label == "non démarrée" for a in ctx.actions)
    assert ctx.previous is None and ctx.next is not None and ctx.next.number == 2
    quantified = [m for r in ctx.results for m in r.measures if m.quantified]
    assert quantified and ctx.has_charts
    assert all(m.chart is not None and m.table for m in quantified)
    eaje = next(m for r in ctx.results for m in r.measures if m.id == "d01-r1-places-eaje")
    assert eaje.target_text == "au moins 100\u00a0places en 2027 (cible fixée par le contrat)"


def test_a_target_below_a_bound_is_worded_from_the_vocabulary() -> None:
    ctx = challenge_context(_situation(), 5)
    texts = {m.id: m.target_text for r in ctx.results for m in r.measures}
    assert texts["d05-r2-delai-prestations"].startswith("au plus 13\u00a0jours en 2027")
    assert texts["d05-r3-taux-erreur-aah"].startswith("inférieure à 10\u00a0% en 2027")


def test_unknown_challenge_and_action_raise_key_error() -> None:
    with pytest.raises(KeyError):
        challenge_context(_situation(), 99)
    with pytest.raises(KeyError):
        action_context(_situation(), "pas-une-action")


# --- actions --------------------------------------------------------------------------------


def test_an_overdue_action_appears_on_the_dashboard_the_challenge_and_the_list() -> None:
    number, action_id = _first_action()
    reader = _reader()
    reader.actions_[action_id] = ActionRecord(
        action_id,
        owner="Service petite enfance",
        due_date=date(2026, 9, 30),
        status="in_progress",
        progress=40,
        updated_by="pilote",
        updated_at=WHEN,
        version=3,
        milestones=(Milestone("Comité de suivi", date(2026, 6, 1), date(2026, 6, 3)),),
        updates=(ActionUpdateRecord(date(2026, 11, 2), "Point d'étape", 40, "pilote"),),
    )
    situation = reader.situation()
    dashboard = dashboard_context(situation, [])
    assert [a.id for a in dashboard.overdue_actions] == [action_id]
    row = dashboard.overdue_actions[0]
    assert (row.challenge, row.status_label, row.owner, row.progress) == (
        number,
        "en cours",
        "Service petite enfance",
        40,
    )
    on_challenge = next(
        a for a in challenge_context(situation, number).actions if a.id == action_id
    )
    assert on_challenge.overdue and on_challenge.followed
    late = action_list_context(situation, ActionFilters(status="late"))
    assert [r.id for r in late.rows] == [action_id] and late.filtered and late.n_overdue == 1
    page = action_context(situation, action_id)
    assert page.row.overdue and page.version == 3 and page.updated_by == "pilote"
    assert [m.label for m in page.milestones] == ["Comité de suivi"]
    assert [u.text for u in page.updates] == ["Point d'étape"]


def test_a_done_action_past_its_due_date_is_not_late() -> None:
    _, action_id = _first_action()
    reader = _reader()
    reader.actions_[action_id] = ActionRecord(
        action_id, due_date=date(2026, 1, 31), status="done", progress=100
    )
    situation = reader.situation()
    assert overdue_actions(situation) == []
    assert not action_context(situation, action_id).row.overdue


def test_action_filters() -> None:
    _, action_id = _first_action()
    reader = _reader()
    reader.actions_[action_id] = ActionRecord(
        action_id, owner="Mme Martin", due_date=date(2027, 3, 1), status="in_progress"
    )
    situation = reader.situation()
    everything = action_list_context(situation)
    assert (
        everything.total
        == len(everything.rows)
        == sum(len(c.actions) for c in situation.contract.challenges)
    )
    assert not everything.filtered
    owned = action_list_context(situation, ActionFilters(owner="Mme Martin"))
    assert [r.id for r in owned.rows] == [action_id]
    nobody = action_list_context(situation, ActionFilters(no_owner=True))
    assert action_id not in [r.id for r in nobody.rows]
    assert len(nobody.rows) == everything.total - 1
    due = action_list_context(situation, ActionFilters(due_by=date(2027, 3, 1)))
    assert [r.id for r in due.rows] == [action_id]
    second = action_list_context(situation, ActionFilters(challenge=2))
    assert {r.challenge for r in second.rows} == {2}


# --- missing analyses -----------------------------------------------------------------------


def _analysis(row_key: tuple[str, str], period: str, corrective: str) -> AnalysisRecord:
    return AnalysisRecord(
        row_key[0],
        row_key[1],
        period,
        "La montée en charge est plus lente que prévu.",
        "",
        corrective,
        "pilote",
        WHEN,
    )


def _awaited(ctx: DashboardContext) -> list[tuple[str, str]]:
    """The subjects of the dashboard's « À traiter » whose analysis is awaited."""
    return [(t.subject_type, t.subject_id) for t in ctx.todo if t.analysis_state == "awaited"]


def test_a_missing_analysis_disappears_once_analysis_and_corrective_action_are_written() -> None:
    situation = _situation()
    measures = [r for r in situation.missing_analyses() if r.subject_type == "measure"]
    assert measures, "the demo has a measure off track"
    row = measures[0]
    key = (row.subject_type, row.subject_id)
    period = row.assessment.current.period.key  # type: ignore[union-attr]
    assert key in _awaited(dashboard_context(situation, []))
    on_challenge = next(
        a
        for a in challenge_context(situation, row.challenge).analyses
        if a.subject_id == row.subject_id  # type: ignore[arg-type]
    )
    assert not on_challenge.complete

    reader = _reader()
    reader.analyses_.append(_analysis(key, period, corrective=""))
    half = reader.situation()
    assert key in _awaited(dashboard_context(half, []))

    reader.analyses_.append(
        replace(
            _analysis(key, period, "Relancer les porteurs de projet."),
            created_at=WHEN.replace(hour=11),
        )
    )
    done = reader.situation()
    assert key not in _awaited(dashboard_context(done, []))
    assert key in [
        (t.subject_type, t.subject_id)
        for t in dashboard_context(done, []).todo
        if t.analysis_state == "written"
    ]
    written = next(
        a
        for a in challenge_context(done, row.challenge).analyses
        if a.subject_id == row.subject_id  # type: ignore[arg-type]
    )
    assert written.complete and written.corrective_action == "Relancer les porteurs de projet."
    assert written.author == "pilote" and written.period == period


# --- dashboard and history ------------------------------------------------------------------


def _events() -> list[EventRecord]:
    return [
        EventRecord(
            1,
            "measurement",
            "indicator:cog-08-32:2026-10",
            "create",
            "saisie",
            WHEN,
            None,
            {"value": "13.5"},
            "saisie",
        ),
        EventRecord(
            2,
            "action_state",
            f"{_first_action()[1]}",
            "update",
            "pilote",
            WHEN.replace(minute=40),
            {"status": "not_started"},
            {"status": "in_progress"},
        ),
        EventRecord(
            3,
            "contract_version",
            "2",
            "create",
            "admin",
            WHEN.replace(minute=50),
            None,
            {"version": 2},
        ),
        EventRecord(
            4,
            "measurement",
            "indicator:pas un id:2026-10",
            "create",
            "saisie",
            WHEN.replace(minute=55),
        ),
    ]


def test_history_rows_say_what_was_written_and_where_to_see_it() -> None:
    rows = event_rows(_events(), default_contract())
    assert [(r.link_kind, r.link_id) for r in rows] == [
        ("indicator", "cog-08-32"),
        ("action", _first_action()[1]),
        (None, None),
        (None, None),
    ]
    assert all(r.sentence for r in rows)
    assert rows[0].entity_label == "valeur"
    page = history_context(default_contract(), _events(), total=120, page=2, pages=3, filtered=True)
    assert (page.total, page.page, page.pages, page.filtered, len(page.rows)) == (
        120,
        2,
        3,
        True,
        4,
    )


def test_dashboard_totals_families_and_updates() -> None:
    reader = _reader()
    for event in _events():
        reader.add_event(event)
    situation = reader.situation()
    ctx = dashboard_context(situation, reader.recent_events(12))
    assert (
        sum(b.total for b in ctx.bars) == len(situation.status.rows) - 7
    )  # 42 measures, 35 results
    assert [f.id for f in ctx.families] == [
        f.id for f in situation.contract.catalogue if f.id in situation.status.families
    ]
    assert [u.id for u in ctx.updates] == [4, 3, 2, 1]  # newest first
    assert [t.number for t in ctx.tiles] == [c.number for c in situation.contract.challenges]
    assert ctx.as_of == AS_OF


# --- JSON -----------------------------------------------------------------------------------

ENGLISH = {
    "status",
    "label",
    "value",
    "subject_id",
    "subject_type",
    "progress",
    "challenge",
    "title",
    "rows",
    "missing",
    "owner",
    "due_date",
    "text",
    "items",
    "analysis",
    "overdue",
    "measures",
    "results",
    "sentence",
    "user",
}
FRENCH = set(vocabulary.FIELD.values())


def _keys(data: Any, path: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found.append((path, key))
            if key != "graphique":  # a Vega-Lite spec keeps Vega-Lite's names
                found.extend(_keys(value, f"{path}.{key}"))
    elif isinstance(data, list):
        for item in data:
            found.extend(_keys(item, path))
    return found


def _contexts() -> list[Any]:
    number, action_id = _first_action()
    reader = _reader()
    reader.actions_[action_id] = ActionRecord(
        action_id,
        due_date=date(2026, 9, 30),
        status="in_progress",
        milestones=(Milestone("Comité", date(2026, 6, 1)),),
        updates=(ActionUpdateRecord(date(2026, 11, 2), "Point", 10, "pilote"),),
    )
    for event in _events():
        reader.add_event(event)
    situation = reader.situation()
    return [
        dashboard_context(situation, reader.recent_events(12)),
        challenge_list_context(situation),
        challenge_context(situation, number),
        challenge_context(situation, 5),
        action_list_context(situation),
        action_context(situation, action_id),
        contract_page_context(situation.contract),
        history_context(situation.contract, reader.events_, total=4),
    ]


@pytest.mark.parametrize("ctx", _contexts(), ids=lambda c: type(c).__name__)
def test_json_has_french_names_only(ctx: Any) -> None:
    keys = _keys(to_data(ctx))
    assert keys
    assert not [k for k in keys if k[1] in ENGLISH]
    assert not [k for k in keys if k[1] not in FRENCH], "every name comes from vocabulary.FIELD"
    assert to_json(ctx) == to_json(ctx)  # stable


@pytest.mark.parametrize("ctx", _contexts()[:1] + _contexts()[2:3], ids=lambda c: type(c).__name__)
def test_json_schema_names_match_the_json(ctx: Any) -> None:
    schema = json_schema(type(ctx))
    assert set(schema["properties"]) == set(to_data(ctx))


def test_page_contexts_import_neither_django_nor_the_store() -> None:
    code = (
        "import sys\n"
        "import cpog.contexts.dashboard, cpog.contexts.challenges, cpog.contexts.actions\n"
        "import cpog.contexts.contract_page, cpog.contexts.history\n"
        "print([m for m in sys.modules if m.startswith(('django', 'cpog.store', 'cpog.web'))])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
