"""Behind a reverse proxy (decision 023): X-Forwarded-Proto and X-Forwarded-For are believed from
CPOG_TRUSTED_PROXIES only; the login lockout tells desks apart by the proxy's X-Forwarded-For.

The same behaviour through a real nginx with TLS is proven in tests/deploy/test_behind_nginx.py.
"""

from __future__ import annotations

import ipaddress
import re
import runpy
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from cpog.web.proxy import client_address, parse_networks, parse_origins

PASSWORD = "mot-de-passe-de-test-1"  # the users fixture's (tests/web/conftest.py)
PROXY = "10.0.0.1"


def networks(*items: str) -> tuple[Any, ...]:
    return tuple(ipaddress.ip_network(item) for item in items)


@pytest.fixture
def behind_proxy(settings: Any) -> Any:
    """Production's https settings, with 10.0.0.1 and the 10.9.0.0/16 proxies trusted."""
    settings.TRUSTED_PROXIES = networks(f"{PROXY}/32", "10.9.0.0/16")
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    return settings


@pytest.fixture
def steering_data(db: None) -> Any:
    """The contract without the demo values: signing in needs users, not numbers."""
    from cpog.contract import default_contract_path
    from cpog.store.contracts import current_contract, load_contract_version

    load_contract_version(default_contract_path(), "test:setup")
    return current_contract()[1]


# --- the settings' parsers ---------------------------------------------------------------------


def test_proxies_are_addresses_or_networks() -> None:
    assert parse_networks("CPOG_TRUSTED_PROXIES", " 127.0.0.1, 10.1.2.0/24 ,::1,") == networks(
        "127.0.0.1/32", "10.1.2.0/24", "::1/128"
    )
    assert parse_networks("CPOG_TRUSTED_PROXIES", "") == ()


@pytest.mark.parametrize("value", ["proxy.caf79.fr", "10.0.0.300", "10.0.0.0/33"])
def test_a_wrong_proxy_is_refused_in_french_naming_variable_and_value(value: str) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_networks("CPOG_TRUSTED_PROXIES", f"127.0.0.1,{value}")
    message = str(refused.value)
    assert message.startswith("CPOG_TRUSTED_PROXIES : ")
    assert f"« {value} » n'est ni une adresse IP ni un réseau" in message


def test_origins_keep_scheme_host_and_port() -> None:
    assert parse_origins(
        "CPOG_CSRF_TRUSTED_ORIGINS", "https://cpog.caf79.fr/, https://localhost:8443"
    ) == ["https://cpog.caf79.fr", "https://localhost:8443"]


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("cpog.caf79.fr", "n'est pas une origine ; écrivez le schéma"),
        ("ftp://cpog.caf79.fr", "n'est pas une origine ; écrivez le schéma"),
        ("https://cpog.caf79.fr/connexion/", "contient un chemin"),
    ],
)
def test_an_origin_without_scheme_is_refused_in_french(value: str, why: str) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        parse_origins("CPOG_CSRF_TRUSTED_ORIGINS", value)
    assert str(refused.value).startswith(f"CPOG_CSRF_TRUSTED_ORIGINS : « {value} » {why}")


def _settings_with(monkeypatch: pytest.MonkeyPatch, **environment: str) -> dict[str, Any]:
    """cpog.settings executed afresh under these variables (the loaded settings are untouched)."""
    monkeypatch.setenv("CPOG_SECRET_KEY", "cle-de-test-" + "x" * 40)
    for name in ("CPOG_TRUSTED_PROXIES", "CPOG_CSRF_TRUSTED_ORIGINS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    import cpog.settings

    return runpy.run_path(cpog.settings.__file__, run_name="cpog_settings_under_test")


def test_the_settings_read_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    configured = _settings_with(
        monkeypatch,
        CPOG_TRUSTED_PROXIES="127.0.0.1",
        CPOG_CSRF_TRUSTED_ORIGINS="https://cpog.caf79.fr",
    )
    assert configured["TRUSTED_PROXIES"] == networks("127.0.0.1/32")
    assert configured["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert configured["CSRF_TRUSTED_ORIGINS"] == ["https://cpog.caf79.fr"]
    assert configured["MIDDLEWARE"][0] == "cpog.web.proxy.TrustedProxyMiddleware"
    assert configured["AXES_CLIENT_IP_CALLABLE"] == "cpog.web.proxy.client_address"
    # without a proxy, no header says https: Django's own test of the connection decides
    plain = _settings_with(monkeypatch)
    assert plain["TRUSTED_PROXIES"] == ()
    assert "SECURE_PROXY_SSL_HEADER" not in plain
    assert plain["CSRF_TRUSTED_ORIGINS"] == []


def test_the_settings_refuse_an_origin_without_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(
        ImproperlyConfigured, match=re.escape("CPOG_CSRF_TRUSTED_ORIGINS : « cpog.caf79.fr »")
    ):
        _settings_with(monkeypatch, CPOG_CSRF_TRUSTED_ORIGINS="cpog.caf79.fr")


# --- the client's address ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # not a proxy: its header is the client's own word
        ("192.0.2.50", "198.51.100.7", "192.0.2.50"),
        # the proxy without header, or with an empty one: the proxy itself
        (PROXY, None, PROXY),
        (PROXY, " ", PROXY),
        # the proxy appends the desk's address: the rightmost hop, not the client's own words
        (PROXY, "198.51.100.7", "198.51.100.7"),
        (PROXY, "203.0.113.1, 198.51.100.7", "198.51.100.7"),
        # two trusted proxies in a row: the first hop that is not a proxy
        (PROXY, "203.0.113.1, 198.51.100.7, 10.9.4.2", "198.51.100.7"),
        # a hop that is no address: nothing on its left is believed
        (PROXY, "198.51.100.7, pas-une-adresse, 10.9.4.2", "10.9.4.2"),
        (PROXY, "unknown", PROXY),
        (PROXY, "2001:db8::5", "2001:db8::5"),
    ],
)
def test_the_client_address(
    behind_proxy: Any, peer: str, forwarded: str | None, client: str
) -> None:
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(RequestFactory().get("/", **extra)) == client  # type: ignore[arg-type]


