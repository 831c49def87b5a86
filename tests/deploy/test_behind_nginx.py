"""cpog in production behind Debian's nginx with TLS, configured by THE shipped example
(deploy/nginx/cpog.conf, decision 023): logging in, posting a form and calling the API work
through the proxy; http is sent to https; forwarding headers are believed from nginx only; the
login lockout tells desks apart.

nginx (``/usr/sbin/nginx``, ``apt-get install nginx``) runs as a foreground process with its own
prefix, configuration, pid file and logs in a temporary folder, on free loopback ports: a system
nginx, if any, is neither used nor disturbed. Without the binary the module is skipped, unless
``CPOG_REQUIRE_NGINX=1`` (set by ``.ci/run``) makes its absence a failure. The certificate is
made by trustme. cpog is ``cpog serve`` (gunicorn, 2 processes) in production mode, on SQLite in
the temporary folder, or on a database of its own next to ``DATABASE_URL`` when that is
PostgreSQL. Servers are started once for the module.

Two desks behind the proxy are two loopback source addresses (127.0.0.2, 127.0.0.3: Linux
answers for the whole of 127.0.0.0/8).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

NGINX = Path("/usr/sbin/nginx")
ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "deploy" / "nginx" / "cpog.conf"
TODAY = "2026-11-27"  # tests/conftest.py's TODAY, for a fixture wider than a test
PASSWORD = "une phrase de passe pour nginx"
HOST = "localhost"  # the certificate's name, and the site's
DESK, OTHER_DESK = "127.0.0.2", "127.0.0.3"
# production's command line (deploy/systemd/cpog.service), on the test's port
SERVE = [sys.executable, "-m", "cpog.cli.main", "serve", "--host", "127.0.0.1"]
SERVE += ["--workers", "2"]
START_SECONDS = 90  # a new store is migrated first


def _require_nginx() -> None:
    if NGINX.exists():
        return
    reason = f"nginx absent ({NGINX}) : installez-le avec « apt-get install -y nginx »."
    if os.environ.get("CPOG_REQUIRE_NGINX") == "1":
        pytest.fail(f"{reason} CPOG_REQUIRE_NGINX=1 exige le test derrière nginx.")
    pytest.skip(reason)


if sys.platform == "win32":  # pragma: no cover - gunicorn needs fork, nginx is Debian's
    pytest.skip("nginx de Debian et gunicorn : Linux seulement", allow_module_level=True)

requests = pytest.importorskip("requests")
trustme = pytest.importorskip("trustme")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the shipped example, rendered for the test -------------------------------------------------


def render_nginx(
    text: str,
    *,
    http_port: int,
    https_port: int,
    cpog_port: int,
    folder: Path,
    cert: Path,
    key: Path,
) -> str:
    """The shipped server blocks with the test's ports, certificate and logs. Each replaced line
    must be in the example, so that the test fails when the example changes shape."""
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "/etc/ssl/cpog/cpog.crt": str(cert),
        "/etc/ssl/cpog/cpog.key": str(key),
        "/var/log/nginx/cpog.access.log": str(folder / "access.log"),
        "/var/log/nginx/cpog.error.log": str(folder / "error.log"),
        "proxy_pass http://127.0.0.1:8000;": f"proxy_pass http://127.0.0.1:{cpog_port};",
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"{SHIPPED.name} ne contient plus « {old} » une fois"
        text = text.replace(old, new)
    return text


def nginx_main_config(folder: Path, server_blocks: Path) -> str:
    """What /etc/nginx/nginx.conf would be, in the temporary folder."""
    temp = {name: folder / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers write the temporary files here
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        f"  access_log {folder / 'access.log'};\n"
        f"  client_body_temp_path {temp['client_body']};\n"
        f"  proxy_temp_path {temp['proxy']};\n"
        f"  fastcgi_temp_path {temp['fastcgi']};\n"
        f"  uwsgi_temp_path {temp['uwsgi']};\n"
        f"  scgi_temp_path {temp['scgi']};\n"
        f"  include {server_blocks};\n"
        "}\n"
    )


# --- the store and the servers ------------------------------------------------------------------


def _database_url(folder: Path) -> Iterator[str]:
    """SQLite in the folder; with a PostgreSQL DATABASE_URL, a fresh database next to it."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{folder / 'cpog.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(configured)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # one database per test process
    name = "_".join(filter(None, [parts.path.lstrip("/") or "cpog", "nginx", worker]))
    admin = configured  # CREATE DATABASE from a connection to the configured one
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cpog(env: dict[str, str], *arguments: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cpog.cli.main", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=START_SECONDS,
    )
    assert done.returncode == 0, f"cpog {' '.join(arguments)} : {done.stdout}{done.stderr}"


