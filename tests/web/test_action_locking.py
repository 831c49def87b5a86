"""Optimistic locking of an action's page: an edit made from a page shown before someone else's
change is refused (409), says who changed it and when, keeps the user's input, writes nothing;
saving again from the refreshed form is then a deliberate choice and goes through."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import pytest

from cpog.store.actions import StaleAction, save_update
from cpog.store.models import ActionState, ActionUpdate, AuditEvent

URL = "/actions/d01-a1/"


def _text(response: Any) -> str:
    return html.unescape(response.content.decode("utf-8"))


def _version(page: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found is not None, "the form carries the version it was shown with"
    return found.group(1)


def _edit(version: str, **fields: str) -> dict[str, str]:
    return {"status": "in_progress", "progress": "40", "version": version, **fields}


def test_stale_edit_is_refused_with_who_and_when_and_the_input_kept(client_for: Any) -> None:
    pilote, controle = client_for("pilote"), client_for("controle")
    shown = _version(_text(pilote.get(URL)))
    assert shown == "0"
    # controle changes the action while the pilot is typing
    assert controle.post(URL, _edit(_version(_text(controle.get(URL))), progress="70")).status_code
    state = ActionState.objects.get(action_id="d01-a1")
    assert state.version == 1 and state.progress == 70
    events = AuditEvent.objects.count()

    response = pilote.post(URL, _edit(shown, progress="45", comment="Mon point du jour"))
    assert response.status_code == 409
    page = _text(response)
    assert re.search(
        r"Cette action a été modifiée par controle le \d\d/\d\d/\d{4} à \d\d:\d\d "
        r"pendant votre saisie",
        page,
    )
    assert "Saisie refusée" in page
    assert "Mon point du jour" in page  # the pilot's input is kept in the form
    assert _version(page) == "1"  # …now based on the version they have just been shown
    state.refresh_from_db()
    assert state.progress == 70 and state.version == 1
    assert not ActionUpdate.objects.exists() and AuditEvent.objects.count() == events

    # Saving again from the refreshed form is a deliberate choice: it goes through.
    again = pilote.post(URL, _edit(_version(page), progress="45", comment="Mon point du jour"))
    assert again.status_code == 302
    state.refresh_from_db()
    assert state.progress == 45 and state.version == 2 and state.updated_by == "pilote"
    assert ActionUpdate.objects.get().text == "Mon point du jour"


def test_stale_edit_in_a_fragment_is_a_409_fragment(client_for: Any) -> None:
    pilote = client_for("pilote")
    assert pilote.post(URL, _edit("0", comment="Premier point")).status_code == 302
    response = pilote.post(URL, _edit("0", progress="50"), headers={"HX-Request": "true"})
    assert response.status_code == 409
    page = _text(response)
    assert page.lstrip().startswith('<div id="action-live">')
    assert "modifiée par pilote" in page


def test_a_comment_alone_moves_the_version_on(steering_data: Any) -> None:
    data = {"status": "not_started", "progress": 0}
    save_update(steering_data.id, "d01-a1", {**data, "comment": "Un"}, "a", date(2026, 11, 27))
    state = ActionState.objects.get(action_id="d01-a1")
    assert state.version == 1
    save_update(
        steering_data.id, "d01-a1", {**data, "comment": "Deux"}, "b", date(2026, 11, 27), based_on=1
    )
    state.refresh_from_db()
    assert state.version == 2 and state.updated_by == "b"
    with pytest.raises(StaleAction, match="modifiée par b le"):
        save_update(steering_data.id, "d01-a1", data, "c", date(2026, 11, 27), based_on=1)
    assert ActionUpdate.objects.count() == 2
