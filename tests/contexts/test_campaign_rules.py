"""The rules of a reporting campaign without a store (decision 026): which period of a subject a
campaign awaits, what counts as entered (the one rule of completeness), which reminders a day
calls for, at most one per recipient per day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cpog.assess.policy import Policy
from cpog.assess.staleness import covers, freshness, period_ending_with
from cpog.assess.types import Observation, Subject
from cpog.contexts.campaigns import (
    AFTER,
    BEFORE,
    NOW,
    SUMMARY,
    CampaignContext,
    Line,
    Pilot,
    Totals,
    due_reminders,
    last_scheduled,
    reminder_body,
    reminder_kind,
)
from cpog.contract.model import Direction, Periodicity
from cpog.periods import parse_period
from cpog.records import CampaignRecord, SentRecord


def _subject(periodicity: Periodicity) -> Subject:
    return Subject(
        id="s",
        label="sujet",
        direction=Direction.UP,
        contract_start=2023,
        contract_end=2027,
        periodicity=periodicity,
    )


@pytest.mark.parametrize(
    ("campaign", "periodicity", "awaited"),
    [
        ("2026-10", Periodicity.MONTHLY, "octobre 2026"),
        ("2026-10", Periodicity.QUARTERLY, None),  # T4 ends in December
        ("2026-Q3", Periodicity.MONTHLY, "septembre 2026"),
        ("2026-Q3", Periodicity.QUARTERLY, "T3 2026"),
        ("2026-Q3", Periodicity.ANNUAL, None),
        ("2026", Periodicity.QUARTERLY, "T4 2026"),
        ("2026", Periodicity.ANNUAL, "2026"),
        ("2028", Periodicity.ANNUAL, None),  # after the contract
    ],
)
def test_the_period_a_campaign_awaits_of_a_subject(
    campaign: str, periodicity: Periodicity, awaited: str | None
) -> None:
    found = period_ending_with(_subject(periodicity), parse_period(campaign))
    assert (None if found is None else str(found)) == awaited


def test_entered_is_the_rule_of_completeness() -> None:
    october = parse_period("2026-10")
    assert covers(parse_period("2026-10"), october)
    assert covers(parse_period("2026-11"), october)  # a later value fills it too
    assert not covers(parse_period("2026-09"), october)
    assert not covers(None, october)
    # and freshness says « late » by the same rule
    subject = _subject(Periodicity.MONTHLY)
    values = [Observation(parse_period("2026-09"), 1.0)]
    fresh = freshness(subject, values, date(2026, 12, 15), Policy())
    assert fresh.expected_period == october and fresh.is_late


def _campaign(state: str = "ouverte") -> CampaignRecord:
    return CampaignRecord(
        id=3,
        caisse_code="79",
        contract_id="c",
        period_key="2026-10",
        opens_on=date(2026, 11, 1),
        due_on=date(2026, 11, 15),
        subjects=(("indicator", "a"), ("indicator", "b")),
        state=state,
        created_by="test",
    )


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        ("2026-10-31", None),  # before the opening
        ("2026-11-08", BEFORE),  # J-7
        ("2026-11-09", None),
        ("2026-11-14", BEFORE),  # J-1
        ("2026-11-15", None),  # the due date itself
        ("2026-11-16", AFTER),  # J+1
        ("2026-11-22", AFTER),  # J+7
        ("2026-11-23", None),
    ],
)
def test_the_days_of_reminders(day: str, kind: str | None) -> None:
    assert reminder_kind(_campaign(), date.fromisoformat(day)) == kind
    assert reminder_kind(_campaign("close"), date.fromisoformat(day)) is None


@pytest.mark.parametrize(
    ("day", "scheduled"),
    [
        ("2026-10-31", None),  # before the opening
        ("2026-11-07", None),  # no day set yet
        ("2026-11-08", (BEFORE, "2026-11-08")),  # J-7
        ("2026-11-12", (BEFORE, "2026-11-08")),  # J-7 is the last day set: caught up if missed
        ("2026-11-15", (BEFORE, "2026-11-14")),  # J-1
        ("2026-11-21", (AFTER, "2026-11-16")),  # J+1
        ("2027-01-10", (AFTER, "2026-11-22")),  # J+7, long past
    ],
)
def test_the_last_day_set(day: str, scheduled: tuple[str, str] | None) -> None:
    found = last_scheduled(_campaign(), date.fromisoformat(day))
    expected = None if scheduled is None else (scheduled[0], date.fromisoformat(scheduled[1]))
    assert found == expected
    assert last_scheduled(_campaign("close"), date.fromisoformat(day)) is None


def test_a_day_set_before_the_opening_is_not_one() -> None:
    late_opening = replace(_campaign(), opens_on=date(2026, 11, 10))
    assert last_scheduled(late_opening, date(2026, 11, 12)) is None  # J-7 was before it opened
    assert last_scheduled(late_opening, date(2026, 11, 14)) == (BEFORE, date(2026, 11, 14))


def _line(subject_id: str, pilot: str | None, entered: bool) -> Line:
    return Line(
        subject_type="indicator",
        subject_id=subject_id,
        code=subject_id.upper(),
        label=f"sujet {subject_id}",
        period_label="octobre 2026",
        pilot=pilot,
        pilot_name=pilot or "sans pilote",
        entered=entered,
        late=False,
        lateness_label="",
        last_reminder=None,
        entry_path=f"/indicateurs/{subject_id}/?caisse=79",
    )


def _context(day: str) -> CampaignContext:
    lines = [_line("a", "ana", False), _line("b", "bob", True), _line("c", None, False)]
    return CampaignContext(
        campaign=_campaign(),
        as_of=date.fromisoformat(day),
        title="Campagne n°3 — octobre 2026",
        period_label="octobre 2026",
        opens_text="01/11/2026",
        due_text="15/11/2026",
        state_label="ouverte",
        lines=lines,
        totals=Totals(3, 1, 0),
        missing_by_pilot={"ana": [lines[0]]},
    )


PILOTS = [
    Pilot("ana", "Ana", "ana@x.example", frozenset({1})),
    Pilot("bob", "Bob", "", frozenset()),
]
CONTROLLERS = [Pilot("cg", "Contrôle", "cg@x.example", frozenset())]


def test_who_gets_a_reminder() -> None:
    before = due_reminders(_context("2026-11-08"), PILOTS, CONTROLLERS, [])
    assert [(r.recipient, r.kind) for r in before] == [("ana", BEFORE)]  # bob entered everything
    after = due_reminders(_context("2026-11-16"), PILOTS, CONTROLLERS, [])
    assert [(r.recipient, r.kind) for r in after] == [("ana", AFTER), ("cg", SUMMARY)]
    summary = after[1]
    assert [line.code for line in summary.lines] == ["A", "C"]  # with the subject of no pilot
    reminded = [SentRecord("ana", date(2026, 11, 8), BEFORE)]
    assert due_reminders(_context("2026-11-09"), PILOTS, CONTROLLERS, reminded) == []
    now = due_reminders(_context("2026-11-09"), PILOTS, CONTROLLERS, reminded, now=True)
    assert [(r.recipient, r.kind) for r in now] == [("ana", NOW)]


def test_a_missed_day_is_caught_up_once() -> None:
    # the server was down on J-7 (08/11): the next run sends the reminder, once
    missed = due_reminders(_context("2026-11-10"), PILOTS, CONTROLLERS, [])
    assert [(r.recipient, r.kind) for r in missed] == [("ana", BEFORE)]
    sent = [SentRecord("ana", date(2026, 11, 10), BEFORE)]
    assert due_reminders(_context("2026-11-11"), PILOTS, CONTROLLERS, sent) == []
    # a « Relancer maintenant » since the day set counts too
    now = [SentRecord("ana", date(2026, 11, 9), NOW)]
    assert due_reminders(_context("2026-11-10"), PILOTS, CONTROLLERS, now) == []
    # down on J+1 (16/11) too: on 18/11 the pilot and the contrôle de gestion, a reminder before
    # the due date not counting for one after it
    sent = [SentRecord("ana", date(2026, 11, 14), BEFORE)]
    late = due_reminders(_context("2026-11-18"), PILOTS, CONTROLLERS, sent)
    assert [(r.recipient, r.kind) for r in late] == [("ana", AFTER), ("cg", SUMMARY)]
    sent += [
        SentRecord("ana", date(2026, 11, 18), AFTER),
        SentRecord("cg", date(2026, 11, 18), SUMMARY),
    ]
    assert due_reminders(_context("2026-11-19"), PILOTS, CONTROLLERS, sent) == []
    # J+7 (22/11) comes: due again
    again = due_reminders(_context("2026-11-22"), PILOTS, CONTROLLERS, sent)
    assert [(r.recipient, r.kind) for r in again] == [("ana", AFTER), ("cg", SUMMARY)]


def test_at_most_one_reminder_a_day() -> None:
    sent = [
        SentRecord("ana", date(2026, 11, 16), AFTER),
        SentRecord("cg", date(2026, 11, 8), BEFORE),
    ]
    again = due_reminders(_context("2026-11-16"), PILOTS, CONTROLLERS, sent)
    assert [r.recipient for r in again] == ["cg"]
    assert (
        due_reminders(_context("2026-11-16"), PILOTS, CONTROLLERS, sent, now=True)[0].kind
        == SUMMARY
    )


def test_the_reminder_text() -> None:
    ctx = _context("2026-11-14")
    (reminder,) = due_reminders(ctx, PILOTS, CONTROLLERS, [])
    body = reminder_body(ctx, reminder, "https://cpog.example/")
    assert body.startswith("Bonjour Ana,\n")
    assert "Dans la campagne de saisie d'octobre 2026, dont l'échéance est le 15/11/2026" in body
    assert "- A sujet a : valeur d'octobre 2026\n" in body
    assert "  Saisir : https://cpog.example/indicateurs/a/?caisse=79" in body
