"""Schemathesis against the API's own OpenAPI document, in process, with a real token of every
role: every answer is a success or a clear 4xx in the API's JSON error shape — never a 500, an
HTML page or a traceback in the log.

The cases are generated from the document (valid requests, then requests breaking it: wrong
types, missing fields, odd headers, strange paths) and sent through Django's test client, in the
test's transaction. Hypothesis is derandomized: CI runs the same cases every time.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from cpog.web.models import ApiToken

CASES = 240
ROLES = ["admin", "controle", "pilote", "lecteur", "sans jeton valide"]
ENGLISH = ("Unauthorized", "Forbidden", "Not Found", "Cannot parse", "Internal Server Error")


def send(client: Client, case: Any, token: str | None) -> Any:
    """The generated request, sent through Django; ``token`` replaces the generated one."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    url = urlsplit(kwargs["url"])
    headers = {
        k: v
        for k, v in kwargs.get("headers", {}).items()
        if k.lower() not in ("content-type", "content-length", "cookie", "host")
    }
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if "json" in kwargs:
        body: bytes | str = json.dumps(kwargs["json"])
    else:
        body = kwargs.get("data") or b""
    content_type = kwargs.get("headers", {}).get("Content-Type", "application/json")
    return client.generic(
        kwargs["method"],
        url.path,
        data=body,
        content_type=content_type,
        headers=headers,
        QUERY_STRING=urlencode(kwargs.get("params") or {}, doseq=True),
    )


def check_answer(response: Any, case: Any) -> None:
    where = f"{case.method} {case.formatted_path}"
    assert response.status_code < 500, f"{where} → {response.status_code}"
    assert response["Content-Type"].startswith("application/json"), where
    body = response.json()
    if response.status_code >= 400:
        assert body["ok"] is False and body["status"] == response.status_code, where
        assert isinstance(body["error"], str) and body["error"], where
        assert not any(word in body["error"] for word in ENGLISH), body["error"]
        assert isinstance(body["errors"], list), where


def test_generated_requests_get_a_clear_answer(
    users: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from cpog.web.api import api

    tokens: dict[str, str | None] = {
        who: ApiToken.issue(getattr(users, who), f"fuzz {who}")[1] for who in ROLES[:4]
    }
    tokens["sans jeton valide"] = None  # the generated Authorization header is kept
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    cases = st.one_of(
        schema.as_strategy(GenerationMode.POSITIVE), schema.as_strategy(GenerationMode.NEGATIVE)
    )
    client = Client()
    sent: list[tuple[str, int]] = []

    @settings(
        max_examples=CASES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, who=st.sampled_from(ROLES))
    def one_case(case: Any, who: str) -> None:
        response = send(client, case, tokens[who])
        check_answer(response, case)
        sent.append((f"{case.method} {case.path}", response.status_code))

    one_case()
    assert len(sent) >= 200
    # Every operation was exercised, and both successes and refusals were seen.
    operations = {name for name, _ in sent}
    assert len(operations) == len(list(schema.get_all_operations()))
    assert {status for _, status in sent} >= {200, 401, 422}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
