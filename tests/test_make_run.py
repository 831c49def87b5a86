"""``make run`` stopped by Ctrl+C or SIGTERM ends without « make: *** Error 143 », and ``.tools/``
(the bootstrapped uv) is ignored by git."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

FAKE_CPOG = """
import os, signal, sys
if sys.argv[1:3] == ["cpog", "serve"]:
    how = os.environ["FAKE_STOP"]
    if how == "fail":
        sys.exit(1)
    os.kill(os.getpid(), getattr(signal, how))  # stopped as make's child is by Ctrl+C or a kill
"""


def _make_run(tmp_path: Path, stop: str) -> subprocess.CompletedProcess[str]:
    fake = tmp_path / "fake_cpog.py"
    fake.write_text(FAKE_CPOG)
    return subprocess.run(
        ["make", "-s", "-C", str(ROOT), "run", "UV=true", f"RUN={sys.executable} {fake}"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "FAKE_STOP": stop},
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(shutil.which("make") is None, reason="make absent")
@pytest.mark.skipif(sys.platform == "win32", reason="signaux POSIX")
@pytest.mark.parametrize("stop", ["SIGTERM", "SIGINT"])
def test_a_stopped_make_run_is_no_error(tmp_path: Path, stop: str) -> None:
    assert hasattr(signal, stop)
    done = _make_run(tmp_path, stop)
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr and "***" not in done.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="make absent")
def test_a_failing_server_still_fails_make_run(tmp_path: Path) -> None:
    done = _make_run(tmp_path, "fail")
    assert done.returncode != 0
    assert "Error 1" in done.stderr


@pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(), reason="dépôt git absent"
)
def test_tools_folder_is_ignored_by_git() -> None:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "--no-index", "-q", ".tools/bin/uv"],
        check=False,
    )
    assert done.returncode == 0