def prepare_store(env: dict[str, str], folder: Path) -> None:
    """The store as an installer leaves it: the contract, the roles and a first administrator,
    no demonstration data."""
    # docs/deploy.md, « Préparer la base »: the three steps, in production mode
    _cpog(env, "migrate")
    _cpog(env, "static")
    secret = folder / "mot-de-passe"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    secret.chmod(0o600)
    _cpog(env, "init", "--mot-de-passe-fichier", str(secret))
    secret.unlink()


def _wait(process: subprocess.Popen[bytes], port: int, log: Path, what: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} s'est arrêté ({process.returncode}) :\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"{what} ne répond pas sur le port {port} :\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


@dataclass
class Site:
    https: str  # https://localhost:PORT
    http: str
    direct_port: int  # cpog itself, without nginx
    ca_file: Path  # the test's certification authority, trusted by the sessions
    folder: Path

    def session(self, source: str = "127.0.0.1") -> Any:
        """A browser at a desk: its connections leave from ``source``, trusting the test's CA."""
        session = requests.Session()
        session.trust_env = False  # no HTTP proxy, no REQUESTS_CA_BUNDLE from the environment
        session.verify = str(self.ca_file)
        adapter = SourceAdapter(source)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session


class SourceAdapter(requests.adapters.HTTPAdapter):  # type: ignore[misc]
    """Connections from one loopback address (127.0.0.2…), as from another desk."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    _require_nginx()
    folder = tmp_path_factory.mktemp("nginx")
    ca = trustme.CA()
    certificate = ca.issue_cert(HOST, "127.0.0.1")
    cert, key, ca_file = folder / "cpog.crt", folder / "cpog.key", folder / "ca.pem"
    certificate.private_key_pem.write_to_path(str(key))
    cert.write_bytes(b"".join(blob.bytes() for blob in certificate.cert_chain_pems))
    ca.cert_pem.write_to_path(str(ca_file))
    http_port, https_port, cpog_port = _free_port(), _free_port(), _free_port()

    databases = _database_url(folder)
    env = dict(
        os.environ,
        CPOG_DATA_DIR=str(folder / "data"),
        DATABASE_URL=next(databases),
        CPOG_TODAY=TODAY,
        PYTHONUNBUFFERED="1",
        CPOG_PRODUCTION="1",
        CPOG_SECRET_KEY="cle-secrete-du-test-derriere-nginx-0123456789",
        CPOG_TRUSTED_PROXIES="127.0.0.1",
        CPOG_ALLOWED_HOSTS=f"{HOST},127.0.0.1",
        # nginx passes on the name without the port (Host $host): the origin says which port
        CPOG_CSRF_TRUSTED_ORIGINS=f"https://{HOST}:{https_port}",
    )
    for name in ("CPOG_DEBUG", "CPOG_SSL_REDIRECT", "CPOG_STATIC_ROOT"):
        env.pop(name, None)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        prepare_store(env, folder)
        cpog_log = folder / "cpog.log"
        with cpog_log.open("wb") as output:
            cpog = subprocess.Popen(
                [*SERVE, "--port", str(cpog_port)],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        processes["cpog"] = cpog
        _wait(cpog, cpog_port, cpog_log, "cpog serve")

        blocks = folder / "cpog.conf"
        blocks.write_text(
            render_nginx(
                SHIPPED.read_text(encoding="utf-8"),
                http_port=http_port,
                https_port=https_port,
                cpog_port=cpog_port,
                folder=folder,
                cert=cert,
                key=key,
            ),
            encoding="utf-8",
        )
        main = folder / "nginx.conf"
        main.write_text(nginx_main_config(folder, blocks), encoding="utf-8")
        nginx_log = folder / "error.log"
        nginx_log.touch()
        nginx = subprocess.Popen(
            [str(NGINX), "-p", str(folder), "-c", str(main), "-e", str(nginx_log)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes["nginx"] = nginx
        _wait(nginx, https_port, nginx_log, "nginx")
        yield Site(
            https=f"https://{HOST}:{https_port}",
            http=f"http://{HOST}:{http_port}",
            direct_port=cpog_port,
            ca_file=ca_file,
            folder=folder,
        )
    finally:
        nginx_code = _stop(processes["nginx"]) if "nginx" in processes else None
        cpog_code = _stop(processes["cpog"]) if "cpog" in processes else None
        for _ in databases:  # drops the PostgreSQL database, if any
            pass
    log = (folder / "cpog.log").read_text(encoding="utf-8")
    assert cpog_code == 0, log  # cpog serve stops cleanly on SIGTERM
    assert nginx_code == 0, (folder / "error.log").read_text(encoding="utf-8")
    assert "Traceback" not in log, log


def _form_token(page: str) -> str:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None, page
    return token.group(1)


def _post(session: Any, url: str, form: dict[str, str], origin: str) -> Any:
    """A form posted as a browser does: the token from the page, its origin and referer."""
    page = session.get(url, allow_redirects=False)
    assert page.status_code == 200, page.text
    data = {**form, "csrfmiddlewaretoken": _form_token(page.text)}
    headers = {"Origin": origin, "Referer": url}
    return session.post(url, data=data, headers=headers, allow_redirects=False)


def _log_in(site: Site, session: Any, password: str = PASSWORD) -> Any:
    form = {"username": "admin", "password": password}
    return _post(session, site.https + "/connexion/", form, site.https)


# --- through nginx -------------------------------------------------------------------------------


def test_log_in_post_a_form_and_call_the_api_through_nginx(site: Site) -> None:
    browser = site.session()
    page = browser.get(site.https + "/connexion/", allow_redirects=False)
    assert page.status_code == 200  # no redirect loop: cpog believes nginx's https
    assert "Connexion" in page.text

    signed_in = _log_in(site, browser)
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
    cookies = {cookie.name: cookie for cookie in browser.cookies}
    assert cookies["sessionid"].secure and cookies["csrftoken"].secure
    assert browser.get(site.https + "/", allow_redirects=False).status_code == 200

    # a form: a personal API token, whose page shows the API's address as the browser sees it
    created = _post(browser, site.https + "/jetons/", {"name": "script BI"}, site.https)
    assert created.status_code == 200, created.text
    key = re.search(r'id="token-key" class="token-key" value="(cpog_[^"]+)"', created.text)
    assert key is not None, created.text
    assert f"https://{HOST}/api/v1/indicators" in created.text

    api = site.session()
    answer = api.get(
        site.https + "/api/v1/indicators", headers={"Authorization": f"Bearer {key.group(1)}"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    assert "cog-01-11" in {row["identifiant"] for row in answer.json()}  # the contract's
    refused = api.get(site.https + "/api/v1/indicators", headers={"Authorization": "Bearer cpog_x"})
    assert refused.status_code == 401


def test_a_form_from_another_origin_is_refused(site: Site) -> None:
    browser = site.session()
    refused = _post(
        browser,
        site.https + "/connexion/",
        {"username": "admin", "password": PASSWORD},
        origin="https://intrus.example",
    )
    assert refused.status_code == 403
    assert "ne vient pas de cette application" in refused.text


def test_http_is_sent_to_https(site: Site) -> None:
    answer = site.session().get(site.http + "/connexion/?suite=1", allow_redirects=False)
    assert answer.status_code == 301
    # the shipped example sends to the standard https port of the same name
    assert answer.headers["Location"] == f"https://{HOST}/connexion/?suite=1"


def test_five_failures_at_one_desk_lock_that_desk_only(site: Site) -> None:
    desk, other_desk = site.session(DESK), site.session(OTHER_DESK)
    for attempt in range(5):
        # what the desk claims on its own is kept by nginx on the left, and not believed
        desk.headers["X-Forwarded-For"] = f"10.20.30.{attempt}"
        failed = _log_in(site, desk, "pas le bon mot de passe")
    assert failed.status_code == 429
    assert "Connexion temporairement bloquée" in failed.text
    assert _log_in(site, desk).status_code == 429  # even with the right password

    # the same person at the next desk, through the same nginx, signs in
    signed_in = _log_in(site, other_desk)
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
    # nginx saw both desks
    access = _access_log(site, f"{OTHER_DESK} - ")
    assert access.count(f"{DESK} - ") >= 10 and f"{OTHER_DESK} - " in access


def _access_log(site: Site, awaited: str) -> str:
    """nginx's access log once it holds ``awaited``: nginx writes the line after the response
    has left, so a client may read the log before its own request is in it."""
    log = site.folder / "access.log"
    deadline = time.monotonic() + 10
    while True:
        access = log.read_text(encoding="utf-8")
        if awaited in access or time.monotonic() > deadline:
            return access
        time.sleep(0.05)


def test_nginx_does_not_log_the_token_of_a_password_reset_link(site: Site) -> None:
    token = "d1x7k2-0123456789abcdef0123456789abcdef"
    site.session().get(f"{site.https}/reinitialiser/MQ/{token}/", allow_redirects=False)
    access = _access_log(site, "/reinitialiser/")
    assert token not in access
    assert '"GET /reinitialiser/MQ/.../ HTTP/' in access


# --- straight to cpog, around nginx -----------------------------------------------------------


def test_forwarding_headers_sent_straight_to_cpog_are_not_believed(site: Site) -> None:
    direct = f"http://127.0.0.1:{site.direct_port}/connexion/"
    claims = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}
    forged = site.session(DESK).get(direct, headers=claims, allow_redirects=False)
    # not the proxy: its https is not believed, so it is sent to https like any http request
    assert forged.status_code == 301
    assert forged.headers["Location"] == f"https://127.0.0.1:{site.direct_port}/connexion/"
    # the same headers from the proxy's address are believed (the page itself, no redirect)
    from_proxy = site.session("127.0.0.1").get(direct, headers=claims, allow_redirects=False)
    assert from_proxy.status_code == 200
