"""The network of caisses (issue 12): 101 caisses × 36 indicators × 60 months in a fresh SQLite
store, built once by ``cpog demo --caisses 101`` (its time is measured), kept in a temporary
folder; then, in one run:

- the « Réseau » page and the comparison page of an indicator behind ``cpog serve --workers 2``,
  each beside a static file served by the same server (20 clients on loopback), with the page
  cache (« fichiers ») and without it (« aucun »: every request builds the context);
- ``cpog compare`` as an in-process function (the context, then its table) and as a process.

    uv run python benchmarks/network.py [--requests 400] [--runs 30] [--processes 10]
        [--configs 2:fichiers,2:aucun] [--keep]

Figures go to docs/benchmarks.md by hand, with the machine and its load average.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import web
from web import hammer, report, start, stopped

STATIC = "/static/cpog/cpog.css"
INDICATOR = "COG 08-29"
# The date of situation: monthly values from January 2022 to December 2026, 60 months.
TODAY = "15/01/2027"
PAGES = {
    "fichier statique (cpog.css)": STATIC,
    "page Réseau (101 caisses)": "/reseau/",
    "comparaison COG 08-29": "/reseau/indicateurs/cog-08-29/?caisse=79",
}


def populate(data_dir: Path, database_url: str) -> tuple[str, date]:
    """The store: the contract, the Caf's demo data, and 100 other caisses by
    ``load_network_demo``; returns the session cookie of a network user (lecteur)."""
    os.environ.update(
        CPOG_TODAY=TODAY,
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
    from cpog.store.contracts import current_contract
    from cpog.store.firstrun import prepare
    from cpog.store.models import AuditEvent, Measurement
    from cpog.store.network_demo import load_network_demo
    from cpog.web.models import UserScope
    from cpog.web.roles import Role

    today = clock.today()
    prepare(today, "bench")
    _, contract = current_contract()
    outcome = load_network_demo(contract, today, 101)
    print(
        f"cpog demo --caisses 101 : {outcome.seconds:.1f} s pour {outcome.caisses - 1} caisses, "
        f"{outcome.values} valeurs, {outcome.targets} cibles ; la base : "
        f"{Measurement.objects.count()} valeurs, {AuditEvent.objects.count()} événements, "
        f"{(data_dir / 'cpog.sqlite3').stat().st_size / 1e6:.0f} Mo"
    )
    started = time.perf_counter()
    again = load_network_demo(contract, today, 101)
    print(
        f"deuxième passage (rien à écrire : {again.values} valeurs) : "
        f"{time.perf_counter() - started:.1f} s"
    )
    user, _ = User.objects.get_or_create(username="reseau-bench")
    user.groups.add(Group.objects.get(name=Role.LECTEUR.value))
    UserScope.objects.update_or_create(user=user, defaults={"network": True})
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    connections.close_all()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}", today


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"


def in_process(today: date, runs: int) -> None:
    """The comparison's context and table, as ``cpog compare`` builds them, in this process."""
    from rich.console import Console

    from cpog.cli import compare_command
    from cpog.contexts.network import comparison_context, network_context
    from cpog.peer_groups import peer_groups
    from cpog.store.network import NetworkStoreReader

    def compare() -> None:
        context = comparison_context(
            NetworkStoreReader(), INDICATOR, today, peer_groups(), caisse="79"
        )
        compare_command.out = Console(file=io.StringIO(), width=160)
        compare_command._print(context)

    started = time.perf_counter()
    compare()
    first = time.perf_counter() - started
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        compare()
        samples.append(time.perf_counter() - started)
    print(
        f"cpog compare en fonction ({runs} fois) : {percentiles(samples)} ; "
        f"premier appel (101 contrats lus) {first * 1000:.0f} ms"
    )
    samples = []
    for _ in range(max(5, runs // 3)):
        started = time.perf_counter()
        network_context(NetworkStoreReader(), today, peer_groups())
        samples.append(time.perf_counter() - started)
    print(f"contexte de la page Réseau en fonction : {percentiles(samples)}")


def as_processes(env: dict[str, str], runs: int) -> None:
    command = [sys.executable, "-m", "cpog.cli.main", "compare", INDICATOR, "--caisse", "79"]
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        samples.append(time.perf_counter() - started)
    version = [sys.executable, "-m", "cpog.cli.main", "--help"]
    floor = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(version, env=env, check=True, capture_output=True)
        floor.append(time.perf_counter() - started)
    print(
        f"cpog compare en processus ({runs} fois) : {percentiles(samples)} "
        f"(« cpog --help » : {statistics.median(floor) * 1000:.0f} ms)"
    )


def free_port() -> int:
    """A port nobody listens on: other benchmarks (benchmarks/web.py) use 8799."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400, help="par page")
    parser.add_argument("--runs", type=int, default=30, help="cpog compare en fonction")
    parser.add_argument("--processes", type=int, default=10, help="cpog compare en processus")
    parser.add_argument("--configs", default="2:fichiers,2:aucun", help="N:cache,…")
    parser.add_argument("--keep", action="store_true", help="garder le dossier de la base")
    args = parser.parse_args()
    web.PORT = free_port()  # start() and the clients read it
    data_dir = Path(tempfile.mkdtemp(prefix="cpog-reseau-"))
    url = f"sqlite:///{data_dir}/cpog.sqlite3"
    load = Path("/proc/loadavg").read_text().split()[0]
    print(
        f"Machine : {platform.machine()}, {os.cpu_count()} cœurs, Python "
        f"{sys.version.split()[0]}, base SQLite, charge moyenne au départ {load}"
    )
    try:
        cookie, today = populate(data_dir, url)
        env = dict(os.environ, CPOG_DATA_DIR=str(data_dir), DATABASE_URL=url, CPOG_TODAY=TODAY)
        in_process(today, args.runs)
        as_processes(env, args.processes)
        for config in args.configs.split(","):
            workers, cache = config.split(":")
            server = start(env | {"CPOG_PAGE_CACHE": cache}, int(workers))
            try:
                for path in PAGES.values():
                    hammer(path, cookie, 40)  # warm-up: each process reads the contracts once
                results = {
                    name: hammer(path, cookie, args.requests) for name, path in PAGES.items()
                }
                label = f"gunicorn, {workers} processus, cache des pages « {cache} »"
                report(label, results)
            finally:
                stopped(server)
    finally:
        if args.keep:
            print(f"base gardée : {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
