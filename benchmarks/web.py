"""Web pages under load, behind the production set-up (``cpog serve --workers N``): 20 concurrent
clients on loopback, each page beside a static file served by the same server, with 101 caisses ×
36 indicators × 60 months in the store; then, on request, a soak of mixed reads and writes that
samples the server processes' memory.

    uv run python benchmarks/web.py [--database sqlite|postgres] [--requests 2000]
        [--configs 2:fichiers,2:memoire,2:aucun,1:fichiers] [--soak 600 --soak-clients 50]

A configuration ``N:cache`` runs ``cpog serve --workers N`` with ``CPOG_PAGE_CACHE=cache``
(``1`` is waitress's single process). The clients are threads of this process using keep-alive
connections with a logged-in session cookie; they share the machine's cores with the server, so
the figures are those of one machine doing both. PostgreSQL: ``DATABASE_URL_BENCH`` (its database
is emptied). Figures go to docs/benchmarks.md by hand, with the machine and its load average.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

CLIENTS = 20
PORT = 8799
STATIC = "/static/cpog/cpog.css"
PAGES = {
    "fichier statique (cpog.css)": STATIC,
    "tableau de bord": "/",
    "liste des indicateurs": "/indicateurs/",
    "page indicateur (iql0)": "/indicateurs/iql0/",
    "page défi (n°1)": "/defis/1/",
}
WRITTEN = "/indicateurs/cog-01-11/"  # the soak's writes: a yearly rate of défi n°1


def populate(data_dir: Path, database_url: str) -> tuple[str, str]:
    """Store: the contract, demo data for the Caf, and 100 other caisses × 36 × 60 months.
    Returns the cookies of a logged-in lecteur and of a logged-in contrôleur (with a CSRF
    secret, so that it can post the entry form)."""
    os.environ.update(
        CPOG_DATA_DIR=str(data_dir),
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="cpog.settings",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    from cpog import clock
    from cpog.periods import Period
    from cpog.store.firstrun import prepare
    from cpog.store.models import AuditEvent, ContractVersion, Measurement, Target
    from cpog.store.values import NewValue, record_values
    from cpog.web.roles import Role

    for model in (AuditEvent, Measurement, Target, ContractVersion):
        model.objects.all().delete()
    prepare(clock.today(), "bench")
    from cpog.store.contracts import current_contract

    _, contract = current_contract()
    months = []
    year, month = 2021, 11
    for _ in range(60):
        months.append(Period.month_of(year, month))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    for caisse in range(100):
        values = [
            NewValue("indicator", ind.id, p, Decimal(50 + (caisse + n + i) % 37))
            for n, ind in enumerate(contract.indicators)
            for i, p in enumerate(months)
        ]
        record_values(
            contract.id, f"c{caisse:03d}", values, source="computed", user="bench", current={}
        )

    def cookie_of(name: str, role: Role) -> str:
        user, _ = User.objects.get_or_create(username=name)
        user.groups.add(Group.objects.get(name=role.value))
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    print(
        f"Base : {Measurement.objects.count()} valeurs ({settings.DATABASES['default']['ENGINE']})"
    )
    reader = cookie_of("lecteur-bench", Role.LECTEUR)
    writer = cookie_of("controle-bench", Role.CONTROLE)
    connections.close_all()
    return reader, writer


class Client:
    """One keep-alive connection; a connection the server closed is opened again."""

    def __init__(self, cookie: str) -> None:
        self.cookie = cookie
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: str | None = None) -> int:
        headers = {"Cookie": self.cookie}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                response.read()
                return response.status
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    return 0
        return 0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def hammer(path: str, cookie: str, total: int, clients: int = CLIENTS) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_client = total // clients

    def client() -> None:
        nonlocal errors
        me = Client(cookie)
        mine: list[float] = []
        failed = 0
        for _ in range(per_client):
            started = time.perf_counter()
            status = me.request("GET", path)
            mine.append(time.perf_counter() - started)
            failed += status != 200
        me.close()
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "rps": len(latencies) / elapsed,
    }


def rss_kib(pid: int) -> int:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def server_pids(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [pid, *(int(p) for p in children.read_text().split())] if children.exists() else [pid]


def soak(
    server: subprocess.Popen[bytes], reader: str, writer: str, seconds: int, clients: int
) -> None:
    """``clients`` clients for ``seconds``: 1 request in 50 is a value entered through the
    form (a write, which changes the state of the data and so every cached page); the others
    read the pages. The server's processes' RSS is sampled every 5 seconds."""
    stop = time.monotonic() + seconds
    counts = {"lectures": 0, "écritures": 0, "échecs": 0}
    latencies: list[float] = []
    lock = threading.Lock()
    csrf = writer.split("csrftoken=")[1]
    paths = [p for p in PAGES.values() if p != STATIC]

    def client(seed: int) -> None:
        rng = random.Random(seed)
        readers, writers = Client(reader), Client(writer)
        mine: list[float] = []
        reads = writes = failed = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            if rng.random() < 0.02:
                value = f"{rng.randint(900, 999) // 10},{rng.randint(0, 9)}"
                body = f"action=value&periode=2025&valeur={value}&statut=provisional"
                status = writers.request("POST", WRITTEN, f"{body}&csrfmiddlewaretoken={csrf}")
                writes += 1
                failed += status not in (200, 302)
            else:
                status = readers.request("GET", rng.choice(paths))
                reads += 1
                failed += status != 200
            mine.append(time.perf_counter() - started)
        readers.close()
        writers.close()
        with lock:
            counts["lectures"] += reads
            counts["écritures"] += writes
            counts["échecs"] += failed
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    samples: list[tuple[float, list[int]]] = []
    began = time.monotonic()
    while any(t.is_alive() for t in threads):
        samples.append((time.monotonic() - began, [rss_kib(p) for p in server_pids(server.pid)]))
        time.sleep(5)
    for t in threads:
        t.join()
    latencies.sort()
    print(
        f"\nEndurance : {seconds} s, {clients} clients, {counts['lectures']} lectures, "
        f"{counts['écritures']} écritures, {counts['échecs']} échecs ; "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms"
    )
    print("mémoire résidente (Mio) : t (s), total, par processus [maître, ouvriers…]")
    for at, rss in samples[:: max(1, len(samples) // 20)]:
        print(f"  {at:6.0f}  {sum(rss) / 1024:7.1f}  {[round(r / 1024) for r in rss]}")

    def window(first: bool) -> list[float]:
        edge = 60 if first else samples[-1][0] - 60
        return [sum(r) / 1024 for at, r in samples if (at <= edge if first else at >= edge)]

    head, tail = window(True), window(False)
    print(
        f"première minute : moyenne {statistics.mean(head):.1f} Mio, max {max(head):.1f} Mio ; "
        f"dernière minute : moyenne {statistics.mean(tail):.1f} Mio, max {max(tail):.1f} Mio"
    )


def start(env: dict[str, str], workers: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "cpog.cli.main", "serve", "--port", str(PORT)]
    log = Path(env["CPOG_DATA_DIR"]) / "serveur.log"  # a pipe left unread would block it
    server = subprocess.Popen(
        [*command, "--workers", str(workers), "--sans-demo"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )
    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            connection.request("GET", STATIC)
            connection.getresponse().read()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"serveur arrêté : {log.read_text()}") from None
            time.sleep(0.2)
    raise SystemExit("le serveur ne répond pas")


def stopped(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(timeout=60)
    if server.returncode != 0:
        print(f"code de sortie du serveur : {server.returncode}")


def measure(reader: str, requests: int) -> dict[str, dict[str, float]]:
    for path in PAGES.values():
        hammer(path, reader, 200)  # warm-up: every process builds and keeps its pages
    return {name: hammer(path, reader, requests) for name, path in PAGES.items()}


def report(title: str, results: dict[str, dict[str, float]]) -> None:
    base = results["fichier statique (cpog.css)"]
    print(f"\n{title}")
    header = ("page", "req.", "err.", "p50 ms", "p95 ms", "req/s", "× p95 statique")
    print(f"{header[0]:30} " + " ".join(f"{h:>8}" for h in header[1:]))
    for name, r in results.items():
        print(
            f"{name:30} {r['requests']:6.0f} {r['errors']:5.0f} {r['p50_ms']:8.1f} "
            f"{r['p95_ms']:8.1f} {r['rps']:8.1f} {r['p95_ms'] / base['p95_ms']:15.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=2000, help="par page")
    parser.add_argument("--configs", default="2:fichiers", help="N:cache,… (N processus)")
    parser.add_argument("--soak", type=int, default=0, help="durée de l'endurance (s)")
    parser.add_argument("--soak-clients", type=int, default=50)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp())
    url = (
        os.environ.get("DATABASE_URL_BENCH", "postgres://postgres@127.0.0.1:5432/wt_pages_bench")
        if args.database == "postgres"
        else f"sqlite:///{data_dir}/cpog.sqlite3"
    )
    started = time.perf_counter()
    reader, writer = populate(data_dir, url)
    csrf = secrets.token_hex(16)  # a CSRF secret of 32 characters, sent as cookie and field
    writer = f"{writer}; csrftoken={csrf}"
    print(f"Remplissage : {time.perf_counter() - started:.0f} s")
    load = Path("/proc/loadavg").read_text().split()[0]
    print(
        f"Machine : {platform.machine()}, {os.cpu_count()} cœurs, Python "
        f"{sys.version.split()[0]}, {CLIENTS} clients simultanés, base {args.database}, "
        f"charge moyenne au départ {load}"
    )
    configs: list[tuple[int, str]] = [
        (int(n), cache) for n, cache in (c.split(":") for c in args.configs.split(","))
    ]

    def run(workers: int, cache: str) -> subprocess.Popen[bytes]:
        env = dict(os.environ, CPOG_DATA_DIR=str(data_dir), DATABASE_URL=url)
        return start(env | {"CPOG_PAGE_CACHE": cache}, workers)

    for workers, cache in configs:
        server = run(workers, cache)
        try:
            label = "waitress, 1 processus" if workers == 1 else f"gunicorn, {workers} processus"
            report(f"{label}, cache des pages « {cache} »", measure(reader, args.requests))
        finally:
            stopped(server)
    if args.soak:
        workers, cache = configs[0]
        server = run(workers, cache)
        try:
            soak(server, reader, writer, args.soak, args.soak_clients)
        finally:
            stopped(server)


if __name__ == "__main__":
    main()
