"""Concurrency through a real multi-process server (gunicorn, 2 workers × 4 threads) on a store
of its own: SQLite here, PostgreSQL in ``make test``'s second run. Requests are released at once
by a barrier, from threads of this process.

What is proven: identical writes sent at once store one revision and one audit event, and every
caller is told the truth; different values sent at once keep every revision, in the order they
were recorded, with an unbroken audit chain; simultaneous first edits of an action never give a
500 and never lose a comment silently (one is written, the others refused with a 409).
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from isolated_store import IsolatedStore, isolated_store, running_server

CSRF = "a" * 32  # an unmasked CSRF secret: the cookie and the form field carry the same one
SUBJECT = "indicator:cog-01-11:2021"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[IsolatedStore, str, dict]]:
    """The server, and for each of four controllers an API token and a signed-in session."""
    tmp = tmp_path_factory.mktemp("concurrency")
    with isolated_store(tmp, "conc") as store:
        who = store.python(
            """
            from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
            from django.contrib.auth.models import Group, User
            from django.contrib.sessions.backends.db import SessionStore
            from cpog.web.models import ApiToken
            group, _ = Group.objects.get_or_create(name="controle_gestion")
            result = {}
            for name in ("alice", "bruno", "chloe", "denis"):
                user = User.objects.create_user(name, f"{name}@example.org", "x-Secret-123456")
                user.groups.add(group)
                _, key = ApiToken.issue(user, "concurrence")
                session = SessionStore()
                session[SESSION_KEY] = str(user.pk)
                session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
                session[HASH_SESSION_KEY] = user.get_session_auth_hash()
                session.create()
                result[name] = {"token": key, "session": session.session_key}
            """
        )
        with running_server(store) as base:
            yield store, base, who


def _request(base: str, method: str, path: str, body: bytes, headers: dict[str, str]) -> Any:
    where = urlsplit(base)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def _at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not [r for r in results if isinstance(r, Exception)], results
    return results


def _post_values(
    base: str, token: str, items: list[dict[str, Any]], query: str = ""
) -> Callable[[], Any]:
    body = json.dumps(items).encode("utf-8")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return lambda: _request(base, "POST", f"/api/v1/values{query}", body, headers)


def _revisions(store: IsolatedStore, subject_id: str, period: str) -> dict[str, Any]:
    return store.python(
        f"""
        from cpog.store.models import AuditEvent, Measurement
        rows = Measurement.objects.filter(subject_id={subject_id!r}, period_key={period!r})
        events = AuditEvent.objects.filter(
            entity_type="measurement", entity_id="indicator:{subject_id}:{period}"
        )
        result = {{
            "rows": [
                [str(r.value.normalize()), r.recorded_at.isoformat(), r.recorded_by]
                for r in rows.order_by("id")
            ],
            "events": [
                [e.action, e.before, e.after, e.at.isoformat()] for e in events.order_by("id")
            ],
        }}
        """
    )


def test_identical_writes_at_once_store_one_revision(served: Any) -> None:
    store, base, who = served
    item = [{"identifiant": "cog-01-11", "periode": "2021", "valeur": "55,5"}]
    names = list(who)
    calls = [_post_values(base, who[names[i % 4]]["token"], item) for i in range(16)]
    answers = _at_once(calls)
    assert [status for status, _ in answers] == [200] * 16, answers
    bodies = [json.loads(text) for _, text in answers]
    assert sorted((b["enregistres"], b["inchanges"]) for b in bodies) == [(0, 1)] * 15 + [(1, 0)]
    found = _revisions(store, "cog-01-11", "2021")
    assert [float(value) for value, _, _ in found["rows"]] == [55.5]
    assert [(action, before) for action, before, _, _ in found["events"]] == [("create", None)]


def test_different_values_at_once_keep_every_revision_in_order(served: Any) -> None:
    store, base, who = served
    names = list(who)
    sent = [str(10 + i) for i in range(12)]
    calls = [
        _post_values(
            base,
            who[names[i % 4]]["token"],
            [{"identifiant": "cog-01-11", "periode": "2022", "valeur": value}],
            "?confirmer=true",  # values far from 2021's need the confirmation
        )
        for i, value in enumerate(sent)
    ]
    answers = _at_once(calls)
    assert [status for status, _ in answers] == [200] * 12, answers
    assert all(json.loads(text)["enregistres"] == 1 for _, text in answers)
    found = _revisions(store, "cog-01-11", "2022")
    rows, events = found["rows"], found["events"]
    assert sorted(float(value) for value, _, _ in rows) == sorted(float(v) for v in sent)
    # the order of the ids is the order of recording
    assert [at for _, at, _ in rows] == sorted(at for _, at, _ in rows)
    assert len(events) == 12
    assert events[0][0] == "create" and events[0][1] is None
    for previous, event in itertools.pairwise(events):
        assert event[0] == "revise"
        # each revise starts from the value the previous write left
        assert float(event[1]["value"]) == float(previous[2]["value"])
    assert [float(e[2]["value"]) for e in events] == [float(v) for v, _, _ in rows]


def _post_action(base: str, session: str, fields: dict[str, str]) -> Callable[[], Any]:
    body = urlencode({"csrfmiddlewaretoken": CSRF, **fields}).encode("utf-8")
    headers = {
        "Cookie": f"sessionid={session}; csrftoken={CSRF}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return lambda: _request(base, "POST", "/actions/d01-a2/", body, headers)


def _action(store: IsolatedStore) -> dict[str, Any]:
    return store.python(
        """
        from cpog.store.models import ActionState, ActionUpdate, AuditEvent
        state = ActionState.objects.filter(action_id="d01-a2").first()
        result = {
            "version": state.version if state else None,
            "comments": sorted(u.text for u in ActionUpdate.objects.filter(state=state)),
            "state_events": list(
                AuditEvent.objects.filter(entity_type="action_state", entity_id="d01-a2")
                .order_by("id").values_list("action", flat=True)
            ),
        }
        """
    )


def test_simultaneous_first_edits_of_an_action_never_fail(served: Any) -> None:
    store, base, who = served
    names = list(who)
    edit = {"status": "in_progress", "progress": "30", "owner": "Service jeunesse"}
    # Four editors who all saw the action never followed up (version 0): one is written, the
    # others are told, with a 409, that someone changed it meanwhile.
    calls = [
        _post_action(base, who[n]["session"], {**edit, "version": "0", "comment": f"Point de {n}"})
        for n in names
    ]
    answers = _at_once(calls)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [302, 409, 409, 409], answers
    refused = [text for status, text in answers if status == 409]
    assert all("pendant votre saisie" in text for text in refused)
    assert all("modifiée par" in text for text in refused)
    found = _action(store)
    winner = next(n for n, (status, _) in zip(names, answers, strict=True) if status == 302)
    assert found["comments"] == [f"Point de {winner}"]
    assert found["state_events"] == ["create"]
    # each refused editor's comment is still in their form, ready to be saved again
    for n, (status, text) in zip(names, answers, strict=True):
        if status == 409:
            assert f"Point de {n}" in text

    # Editors whose form carries no version (scripts): serialised, every comment kept.
    calls = [
        _post_action(base, who[n]["session"], {**edit, "comment": f"Suite de {n}"}) for n in names
    ]
    assert sorted(status for status, _ in _at_once(calls)) == [302] * 4
    found = _action(store)
    assert found["comments"] == sorted([f"Point de {winner}"] + [f"Suite de {n}" for n in names])
    assert found["version"] == 5
    assert found["state_events"] == ["create"]
