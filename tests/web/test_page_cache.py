"""Whole pages kept between requests (cpog.web.page_cache): each role gets its own page, each
session its own CSRF token and name, and a write shows on the very next page."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cpog.store.models import ActionState
from cpog.store.roles import Role
from cpog.web.models import ChallengePilot
from cpog.web.page_cache import CSRF_PLACEHOLDER, NAME_PLACEHOLDER, data_state

PAGES = ["/", "/defis/", "/defis/1/", "/indicateurs/", "/indicateurs/cog-01-11/", "/contrat/"]


def _get(client: Client, url: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def _untokened(html: str) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "<jeton>", html)


def test_data_state_is_one_query(steering_data: Any) -> None:
    with CaptureQueriesContext(connection) as queries:
        state = data_state(steering_data.id)
    assert state is not None and state.marker is not None
    assert len(queries.captured_queries) == 1


def test_a_stored_page_is_served_again_without_building_it(client_for: Any) -> None:
    client = client_for("lecteur")
    first, first_sql = _get(client, "/")
    again, again_sql = _get(client, "/")
    table = ActionState._meta.db_table
    assert any(table in sql for sql in first_sql)  # built: the late actions were read
    assert not any(table in sql for sql in again_sql)  # stored: not built again
    assert len(again_sql) < len(first_sql)
    # the same page, but for the masked CSRF token that changes at each request
    assert _untokened(first) == _untokened(again) and "Tableau de bord" in again


def test_a_new_release_does_not_serve_the_pages_of_the_old_one(
    client_for: Any, monkeypatch: Any
) -> None:
    """The shared folder outlives an upgrade: a page stored by the old code is built again."""
    from cpog.web import page_cache

    client = client_for("lecteur")
    _get(client, "/")
    _, served = _get(client, "/")
    key = page_cache._key
    keys: list[str] = []
    monkeypatch.setattr(page_cache, "_key", lambda *a: keys.append(key(*a)) or keys[-1])
    _get(client, "/")
    monkeypatch.setattr(page_cache, "CODE", "une autre version de cpog")
    _, after_upgrade = _get(client, "/")
    assert keys[0] != keys[1]  # the same data, another release: another key
    assert len(after_upgrade) > len(served)  # built again, not served from the folder


def test_each_role_gets_its_own_page(client_for: Any, users: Any) -> None:
    users.lecteur.first_name, users.lecteur.last_name = "Zoé", "<Lecteur>"
    users.lecteur.save()
    admin, lecteur = client_for("admin"), client_for("lecteur")
    for _ in range(2):  # the second round is served from the stored pages
        for url in PAGES:
            as_admin, _ = _get(admin, url)
            as_reader, _ = _get(lecteur, url)
            assert "admin — Administrateur" in as_admin
            assert 'href="/admin/"' in as_admin
            assert "Zoé &lt;Lecteur&gt; — Lecteur" in as_reader
            assert 'href="/admin/"' not in as_reader and "Administrateur" not in as_reader
            for html in (as_admin, as_reader):
                assert CSRF_PLACEHOLDER not in html and NAME_PLACEHOLDER not in html
    form = 'name="action" value="value"'
    assert form in _get(admin, "/indicateurs/cog-01-11/")[0]
    assert form not in _get(lecteur, "/indicateurs/cog-01-11/")[0]


def test_pilots_of_other_challenges_do_not_share_their_forms(
    client_for: Any, users: Any, steering_data: Any
) -> None:
    other = User.objects.create_user("pilote2", "p2@example.org")
    other.groups.add(Group.objects.get(name=Role.PILOTE.value))
    ChallengePilot.objects.create(user=other, contract_id=steering_data.id, challenge_number=2)
    mine, theirs = client_for("pilote"), Client()
    theirs.force_login(other)
    form = 'name="action" value="value"'
    for _ in range(2):
        assert form in _get(mine, "/indicateurs/cog-01-11/")[0]  # défi n°1 is theirs
        assert form not in _get(theirs, "/indicateurs/cog-01-11/")[0]
    # a pilot given défi n°1 afterwards gets the page with the form at once
    ChallengePilot.objects.create(user=other, contract_id=steering_data.id, challenge_number=1)
    assert form in _get(theirs, "/indicateurs/cog-01-11/")[0]


def _token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_each_session_gets_a_token_of_its_own_that_works(users: Any) -> None:
    sessions = []
    for _ in range(2):
        client = Client(enforce_csrf_checks=True)
        client.force_login(users.controle)
        sessions.append(client)
    pages = [_get(client, "/indicateurs/cog-01-11/")[0] for client in sessions]
    assert _token(pages[0]) != _token(pages[1])
    for client, html, value in zip(sessions, pages, ("97,5", "96,5"), strict=True):
        data = {
            "action": "value",
            "periode": "2025",
            "valeur": value,
            "statut": "provisional",
            "csrfmiddlewaretoken": _token(html),
        }
        assert client.post("/indicateurs/cog-01-11/", data).status_code == 302
    # the token of one session is refused in the other: tokens are not shared
    data["csrfmiddlewaretoken"] = _token(pages[0])
    assert sessions[1].post("/indicateurs/cog-01-11/", data).status_code == 403


def test_a_write_shows_on_the_next_page_of_every_viewer(client_for: Any) -> None:
    writer, reader = client_for("controle"), client_for("lecteur")
    for client in (writer, reader):
        for url in ("/", "/indicateurs/cog-01-11/"):
            assert "98,5" not in _get(client, url)[0]
    data = {"action": "value", "periode": "2025", "valeur": "98,5", "statut": "provisional"}
    assert writer.post("/indicateurs/cog-01-11/", data).status_code == 302
    after_write = _get(writer, "/indicateurs/cog-01-11/")[0]
    assert "Valeur enregistrée : 98,5 pour 2025" in after_write  # the message, not a stored page
    again = _get(writer, "/indicateurs/cog-01-11/")[0]
    assert "98,5" in again and "Valeur enregistrée" not in again  # the message is shown once
    assert "98,5" in _get(reader, "/indicateurs/cog-01-11/")[0]
    dashboard = _get(reader, "/")[0]
    updates = dashboard[dashboard.index("Dernières mises à jour") :]
    assert "controle" in updates
