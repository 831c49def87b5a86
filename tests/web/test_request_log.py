"""Logs (decision 024): every line with its time, level, logger and request id; the request id
taken from the proxy or made, echoed in the answer; one access line per request; every 500 logged
with its traceback and its id, the id shown on the French error page and in the API's answer."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from obs_failing_urls import MARKER

from cpog.errors import CpogError
from cpog.logs import JsonFormatter, logging_settings, request_id
from cpog.web.proxy import parse_networks
from cpog.web.request_log import logged_path

ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"


def _access_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if " cpog.acces " in line]


@pytest.fixture
def behind_proxy(settings: Any) -> None:
    """The test client's peer (127.0.0.1) is the trusted reverse proxy."""
    settings.TRUSTED_PROXIES = parse_networks("CPOG_TRUSTED_PROXIES", "127.0.0.1")


def test_a_sane_request_id_from_the_proxy_is_kept_and_logged(
    db: None, behind_proxy: None, capsys: Any
) -> None:
    response = Client().get("/connexion/?token=secret-123", HTTP_X_REQUEST_ID="nginx-4f2.a_1")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "nginx-4f2.a_1"
    err = capsys.readouterr().err
    (line,) = _access_lines(err)
    assert re.fullmatch(
        ISO + r" INFO cpog\.acces nginx-4f2\.a_1 GET /connexion/ 200 \d+ ms \d+ octets"
        r" utilisateur=- client=127\.0\.0\.1",
        line,
    ), line
    assert "secret-123" not in err  # the query string is never written


def test_a_request_id_from_a_peer_that_is_not_a_trusted_proxy_is_replaced(
    db: None, settings: Any, capsys: Any
) -> None:
    settings.TRUSTED_PROXIES = parse_networks("CPOG_TRUSTED_PROXIES", "10.0.0.1")
    response = Client().get("/connexion/", HTTP_X_REQUEST_ID="se-fait-passer-pour")
    made = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    err = capsys.readouterr().err
    assert f"cpog.acces {made} GET /connexion/ 200" in err and "se-fait-passer-pour" not in err
    settings.TRUSTED_PROXIES = ()  # no proxy configured: nobody's id is believed
    assert Client().get("/connexion/", HTTP_X_REQUEST_ID="abc")["X-Request-ID"] != "abc"


@pytest.mark.parametrize("given", ["", "a b", "x" * 65, "abc\nINFO faux", "é", "a;rm", "<script>"])
def test_an_absent_or_insane_request_id_is_replaced(
    db: None, behind_proxy: None, capsys: Any, given: str
) -> None:
    response = Client().get("/connexion/", HTTP_X_REQUEST_ID=given)
    made = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    err = capsys.readouterr().err
    assert f"cpog.acces {made} GET /connexion/ 200" in err
    assert "faux" not in err and "<script>" not in err


def test_two_requests_get_two_ids_and_no_id_outlives_its_request(db: None) -> None:
    client = Client()
    first = client.get("/connexion/")["X-Request-ID"]
    second = client.get("/connexion/")["X-Request-ID"]
    assert first != second
    assert request_id.get() == "-"


def test_the_access_line_names_the_user_and_static_files_are_not_written(
    db: None, capsys: Any
) -> None:
    User.objects.create_user("agent.dupont", password="x")
    client = Client()
    client.force_login(User.objects.get(username="agent.dupont"))
    capsys.readouterr()
    assert client.get("/jetons/").status_code == 200
    static = client.get("/static/cpog/cpog.css")
    assert static.status_code == 200
    b"".join(static.streaming_content)  # read to its end: closed as a server would
    assert client.get("/sante").status_code in (200, 503)
    lines = _access_lines(capsys.readouterr().err)
    assert len(lines) == 1, lines  # the stylesheet and the health check: DEBUG only
    assert " GET /jetons/ 200 " in lines[0] and lines[0].endswith(
        " utilisateur=agent.dupont client=127.0.0.1"
    )


def test_the_access_log_can_be_turned_off(db: None, settings: Any, capsys: Any) -> None:
    settings.ACCESS_LOG = False
    response = Client().get("/connexion/")
    assert response.status_code == 200 and response["X-Request-ID"]
    assert _access_lines(capsys.readouterr().err) == []


def test_a_500_is_logged_with_its_traceback_and_its_id_shown_in_french(
    db: None, behind_proxy: None, settings: Any, capsys: Any
) -> None:
    settings.ROOT_URLCONF = "obs_failing_urls"
    response = Client(raise_request_exception=False).get("/panne/", HTTP_X_REQUEST_ID="incident-42")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Identifiant de l'incident : <strong><code>incident-42</code></strong>" in page
    assert '<html lang="fr">' in page and MARKER not in page and "Traceback" not in page
    assert response["X-Request-ID"] == "incident-42"
    err = capsys.readouterr().err
    error = re.search(
        ISO + r" ERROR django\.request incident-42 Internal Server Error: /panne/\n"
        r"Traceback \(most recent call last\):\n(.*\n)+?RuntimeError: " + MARKER,
        err,
    )
    assert error is not None, err
    assert "cpog.acces incident-42 GET /panne/ 500 " in err
    assert err.count("Internal Server Error: /panne/") == 1  # logged once, not twice