def test_without_trusted_proxy_the_peer_is_the_client(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ()
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert client_address(request) == PROXY


# --- https behind the proxy ----------------------------------------------------------------------


def test_https_is_believed_from_the_proxy_only(behind_proxy: Any, db: None) -> None:
    # the proxy says the browser spoke https: no redirect, no loop
    through_proxy = Client(REMOTE_ADDR=PROXY).get("/connexion/", HTTP_X_FORWARDED_PROTO="https")
    assert through_proxy.status_code == 200
    # the same header from anybody else is removed: redirected to https like any http request
    forged = Client(REMOTE_ADDR="192.0.2.50").get("/connexion/", HTTP_X_FORWARDED_PROTO="https")
    assert forged.status_code == 301
    assert forged["Location"] == "https://testserver/connexion/"
    # the proxy relaying plain http is redirected too
    plain = Client(REMOTE_ADDR=PROXY).get("/connexion/", HTTP_X_FORWARDED_PROTO="http")
    assert plain.status_code == 301


# --- the login lockout -----------------------------------------------------------------------


def _sign_in(desk: str, password: str, peer: str = PROXY, forwarded: str | None = None) -> Any:
    headers = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": forwarded or desk}
    client = Client(REMOTE_ADDR=peer, **headers)  # type: ignore[arg-type]
    return client.post("/connexion/", {"username": "pilote", "password": password})


def test_five_failures_at_one_desk_do_not_lock_the_other_desks(
    behind_proxy: Any, users: Any
) -> None:
    from axes.models import AccessAttempt

    desk, other_desk = "192.168.1.10", "192.168.1.11"
    for attempt in range(django_settings.AXES_FAILURE_LIMIT):
        # the left hops are the client's words: changing them does not escape the lockout
        spoof = f"203.0.113.{attempt}, {desk}"
        response = _sign_in(desk, "pas-le-bon", forwarded=spoof)
    assert response.status_code == 429
    assert _sign_in(desk, PASSWORD).status_code == 429  # even with the right password
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [desk]

    # the same person at another desk, behind the same proxy, signs in
    signed_in = _sign_in(other_desk, PASSWORD)
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"


def test_a_forged_forwarded_for_does_not_escape_the_lockout(behind_proxy: Any, users: Any) -> None:
    from axes.models import AccessAttempt

    behind_proxy.SECURE_SSL_REDIRECT = False  # served in plain http, so that it reaches the form
    outsider = "192.0.2.50"  # not a proxy: whatever it claims, it is itself
    for attempt in range(django_settings.AXES_FAILURE_LIMIT):
        response = _sign_in(f"198.51.100.{attempt}", "pas-le-bon", peer=outsider)
    assert response.status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [outsider]


ECHO_SERVER = """
import json, sys
from waitress import serve
from cpog.web.server import waitress_options

def echo(environ, start_response):
    seen = {k: environ.get(k, "") for k in ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR")}
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(seen).encode()]

serve(echo, host="127.0.0.1", port=int(sys.argv[1]), **waitress_options(2))
"""


def test_waitress_hands_the_forwarding_headers_to_cpog(tmp_path: Any) -> None:
    """``cpog serve --workers 1`` (waitress): nginx's X-Forwarded-* must reach cpog's middleware,
    which alone decides whether to believe them; waitress on its own would drop them (and every
    request behind the proxy would be redirected to https, again and again)."""
    import json
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-c", ECHO_SERVER, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/",
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.1.1"},
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    seen = json.loads(answer.read())
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert seen == {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "10.1.1.1"}
