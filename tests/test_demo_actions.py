"""The demo's actions: owners, dates, statuses and progress consistent with the date of situation,
deterministic, every status and a few late ones (cpog.demo.generate_actions)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from functools import cache

import pytest

from cpog import vocabulary
from cpog.contract import default_contract_path
from cpog.contract.loader import load_contract
from cpog.contract.model import Contract
from cpog.demo import DemoAction, generate_actions
from cpog.steering import action_late

AS_OF = date(2026, 11, 27)


@cache
def contract() -> Contract:
    return load_contract(default_contract_path())


def test_every_action_of_the_contract_once_and_the_same_every_time() -> None:
    actions = generate_actions(contract(), AS_OF)
    ids = [a.id for c in contract().challenges for a in c.actions]
    assert len(ids) == 69
    assert [a.action_id for a in actions] == ids
    assert generate_actions(contract(), AS_OF) == actions
    assert generate_actions(contract(), AS_OF, seed="autre") != actions


def test_every_status_some_late_some_without_owner() -> None:
    actions = generate_actions(contract(), AS_OF)
    statuses = Counter(a.status for a in actions)
    assert set(statuses) == set(vocabulary.ACTION_STATUS)
    assert statuses["in_progress"] > statuses["done"] > statuses["late"]
    late = [a for a in actions if action_late(a.status, a.due_date, AS_OF)]
    past_due = [a for a in late if a.status == "in_progress"]
    assert 8 <= len(late) <= 20 and past_due  # marked late, and past their due date
    owners = Counter(a.owner for a in actions)
    assert 2 <= owners[""] <= 8
    assert all(o.endswith("(démo)") for o in owners if o)  # fictitious, and said so
    assert len(owners) >= 10
    assert sum(bool(a.milestones) for a in actions) >= 5
    assert sum(len(a.updates) for a in actions) >= 60


def _consistent(action: DemoAction, as_of: date) -> None:
    assert 0 <= action.progress <= 100
    if not action.followed:
        assert action.status == "not_started" and action.progress == 0
        return
    assert action.start_date is not None and action.due_date is not None
    assert action.start_date < action.due_date
    if action.status == "done":
        assert action.progress == 100 and action.start_date <= as_of
    if action.status in ("in_progress", "late", "cancelled"):
        assert action.start_date <= as_of and 0 < action.progress < 100
    ending = as_of >= date(contract().period.end, 10, 1)  # too late to begin anything
    if action.status == "not_started":
        assert action.progress == 0 and not action.updates
        assert action.start_date > as_of or ending
    if action.status == "postponed":
        assert action.start_date > as_of or ending
    days = [u.on for u in action.updates]
    assert days == sorted(days) and all(day <= as_of for day in days)
    reached = [u.progress for u in action.updates]
    assert reached == sorted(reached)
    if action.updates and action.status != "postponed":
        assert reached[-1] == action.progress
        assert all(action.start_date <= day for day in days)
    assert all("démonstration" in u.text for u in action.updates)
    for m in action.milestones:
        assert action.start_date < m.due_date <= action.due_date
        assert m.done_on is None or m.done_on <= as_of
    if action.milestones and action.status != "done":
        assert action.milestones[-1].done_on is None  # the last milestone is the end


@pytest.mark.parametrize("as_of", [AS_OF, date(2023, 2, 15), date(2024, 6, 30), date(2027, 12, 31)])
def test_dates_statuses_and_progress_agree_with_the_date_of_situation(as_of: date) -> None:
    actions = generate_actions(contract(), as_of)
    for action in actions:
        _consistent(action, as_of)
    last_day = date(contract().period.end, 12, 31)
    assert all(a.due_date is None or a.due_date <= last_day for a in actions)
