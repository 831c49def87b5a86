"""Web pages under load: 20 concurrent clients on loopback, beside a static file served by the same
server, with 101 caisses × 36 indicators × 60 months in the store.

    uv run python benchmarks/web.py [--database sqlite|postgres] [--requests 400]

The server is ``cpog serve``'s (waitress, 8 threads) in a separate process; the clients are
threads of this process using keep-alive connections with a logged-in session cookie.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
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


def populate(data_dir: Path, database_url: str) -> str:
    """Store: the contract, demo data for the Caf, and 100 other caisses × 36 × 60 months.
    Returns a session cookie of a logged-in reader."""
    os.environ.update(
        CPOG_DATA_DIR=str(data_dir),
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="cpog.settings",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from cpog import clock
    from cpog.periods import Period
    from cpog.store.firstrun import prepare
    from cpog.store.models import AuditEvent, Measurement, Target
    from cpog.store.values import NewValue, record_values

    for model in (AuditEvent, Measurement, Target):
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
    user, _ = User.objects.get_or_create(username="lecteur-bench")
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    print(
        f"Base : {Measurement.objects.count()} valeurs ({settings.DATABASES['default']['ENGINE']})"
    )
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def hammer(path: str, cookie: str, total: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_client = total // CLIENTS

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        mine: list[float] = []
        for _ in range(per_client):
            started = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                with lock:
                    errors += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp())
    url = (
        os.environ.get("DATABASE_URL_BENCH", "postgres://postgres@127.0.0.1:5432/test")
        if args.database == "postgres"
        else f"sqlite:///{data_dir}/cpog.sqlite3"
    )
    cookie = populate(data_dir, url)
    env = dict(os.environ, CPOG_DATA_DIR=str(data_dir), DATABASE_URL=url)
    server = subprocess.Popen(
        [sys.executable, "-m", "cpog.cli.main", "serve", "--port", str(PORT), "--sans-demo"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request(
                    "GET", "/theme.css"
                )
                break
            except OSError:
                time.sleep(0.2)
        print(
            f"Machine : {platform.machine()}, {os.cpu_count()} cœurs, Python "
            f"{sys.version.split()[0]}, {CLIENTS} clients simultanés, base {args.database}"
        )
        hammer("/indicateurs/iql0/", cookie, 40)  # warm-up
        pages = {
            "fichier statique (cpog.css)": "/static/cpog/cpog.css",
            "tableau de bord": "/",
            "page indicateur (iql0)": "/indicateurs/iql0/",
        }
        results = {name: hammer(path, cookie, args.requests) for name, path in pages.items()}
        base = results["fichier statique (cpog.css)"]
        header = ("page", "req.", "err.", "p50 ms", "p95 ms", "req/s", "× p50 statique")
        print(f"{header[0]:32} " + " ".join(f"{h:>8}" for h in header[1:]))
        for name, r in results.items():
            print(
                f"{name:32} {r['requests']:6.0f} {r['errors']:5.0f} {r['p50_ms']:8.1f} "
                f"{r['p95_ms']:8.1f} {r['rps']:8.1f} {r['p50_ms'] / base['p50_ms']:15.1f}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
