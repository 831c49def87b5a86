"""The shipped deployment examples (deploy/, docs/deploy.md) agree with the code: systemd accepts
the units, the environment example names every variable and gives production settings that
cpog accepts, nginx lets through the largest import.

nginx itself is started in tests/deploy/test_behind_nginx.py. ``systemd-analyze`` comes with
Debian's systemd package; without it the units' check is skipped, unless ``CPOG_REQUIRE_SYSTEMD=1``
(set by ``.ci/run``) makes its absence a failure.
"""

from __future__ import annotations

import os
import re
import runpy
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from cpog.environment import BY_NAME

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / "cpog.env.exemple"
SHIPPED_CPOG = "/opt/cpog/venv/bin/cpog"
ASSIGNMENT = re.compile(r"^#?((?:CPOG_[A-Z0-9_]+)|DATABASE_URL)=(.*)$")


def _systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found:
        return found
    reason = "systemd-analyze absent : installez-le avec « apt-get install -y systemd »."
    if os.environ.get("CPOG_REQUIRE_SYSTEMD") == "1":
        pytest.fail(f"{reason} CPOG_REQUIRE_SYSTEMD=1 exige la vérification des unités.")
    pytest.skip(reason)


@pytest.mark.parametrize("unit", sorted(path.name for path in (DEPLOY / "systemd").glob("cpog*.*")))
def test_systemd_accepts_the_units(unit: str, tmp_path: Path) -> None:
    analyze = _systemd_analyze()
    # the units name the installed cpog: here, the one of this environment
    installed = Path(sys.executable).parent / "cpog"
    assert installed.exists(), installed
    for path in (DEPLOY / "systemd").glob("cpog*.*"):
        text = path.read_text(encoding="utf-8").replace(SHIPPED_CPOG, str(installed))
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    checked = subprocess.run(
        [analyze, "verify", "--man=no", str(tmp_path / unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0 and not checked.stderr.strip(), checked.stderr


def test_the_service_runs_cpog_serve_with_options_it_knows(capsys: Any) -> None:
    from cpog.cli.main import run

    unit = (DEPLOY / "systemd" / "cpog.service").read_text(encoding="utf-8")
    start = re.search(r"^ExecStart=(.+)$", unit, re.MULTILINE)
    assert start is not None
    command = shlex.split(start.group(1))
    assert command[:2] == [SHIPPED_CPOG, "serve"]
    assert run(["serve", "--help"]) == 0
    known = capsys.readouterr().out
    options = [word for word in command[2:] if word.startswith("--")]
    assert options and all(option in known for option in options), (options, known)
    assert "--host 127.0.0.1" in start.group(1)  # nginx only: never on every interface


def _example() -> dict[str, tuple[str, bool]]:
    """Each variable of the example: its value and whether it is set (not commented out)."""
    found: dict[str, tuple[str, bool]] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if match := ASSIGNMENT.match(line):
            found[match.group(1)] = (match.group(2), not line.startswith("#"))
    return found


def test_the_environment_example_names_every_variable() -> None:
    example = _example()
    unknown = sorted(set(example) - set(BY_NAME))
    assert not unknown, f"variables inconnues de cpog.environment : {unknown}"
    missing = sorted(set(BY_NAME) - set(example) - {"CPOG_TODAY"})  # never in production
    assert not missing, f"variables absentes de {ENV_EXAMPLE.name} : {missing}"
    assert "CPOG_TODAY" not in example or not example["CPOG_TODAY"][1]
    for name, (value, _) in example.items():
        assert value == value.strip() and '"' not in value, (
            f"{name}={value} : ni guillemet ni espace"
        )


def test_the_environment_example_is_accepted_by_production_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    example = _example()
    required = {"CPOG_PRODUCTION", "CPOG_SECRET_KEY", "CPOG_DATA_DIR", "DATABASE_URL"}
    required |= {"CPOG_ALLOWED_HOSTS", "CPOG_TRUSTED_PROXIES", "CPOG_CSRF_TRUSTED_ORIGINS"}
    assert all(example[name][1] for name in required)
    for name in BY_NAME:
        monkeypatch.delenv(name, raising=False)
    for name, (value, active) in example.items():
        if active:
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("CPOG_DATA_DIR", str(tmp_path))
    import cpog.settings

    # the example's placeholder key is refused: the installer must put their own
    with pytest.raises(ImproperlyConfigured, match="CPOG_SECRET_KEY est trop courte"):
        runpy.run_path(cpog.settings.__file__, run_name="cpog_settings_from_example")
    monkeypatch.setenv("CPOG_SECRET_KEY", "une-valeur-aleatoire-propre-au-serveur-" + "k" * 20)
    production = runpy.run_path(cpog.settings.__file__, run_name="cpog_settings_from_example")
    assert production["PRODUCTION"] and production["SECURE_SSL_REDIRECT"]
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert [str(network) for network in production["TRUSTED_PROXIES"]] == ["127.0.0.1/32"]
    assert production["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert production["CSRF_TRUSTED_ORIGINS"] == ["https://cpog.caf79.fr"]
    assert production["ALLOWED_HOSTS"] == ["cpog.caf79.fr"]
    assert production["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert production["DATABASES"]["default"]["HOST"] == "/var/run/postgresql"


def test_nginx_lets_the_largest_import_through() -> None:
    from cpog.ingest.bounds import Limits
    from cpog.web.server import WORKER_TIMEOUT

    nginx = (DEPLOY / "nginx" / "cpog.conf").read_text(encoding="utf-8")
    size = re.search(r"^\s*client_max_body_size (\d+)m;", nginx, re.MULTILINE)
    assert size is not None
    largest_import = Limits().max_bytes  # CPOG_IMPORT_MAX_BYTES's default
    # the file and its multipart envelope, so that cpog answers a too large file itself
    assert int(size.group(1)) * 1024 * 1024 > largest_import
    read = re.search(r"^\s*proxy_read_timeout (\d+)s;", nginx, re.MULTILINE)
    assert read is not None and int(read.group(1)) > WORKER_TIMEOUT