def test_a_500_of_the_api_answers_json_with_the_id(
    db: None, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    def broken(request: Any) -> Any:
        raise RuntimeError(MARKER)

    monkeypatch.setattr("cpog.web.api._context", broken)
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.create_user("lecteur", password="x"))
    response = client.get("/api/v1/contract")
    assert response.status_code == 500
    incident = response["X-Request-ID"]
    body = response.json()
    assert body["ok"] is False and body["status"] == 500 and body["identifiant"] == incident
    assert body["error"].startswith("Erreur interne du serveur") and incident in body["error"]
    assert MARKER not in response.content.decode()
    err = capsys.readouterr().err
    assert f"ERROR django.request {incident} Internal Server Error: /api/v1/contract" in err
    assert f"RuntimeError: {MARKER}" in err


def test_an_installation_error_of_the_api_is_logged_with_its_id(
    db: None, behind_proxy: None, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    message = "Le fichier de politique de pilotage est illisible (test 7f3a)."

    def misconfigured(request: Any) -> Any:
        raise CpogError(message)

    monkeypatch.setattr("cpog.web.api._context", misconfigured)
    client = Client()
    client.force_login(User.objects.create_user("lecteur", password="x"))
    response = client.get("/api/v1/contract", HTTP_X_REQUEST_ID="req-9")
    assert response.status_code == 500
    assert response.json() == {
        "ok": False,
        "status": 500,
        "error": message,
        "errors": [],
        "identifiant": "req-9",
    }
    err = capsys.readouterr().err
    assert f"ERROR cpog.web.api req-9 Erreur de l'installation (API) : {message}" in err
    assert f"cpog.errors.CpogError: {message}" in err


def test_the_token_of_a_password_reset_link_is_never_logged(db: None, capsys: Any) -> None:
    user = User.objects.create_user("mdupont", "m.dupont@caf79.example", "ancien mot de passe 1")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    client = Client()
    # followed: Django keeps the token in the session and redirects to « set-password »
    first = client.get(f"/reinitialiser/{uid}/{token}/")
    assert first.status_code == 302
    assert first["Location"] == f"/reinitialiser/{uid}/set-password/"
    assert client.get(first["Location"]).status_code == 200
    # without its final slash (a redirect), and refused by Django (its own warning line)
    assert client.get(f"/reinitialiser/{uid}/{token}").status_code == 301
    refused = Client(enforce_csrf_checks=True).post(f"/reinitialiser/{uid}/{token}/")
    assert refused.status_code == 403
    # a 500 there: Django's django.request line
    logging.getLogger("django.request").error(
        "Internal Server Error: %s", f"/reinitialiser/{uid}/{token}/"
    )
    err = capsys.readouterr().err
    assert token not in err, err
    lines = _access_lines(err)
    assert [line.split(" cpog.acces ")[1].split()[1:4] for line in lines] == [
        ["GET", f"/reinitialiser/{uid}/…/", "302"],
        ["GET", f"/reinitialiser/{uid}/set-password/", "200"],
        ["GET", f"/reinitialiser/{uid}/…", "301"],
        ["POST", f"/reinitialiser/{uid}/…/", "403"],
    ]
    assert f"Forbidden (CSRF cookie not set.): /reinitialiser/{uid}/…/\n" in err
    assert f"ERROR django.request - Internal Server Error: /reinitialiser/{uid}/…/" in err
    assert logged_path("/reinitialiser/termine/") == "/reinitialiser/termine/"


def test_a_line_outside_a_request_has_a_dash_for_id(capsys: Any) -> None:
    logging.getLogger("cpog.test").warning("Message hors requête")
    line = capsys.readouterr().err.strip()
    assert re.fullmatch(ISO + " WARNING cpog.test - Message hors requête", line), line


def test_json_lines_carry_the_same_fields_and_the_traceback() -> None:
    logger = logging.getLogger("cpog.test.json")
    try:
        raise ValueError("valeur 7f3a")
    except ValueError:
        record = logger.makeRecord(
            logger.name, logging.ERROR, __file__, 1, "Échec de %s", ("l'essai",), None
        )
        import sys

        record.exc_info = sys.exc_info()
    token = request_id.set("req-json")
    try:
        line = JsonFormatter().format(record)
    finally:
        request_id.reset(token)
    assert "\n" not in line
    entry = json.loads(line)
    assert re.fullmatch(ISO, entry["time"])
    assert entry["level"] == "ERROR" and entry["logger"] == "cpog.test.json"
    assert entry["request_id"] == "req-json" and entry["message"] == "Échec de l'essai"
    assert (
        entry["exception"].startswith("Traceback")
        and "ValueError: valeur 7f3a" in entry["exception"]
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CPOG_LOG_FORMAT", "xml"),
        ("CPOG_LOG_LEVEL", "bavard"),
        ("CPOG_ACCESS_LOG", "oui"),
    ],
)
def test_an_invalid_setting_is_refused_in_french(variable: str, value: str) -> None:
    from cpog.logs import access_log_enabled

    with pytest.raises(ImproperlyConfigured) as refused:
        logging_settings({variable: value})
        access_log_enabled({variable: value})
    assert f"{variable}='{value}'" in str(refused.value)
    assert "attendu" in str(refused.value) or "valeurs possibles" in str(refused.value)


def test_the_settings_choose_the_format_and_the_level() -> None:
    chosen = logging_settings({"CPOG_LOG_FORMAT": "JSON", "CPOG_LOG_LEVEL": "warning"})
    assert chosen["handlers"]["stderr"]["formatter"] == "json"
    assert chosen["root"]["level"] == "WARNING"
    default = logging_settings({})
    assert default["handlers"]["stderr"]["formatter"] == "texte"
    assert default["root"]["level"] == "INFO"
    assert default["disable_existing_loggers"] is False
