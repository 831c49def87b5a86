"""``cpog demo``'s actions in the store: written through the actions' service by the demo user, and
every filter of the actions page has something to show."""

from __future__ import annotations

import html
from typing import Any

import pytest

from cpog import clock, vocabulary
from cpog.demo import generate_actions
from cpog.store.demo import DEMO_USER, load_demo_actions
from cpog.store.models import ActionMilestone, ActionState, ActionUpdate, AuditEvent
from cpog.web.action_forms import NO_OWNER

NOTHING = "Aucune action ne correspond à ces filtres."


@pytest.fixture
def demo_actions(steering_data: Any) -> int:
    return load_demo_actions(steering_data, clock.today())


def _list(client: Any, **query: str) -> str:
    response = client.get("/actions/", query)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_written_through_the_service_by_the_demo_user(
    steering_data: Any, demo_actions: int
) -> None:
    expected = [a for a in generate_actions(steering_data, clock.today()) if a.followed]
    assert demo_actions == len(expected) >= 60
    states = ActionState.objects.filter(contract_id=steering_data.id)
    assert states.count() == demo_actions
    assert set(states.values_list("updated_by", flat=True)) == {DEMO_USER}
    for action in expected:
        state = states.get(action_id=action.action_id)
        assert (state.status, state.progress, state.owner) == (
            action.status,
            action.progress,
            action.owner,
        )
        assert (state.start_date, state.due_date) == (action.start_date, action.due_date)
    assert ActionUpdate.objects.count() == sum(len(a.updates) for a in expected)
    assert ActionMilestone.objects.filter(done_on__isnull=False).exists()
    assert AuditEvent.objects.filter(entity_type="action_state", user=DEMO_USER).exists()
    # Again: the actions already followed are left as they are.
    assert load_demo_actions(steering_data, clock.today()) == 0
    assert ActionUpdate.objects.count() == sum(len(a.updates) for a in expected)


def test_every_filter_of_the_actions_page_has_something_to_show(
    steering_data: Any, demo_actions: int, client_for: Any
) -> None:
    client = client_for("lecteur")
    page = _list(client)
    assert "dont" in page and "en retard" in page
    for challenge in steering_data.challenges:
        assert NOTHING not in _list(client, defi=str(challenge.number)), challenge.number
    for status in vocabulary.ACTION_STATUS:
        assert NOTHING not in _list(client, statut=status), status
    owners = set(ActionState.objects.exclude(owner="").values_list("owner", flat=True))
    assert len(owners) >= 10
    for owner in owners:
        assert NOTHING not in _list(client, responsable=owner), owner
    assert NOTHING not in _list(client, responsable=NO_OWNER)
    assert NOTHING not in _list(client, echeance=clock.today().strftime("%d/%m/%Y"))


def test_an_action_page_shows_its_milestones_and_dated_updates(
    steering_data: Any, demo_actions: int, client_for: Any
) -> None:
    action = next(
        a for a in generate_actions(steering_data, clock.today()) if a.milestones and a.updates
    )
    page = html.unescape(
        client_for("lecteur").get(f"/actions/{action.action_id}/").content.decode()
    )
    assert action.milestones[0].label in page
    assert action.updates[-1].text in page
    assert action.owner in page
