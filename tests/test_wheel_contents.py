"""The wheel an IT engineer installs without the developer tools (``pip install cpog-….whl``,
docs/deploy.md) holds everything cpog runs on in production: every file of the package — code,
templates, static files, migrations, the shipped contracts, SQL definitions, Typst templates and
fonts, data — not only the Python modules.

The wheel is built for real (``uv build --wheel --offline``, about 3 s: hatchling comes from uv's
cache, filled by ``uv sync``). Without uv the test is skipped, unless ``CPOG_REQUIRE_WHEEL=1``
(CI) makes that a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "cpog"


def _uv() -> str:
    for candidate in (os.environ.get("UV"), shutil.which("uv"), str(ROOT / ".tools/bin/uv")):
        if candidate and Path(candidate).is_file():
            return candidate
    reason = "uv introuvable (ni UV, ni PATH, ni .tools/bin/uv) : la roue n'est pas construite."
    if os.environ.get("CPOG_REQUIRE_WHEEL") == "1":
        pytest.fail(f"{reason} CPOG_REQUIRE_WHEEL=1 exige ce test.")
    pytest.skip(reason)


def _package_files() -> set[str]:
    return {
        path.relative_to(PACKAGE.parent).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def test_the_wheel_holds_every_file_the_package_runs_on(tmp_path: Path) -> None:
    built = subprocess.run(
        [_uv(), "build", "--wheel", "--offline", "--out-dir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = tmp_path.glob("cpog-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        commands = archive.read(entry_points).decode()
    members = {n for n in names if n.startswith("cpog/")}
    assert members == _package_files()
    assert "cpog = cpog.cli.main:main" in commands  # the « cpog » command
    for needed in (
        "cpog/settings.py",
        "cpog/web/templates/web/base.html",
        "cpog/web/static/cpog/cpog.css",
        "cpog/store/migrations/0001_initial.py",
        "cpog/web/migrations/0001_initial.py",
    ):
        assert needed in members, needed
    kinds = {Path(n).suffix for n in members}
    assert {".html", ".css", ".js", ".yaml", ".sql", ".typ", ".ttf"} <= kinds
